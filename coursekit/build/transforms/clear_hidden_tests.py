"""Remove hidden-test regions, with nbgrader's ClearHiddenTests."""
from __future__ import annotations

from .cell import apply_cell_preprocessor


class ClearHiddenTestRegions:
    def __init__(self, nbgrader_config):
        from nbgrader.preprocessors import ClearHiddenTests

        self.preprocessor = ClearHiddenTests(config=nbgrader_config, enforce_metadata=False)

    def __call__(self, text: str, path: str) -> str:
        return apply_cell_preprocessor(self.preprocessor, text, path)
