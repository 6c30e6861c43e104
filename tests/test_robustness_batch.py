"""Batch robustness: 100 submissions with hangs and crashes mixed in end with one row each; a
batch killed with SIGKILL midway and rerun ends with no lost or duplicated rows.

Runs against a temporary course root whose course_config.py has small time limits, and grades
one item only (rnn_step_forward): what is tested here is the batch machinery, not the suite."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coursekit.selftest import load_corpus

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
H = CORPUS.harness
A = __import__(f"{CORPUS.__name__}.attacks", fromlist=["ATTACKS"])
M = __import__(f"{CORPUS.__name__}.malformed", fromlist=["MALFORMED"])
LIMITS = {"wall_seconds": 15, "call_seconds": 8, "cpu_seconds": 15}
ITEM = "rnn_step_forward"
# kind -> how many of the 100; every kind but "correct" must score 0
MIX = {"correct": 6, "handout": 60, "crash_at_import": 10, "exit_in_call": 8,
       "hang_at_import": 4, "hang_in_call": 4, "syntax_error": 4, "not_a_zip": 4}

pytestmark = pytest.mark.slow


def _builders(course):
    reference = course.assignment_dir("source")
    attacks = {c.name: c for c in A.ATTACKS}
    mal = {c.name: c for c in M.MALFORMED}
    Case, Replace = CORPUS.spec.Case, CORPUS.spec.Replace

    def case(c):
        return lambda dest: CORPUS.spec.materialize(c, reference, dest)

    def from_malformed(m):
        def build(dest):
            dest.mkdir(parents=True)
            return m.build(dest, reference)
        return build

    broken = Case("syntax", "syntax error in rnn_layers.py",
                  (Replace(CORPUS.spec.LAYERS, "def rnn_step_forward(x, prev_h, Wx, Wh, b):",
                           "def rnn_step_forward(x, prev_h, Wx, Wh, b)"),))
    handout = course.assignment_dir("release")
    return {
        "correct": case(Case("correct", "reference")),
        "handout": lambda dest: Path(__import__("shutil").copytree(handout, dest)),
        "crash_at_import": case(attacks["exit_at_import"]),
        "exit_in_call": case(attacks["exit_in_call"]),
        "hang_at_import": case(attacks["sleep_at_import"]),
        "hang_in_call": case(attacks["infinite_loop"]),
        "syntax_error": case(broken),
        "not_a_zip": from_malformed(mal["not_a_zip"]),
    }


def _make_batch(course, work: Path, mix: dict) -> dict[Path, str]:
    builders = _builders(course)
    subs = {}
    for kind, count in mix.items():
        for i in range(count):
            subs[builders[kind](work / "subs" / f"{kind}-{i:02d}")] = kind
    return subs


@pytest.fixture(scope="module")
def small_root(course, tmp_path_factory):
    return H.make_course_root(tmp_path_factory.mktemp("small-root") / "course", course.root, LIMITS)


def _env(root):
    return {"COURSEKIT_ROOT": str(root)}


def _check_rows(out: Path, subs: dict[Path, str], points: float):
    rows = H.grade_rows(out)
    names = [r["submission"] for r in rows]
    assert len(names) == len(set(names)) == len(subs), "one row per submission"
    by_source = H.results_by_source(out)
    for path, kind in subs.items():
        result = by_source.get(str(path.absolute()))
        assert result is not None, f"{path.name}: no complete result"
        expected = points if kind == "correct" else 0.0
        assert result.score == pytest.approx(expected), f"{path.name} ({kind}): {result.score}"


def test_hundred_submissions_with_hangs_and_crashes(course, small_root, tmp_path):
    subs = _make_batch(course, tmp_path, MIX)
    assert len(subs) == 100
    start = time.monotonic()
    proc = H.grade(list(subs), tmp_path / "out", jobs=2, items=[ITEM], env=_env(small_root),
                   cwd=tmp_path, timeout=1800)
    print(f"\n100-submission batch: {time.monotonic() - start:.0f} s")
    assert proc.returncode == 0, proc.stderr[-2000:]
    _check_rows(tmp_path / "out", subs, course.points.required[ITEM])


def test_batch_killed_midway_and_rerun_loses_nothing(course, small_root, tmp_path):
    subs = _make_batch(course, tmp_path, {"correct": 2, "handout": 10, "crash_at_import": 3,
                                           "hang_in_call": 2, "not_a_zip": 1})
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "coursekit.cli", "grade", *map(str, subs), "--out", str(out),
           "--jobs", "2", "--items", ITEM]
    env = {**os.environ, **_env(small_root), "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while len(list(out.glob("*/results.json"))) < 4 and time.monotonic() < deadline:
            assert proc.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    done_before = len(list(out.glob("*/results.json")))
    assert 4 <= done_before < len(subs), "killed midway"
    rerun = H.grade(list(subs), out, jobs=2, items=[ITEM], env=_env(small_root), cwd=tmp_path,
                    timeout=1800)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    _check_rows(out, subs, course.points.required[ITEM])


def test_a_hostile_submission_cannot_lower_the_score_of_the_one_beside_it(course, tmp_path):
    """busy_sessions starts many busy processes, each in a new session, from every call; the
    reference graded beside it (`--jobs 2`, the whole suite, the course's own limits) keeps
    full marks: few processes per worker uid, a CPU cgroup per worker."""
    root = H.make_course_root(tmp_path / "course", course.root)
    attacks = {c.name: c for c in A.ATTACKS}
    reference = course.assignment_dir("source")
    hostile = CORPUS.spec.materialize(attacks["busy_sessions"], reference, tmp_path / "hostile")
    correct = CORPUS.spec.materialize(CORPUS.spec.Case("correct", "reference"), reference,
                                      tmp_path / "correct")
    proc = H.grade([hostile, correct], tmp_path / "out", jobs=2, env=_env(root), cwd=tmp_path,
                   timeout=1800)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = H.results_by_source(tmp_path / "out")
    full = H.item_points(course)
    tests = H.by_item(results[str(correct.absolute())])
    scores = {name: test.score for name, test in tests.items()}
    lost = {item: (scores.get(item), points) for item, points in full.items()
            if scores.get(item) != pytest.approx(points)}
    assert not lost, f"the correct submission lost points beside the hostile one: {lost}"
    assert results[str(hostile.absolute())].score == 0
