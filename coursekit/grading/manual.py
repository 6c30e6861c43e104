"""Manual points from review.csv (filled in by TAs) for grades.csv.

Only questions of settings.points.manual count. A cell that is not a number between 0 and the
question's points is ignored with a warning naming the row.
"""
from __future__ import annotations

from ..report.review import ReviewRow


def manual_points(rows: list[ReviewRow], settings) -> tuple[dict[str, dict[str, float]], list[str]]:
    """({submission: {grade_id: points}}, warnings) from the merged review rows."""
    limits = settings.points.manual
    given: dict[str, dict[str, float]] = {}
    warnings = []
    for row in rows:
        if row.question not in limits or not row.points.strip():
            continue
        try:
            value = float(row.points.lstrip("'"))
        except ValueError:
            warnings.append(f"review.csv: {row.submission} {row.question}: points {row.points!r} "
                            "is not a number; ignored")
            continue
        if not 0 <= value <= float(limits[row.question]):
            warnings.append(f"review.csv: {row.submission} {row.question}: points {value:g} outside "
                            f"0..{float(limits[row.question]):g}; ignored")
            continue
        given.setdefault(row.submission, {})[row.question] = value
    return given, warnings
