"""`coursekit similarity`: what is compared (the code students write, in any handout year's
layout), known solutions found inside whole repositories, the reports and their pages, and bad
input. The calibrated rates are held by tests/test_similarity_calibration.py."""
from __future__ import annotations

import csv
import html as htmllib
import importlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coursekit import cli
from coursekit.selftest import load_corpus
from coursekit.similarity.code import student_code, units
from coursekit.similarity.compare import Document, compare_all
from coursekit.similarity.documents import handout_for, read_files
from coursekit.similarity.params import FLAG_AT, MAX_FALSE_ALARMS
from coursekit.similarity.report import CSV_NAME, HTML_NAME, KNOWN_CSV

LAYERS, MODEL = "cs231n/rnn_layers.py", "cs231n/classifiers/rnn.py"
WRITTEN = {"rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward", "word_embedding_forward",
           "word_embedding_backward", "CaptioningRNN.loss", "CaptioningRNN.sample"}
PROVIDED = {"affine_forward", "affine_backward", "sigmoid", "temporal_affine_forward", "temporal_affine_backward",
            "temporal_softmax_loss", "CaptioningRNN.__init__"}


@pytest.fixture(scope="module")
def sim(course):
    """The calibration set's modules (tests/corpus/similarity)."""
    corpus = load_corpus(course.root / "tests" / "corpus")
    names = ("calibration", "disguise", "solution", "handouts", "overlay")
    return type("Sim", (), {n: importlib.import_module(f"{corpus.__name__}.similarity.{n}") for n in names})


@pytest.fixture(scope="module")
def handout(course):
    return handout_for(course)


@pytest.fixture(scope="module")
def solutions(sim):
    return {s.name: s for s in sim.solution.load_all()}


def _submission(sim, course, solution, dest: Path, layout: str | None = None) -> Path:
    if layout is not None:
        solution = sim.solution.parse(solution.name, f"LAYOUT = {layout!r}\n" + re.sub(
            r"^LAYOUT = .*$", "", solution.text, flags=re.M))
    return sim.calibration.submission(solution, course.assignment_dir("release"), dest)


def _rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# ----------------------------------------------------------------------------- what is compared
def test_only_the_functions_students_write_are_compared(course, sim, solutions, handout, tmp_path):
    """A Python 2 submission on the 2016 handout: no docstring, comment, TODO banner, stub or
    provided function is left, every kept line is the file's line at that number."""
    folder = _submission(sim, course, solutions["s04_py2_loops"], tmp_path / "s04")
    files = read_files(folder, course.student_files)
    with pytest.raises(SyntaxError):
        compile(files[LAYERS], LAYERS, "exec")                # Python 2: the file does not parse
    found = student_code(files, handout)
    assert {u.name for u in found} == WRITTEN               # no LSTM written, nothing provided
    all_units = {u.name for rel, text in files.items() for u in units(rel, text)}
    assert PROVIDED - {"affine_forward", "affine_backward"} <= all_units    # though the files define them
    assert "affine_forward" not in all_units                # the 2016 layout: they are in layers.py
    for unit in found:
        lines = files[unit.file].split("\n")
        for line in unit.lines:
            assert lines[line.number - 1].rstrip() == line.text
            assert not line.text.strip().startswith(("#", '"""')), line.text
            assert line.key not in ("pass", "next_h , cache = None , None", "return next_h , cache")
    assert "xrange" in " ".join(line.text for u in found for line in u.lines)


def test_the_same_code_in_three_handout_years_is_the_same_document(course, sim, solutions, handout, tmp_path):
    solution = solutions["s09_gate_weights"]
    docs = []
    for layout in sim.handouts.LAYOUTS:
        folder = _submission(sim, course, solution, tmp_path / layout, layout)
        docs.append(student_code(read_files(folder, course.student_files), handout))
    keys = [[(u.name, [line.key for line in u.lines]) for u in d] for d in docs]
    assert keys[0] == keys[1] == keys[2]
    texts = [(tmp_path / layout / LAYERS).read_text() for layout in sim.handouts.LAYOUTS]
    assert len(set(texts)) == 3                              # the files themselves differ


def test_a_student_helper_counts_and_a_redefinition_replaces_the_first(handout):
    text = ("import numpy as np\n\ndef rnn_step_forward(x, prev_h, Wx, Wh, b):\n    return 1\n\n"
            "def rnn_step_forward(x, prev_h, Wx, Wh, b):\n    \"\"\"doc\"\"\"\n    # note\n    return 2\n\n"
            "def _helper(a):\n    return a * 2\n\ndef sigmoid(x):\n    return x\n")
    found = student_code({LAYERS: text}, handout)
    assert [(u.name, [line.text for line in u.lines]) for u in found] == [
        ("rnn_step_forward", ["    return 2"]), ("_helper", ["    return a * 2"])]


def test_copies_score_high_and_independent_solutions_mostly_below_the_threshold(course, sim, solutions, handout):
    """Every disguise of one solution against it, in a batch with the other solutions."""
    current = sim.handouts.handout(course.assignment_dir("release"), "2021")
    chosen = [solutions[n] for n in sorted(solutions)]
    copies = [sim.disguise.make(kind, solutions["s14_pythonic"], chosen, current) for kind in sim.disguise.KINDS
              if kind != "vectorised" or solutions["s14_pythonic"].vectorised]

    def doc(name, solution, moved=(), seed=None):
        files = sim.overlay.overlay(solution, sim.handouts.handout(course.assignment_dir("release"),
                                                                   solution.layout), moved=moved)
        files = sim.disguise.reorder(files, seed) if seed is not None else files
        return Document(name, student_code(files, handout))
    docs = [doc(s.name, s) for s in chosen] + [doc(c.name, c.solution, c.moved, c.reorder_seed) for c in copies]
    pairs = {frozenset((p.a.name, p.b.name)): p.similarity for p in compare_all(docs, handout).pairs}
    for c in copies:
        assert pairs[frozenset((c.name, "s14_pythonic"))] >= FLAG_AT, c.kind
    independent = [v for k, v in pairs.items() if not any(n.startswith("copy_") for n in k)]
    assert sum(v >= FLAG_AT for v in independent) <= MAX_FALSE_ALARMS * len(independent)


def test_an_incomplete_submission_is_not_contained_in_every_complete_one(course, sim, solutions, handout):
    """Students who wrote one or two short functions share most of those few tokens with many
    correct solutions: never flagged for it."""
    release = course.assignment_dir("release")
    full = [Document(s.name, student_code(sim.overlay.overlay(s, sim.handouts.handout(release, s.layout)), handout))
            for s in solutions.values()]
    for names in ({"rnn_step_forward"}, {"word_embedding_forward", "word_embedding_backward"}):
        part = [Document(d.name + "_part", [u for u in d.units if u.name in names]) for d in full]
        cmp = compare_all(full + part, handout)
        others = [p for p in cmp.pairs if p.a.name.removesuffix("_part") != p.b.name.removesuffix("_part")]
        assert not [(p.a.name, p.b.name) for p in others if p.similarity >= FLAG_AT]


def test_a_ring_of_copies_does_not_make_its_code_common(course, sim, solutions, handout):
    """Nine copies of one solution: its code is in ten documents, but they are one author."""
    release = course.assignment_dir("release")
    current = sim.handouts.handout(release, "2021")
    chosen = [solutions[n] for n in sorted(solutions)][:12]
    source = chosen[0]

    def doc(name, solution):
        return Document(name, student_code(sim.overlay.overlay(solution, sim.handouts.handout(
            release, solution.layout)), handout))
    ring = [doc(f"ring{i}", sim.disguise.make(kind, source, chosen, current).solution)
            for i, kind in enumerate(k for k in sim.disguise.KINDS if k not in ("moved", "reordered"))]
    cmp = compare_all([doc(s.name, s) for s in chosen] + ring, handout)
    assert cmp.common_at < len(ring)                         # the copies alone would pass as common
    scores = [p.similarity for p in cmp.pairs if {p.a.name, p.b.name} & {r.name for r in ring}
              and source.name in (p.a.name, p.b.name)]
    assert len(scores) == len(ring) and min(scores) >= FLAG_AT


# ----------------------------------------------------------------------------- the command
@pytest.fixture(scope="module")
def batch(course, sim, solutions, tmp_path_factory):
    """Four submissions (one a renamed copy of a public solution), and a --known folder of two
    public repositories: one as a folder, one as a zip, both with other assignments beside it."""
    root = tmp_path_factory.mktemp("batch")
    release = course.assignment_dir("release")
    names = ["s02_npdot_preactivation", "s06_long_names", "s21_float32"]
    subs = [_submission(sim, course, solutions[n], root / "subs" / n) for n in names]
    current = sim.handouts.handout(release, "2021")
    copy = sim.disguise.make("combined", solutions["s11_while_loops"], list(solutions.values()), current)
    subs.append(sim.calibration.submission(copy.solution, release, root / "subs" / "mallory"))
    known = root / "known"
    repo = known / "github_alice_cs231n"
    _submission(sim, course, solutions["s11_while_loops"], repo / "assignment3")
    (repo / "assignment1" / "cs231n").mkdir(parents=True)
    (repo / "assignment1" / "cs231n" / "layers.py").write_text("def affine_forward(x, w, b):\n    pass\n")
    other = _submission(sim, course, solutions["s29_py2_dicts"], root / "repo2" / "2016" / "assignment3")
    with zipfile.ZipFile(known / "bob_2016.zip", "w") as zf:
        for path in sorted(other.rglob("*.py")):
            zf.write(path, "cs231n-2016-master/" + path.relative_to(root / "repo2").as_posix())
        zf.writestr("cs231n-2016-master/README.md", "solutions")
    out = root / "out"
    assert cli.main(["similarity", *map(str, subs), "--out", str(out), "--known", str(known)]) == 0
    return {"out": out, "subs": subs, "known": known}


def test_command_ranks_each_submissions_closest_known_solution(batch):
    rows = {r["submission"]: r for r in _rows(batch["out"] / KNOWN_CSV)}
    assert set(rows) == {"s02_npdot_preactivation", "s06_long_names", "s21_float32", "mallory"}
    assert rows["mallory"]["closest_known"] == "known:github_alice_cs231n"
    assert float(rows["mallory"]["similarity"]) >= FLAG_AT and rows["mallory"]["flagged"] == "yes"
    assert all(r["flagged"] == "no" for n, r in rows.items() if n != "mallory")
    html = (batch["out"] / HTML_NAME).read_text()
    assert "Closest known solution per submission" in html and "known:bob_2016" in html


def test_every_pair_of_the_csv_is_on_the_page_or_accounted_for(batch):
    rows = _rows(batch["out"] / CSV_NAME)
    assert list(rows[0]) == ["a", "b", "similarity", "share_of_a", "share_of_b", "flagged", "page"]
    assert len(rows) == 4 * 3 // 2 + 4 * 2                    # no known-known pair
    values = [float(r["similarity"]) for r in rows]
    assert values == sorted(values, reverse=True) and all(0 <= v <= 1 for v in values)
    html = (batch["out"] / HTML_NAME).read_text()
    for r in rows:
        assert r["flagged"] == ("yes" if float(r["similarity"]) >= FLAG_AT else "no")
        if r["page"]:
            assert (batch["out"] / r["page"]).is_file() and f'href="{r["page"]}#r1"' in html
    assert html.count("<tr class=") >= len(rows)              # every pair listed (fewer than LIST_ROWS)


def test_the_pair_page_opens_at_the_first_region_and_names_real_lines(batch):
    row = next(r for r in _rows(batch["out"] / CSV_NAME) if "mallory" in (r["a"], r["b"]) and r["flagged"] == "yes")
    page = (batch["out"] / row["page"]).read_text()
    assert page.index('id="r1"') < page.index('id="all"')    # the first region comes before the listings
    assert 'href="#a-r1"' in page and 'id="a-r1"' in page and 'id="b-r1"' in page
    mallory = next(p for p in batch["subs"] if p.name == "mallory")
    side = "a" if row["a"] == "mallory" else "b"
    first = re.search(rf'href="#{side}-r1">(\w+\.py) lines? (\d+)', page)
    rel = LAYERS if first.group(1) == "rnn_layers.py" else MODEL
    line = (mallory / rel).read_text().split("\n")[int(first.group(2)) - 1]
    shown = re.search(rf'id="{side}-r1"><span class="ln">(\d+)</span>(.*?)</span>', page)
    assert shown.group(1) == first.group(2)
    assert htmllib.unescape(re.sub(r"<[^>]+>", "", shown.group(2))) == line.rstrip()
    assert '<mark class="hit">' in page
    assert "START OF YOUR CODE" not in page and "Inputs:" not in page     # banners and docstrings


def test_student_text_is_escaped_on_the_pages(course, handout, tmp_path):
    evil = "</pre><script>alert(1)</script>"
    body = f"    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)  # {evil}\n    cache = ('{evil}', x, prev_h, Wx, Wh, next_h)\n"
    docs = []
    for name in ("a", "b"):
        folder = tmp_path / name
        text = (course.assignment_dir("release") / LAYERS).read_text()
        text = text.replace("    pass\n", body, 1)
        (folder / "cs231n" / "classifiers").mkdir(parents=True)
        (folder / LAYERS).write_text(text)
        docs.append(str(folder))
    out = tmp_path / "out"
    assert cli.main(["similarity", *docs, "--out", str(out)]) == 0
    page = next((out / "pairs").glob("*.html")).read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_reports_are_the_same_in_every_process(course, batch, tmp_path):
    """k-gram hashes do not depend on Python's per-process string hashing."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        subprocess.run([str(Path(sys.executable).with_name("coursekit")), "similarity", *map(str, batch["subs"]),
                        "--out", str(out), "--known", str(batch["known"])], check=True, cwd=course.root,
                       capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
        outs.append((out / CSV_NAME).read_text())
    assert outs[0] == outs[1] == (batch["out"] / CSV_NAME).read_text()


def test_bad_input_is_a_clear_error_or_a_warning(course, batch, tmp_path, capsys):
    subs = [str(p) for p in batch["subs"][:2]]
    assert cli.main(["similarity", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert cli.main(["similarity", *subs, "--out", str(tmp_path / "o"), "--known", str(tmp_path / "none")]) == 2
    assert cli.main(["similarity", *subs, "--out", str(tmp_path / "o"), "--flag", "1.5"]) == 2
    assert "--flag must be between 0 and 1" in capsys.readouterr().err
    known = tmp_path / "known"
    known.mkdir()
    (known / "broken.zip").write_bytes(b"not a zip")
    (known / "empty_repo").mkdir()
    (known / "empty_repo" / "README.md").write_text("nothing here")
    handout_only = tmp_path / "untouched"
    shutil.copytree(course.assignment_dir("release") / "cs231n", handout_only / "cs231n")
    assert cli.main(["similarity", *subs, str(handout_only), "--out", str(tmp_path / "o"), "--known", str(known)]) == 0
    err = capsys.readouterr().err
    assert "broken.zip" in err and "empty_repo" in err and "untouched" in err and "Traceback" not in err
    assert len(_rows(tmp_path / "o" / CSV_NAME)) == 1         # the two readable submissions
    assert cli.main(["similarity", str(handout_only), subs[0], "--out", str(tmp_path / "p")]) == 2
