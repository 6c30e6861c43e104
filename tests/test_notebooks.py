"""The source notebooks: nbgrader metadata (fast) and a top-to-bottom execution (slow).

The execution test runs each notebook of KIT["notebooks"] with nbclient in its own folder,
against the embedded dataset (offline), with the reference cs231n package of source/, and
checks what the check cells print against the thresholds of the original assignment.
"""
from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbgrader.nbgraderformat import MetadataValidator

from coursekit import config
from coursekit.build import nbio

COURSE = config.load()
SOURCE_DIR = COURSE.assignment_dir("source")
NOTEBOOKS = COURSE.notebooks
KIT_POINTS = {**COURSE.points.required, **COURSE.points.extra_credit}

# The dataset the notebooks run on: the embedded one (offline), unless $CS231N_DATA_DIR names
# another copy (e.g. the real COCO download); cs231n.coco_utils honours the same variable.
DATASET_DIR = Path(os.environ.get("CS231N_DATA_DIR") or COURSE.embedded_dataset)
KERNEL_NAME = "python3"
CELL_TIMEOUT_SECONDS = 300
INLINE_ANSWER_IDS = {"RNN_Captioning.ipynb": {"inline_question_1"}, "LSTM_Captioning.ipynb": set()}

# What each check cell prints, and the largest value the original assignment accepts
# (the seeds' "you should see errors on the order of ..."). cell id -> [(printed label, max)].
RNN_PARAMS = ["W_embed", "W_proj", "W_vocab", "Wh", "Wx", "b", "b_proj", "b_vocab"]
PRINTED_LIMITS = {
    "RNN_Captioning.ipynb": {
        "rnn_step_forward_check": [("next_h error", 1e-8)],
        "rnn_step_backward_check": [(f"{g} error", 1e-8) for g in ("dx", "dprev_h", "dWx", "dWh", "db")],
        "rnn_forward_check": [("h error", 1e-7)],
        "rnn_backward_check": [(f"{g} error", 1e-6) for g in ("dx", "dh0", "dWx", "dWh", "db")],
        # The expected embedding values are rounded to 8 decimals: an exact answer prints ~1e-8.
        "word_embedding_forward_check": [("out error", 1e-7)],
        "word_embedding_backward_check": [("dW error", 1e-11)],
        "temporal_affine_check": [(f"{g} error", 1e-9) for g in ("dx", "dw", "db")],
        "temporal_softmax_check": [("dx error", 1e-7)],
        "captioning_loss_check": [("difference", 1e-10)],
        "captioning_gradients_check": [(f"{p} relative error", 1e-5) for p in RNN_PARAMS],
        "final_loss_print": [("Final loss", 0.1)],
    },
    "LSTM_Captioning.ipynb": {
        "lstm_step_forward_check": [("next_h error", 1e-8), ("next_c error", 1e-8)],
        "lstm_step_backward_check": [(f"{g} error", 1e-7) for g in ("dx", "dh", "dc", "dWx", "dWh", "db")],
        "lstm_forward_check": [("h error", 1e-7)],
        # "On the order of e-8 (e-6 for dWh)": the reference prints dh0 2.3e-8 and dWh 1.2e-6.
        "lstm_backward_check": [("dx error", 1e-7), ("dh0 error", 1e-7), ("dWx error", 1e-7),
                                ("dWh error", 1e-5), ("db error", 1e-7)],
        "lstm_captioning_loss_check": [("difference", 1e-10)],
        "lstm_final_loss_print": [("Final loss", 0.5)],
    },
}
# check_loss(100, 1, 10), check_loss(100, 10, 10), check_loss(5000, 10, 10, p=0.1): ranges.
SOFTMAX_LOSS_RANGES = [(2.2, 2.4), (22.0, 24.0), (2.2, 2.4)]
OVERFIT_CELLS = {"RNN_Captioning.ipynb": "overfit_check", "LSTM_Captioning.ipynb": "lstm_overfit_check"}
OVERFIT_ITERATIONS = 100  # 50 epochs x (50 captions // batch 25)

NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)"


def read_source(name):
    return nbformat.read(str(SOURCE_DIR / name), as_version=4)


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def grade_cells(nb):
    return [c for c in nb.cells if nbgrader_meta(c).get("grade")]


def cell_by_id(nb, cell_id):
    matches = [c for c in nb.cells if c.get("id") == cell_id]
    assert len(matches) == 1, f"expected one cell with id {cell_id!r}, found {len(matches)}"
    return matches[0]


def stdout_of(cell):
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def printed_value(text, label):
    """The number printed as `label: value` (print('label: ', value) style)."""
    m = re.search(rf"^{re.escape(label)}:\s+{NUMBER}\s*$", text, re.M)
    assert m, f"no line '{label}: <number>' in the output:\n{text}"
    return float(m.group(1))


# ----------------------------------------------------------------------------- metadata (fast)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_valid_nbformat_with_cell_ids(name):
    nb = read_source(name)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), "cell ids need nbformat 4.5"
    ids = [c.get("id") for c in nb.cells]
    assert all(ids), "every cell needs an id"
    assert len(set(ids)) == len(ids), "cell ids must be unique"
    assert nb.metadata.kernelspec.name == KERNEL_NAME


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_nbgrader_metadata_is_consistent(name):
    nb = read_source(name)
    MetadataValidator().validate_nb(nb)  # nbgrader's own checks (schema, unique grade ids)
    graded = grade_cells(nb)
    assert graded, "the notebook has no grade cells"
    for cell in graded:
        meta = nbgrader_meta(cell)
        assert meta["schema_version"] == 3
        assert isinstance(meta.get("points"), (int, float)) and meta["points"] >= 0, meta
        if meta["grade_id"] in KIT_POINTS:
            assert meta["points"] == KIT_POINTS[meta["grade_id"]], (
                f"{meta['grade_id']}: {meta['points']} points in the notebook, "
                f"{KIT_POINTS[meta['grade_id']]} in course_config.py KIT")
        if cell.cell_type == "code":
            assert meta["locked"] and not meta["solution"], f"{meta['grade_id']}: tests cells are read-only"
            assert "assert " in cell.source, f"{meta['grade_id']}: a tests cell must assert something"
        else:
            assert meta["solution"] and not meta["locked"], f"{meta['grade_id']}: answer cells are editable"
    answers = {nbgrader_meta(c)["grade_id"] for c in graded if c.cell_type == "markdown"}
    assert answers == INLINE_ANSWER_IDS[name]


def test_grade_ids_are_unique_across_notebooks():
    ids = [nbgrader_meta(c)["grade_id"] for name in NOTEBOOKS
           for c in read_source(name).cells if "grade_id" in nbgrader_meta(c)]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"grade ids used twice: {duplicates}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_notebook_is_committed_clean(name):
    """No outputs, no student code to write in the notebook, no hidden tests in it."""
    nb = read_source(name)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"cell {cell.id} has outputs"
            assert "BEGIN SOLUTION" not in cell.source, f"cell {cell.id}: student code belongs in cs231n/"
        assert "BEGIN HIDDEN TESTS" not in cell.source, f"cell {cell.id}: hidden tests live in autograder/"


def test_kernel_runs_the_test_interpreter():
    """The python3 kernelspec must start this interpreter (the venv), not some other python."""
    km = KernelManager(kernel_name=KERNEL_NAME)
    cmd = km.format_kernel_cmd()
    assert os.path.realpath(cmd[0]) == os.path.realpath(sys.executable), cmd


# ----------------------------------------------------------------------------- execution (slow)
_EXECUTED: dict = {}


def execute(name):
    """Run a source notebook top to bottom (cached per session); returns (notebook, seconds)."""
    if name not in _EXECUTED:
        if not (DATASET_DIR / "coco2014_captions.h5").is_file():
            pytest.skip(f"no dataset in {DATASET_DIR}: run `coursekit data`")
        nb = read_source(name)
        env = dict(os.environ, CS231N_DATA_DIR=str(DATASET_DIR), OPENBLAS_NUM_THREADS="1")
        client = NotebookClient(nb, timeout=CELL_TIMEOUT_SECONDS, kernel_name=KERNEL_NAME,
                                allow_errors=True, resources={"metadata": {"path": str(SOURCE_DIR)}})
        start = time.perf_counter()
        client.execute(env=env)
        _EXECUTED[name] = (nb, time.perf_counter() - start)
    return _EXECUTED[name]


def cell_errors(nb):
    errors = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"cell {cell.id}: {out.get('ename')}: {out.get('evalue')}")
    return errors


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_without_errors(name):
    nb, seconds = execute(name)
    print(f"{name}: executed in {seconds:.1f} s")
    assert not cell_errors(nb), "\n".join(cell_errors(nb))
    unexecuted = [c.id for c in nb.cells if c.cell_type == "code" and c.execution_count is None]
    assert not unexecuted, f"cells not executed: {unexecuted}"


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_printed_checks_are_within_threshold(name):
    nb, _ = execute(name)
    for cell_id, limits in PRINTED_LIMITS[name].items():
        text = stdout_of(cell_by_id(nb, cell_id))
        for label, limit in limits:
            value = printed_value(text, label)
            assert value < limit, f"{name} cell {cell_id}: {label} = {value:g}, must be < {limit:g}"


@pytest.mark.slow
def test_temporal_softmax_sanity_losses():
    nb, _ = execute("RNN_Captioning.ipynb")
    lines = stdout_of(cell_by_id(nb, "temporal_softmax_check")).splitlines()
    losses = [float(line) for line in lines if re.fullmatch(NUMBER, line.strip())]
    assert len(losses) == len(SOFTMAX_LOSS_RANGES), lines
    for loss, (low, high) in zip(losses, SOFTMAX_LOSS_RANGES):
        assert low <= loss <= high, f"temporal softmax loss {loss} outside [{low}, {high}]"


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_overfit_runs_the_seed_recipe(name):
    nb, _ = execute(name)
    text = stdout_of(cell_by_id(nb, OVERFIT_CELLS[name]))
    line = next((l for l in text.splitlines() if l.startswith("Using ")), "")
    shown = line.split(" in ", 1)[-1].strip()
    # printed relative to the notebook's folder when they share a folder, else absolute
    assert line and (SOURCE_DIR / shown).resolve() == DATASET_DIR.resolve(), \
        f"the notebook did not load the dataset in {DATASET_DIR}: {line!r}"
    iterations = [int(i) for i in re.findall(rf"\(Iteration (\d+) / {OVERFIT_ITERATIONS}\) loss: ", text)]
    assert iterations == list(range(1, OVERFIT_ITERATIONS + 1, 10)), text


# ----------------------------------------------------------------------------- the optional section
# Issue 23: the inline question made empirical. Its cells' ids start with SECTION_PREFIX.
SECTION_NOTEBOOK = "RNN_Captioning.ipynb"
SECTION_PREFIX = "charword-"
SECTION_TIMED_CELLS = {"charword-train", "charword-table", "charword-samples"}   # wall-clock budget
SECTION_SECONDS_LIMIT = 120        # the issue: under two minutes with the default settings


def section_cells(nb):
    return [c for c in nb.cells if c.get("id", "").startswith(SECTION_PREFIX)]


def table_rows(text):
    """{label: (word-level value, char-level value)} of the printed comparison table."""
    from coursekit.reference import reference, submodule
    labels = [label for label, _, _ in submodule(reference(), "level_comparison").TABLE_ROWS]
    found = {}
    for label in labels:
        m = re.search(rf"^{re.escape(label)}\s+(\S+)\s+(\S+)\s*$", text, re.M)
        assert m, f"no table row {label!r} in:\n{text}"
        found[label] = m.groups()
    return found


def as_number(value):
    return float(value.replace(",", "").rstrip("%"))


def cell_seconds(cells):
    """Wall clock from the first cell's start to the last one's reply (nbclient's timing)."""
    from datetime import datetime
    stamps = [c.metadata.get("execution", {}) for c in cells]
    begin = datetime.fromisoformat(stamps[0]["iopub.execute_input"].rstrip("Z"))
    end = datetime.fromisoformat(stamps[-1]["shell.execute_reply"].rstrip("Z"))
    return (end - begin).total_seconds()


def test_the_section_comes_after_the_inline_question_and_is_not_graded():
    nb = read_source(SECTION_NOTEBOOK)
    ids = [c.get("id") for c in nb.cells]
    answer = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == "inline_question_1")
    section = section_cells(nb)
    assert section and ids.index(section[0].id) == answer + 1
    assert [c.id for c in section] == ids[answer + 1: answer + 1 + len(section)], "the section is one run of cells"
    assert not any(nbgrader_meta(c).get("grade") for c in section), "the section is ungraded"
    tagged = {c.id for c in section if nbio.TIMING_TAG in c.metadata.get("tags", [])}
    assert tagged == SECTION_TIMED_CELLS
    question = nb.cells[answer - 1].source
    assert "optional" in question.lower() and "section" in question, "the question should point to the section"


def test_the_model_answer_quotes_the_sections_parameter_counts(course, ref):
    """The model answer's numbers that do not depend on the machine (vocabulary sizes, parameter
    counts) match what the section computes with its settings on the embedded dataset."""
    if not (course.embedded_dataset / "coco2014_vocab.json").is_file():
        pytest.skip("embedded dataset not generated (coursekit data)")
    import json

    import h5py

    from coursekit.reference import submodule
    solution = nbformat.read(str(course.assignment_dir("solutions") / SECTION_NOTEBOOK), as_version=4)
    answer = next(c.source for c in solution.cells if nbgrader_meta(c).get("grade_id") == "inline_question_1")
    settings = {}
    exec(cell_by_id(read_source(SECTION_NOTEBOOK), "charword-settings").source, settings)
    idx_to_word = json.loads((course.embedded_dataset / "coco2014_vocab.json").read_text())["idx_to_word"]
    _, char_to_idx = submodule(ref, "char_captions").char_vocabulary(idx_to_word)
    with h5py.File(course.embedded_dataset / "train2014_vgg16_fc7_pca.h5", "r") as f:
        input_dim = f["features"].shape[1]
    rnn = submodule(ref, "classifiers.rnn")
    counts = submodule(ref, "level_comparison").parameter_counts
    for vocabulary in ({w: i for i, w in enumerate(idx_to_word)}, char_to_idx):
        model = rnn.CaptioningRNN(vocabulary, input_dim=input_dim, hidden_dim=settings["hidden_dim"],
                                  wordvec_dim=settings["wordvec_dim"])
        quoted = [f"{n:,d}" for n in counts(model).values()] + [f"| {len(vocabulary)} |"]
        missing = [q for q in quoted if q not in answer]
        assert not missing, f"the model answer does not quote {missing} (stale after a change of settings?)"


def test_the_committed_solution_ran_the_section(course):
    """coursekit build executed the section: the solutions notebook has its table, no error."""
    nb = nbformat.read(str(course.assignment_dir("solutions") / SECTION_NOTEBOOK), as_version=4)
    cells = section_cells(nb)
    assert not cell_errors(nbformat.v4.new_notebook(cells=cells))
    assert all(c.execution_count for c in cells if c.cell_type == "code")
    table_rows(stdout_of(cell_by_id(nb, "charword-table")))


@pytest.mark.slow
def test_the_section_prints_the_comparison_within_the_time_limit():
    nb, _ = execute(SECTION_NOTEBOOK)
    cells = [c for c in section_cells(nb) if c.cell_type == "code"]
    assert not cell_errors(nbformat.v4.new_notebook(cells=cells)), cell_errors(nbformat.v4.new_notebook(cells=cells))
    seconds = cell_seconds(cells)
    assert seconds < SECTION_SECONDS_LIMIT, f"the section took {seconds:.0f} s"
    rows = {label: tuple(map(as_number, values)) for label, values in table_rows(
        stdout_of(cell_by_id(nb, "charword-table"))).items()}
    (word_v, char_v) = rows["vocabulary size V"]
    assert char_v < word_v
    for level in range(2):
        parts = sum(rows[f"parameters: {p}"][level] for p in ("embedding W_embed", "output W_vocab, b_vocab", "all the others"))
        assert parts == rows["parameters: total"][level]
        assert rows["iterations in the budget"][level] >= 1
        assert 0 <= rows["sampled words that are real words"][level] <= 100
    assert rows["parameters: all the others"][0] == rows["parameters: all the others"][1], "same sizes"
    assert rows["sequence length T (timesteps)"][1] > 2 * rows["sequence length T (timesteps)"][0]
    trained = stdout_of(cell_by_id(nb, "charword-train"))
    assert re.search(r"^word-level: \d+ iterations in \d+ s", trained, re.M), trained
    assert re.search(r"^char-level: \d+ iterations in \d+ s", trained, re.M), trained
    samples = stdout_of(cell_by_id(nb, "charword-samples"))
    assert len(re.findall(r"^char: \S", samples, re.M)) == 5, samples
