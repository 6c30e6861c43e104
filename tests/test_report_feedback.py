"""feedback.html, answers extraction and the TA review sheets: content and HTML escaping."""
from __future__ import annotations

import csv
import io
import json
import re

from test_grading_helpers import notebook_json

from coursekit.report.answers import answers_for, answers_markdown, extract_answers
from coursekit.report.feedback import render_feedback
from coursekit.report import results as res
from coursekit.report.review import build_rows, questions_from, review_csv, review_html
from coursekit.report.sheets import grades_csv

EVIL = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def _result(name="stud", answer="Because gradients vanish.", overfit=True):
    tests = [res.TestResult(name="rnn_step_forward", number="1.1", score=5, max_score=5, output=EVIL),
             res.TestResult(name="overfit", number="1.9", score=0, max_score=10, output="loss too high"),
             res.TestResult(name="lstm_step_forward", number="2.1", score=1, max_score=0, extra_credit=True)]
    extra = {"isolation": "bwrap",
             "answers": [{"notebook": "RNN_Captioning.ipynb", "note": None,
                          "answers": [{"grade_id": "q1", "text": answer}]}]}
    if overfit:
        extra["overfit"] = {"loss_history": [80.0, 10.0, 1.0], "reference_loss_history": [77.0, 8.0, 0.1],
                            "final_loss": 1.0}
    return res.GradingResult(submission=name, tests=tests, output=EVIL, extra_data=extra)


def test_feedback_has_scores_outputs_isolation_and_plot():
    html = render_feedback(_result())
    assert "Score:</b> 5 / 15" in html and "+1 extra credit" in html
    assert "bwrap" in html and "loss too high" in html
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    student = re.search(r'<polyline class="student"[^>]* points="([^"]+)"', svg).group(1).split()
    reference = re.search(r'<polyline class="reference"[^>]* points="([^"]+)"', svg).group(1).split()
    assert len(student) == 3 and len(reference) == 3
    # SVG y grows downwards: a falling loss curve has increasing y coordinates
    ys = [float(p.split(",")[1]) for p in student]
    assert ys[0] < ys[1] < ys[2]
    assert "<svg" not in render_feedback(_result(overfit=False))


def test_feedback_escapes_student_controlled_text():
    r = _result(name=EVIL)
    r.error = EVIL
    r.extra_data["overfit"]["loss_history"] = ["<b>", None, 2.0]      # junk values: no crash
    html = render_feedback(r)
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_answers_extracted_by_grade_id_and_robust_to_bad_json(tmp_path):
    nb = tmp_path / "RNN_Captioning.ipynb"
    nb.write_text(notebook_json({"rnn-q1": "first\nsecond", "rnn-q2": "other"}))
    got = extract_answers(nb)
    assert [(a["grade_id"], a["text"]) for a in got["answers"]] == [("rnn-q1", "first\nsecond"),
                                                                   ("rnn-q2", "other")]
    bad = tmp_path / "LSTM_Captioning.ipynb"
    bad.write_text('{"cells": [ broken')
    notes = answers_for([nb, bad], ["RNN_Captioning.ipynb", "LSTM_Captioning.ipynb", "Other.ipynb"])
    assert "not valid notebook JSON" in notes[1]["note"]
    assert "not submitted" in notes[2]["note"]
    md = answers_markdown("s", notes)
    assert "### rnn-q1" in md and "not valid notebook JSON" in md
    weird = tmp_path / "w.ipynb"
    weird.write_text(json.dumps({"cells": [1, {"cell_type": "markdown", "metadata": {"nbgrader": []}}]}))
    assert extract_answers(weird)["answers"] == []


def test_review_sheets_side_by_side_and_escaped(course):
    results = [_result("bob", answer=EVIL), _result("alice", answer="=HYPERLINK(\"x\")")]
    questions = questions_from([], results)
    review_rows = build_rows(results, questions)
    html = review_html(review_rows, questions)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.index("alice") < html.index("bob")
    rows = list(csv.DictReader(io.StringIO(review_csv(review_rows))))
    assert [(r["submission"], r["question"]) for r in rows] == [("alice", "q1"), ("bob", "q1")]
    assert rows[0]["answer"].startswith("'=")                          # formula defused
    assert rows[1]["answer"] == EVIL
    grades = list(csv.DictReader(io.StringIO(grades_csv(results, course.kit))))
    assert [g["submission"] for g in grades] == ["alice", "bob"]
    assert grades[0]["rnn_step_forward"] == "5" and grades[0]["extra_credit"] == "1"
    assert grades[0]["sample"] == ""                                   # test without a result


def test_crashed_result_rows():
    r = res.GradingResult.crashed("x", "the .zip has an absolute path (/etc/a)", max_score=70)
    html = render_feedback(r)
    assert "Not graded" in html and "/etc/a" in html
    assert "error: the .zip has an absolute path" in grades_csv([r], {"points": {"a": 70}})
