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
