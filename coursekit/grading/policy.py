"""The course's current settings applied to a judge's result: points cap the scores, and each
test gets the Gradescope visibility chosen in KIT["feedback"]."""
from __future__ import annotations

from ..report.results import GradingResult

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
DEFAULT_VISIBILITY = "visible"


def test_visibility(kit: dict, test_id: str) -> str:
    feedback = kit.get("feedback", {})
    chosen = feedback.get("visibility_per_test", {}).get(test_id,
                                                         feedback.get("visibility", DEFAULT_VISIBILITY))
    return chosen if chosen in VISIBILITIES else DEFAULT_VISIBILITY


def item_points(kit: dict) -> dict[str, float]:
    """Full points of every auto-graded item, extra credit included."""
    return {**{k: float(v) for k, v in kit.get("points", {}).items()},
            **{k: float(v) for k, v in kit.get("extra_credit", {}).items()}}


def apply_course_policy(result: GradingResult, kit: dict) -> GradingResult:
    """Cap every test's score at its current points (a test the course no longer has scores
    0) and set its visibility."""
    points = item_points(kit)
    extra = kit.get("extra_credit", {})
    for test in result.tests:
        cap = points.get(test.name, 0.0)
        test.score = max(0.0, min(float(test.score), cap))
        test.max_score = 0.0 if test.name in extra else cap
        test.visibility = test_visibility(kit, test.name)
    return result
