"""The course's current settings applied to a judge's result: points cap the scores, and each
test gets the Gradescope visibility chosen in settings.feedback."""
from __future__ import annotations

from ..report.results import GradingResult


def test_visibility(settings, test_id: str) -> str:
    return settings.feedback.visibility_of(test_id)


def item_points(settings) -> dict[str, float]:
    """Full points of every auto-graded item, extra credit included."""
    return settings.points.items


def apply_course_policy(result: GradingResult, settings) -> GradingResult:
    """Cap every test's score at its current points (a test the course no longer has scores
    0) and set its visibility."""
    points = item_points(settings)
    extra = settings.points.extra_credit
    for test in result.tests:
        cap = points.get(test.name, 0.0)
        test.score = max(0.0, min(float(test.score), cap))
        test.max_score = 0.0 if test.name in extra else cap
        test.visibility = test_visibility(settings, test.name)
    return result
