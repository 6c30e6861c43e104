"""The similarity threshold holds issue 21's done-when on the kit's calibration set
(tests/corpus/similarity/), through `coursekit similarity` and its CSV reports: independent
pairs flagged at most MAX_FALSE_ALARMS, disguised copies flagged at least MIN_DETECTION. The
set itself is checked first: its solutions (and its disguised copies) are correct programs, and
its independent solutions really are different."""
from __future__ import annotations

import csv
import importlib
import io
import shutil

import pytest

from coursekit import cli
from coursekit.selftest import load_corpus
from coursekit.similarity.params import MAX_FALSE_ALARMS, MIN_DETECTION

MIN_SOLUTIONS = 30
LAYOUTS_NEEDED = {"2016", "2018", "2021"}


@pytest.fixture(scope="module")
def sim(course):
    corpus = load_corpus(course.root / "tests" / "corpus")
    return {n: importlib.import_module(f"{corpus.__name__}.similarity.{n}")
            for n in ("calibration", "correctness", "disguise", "overlay", "handouts", "solution")}


@pytest.fixture(scope="module")
def cal_set(course, sim, tmp_path_factory):
    return sim["calibration"].build(course.assignment_dir("release"), tmp_path_factory.mktemp("calibration"))


def _run(args, out) -> list[dict]:
    assert cli.main(["similarity", *map(str, args), "--out", str(out)]) == 0
    return list(csv.DictReader(io.StringIO((out / "similarity.csv").read_text(encoding="utf-8"))))


def test_the_set_is_large_and_covers_the_handout_years(cal_set, sim):
    assert len(cal_set.solutions) >= MIN_SOLUTIONS
    assert {s.layout for s in cal_set.solutions} == LAYOUTS_NEEDED
    assert set(cal_set.copies) == set(sim["disguise"].KINDS)
    assert all(len(c) >= len(cal_set.solutions) - 1 for c in cal_set.copies.values())


def _runnable(course, files, dest):
    shutil.copytree(course.assignment_dir("release") / "cs231n", dest / "cs231n",
                    ignore=shutil.ignore_patterns("__pycache__", "datasets"))
    for rel, text in files.items():
        (dest / rel).write_text(text, encoding="utf-8")
    return dest


def test_every_solution_is_correct(course, sim, cal_set, tmp_path):
    """Each solution, written into the current handout, agrees with the reference everywhere it
    is written (the LSTM where the student did it)."""
    release = course.assignment_dir("release")
    current = sim["handouts"].handout(release, "2021")
    for sol in cal_set.solutions:
        folder = _runnable(course, sim["overlay"].overlay(sol, current), tmp_path / sol.name)
        found = sim["correctness"].problems(folder, course.assignment_dir("source"), set(sol.functions),
                                            f"ck_calibration_{sol.name}")
        assert not found, f"{sol.name}: {found}"


@pytest.mark.slow
def test_every_disguised_copy_is_still_a_correct_program(course, sim, cal_set, tmp_path):
    d = sim["disguise"]
    current = sim["handouts"].handout(course.assignment_dir("release"), "2021")
    for kind in d.KINDS + d.STRESS:
        for sol in cal_set.solutions:
            if kind == "vectorised" and sol.vectorised is None:
                continue
            copy = d.make(kind, sol, cal_set.solutions, current)
            files = sim["overlay"].overlay(copy.solution, current, moved=copy.moved)
            files = d.reorder(files, copy.reorder_seed) if copy.reorder_seed is not None else files
            folder = _runnable(course, files, tmp_path / copy.name)
            found = sim["correctness"].problems(folder, course.assignment_dir("source"), set(copy.solution.functions),
                                                f"ck_calibration_{copy.name}")
            assert not found, f"{copy.name}: {found}"


def test_the_checker_catches_a_wrong_solution(course, sim, cal_set, tmp_path):
    sol = next(s for s in cal_set.solutions if s.name.startswith("s01"))
    broken = sim["solution"].parse("broken", sol.text.replace("dtanh = dnext_h * (1 - next_h ** 2)", "dtanh = dnext_h"))
    current = sim["handouts"].handout(course.assignment_dir("release"), "2021")
    folder = _runnable(course, sim["overlay"].overlay(broken, current), tmp_path / "broken")
    found = sim["correctness"].problems(folder, course.assignment_dir("source"), set(broken.functions),
                                        "ck_calibration_broken")
    assert any(f.startswith("rnn_step") for f in found)


def test_independent_pairs_are_flagged_at_most_max_false_alarms(cal_set, tmp_path):
    rows = _run(cal_set.independent.values(), tmp_path / "out")
    n = len(cal_set.solutions)
    assert len(rows) == n * (n - 1) // 2
    flagged = [r for r in rows if r["flagged"] == "yes"]
    assert len(flagged) <= MAX_FALSE_ALARMS * len(rows), flagged


@pytest.mark.slow
def test_disguised_copies_are_flagged_at_least_min_detection(cal_set, tmp_path):
    """Per disguise, one batch of every solution and its copies; a copy is detected when its
    pair with the solution it copies is flagged."""
    detected, total = 0, 0
    for kind, copies in cal_set.copies.items():
        rows = _run(list(cal_set.independent.values()) + list(copies.values()), tmp_path / kind)
        flagged = {frozenset((r["a"], r["b"])) for r in rows if r["flagged"] == "yes"}
        for source, folder in copies.items():
            total += 1
            detected += frozenset((folder.name, source)) in flagged
    assert total >= len(cal_set.copies) * (len(cal_set.solutions) - 1)
    assert detected >= MIN_DETECTION * total, f"{detected}/{total}"


def test_each_copy_is_closest_to_the_known_solution_it_copies(cal_set, tmp_path):
    known = tmp_path / "known"
    shutil.copytree(next(iter(cal_set.independent.values())).parent, known)
    copies = cal_set.copies["combined"]
    out = tmp_path / "out"
    assert cli.main(["similarity", *map(str, copies.values()), "--out", str(out), "--known", str(known)]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "known.csv").read_text(encoding="utf-8"))))
    right = sum(r["closest_known"] == f"known:{source}" and r["flagged"] == "yes"
                for source, folder in copies.items() for r in rows if r["submission"] == folder.name)
    assert len(rows) == len(copies) and right >= MIN_DETECTION * len(copies)
