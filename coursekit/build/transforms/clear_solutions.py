"""Replace each solution region by the course's code stub, with nbgrader's ClearSolutions.

The stub (course_config STUDENT_CODE_STUB) is indented like the region's begin marker.
"""
from __future__ import annotations

from .cell import apply_cell_preprocessor


class ClearSolutionRegions:
    def __init__(self, nbgrader_config):
        from nbgrader.preprocessors import ClearSolutions

        # enforce_metadata=False: a .py file is not a notebook cell with nbgrader metadata, and
        # the preprocessor must only replace regions (never the whole "cell").
        self.preprocessor = ClearSolutions(config=nbgrader_config, enforce_metadata=False)

    def __call__(self, text: str, path: str) -> str:
        return apply_cell_preprocessor(self.preprocessor, text, path)
