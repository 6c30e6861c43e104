"""A GradingResult as PrairieLearn's results.json (docs/externalGrading.md, "Grading results").

- gradable: `score` in [0, 1] is the required points' fraction. PrairieLearn caps a question
  at 100%, so extra credit added on top would hide lost points; it is reported apart instead:
  in `message` (the required score and the extra credit), in its own tests (named
  "(extra credit)", with their own `max_points`) and in `extra_credit` {points, max_points}
  for course staff. `output` is the kit's summary; `tests[]` has one entry per graded item
  with `points`, `max_points`, the hint as `message`, the checks as `output`, and the overfit
  loss chart in `images` (an SVG data URL).
- not gradable (the upload cannot be graded, or the grader failed): `gradable: false` with the
  reason in `format_errors`; PrairieLearn then neither scores nor counts the attempt.

The file stays under PrairieLearn's 1 MB: images go first, then long outputs are cut.
"""
from __future__ import annotations

import base64

from .. import __version__
from ..report.feedback import CURVES
from ..report.results import GradingResult, TestResult, dumps_strict, finite_or_none, score_text
from ..report.svgplot import loss_chart_svg
from .budget import MAX_RESULTS_BYTES

CHART_LABELS = dict(CURVES)              # test id -> chart title
SIZE_TARGET = MAX_RESULTS_BYTES - 64 * 1024   # leave room below the limit
CUT_STEPS = (20000, 4000, 500, 0)        # characters an output keeps, tried in turn
CUT_NOTE = "\n[... cut: the full report was too long for PrairieLearn]"
NOT_COUNTED = "This attempt was not counted: it neither scores nor uses up an attempt."


def to_prairielearn(result: GradingResult) -> dict:
    """results.json's content for `result` (plain JSON values)."""
    if result.error and not result.tests:
        return not_gradable(result.output or f"Your submission could not be graded: {result.error}",
                            result.error, _grader_info(result))
    data = {
        "gradable": True,
        "score": fraction(result),
        "message": score_message(result),
        "output": result.output,
        "tests": [_test(t, result) for t in result.tests],
        "extra_credit": {"points": result.extra_score, "max_points": _extra_max(result)},
        "grader": _grader_info(result),
    }
    return fit_size(data)


def not_gradable(message: str, reason: str, grader: dict | None = None) -> dict:
    return {"gradable": False, "format_errors": [reason],
            "message": f"{message.rstrip('. ')}. {NOT_COUNTED}", "tests": [], "grader": grader or {}}


def fraction(result: GradingResult) -> float:
    """The score PrairieLearn records: the required points over their maximum."""
    maximum = result.max_score
    if maximum <= 0:
        return 0.0
    return round(min(1.0, max(0.0, result.required_score / maximum)), 4)


def score_message(result: GradingResult) -> str:
    text = f"Hidden test suite: {score_text(result.required_score, result.max_score)}"
    extra_max = _extra_max(result)
    if extra_max:
        text += (f"; extra credit {score_text(result.extra_score, extra_max)}, reported apart "
                 "(not part of this score)")
    return text + "."


def _extra_max(result: GradingResult) -> float:
    return sum(_max_points(t) for t in result.tests if t.extra_credit)


def _test(t: TestResult, result: GradingResult) -> dict:
    label = "extra credit, reported apart from the score" if t.extra_credit else "required"
    entry = {
        "name": f"{t.name} (extra credit)" if t.extra_credit else t.name,
        "description": f"{t.function or t.name}: {label}",
        "points": round(t.score, 4),
        "max_points": _max_points(t),
        "message": t.hint if t.status == "failed" else "",
        "output": t.output,
    }
    chart = _chart(t.name, result)
    if chart:
        entry["images"] = [chart]
    return entry


def _max_points(t: TestResult) -> float:
    """An item's full points; an extra credit item stored without them (results written
    before extra_max existed) shows its score as its maximum."""
    if t.extra_credit and t.extra_max <= 0:
        return max(t.score, 0.0)
    return t.full_points


def _chart(test_id: str, result: GradingResult) -> dict | None:
    """The loss chart of an overfit test as {label, url: data:image/svg+xml;base64,...}."""
    curve = result.clean_extra_data().get(test_id)
    if test_id not in CHART_LABELS or not isinstance(curve, dict) or not curve.get("loss_history"):
        return None
    label = CHART_LABELS[test_id]
    try:
        svg = loss_chart_svg(list(curve["loss_history"]),
                             list(curve.get("reference_loss_history") or []), label,
                             threshold=finite_or_none(curve.get("threshold")))
    except Exception:                 # a plotting problem must not cost the student the result
        return None
    return {"label": f"{label}: training loss",
            "url": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")}


def _grader_info(result: GradingResult) -> dict:
    """For course staff (PrairieLearn does not show it): isolation level, time, kit version."""
    extra = result.extra_data if isinstance(result.extra_data, dict) else {}
    return {"isolation": extra.get("isolation"), "seconds": round(result.execution_time, 3),
            "kit_version": __version__}


def fit_size(data: dict) -> dict:
    """`data` made to serialise under SIZE_TARGET: without images, then with cut outputs."""
    if _size(data) <= SIZE_TARGET:
        return data
    for test in data["tests"]:
        test.pop("images", None)
    for limit in CUT_STEPS:
        if _size(data) <= SIZE_TARGET:
            break
        for holder in (data, *data["tests"]):
            holder["output"] = _cut(holder["output"], limit)
            holder["message"] = _cut(holder["message"], limit)
    return data


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + CUT_NOTE


def _size(data: dict) -> int:
    return len(dumps_strict(data).encode("utf-8"))


def dumps(data: dict) -> str:
    """results.json's text: strict JSON (no NaN or Infinity)."""
    return dumps_strict(data)
