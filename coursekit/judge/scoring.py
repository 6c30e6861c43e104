"""Recorded outcomes -> GradingResult (one TestResult per KIT test id, in config order)."""
from __future__ import annotations

from pathlib import Path

from coursekit.report.results import GradingResult, TestResult

from .items import fraction, item_file, item_function

PASS, FAIL = "PASS", "FAIL"


def _item_output(item, outcomes, context) -> str:
    if not outcomes:
        return "No result: this test did not run (score 0)."
    lines = []
    rel = item_file(item)
    if rel in context.missing_files and not all(o.passed for o in outcomes):
        lines.append(f"File missing: {rel} was not in your submission; the handout's stub was graded.")
    shown = set()
    for o in outcomes:
        lines.append(f"[{PASS if o.passed else FAIL}] {o.title}")
        if o.message and o.message in shown:
            lines.append("    (same failure as above)")
        elif o.message:
            shown.add(o.message)
            lines.append("    " + o.message.replace("\n", "\n    "))
        for note in context.notes.get(o.nodeid, []):
            lines.append("    Note: " + note.replace("\n", "\n    "))
    return "\n".join(lines)


def build_result(submission_dir: Path, outcomes, context, session, *, execution_time: float,
                 items=None) -> GradingResult:
    kit = context.kit
    by_item: dict[str, list] = {}
    for o in outcomes:
        by_item.setdefault(o.item, []).append(o)
    tests = []
    groups = [(kit["points"], False), (kit.get("extra_credit", {}), True)]
    number = 0
    for points_table, extra in groups:
        for item, points in points_table.items():
            if items and item not in items:
                continue
            number += 1
            got = by_item.get(item, [])
            frac = fraction(item, sum(o.passed for o in got), len(got))
            tests.append(TestResult(
                name=item, number=str(number), score=round(points * frac, 4),
                max_score=0.0 if extra else float(points), output=_item_output(item, got, context),
                function=item_function(item), extra_credit=extra))
    internal = [{"test": o.nodeid, "error": o.detail} for o in outcomes if o.internal_error]
    extra_data = {**context.extra_data, "isolation": session.isolation,
                  "max_score": float(sum(kit["points"].values()))}
    if context.missing_files:
        extra_data["missing_files"] = list(context.missing_files)
    if internal:
        extra_data["internal_errors"] = internal
    output = _summary(tests)
    if internal:
        output += " Some checks failed because of a grader problem; course staff will review them."
    return GradingResult(submission=Path(submission_dir).name, tests=tests,
                         execution_time=execution_time, output=output, extra_data=extra_data)


def _summary(tests: list[TestResult]) -> str:
    """One line for the top of the student's results: score, extra credit, what to look at."""
    graded = [t for t in tests if not t.extra_credit]
    score = sum(t.score for t in graded)
    max_score = sum(t.max_score for t in graded)
    extra = sum(t.score for t in tests if t.extra_credit)
    text = f"Hidden test suite: {score:g} / {max_score:g}"
    if extra:
        text += f" (+{extra:g} extra credit)"
    failed = [t.name for t in graded if t.score < t.max_score]
    if failed:
        text += ". Not yet full marks: " + ", ".join(failed) + " (see each test's feedback)."
    else:
        text += ". All required tests passed."
    return text
