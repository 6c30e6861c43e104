"""The gradebook's own contracts: schema versions (a newer kit opens an older folder, an older
kit refuses a newer gradebook), review.csv as spreadsheets save it and what stops a run before
anything is written, leftovers of killed runs, stale items, the overview page."""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from helpers_grading import fake_judge, make_dir_submission

from coursekit.gradebook import Gradebook, GradebookError
from coursekit.gradebook.leftovers import remove_leftovers, remove_partial_writes
from coursekit.gradebook.reviewsheet import ReviewSheetError, parse_points, read_sheet
from coursekit.grading.batch import grade_batch, gradebook_url
from coursekit.grading.pipeline import GradeOptions
from coursekit.grading.progress import Progress
from coursekit.report.results import GradingResult
from coursekit.report.results import TestResult as ItemResult

QUESTION = "RNN_Captioning-q1"


def _kit(course):
    return dataclasses.replace(course, points=dataclasses.replace(course.points, manual={QUESTION: 4}))


def _grade(subs, out, kit, judge, **kw):
    return grade_batch(subs, out, GradeOptions(settings=kit, judge_cmd=judge),
                       progress=Progress(len(subs), enabled=False), **kw)


def _rows(out, name="grades.csv"):
    with open(out / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_an_older_kits_folder_is_imported_and_nothing_is_lost(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    sub = make_dir_submission(tmp_path / "alice", kit, answer="old kit's answer")
    out = tmp_path / "out"
    (out / "alice").mkdir(parents=True)            # what a kit before the gradebook left
    old = GradingResult("alice", tests=[ItemResult("rnn_step_forward", "1.1", 1.0, 5.0)])
    (out / "alice" / "result.full.json").write_text(json.dumps({**old.to_dict(), "grade_key": "old"}))
    (out / "alice" / "results.json").write_text("{}")
    (out / "manifest.json").write_text(json.dumps({str(sub.absolute()): "alice"}))
    digest = hashlib.sha256(b"old kit's answer").hexdigest()[:12]
    (out / "review.csv").write_text("submission,question,max_points,points,comment,flags,answer_id,answer\n"
                                    f"alice,{QUESTION},4,3,typed with the old kit,,{digest},old kit's answer\n")
    summary = _grade([sub], out, kit, judge)
    assert summary.graded == 1                          # old keys: regraded in the same run
    row = _rows(out)[0]
    assert float(row[QUESTION]) == 3 and float(row["score"]) == kit.points.max_score
    gb = Gradebook.open(gradebook_url(out))
    assert [r["status"] for r in gb.runs()] == ["imported", "complete"]
    assert [h["score"] for h in gb.result_history("alice")] == [1.0, kit.points.max_score]
    assert gb.schema_version() == 1


def test_an_older_kit_refuses_a_newer_gradebook(tmp_path):
    url = f"sqlite:///{tmp_path / 'gb.db'}"
    gb = Gradebook.open(url)
    with gb.engine.begin() as conn:
        from sqlalchemy import update
        from coursekit.gradebook import schema as S
        conn.execute(update(S.meta).where(S.meta.c.key == "schema_version").values(value="99"))
    gb.close()
    with pytest.raises(GradebookError, match="newer coursekit"):
        Gradebook.open(url)


def test_review_csv_as_spreadsheets_save_it(tmp_path):
    path = tmp_path / "review.csv"
    path.write_bytes("submission\tquestion\tpoints\tcomment\r\nalice\tq1\t3\tcafé crème\r\n".encode("cp1252"))
    (row,) = read_sheet(path)
    assert (row.submission, row.question, row.points, row.comment) == ("alice", "q1", "3", "café crème")
    path.write_text('"Submission";"Question";"Points"\n"\'=alice";"q1";"2,5"\n')
    (row,) = read_sheet(path)
    assert row.submission == "=alice" and row.comment is None      # deleted column: not cleared
    assert parse_points(row.points, 4, decimal_comma=row.decimal_comma) == (2.5, None)
    assert parse_points("four", 4) == (None, "'four' is not a number")
    assert parse_points("5", 4) == (None, "5 is outside 0..4")
    assert parse_points("nan", 4)[0] is None


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04 an xlsx workbook", "workbook"),
    (b"student_name,points\nalice,3\n", "no column"),
    (b"\xff\xfe\x00\x00\x81\x8d\x8f\x90\x9d", "not text"),
])
def test_a_review_csv_that_cannot_be_read_stops_the_run_before_any_write(tmp_path, course, monkeypatch,
                                                                          content, message):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    sub = make_dir_submission(tmp_path / "alice", kit)
    out = tmp_path / "out"
    _grade([sub], out, kit, judge)
    before = {p: p.read_bytes() for p in (out / "grades.csv", out / "review.html")}
    (out / "review.csv").write_bytes(content)
    with pytest.raises(ReviewSheetError, match=message):
        _grade([sub], out, kit, judge, force=True)
    assert (out / "review.csv").read_bytes() == content              # the TA's file untouched
    assert all(p.read_bytes() == b for p, b in before.items())
    assert [r["status"] for r in Gradebook.open(gradebook_url(out)).runs()] == ["complete"]


def test_a_killed_runs_working_copies_are_removed_by_the_next(tmp_path, monkeypatch):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = tmp_path / f"coursekit-grade-{dead}-abc"
    kept = tmp_path / f"coursekit-grade-{os.getppid()}-abc"       # a live process's
    other = tmp_path / "coursekit-grade-notapid"
    for folder in (gone, kept, other):
        (folder / "submission").mkdir(parents=True)
    assert remove_leftovers() == [gone]
    assert kept.exists() and other.exists() and not gone.exists()
    out = tmp_path / "out" / "alice"
    out.mkdir(parents=True)
    (out / ".results.json.x1y2.tmp").write_text("{half")
    (out / "results.json").write_text("{}")
    assert remove_partial_writes(tmp_path / "out") == [out / ".results.json.x1y2.tmp"]
    assert (out / "results.json").exists()


def test_changed_points_of_one_item_regrade_and_the_overview_shows_it(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    subs = [make_dir_submission(tmp_path / n, kit, m) for n, m in (("alice", "full"), ("bob", "half"))]
    out = tmp_path / "out"
    _grade(subs, out, kit, judge)
    first = next(iter(kit.points.required))
    lowered = dataclasses.replace(kit, points=dataclasses.replace(
        kit.points, required={**kit.points.required, first: kit.points.required[first] - 1}))
    assert _grade(subs, out, lowered, judge).graded == 2
    index = (out / "index.html").read_text()
    assert "Needs attention" in index and "to grade" in index and "score changed" in index
    assert "Pass rate per test" in index and "score-histogram.png" in index
    assert (out / "score-histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert index.index('href="alice/feedback.html"') > 0


def test_a_crashed_upload_is_attention_not_a_blank_answer(tmp_path, course, monkeypatch):
    kit = _kit(course)
    judge = fake_judge(tmp_path, kit, monkeypatch)
    broken = tmp_path / "dora.zip"
    broken.write_bytes(b"not a zip")
    sub = make_dir_submission(tmp_path / "alice", kit)
    out = tmp_path / "out"
    _grade([sub, broken], out, kit, judge)
    rows = {r["submission"]: r for r in _rows(out)}
    assert rows["dora"]["status"].startswith("error") and rows["dora"]["manual_pending"] == ""
    assert "could not be graded" in (out / "index.html").read_text()
    review = (out / "review.html").read_text()
    assert "1 upload(s) could not be graded" in review
    assert float(rows["dora"]["total"]) == 0 and rows["dora"]["total_max"] == rows["alice"]["total_max"]
    dora = [r for r in _rows(out, "review.csv") if r["submission"] == "dora"]
    assert dora and all(r["flags"] == "upload could not be graded" for r in dora)
