"""End to end with the real judge: the reference solution and the untouched handout."""
from __future__ import annotations

import csv
import json

import pytest

from coursekit.grading.batch import grade_batch
from coursekit.grading.pipeline import GradeOptions
from coursekit.grading.progress import Progress


@pytest.mark.slow
def test_real_judge_grades_reference_above_handout(tmp_path, course):
    if not (course.embedded_dataset / "coco2014_captions.h5").is_file():
        pytest.skip("embedded dataset not generated (coursekit data)")
    solved = course.assignment_dir("solutions")
    if not (solved / "cs231n").is_dir():
        solved = course.assignment_dir("source")
    handout = course.assignment_dir("release")
    out = tmp_path / "out"
    summary = grade_batch([solved, handout], out, GradeOptions(settings=course), jobs=2,
                          progress=Progress(2, enabled=False))
    assert summary.crashed == 0
    with open(out / "grades.csv", newline="") as fh:
        rows = {r["submission"]: r for r in csv.DictReader(fh)}
    # both folders are named <assignment>, which says nothing: each is named after its folder
    ref_name, handout_name = solved.parent.name, handout.parent.name
    assert set(rows) == {ref_name, handout_name}
    assert float(rows[handout_name]["score"]) == 0
    assert float(rows[ref_name]["score"]) > 0.5 * float(rows[ref_name]["max_score"])
    ref = json.loads((out / ref_name / "results.json").read_text())
    assert ref["extra_data"]["isolation"] in ("bwrap", "setuid", "setuid-perms", "rlimits")
    curves = [k for k in ("overfit", "lstm_overfit") if k in ref["extra_data"]]
    html = (out / ref_name / "feedback.html").read_text()
    assert html.count("<svg ") == len(curves)
    review = (out / "review.csv").read_text()
    assert review.splitlines()[0].startswith("submission,question,max_points,points,comment")
    assert "inline_question_1" in review
