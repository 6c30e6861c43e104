"""`coursekit build`: source/ -> release/ (student handout) and solutions/ (instructor).

Notebooks go through nbgrader (generate_assignment, generate_solution) configured by
course_config.py; every other file goes through the text pipelines of `transforms`
(nbgrader's own ClearSolutions/ClearHiddenTests applied to the file's text), because nbgrader
copies non-notebook files verbatim. See builder.build() and compare.compare_builds().
"""
from .builder import BuildReport, build
from .compare import compare_builds
from .errors import BuildError

__all__ = ["build", "BuildReport", "BuildError", "compare_builds"]
