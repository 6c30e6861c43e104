"""How long grading takes: the solutions graded one call at a time (as on one CPU), the
faster of RUNS runs (a busy machine slows a run down; the timeout's margin covers slow hosts).

The question's timeout is derived from this time (budget.question_timeout). The solutions must
get full marks: a suite that fails them is not worth exporting.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

RUNS = 2


class MeasureError(Exception):
    """The solutions could not be graded with full marks."""


def grading_seconds(course, runs: int = RUNS) -> float:
    """Seconds to grade solutions/ with the course's hidden suite, no early trainings: the
    fastest of `runs` runs."""
    solutions = course.assignment_dir("solutions")
    if not solutions.is_dir():
        raise MeasureError(f"{solutions} is missing (run `coursekit build` first)")
    return min(_grade_once(course, solutions) for _ in range(max(1, runs)))


def _grade_once(course, solutions: Path) -> float:
    from ..grading.pipeline import GradeOptions, grade_to_result

    opts = GradeOptions(settings=course, early_trainings=0)
    with tempfile.TemporaryDirectory(prefix="coursekit-measure-") as tmp:
        start = time.monotonic()
        result = grade_to_result(solutions, "solutions", Path(tmp), Path(tmp) / "judge.log", opts)
        seconds = time.monotonic() - start
    if result.error or result.required_score < course.points.max_score - 1e-9:
        raise MeasureError(f"the solutions got {result.required_score} / {course.points.max_score}"
                           + (f" ({result.error})" if result.error else "")
                           + "; run `coursekit selftest` to see which hidden tests fail them")
    return seconds
