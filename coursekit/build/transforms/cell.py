"""Run one of nbgrader's cell preprocessors on a plain text, wrapped as a code cell."""
from __future__ import annotations


def apply_cell_preprocessor(preprocessor, text: str, path: str) -> str:
    from nbformat.v4 import new_code_cell

    from ..errors import BuildError

    cell = new_code_cell(source=text)
    try:
        cell, _ = preprocessor.preprocess_cell(cell, {"language": "python"}, 0)
    except RuntimeError as exc:  # nbgrader's own region errors (CheckRegions normally runs first)
        raise BuildError(f"{path}: {exc}") from exc
    return cell.source
