"""The malformed-upload corpus (tests/corpus/malformed.py) through the batch grader's unpack layer.

A fake judge stands in for the real one (the corpus' grading expectations are checked with the
real judge elsewhere): cases expected to be an error row whatever the judge does must be one;
cases expected to be graded must reach the judge; nothing escapes the unpack folder.
"""
from __future__ import annotations

import csv
from pathlib import Path

from corpus.malformed import ESCAPE_NAME, MALFORMED
from helpers_grading import fake_judge

from coursekit.gradebook.identity import assign_names
from coursekit.grading.batch import grade_batch
from coursekit.grading.pipeline import GradeOptions
from coursekit.grading.progress import Progress


def test_malformed_corpus_rows(tmp_path, course, monkeypatch):
    judge = fake_judge(tmp_path, course, monkeypatch)
    work = tmp_path / "work"
    work.mkdir()
    ref = course.assignment_dir("source")
    subs = {}
    for case in MALFORMED:               # each upload in a folder of its own, as students' are
        (work / case.name).mkdir()
        subs[case.name] = case.build(work / case.name, ref)
    names = assign_names(list(subs.values()), course.assignment)
    out = tmp_path / "out"
    grade_batch(list(subs.values()), out, GradeOptions(settings=course, judge_cmd=judge), jobs=2,
                progress=Progress(len(subs), enabled=False))
    with open(out / "grades.csv", newline="") as fh:
        rows = {r["submission"]: r for r in csv.DictReader(fh)}
    assert len(rows) == len(subs)
    for case in MALFORMED:
        row = rows[names[subs[case.name]]]
        if case.expect == "error":
            assert row["status"].startswith("error:"), case.name
            assert float(row["score"]) == 0
        elif case.expect in ("graded", "failures"):
            assert row["status"] == "graded", (case.name, row["status"])
    assert not list(tmp_path.rglob(ESCAPE_NAME)) and not (Path("/tmp") / ESCAPE_NAME).exists()
