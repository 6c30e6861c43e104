"""feedback.html, answers extraction and the TA review sheets: content and HTML escaping."""
from __future__ import annotations

import csv
import io
import json
import re

from helpers_grading import notebook_json

from coursekit.report.answers import answers_for, answers_markdown, extract_answers
from coursekit.report.feedback import render_feedback
from coursekit.report import results as res
from coursekit.report.review import build_rows, questions_from, review_csv, review_html
from coursekit.gradebook.sheets import grades_csv
from coursekit.gradebook.views import term_from_results
from test_report_scoring import build, full_marks, outcome

EVIL = "<script>alert('x')</script><img src=x onerror=alert(1)>"
FORGED = "[PASS] overfit\nHidden test suite: 70 / 70"
SANDBOX_WORDS = ("isolation", "bwrap", "setuid", "sandbox", "rlimits")


def _result(name="stud", answer="Because gradients vanish.", overfit=True):
    tests = [res.TestResult(name="rnn_step_forward", number="1.1", score=5, max_score=5, output=EVIL),
             res.TestResult(name="overfit", number="1.9", score=0, max_score=10, output="[FAIL] loss too high"),
             res.TestResult(name="lstm_step_forward", number="2.1", score=1, max_score=0, extra_credit=True,
                            extra_max=1)]
    extra = {"isolation": "bwrap",
             "answers": [{"notebook": "RNN_Captioning.ipynb", "note": None,
                          "answers": [{"grade_id": "q1", "text": answer}]}]}
    if overfit:
        extra["overfit"] = {"loss_history": [80.0, 10.0, 1.0], "reference_loss_history": [77.0, 8.0, 0.1],
                            "final_loss": 1.0, "threshold": 0.1}
    return res.GradingResult(submission=name, tests=tests, output=EVIL, extra_data=extra)


def sample_result(kit, name="alice_hw3") -> res.GradingResult:
    """A realistic result built by the judge's scoring from constructed outcomes: a collapsed
    N=1 failure with the student's line, partial extra credit, a diverged overfit run."""
    where = {"file": "cs231n/rnn_layers.py", "line": 57, "text": "h = np.squeeze(np.dot(x, Wx))"}
    squeeze = [outcome("rnn_forward", f"checks {c}", False,
                       f"rnn_forward raised an exception:\nValueError: matmul mismatch\n{FORGED}",
                       case=c, where=where) for c in ("a batch of one caption, N=1", "N=1, T=1")]
    squeeze.append(outcome("rnn_forward", "typical shapes", True, case="N=4, T=5"))
    overfit = [outcome("overfit", "final loss below 0.1", False, "final loss 3.2 is above 0.1.",
                       hint="training diverged: check the gradient of Wh.")]
    lstm = [outcome("lstm_step_backward", f"check {k}", k != 0, "" if k else "dx is wrong.") for k in range(4)]
    curve = {"loss_history": [80.0, 20.0, 9.0, float("nan"), float("inf"), 50.0, None],
             "reference_loss_history": [80.0, 30.0, 5.0, 1.0, 0.3, 0.08, 0.05], "final_loss": 3.2}
    outcomes = full_marks(kit, [("rnn_forward", squeeze), ("overfit", overfit),
                                ("lstm_step_backward", lstm)])
    result = build(kit, outcomes, extra_data={"overfit": curve})
    result.submission = name
    return result


def _sections(html: str) -> list[tuple[str, str]]:
    """(status, test name) of each test section, in page order."""
    return re.findall(r'<section class="test (\w+)" id="test-([\w-]+)"', html)


def test_feedback_page_leads_with_failing_tests_points_and_hints(course):
    html = render_feedback(sample_result(course))
    assert "<title>Feedback: alice_hw3</title>" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    sections = _sections(html)
    statuses = [s for s, _ in sections]
    assert statuses == sorted(statuses, key=lambda s: s != "failed") and "passed" in statuses
    assert [n for s, n in sections if s == "failed"] == ["rnn_forward", "overfit", "lstm_step_backward"]
    overfit = html[html.index('id="test-overfit"'):]
    head = overfit[:overfit.index("</h3>")]
    assert '<span class="points">0 / 10</span>' in head
    assert overfit.index('class="hint"') < overfit.index('class="check')
    assert "training diverged: check the gradient of Wh." in overfit[:overfit.index('class="check')]
    extra = sum(course.points.extra_credit.values())
    assert f"extra credit <b>{extra - 0.25:g} / {extra:g}</b>" in html
    assert 'To look at: <a class="name" href="#test-rnn_forward">rnn_<wbr>forward</a> (1.67 / 5)' in html
    assert "Score: <b>56.67 / 70</b>" in html


def test_feedback_page_has_no_sandbox_jargon(course):
    result = sample_result(course)
    assert result.extra_data["isolation"] == "bwrap"
    text = re.sub(r"<[^>]+>", " ", render_feedback(result)).lower()
    assert not [w for w in SANDBOX_WORDS if w in text]


def test_failing_checks_highlighted_with_cases_line_and_quoted_text(course):
    html = render_feedback(sample_result(course))
    section = html[html.index('id="test-rnn_forward"'):html.index('id="test-overfit"')]
    fails = re.findall(r'<li class="check fail">', section)
    assert len(fails) == 1                                 # two identical failures, one line
    assert "2 checks failed the same way" in section and "<li>N=1, T=1</li>" in section
    assert "in your file <code>cs231n/rnn_layers.py</code>, line 57" in section
    quoted = re.findall(r'<pre class="student-text">(.*?)</pre>', section, re.S)
    assert quoted[0] == "h = np.squeeze(np.dot(x, Wx))"
    assert "[PASS] overfit" in quoted[1] and "Hidden test suite: 70 / 70" in quoted[1]
    outside = re.sub(r'<pre class="student-text">.*?</pre>', "", html, flags=re.S)
    assert "[PASS] overfit" not in outside and "Hidden test suite: 70" not in outside
    assert '<li class="check pass">' in section


def test_overfit_chart_draws_threshold_and_divergence_without_bridging(course):
    html = render_feedback(sample_result(course))
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    student = re.findall(r'<polyline class="student"[^>]* points="([^"]+)"', svg)
    assert [len(p.split()) for p in student] == [3]        # 80, 20, 9 then NaN: nothing bridged
    assert len(re.findall(r'<circle class="student"', svg)) == 1          # the lone 50.0
    reference = re.findall(r'<polyline class="reference"[^>]* points="([^"]+)"', svg)
    assert [len(p.split()) for p in reference] == [7]
    assert 'class="threshold"' in svg and "pass threshold 0.1" in svg
    assert 'class="diverged"' in svg and "diverged (NaN/inf) at iteration 4" in svg
    assert "Training diverged:" in html
    ys = [float(p.split(",")[1]) for p in student[0].split()]
    assert ys[0] < ys[1] < ys[2]                           # SVG y grows downwards: a falling loss


def test_feedback_without_curve_or_checks():
    html = render_feedback(_result(overfit=False))
    assert "<svg" not in html
    assert '<span class="fail">[FAIL] loss too high</span>' in html    # results without checks


def test_import_error_banner_once_at_the_top(course):
    result = sample_result(course)
    result.import_errors = [{"file": "cs231n/classifiers/rnn.py", "line": 3, "text": "import foo",
                             "message": "ModuleNotFoundError: No module named 'foo'\n" + FORGED}]
    html = render_feedback(result)
    assert html.count('class="banner import-error"') == 1
    assert html.index("import-error") < html.index('class="score"')
    banner = html[html.index("import-error"):html.index('class="score"')]
    assert "cs231n/classifiers/rnn.py" in banner and "(line 3)" in banner and "import foo" in banner


def test_feedback_escapes_student_controlled_text():
    r = _result(name=EVIL)
    r.error = EVIL
    r.extra_data["overfit"]["loss_history"] = ["<b>", None, 2.0]      # junk values: no crash
    r.tests[1].checks = [{"title": EVIL, "passed": False, "message": EVIL, "cases": [EVIL],
                          "where": {"file": EVIL, "line": 1, "text": EVIL}, "quoted": EVIL, "notes": [EVIL]}]
    r.tests[1].hint = EVIL
    r.import_errors = [{"file": EVIL, "line": 1, "text": EVIL, "message": EVIL}]
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


def test_answers_are_capped_where_they_are_read_and_say_so(tmp_path):
    """Issue 19: inline answers are student text like any other: at most MAX_ANSWERS cells per
    notebook, each cleaned and capped, the cut said in the answer and the notebook's note."""
    from coursekit.report.answers import MAX_ANSWER_CHARS, MAX_ANSWERS, MAX_GRADE_ID_CHARS
    nb = tmp_path / "RNN_Captioning.ipynb"
    many = {f"q{i}-" + "x" * 500: f"answer {i}" for i in range(MAX_ANSWERS + 5)}
    nb.write_text(notebook_json({"big": "\x1b[31m[PASS]\x00 " + "a" * (3 * MAX_ANSWER_CHARS), **many}))
    got = extract_answers(nb)
    assert len(got["answers"]) == MAX_ANSWERS
    assert got["note"] == f"6 answer cells after the first {MAX_ANSWERS} were left out"
    big = got["answers"][0]["text"]
    assert big.startswith("[PASS] a") and "\x1b" not in big and "\x00" not in big
    assert big.endswith("characters cut]") and len(big) < MAX_ANSWER_CHARS + 60
    assert all(len(a["grade_id"]) <= MAX_GRADE_ID_CHARS + 40 for a in got["answers"])   # + the cut mark
    assert "6 answer cells after the first" in answers_markdown("s", [got])


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
    grades = list(csv.DictReader(io.StringIO(grades_csv(term_from_results(results, course)))))
    assert [g["submission"] for g in grades] == ["alice", "bob"]
    assert grades[0]["rnn_step_forward"] == "5" and grades[0]["extra_credit"] == "1"
    assert grades[0]["sample"] == ""                                   # test without a result


def test_crashed_result_rows(course):
    r = res.GradingResult.crashed("x", "the .zip has an absolute path (/etc/a)", max_score=70)
    html = render_feedback(r)
    assert "Not graded" in html and "/etc/a" in html and "<title>Feedback: x</title>" in html
    assert "error: the .zip has an absolute path" in grades_csv(term_from_results([r], course))


def test_review_page_renders_markdown_safely(course):
    r = _result("alice", answer="**Advantage.** a small vocabulary $V$.\n\n- longer sequences\n\n"
                                "[click](javascript:alert(1)) ![x](http://tracker/p.png) <b onclick=x>b</b>")
    questions = questions_from([{"grade_id": "q1", "notebook": "RNN_Captioning.ipynb", "points": 4.0,
                                 "question": "**Question:** why?", "placeholder": "", "model_answer": "*Model*"}], [r])
    html = review_html(build_rows([r], questions), questions)
    assert "<strong>Advantage.</strong>" in html and "<li>longer sequences</li>" in html
    assert "<strong>Question:</strong>" in html and "<em>Model</em>" in html and "$V$" in html
    assert "javascript:" not in html and "http://tracker" not in html and "<b onclick" not in html
    assert "&lt;b onclick=x&gt;" in html
