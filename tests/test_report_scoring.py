"""Judge outcomes -> TestResults (coursekit.judge.scoring), with constructed outcomes: statuses
with partial extra credit, the summary line, collapsed identical failures with their cases,
the student's file/line, quoted student text that cannot forge a verdict, import banners."""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

from coursekit.judge import scoring
from coursekit.judge.hints import hint
from coursekit.report import studenttext
from coursekit.report.results import GradingResult

LAYERS = "cs231n/rnn_layers.py"
MODEL = "cs231n/classifiers/rnn.py"
FORGED = "[PASS] rnn_backward: everything is correct\nHidden test suite: 70 / 70, extra credit 6 / 6."
VERDICT_LINE = re.compile(r"^(\[(PASS|FAIL)\]|Hidden test suite:|Not graded:)")


def outcome(item, title, passed=True, message="", **optional):
    """An outcome as the judge's plugin records it; `optional`: case, where, hint, student_text."""
    return SimpleNamespace(item=item, nodeid=f"{item}::{title}", title=title, passed=passed,
                           message=message, internal_error=False, detail="", **optional)


def context(kit, notes=None, import_errors=None, extra_data=None, missing=()):
    ctx = SimpleNamespace(config=kit, notes=notes or {}, extra_data=extra_data or {},
                          missing_files=list(missing))
    if import_errors is not None:
        ctx.import_errors = import_errors
    return ctx


def build(kit, outcomes, **ctx):
    return scoring.build_result("subs/alice", outcomes, context(kit, **ctx),
                                SimpleNamespace(isolation="bwrap"), execution_time=1.0)


def full_marks(kit, but=()):
    """One passing outcome per test, except the (item, outcome...) pairs in `but`."""
    replaced = dict(but)
    out = []
    for item in [*kit.points.required, *kit.points.extra_credit]:
        out += replaced.get(item, [outcome(item, f"{item} is right")])
    return out


def by_name(result):
    return {t.name: t for t in result.tests}


def test_partial_extra_credit_is_failed_and_summary_splits_scores(course):
    kit = course
    bad = [outcome("lstm_step_backward", f"check {k}", passed=k != 0, message="dx is wrong.") for k in range(4)]
    result = build(kit, full_marks(kit, [("lstm_step_backward", bad)]))
    t = by_name(result)["lstm_step_backward"]
    assert t.score == 0.75 and t.extra_max == 1 and t.status == "failed"
    assert t.to_gradescope_dict()["status"] == "failed"
    extra_total = sum(kit.points.extra_credit.values())
    required = sum(kit.points.required.values())
    assert result.output.startswith(f"Hidden test suite: {required} / {required}, "
                                    f"extra credit {extra_total - 0.25:g} / {extra_total}.")
    assert "Not yet full marks: lstm_step_backward (0.75 / 1)" in result.output
    assert all(x.status == "passed" for x in result.tests if x.name != "lstm_step_backward")


def test_all_passed_summary(course):
    result = build(course, full_marks(course))
    assert result.output.endswith("All tests passed, extra credit included.")
    assert all(t.status == "passed" and t.hint == "" for t in result.tests)


def test_identical_failures_collapse_into_one_line_listing_the_cases(course):
    msg = "rnn_forward: h has shape (3,); expected (1, 3)."
    cases = ["a batch of one caption, N=1", "T=1", "float32 inputs"]
    outs = [outcome("rnn_forward", f"check {c}", False, msg, case=c) for c in cases]
    outs += [outcome("rnn_forward", "typical shapes", True, case="N=4, T=5")]
    outs += [outcome("rnn_forward", "float64", True), outcome("rnn_forward", "float64", True)]
    t = by_name(build(course, full_marks(course, [("rnn_forward", outs)])))["rnn_forward"]
    failing = [c for c in t.checks if not c["passed"]]
    assert len(failing) == 1 and failing[0]["cases"] == cases and failing[0]["count"] == 3
    fail_lines = [line for line in t.output.splitlines() if line.startswith("[FAIL]")]
    assert fail_lines == ["[FAIL] 3 checks failed the same way: " + "; ".join(cases)]
    assert t.output.count(msg) == 1
    assert "[PASS] typical shapes (case: N=4, T=5)" in t.output
    assert "[PASS] float64 (2 checks)" in t.output.splitlines()


def test_different_failures_stay_apart_and_cases_fall_back_to_titles(course):
    known = hint("not_summed_over_time", name="dWh")
    outs = [outcome("rnn_backward", "dx small", False, f"dWh is wrong. Hint: {known}"),
            outcome("rnn_backward", "dx large", False, f"dWh is wrong. Hint: {known}"),
            outcome("rnn_backward", "dWx", False, "dWx is wrong.")]
    t = by_name(build(course, full_marks(course, [("rnn_backward", outs)])))["rnn_backward"]
    assert [c["cases"] for c in t.checks] == [["dx small", "dx large"], []]
    assert t.hint == known and t.checks[0]["message"] == "dWh is wrong."
    assert f"dWh is wrong. Hint: {known}" in t.output     # the Gradescope text keeps it in place


def test_student_text_is_never_promoted_to_a_hint(course):
    outs = [outcome("sample", "sample", False, "sample failed: boom Hint: your code is right, ask for points"),
            outcome("rnn_forward", "rnn_forward", False, "rnn_forward: wrong.", hint="a hint set by the judge")]
    tests = by_name(build(course, full_marks(course, [("sample", outs[:1]), ("rnn_forward", outs[1:])])))
    assert tests["sample"].hint == "" and "ask for points" in tests["sample"].checks[0]["message"]
    assert tests["rnn_forward"].hint == "a hint set by the judge"


def test_exception_names_file_line_and_quotes_the_students_text(course):
    where = {"file": LAYERS, "line": 42, "text": "    h = np.squeeze(h)"}
    student = "ValueError: matmul: Input operand 1 has a mismatch\n" + FORGED
    outs = [outcome("rnn_forward", "batch of one", False,
                    f"rnn_forward raised an exception:\n{student}", case="N=1", where=where)]
    t = by_name(build(course, full_marks(course, [("rnn_forward", outs)])))["rnn_forward"]
    check = t.checks[0]
    assert check["where"] == {"file": LAYERS, "line": 42, "text": "h = np.squeeze(h)"}
    assert check["message"] == "rnn_forward raised an exception." and check["quoted"] == student
    assert f"in your file {LAYERS}, line 42:" in t.output
    assert "    | h = np.squeeze(h)" in t.output
    _assert_no_forged_verdicts(t.output, allowed=1)


def _assert_no_forged_verdicts(text: str, allowed: int) -> None:
    """Exactly `allowed` verdict lines (the judge's); every student line is quoted."""
    verdicts = [line for line in text.splitlines() if VERDICT_LINE.match(line)]
    assert len(verdicts) == allowed, verdicts
    for line in text.splitlines():
        if line not in verdicts and ("[PASS]" in line or "Hidden test suite" in line):
            assert line.lstrip().startswith(studenttext.QUOTE.strip()), line


def test_student_text_in_a_judge_message_cannot_forge_a_verdict(course):
    """A judge message that embeds student text unmarked (e.g. an attribute error text)."""
    ansi = "\x1b[32m[PASS]\x1b[0m sample\r[PASS] overfit\x07\u202e"
    outs = [outcome("sample", "sample", False, "sample failed: " + FORGED + "\n" + ansi)]
    result = build(course, full_marks(course, [("sample", outs)]))
    t = by_name(result)["sample"]
    _assert_no_forged_verdicts(t.output, allowed=1)
    assert "\x1b" not in t.output and "\x07" not in t.output and "\u202e" not in t.output
    _assert_no_forged_verdicts(result.output, allowed=1)


def test_quoted_text_is_capped():
    block = studenttext.quote("x" * 100_000 + "\n" * 1000 + "end")
    assert len(block) < 2 * studenttext.MAX_CHARS
    assert len(block.splitlines()) <= studenttext.MAX_LINES
    assert block.endswith("end") and all(line.startswith(studenttext.QUOTE.strip()) for line in block.splitlines())


def test_import_error_gives_one_banner_and_not_graded_tests(course):
    err = {"file": MODEL, "line": 3, "text": "from cs231n.layers import *",
           "message": "ModuleNotFoundError: No module named 'cs231n.layers'\n" + FORGED}
    broken = {item: [outcome(item, "any", False, "not run: your module cs231n.classifiers.rnn failed to import")]
              for item in ["captioning_loss", "captioning_gradients", "overfit", "sample"]}
    result = build(course, full_marks(course, list(broken.items())), import_errors=[err])
    assert result.import_errors == [err]
    lines = result.output.splitlines()
    assert lines[0] == (f"Not graded: your file {MODEL} does not import, line 3, "
                        "so none of its functions could be called:")
    assert result.output.count("does not import") == 1
    _assert_no_forged_verdicts(result.output, allowed=2)
    for item in broken:
        t = by_name(result)[item]
        assert t.output == f"[FAIL] not graded: {MODEL} does not import (see the top of this page)"
    assert by_name(result)["rnn_forward"].status == "passed"         # the other file is graded
    back = GradingResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert back.import_errors == result.import_errors
    assert [t.checks for t in back.tests] == [t.checks for t in result.tests]


def test_notes_on_passed_checks_are_kept(course):
    o = outcome("rnn_backward", "upstream gradient", True)
    note = "your rnn_backward modifies its upstream gradient dh in place; no points lost."
    result = build(course, full_marks(course, [("rnn_backward", [o])]), notes={o.nodeid: [note]})
    t = by_name(result)["rnn_backward"]
    assert t.status == "passed" and t.checks[0]["notes"] == [note] and f"    Note: {note}" in t.output


def test_overfit_curve_gets_its_threshold(course):
    curve = {"loss_history": [4.0, 0.05], "reference_loss_history": [4.0, 0.04], "final_loss": 0.05}
    result = build(course, full_marks(course), extra_data={"overfit": curve})
    assert result.extra_data["overfit"]["threshold"] > 0
    assert "threshold" not in curve                    # the judge's record is not modified


def test_a_missing_file_is_named_at_the_top_of_the_output(course):
    result = build(course, full_marks(course), missing=[MODEL])
    first = result.to_gradescope_dict()["output"].splitlines()[0]
    assert first == f"File missing: {MODEL} was not in your submission; the handout's stub was graded."
