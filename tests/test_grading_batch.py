"""Batch grading with a fake judge: outputs, judge failures, parallel slots, reruns, SIGKILL."""
from __future__ import annotations

import csv
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from helpers_grading import fake_judge, make_dir_submission, make_zip_submission

from coursekit.grading import cli as grade_cli
from coursekit.gradebook import Gradebook
from coursekit.gradebook.identity import IdentityError
from coursekit.grading.batch import grade_batch, gradebook_url, sanitise
from coursekit.grading.pipeline import GradeOptions
from coursekit.grading.progress import Progress
from coursekit.grading.jobs import concurrent_submissions, early_trainings


def _quiet(n):
    return Progress(n, enabled=False)


def _rows(out):
    with open(out / "grades.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_per_submission_outputs_and_grades_csv(tmp_path, course, monkeypatch):
    kit = course
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_dir_submission(tmp_path / "alice", kit, "full"),
            make_dir_submission(tmp_path / "bob", kit, "half")]
    out = tmp_path / "out"
    grade_batch(subs, out, GradeOptions(settings=kit, judge_cmd=judge), progress=_quiet(2))
    for name in ("alice", "bob"):
        d = out / name
        gs = json.loads((d / "results.json").read_text())
        assert {"score", "tests", "execution_time", "output"} <= gs.keys()
        assert "My answer" in (d / "answers.md").read_text()
        assert "<!DOCTYPE html>" in (d / "feedback.html").read_text()
    rows = {r["submission"]: r for r in _rows(out)}
    full = sum(kit.points.required.values())
    assert float(rows["alice"]["score"]) == full and float(rows["bob"]["score"]) == full / 2
    assert float(rows["alice"]["max_score"]) == full
    assert float(rows["alice"]["extra_credit"]) == sum(kit.points.extra_credit.values())
    first = next(iter(kit.points.required))
    assert float(rows["bob"][first]) == kit.points.required[first] / 2
    assert set(kit.points.required) | set(kit.points.extra_credit) <= set(rows["alice"])


def test_judge_failures_become_crashed_rows(tmp_path, course, monkeypatch):
    kit = course
    judge = fake_judge(tmp_path, kit, monkeypatch)
    modes = ["crash", "hang", "garbage", "nothing", "full"]
    subs = [make_dir_submission(tmp_path / m, kit, m) for m in modes]
    out = tmp_path / "out"
    start = time.monotonic()
    grade_batch(subs, out, GradeOptions(settings=kit, judge_cmd=judge, timeout=3), jobs=2,
                progress=_quiet(len(subs)))
    assert time.monotonic() - start < 30
    rows = {r["submission"]: r["status"] for r in _rows(out)}
    assert rows["full"] == "graded"
    assert "exit code 3" in rows["crash"]
    assert "longer than 3 seconds" in rows["hang"]
    assert "invalid result" in rows["garbage"]
    assert "no result" in rows["nothing"]
    crashed = json.loads((out / "crash" / "results.json").read_text())
    assert crashed["score"] == 0 and "could not be graded" in crashed["output"]
    log = out / "_private" / "crash" / "judge.log"         # internal log: not in the student's folder
    assert "judge exploded" in log.read_text() and not (out / "crash" / "judge.log").exists()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.parent.stat().st_mode) == 0o700


def test_jobs_is_a_cpu_budget_split_over_concurrent_submissions():
    assert concurrent_submissions(jobs=2, todo=5) == 2 and concurrent_submissions(jobs=4, todo=1) == 1
    assert concurrent_submissions(jobs=3, todo=0) == 1           # nothing to grade: still >= 1
    assert early_trainings(jobs=2, concurrent=1) == 1     # one submission: every core, 1 trains early
    assert early_trainings(jobs=8, concurrent=3) == 1     # 2 cores each
    assert early_trainings(jobs=2, concurrent=2) == 0     # --jobs 2 over many: 1 core each
    assert early_trainings(jobs=1, concurrent=1) == 0
    assert early_trainings(jobs=3, concurrent=0) == 2


def _early_seen(out, names):
    return {json.loads((out / n / "results.json").read_text())["extra_data"]["early_trainings"]
            for n in names}


def test_judge_gets_the_early_trainings_of_its_submission(tmp_path, course, monkeypatch):
    kit = course
    judge = fake_judge(tmp_path, kit, monkeypatch)
    one = [make_dir_submission(tmp_path / "one", kit)]
    grade_batch(one, tmp_path / "o1", GradeOptions(settings=kit, judge_cmd=judge), jobs=2, progress=_quiet(1))
    assert _early_seen(tmp_path / "o1", ["one"]) == {1}
    many = [make_dir_submission(tmp_path / f"m{i}", kit) for i in range(3)]
    grade_batch(many, tmp_path / "o2", GradeOptions(settings=kit, judge_cmd=judge), jobs=2, progress=_quiet(3))
    assert _early_seen(tmp_path / "o2", ["m0", "m1", "m2"]) == {0}
    args = _args(grade_cli, [str(one[0]), "--out", str(tmp_path / "o3")])
    assert args.jobs == (os.cpu_count() or 1)          # default: the whole machine


def test_names_come_from_the_student_never_a_silent_number(tmp_path, course, monkeypatch):
    kit = course
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_zip_submission(_folder(tmp_path / "alice") / "rnn_captioning_submission.zip", kit),
            make_zip_submission(_folder(tmp_path / "bob") / "rnn_captioning_submission.zip", kit),
            make_zip_submission(_folder(tmp_path / "aaron") / "rnn_captioning_submission.zip", kit),
            make_zip_submission(_folder(tmp_path / "d1") / "a b.zip", kit),
            make_dir_submission(tmp_path / "d2" / "a b", kit),
            make_dir_submission(tmp_path / "carol" / "grades.csv", kit)]
    out = tmp_path / "out"
    grade_batch(subs, out, GradeOptions(settings=kit, judge_cmd=judge), progress=_quiet(len(subs)))
    names = sorted(r["submission"] for r in _rows(out))
    assert names == ["aaron", "alice", "bob", "carol", "d1", "d2"]
    assert sanitise("../../etc") == "etc" and sanitise("...") == "submission"


def test_names_that_cannot_be_told_apart_are_an_error_naming_both(tmp_path, course, monkeypatch):
    kit = course
    judge = fake_judge(tmp_path, kit, monkeypatch)
    a = make_zip_submission(_folder(tmp_path / "p" / "x") / "sub.zip", kit)
    b = make_zip_submission(_folder(tmp_path / "q" / "x") / "sub.zip", kit)
    with pytest.raises(IdentityError) as info:
        grade_batch([a, b], tmp_path / "out", GradeOptions(settings=kit, judge_cmd=judge), progress=_quiet(2))
    assert str(a) in str(info.value) and str(b) in str(info.value)
    assert not (tmp_path / "out" / "grades.csv").exists()


def _folder(path):
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_rerun_reuses_results_and_rewrites_lost_views(tmp_path, course, monkeypatch):
    kit = course
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_dir_submission(tmp_path / f"s{i}", kit) for i in range(3)]
    out = tmp_path / "out"
    opts = GradeOptions(settings=kit, judge_cmd=judge)
    assert grade_batch(subs, out, opts, progress=_quiet(3)).graded == 3
    before = (out / "s1" / "results.json").read_text()
    (out / "s1" / "results.json").unlink()                # a view lost: the gradebook has it
    (out / "grades.csv").write_text("garbage")
    again = grade_batch(subs, out, opts, progress=_quiet(1))
    assert (again.graded, again.skipped) == (0, 3)
    assert (out / "s1" / "results.json").read_text() == before
    assert sorted(r["submission"] for r in _rows(out)) == ["s0", "s1", "s2"]


def test_sigkill_midway_then_rerun_loses_and_duplicates_nothing(tmp_path, course, monkeypatch):
    kit = course
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_dir_submission(tmp_path / "subs" / f"s{i}", kit, "sleep=0.3") for i in range(8)]
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "coursekit.cli", "grade", *map(str, subs), "--out", str(out),
           "--jobs", "2", "--judge-cmd", " ".join(judge)]
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*/results.json"))) < 2:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    gb = Gradebook.open(gradebook_url(out))
    recorded = [s.name for s in gb.current_results()]
    assert 2 <= len(recorded) < len(subs)
    assert sorted(p.parent.name for p in out.glob("*/results.json")) == sorted(recorded)
    assert subprocess.run(cmd, stderr=subprocess.DEVNULL).returncode == 0
    names = [r["submission"] for r in _rows(out)]
    assert sorted(names) == [f"s{i}" for i in range(8)]
    assert all(r["status"] == "graded" for r in _rows(out))
    runs = gb.runs()
    assert [r["status"] for r in runs] == ["killed", "complete"]
    assert runs[1]["graded"] == len(subs) - len(recorded) and runs[1]["reused"] == len(recorded)
    assert len(gb.result_history("s0")) == 1              # nothing graded twice
    assert not list(out.rglob(".*.tmp"))
    assert not [p for p in Path(tempfile.gettempdir()).glob(f"coursekit-grade-{proc.pid}-*")]


def test_cli_usage_errors_and_exit_codes(tmp_path, course, monkeypatch, capsys):
    kit = course
    judge = fake_judge(tmp_path, kit, monkeypatch)
    sub = make_dir_submission(tmp_path / "s", kit, "crash")
    args = _args(grade_cli, [str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert grade_cli.run(args) == 2
    assert "no such submission" in capsys.readouterr().err
    args = _args(grade_cli, [str(sub), "--out", str(tmp_path / "o"), "--jobs", "0"])
    assert grade_cli.run(args) == 2
    args = _args(grade_cli, [str(sub), "--out", str(tmp_path / "o"), "--judge-cmd", " ".join(judge)])
    assert grade_cli.run(args) == 0                     # graded, even though the judge crashed
    assert "judged 1 submission(s)" in capsys.readouterr().err


def _args(module, argv):
    import argparse
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    return parser.parse_args(argv)
