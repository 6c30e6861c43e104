"""Text transformations of the files of source/ (everything but the notebooks).

Each transformation is one small class in its own module with the same signature:

    Transform(nbgrader_config)(text: str, path: str) -> str

(`path` is the file's path relative to the assignment folder, for error messages). A pipeline
is a declared list of transform classes, applied in order. nbgrader copies non-notebook files
verbatim, solutions included (jupyter/nbgrader#1237), so the kit runs these pipelines instead.
"""
from __future__ import annotations

from .assert_no_markers import AssertNoMarkers
from .check_regions import CheckRegions
from .clear_hidden_tests import ClearHiddenTestRegions
from .clear_solutions import ClearSolutionRegions
from .grade_points import SetGradePoints  # noqa: F401  (notebooks: KIT's points into grade cells)
from .remove_markers import RemoveMarkerLines

# Student handout: solution regions become the course's code stub, hidden tests vanish.
RELEASE = [CheckRegions, ClearSolutionRegions, ClearHiddenTestRegions, AssertNoMarkers]
# Instructor solutions: the solution code stays, only the marker lines go.
SOLUTION = [CheckRegions, RemoveMarkerLines, AssertNoMarkers]


def run_pipeline(pipeline, nbgrader_config, text: str, path: str) -> str:
    for transform_class in pipeline:
        text = transform_class(nbgrader_config)(text, path)
    return text
