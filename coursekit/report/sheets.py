"""Cells and plain-text tables shared by the views (grades.csv itself is gradebook/sheets.py)."""
from __future__ import annotations


def text_table(rows: list[tuple], rules_before: tuple[int, ...] = (1,)) -> str:
    """Rows of cells as aligned plain text, with a dashed rule before the given row indexes."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    rule = "  ".join("-" * w for w in widths)
    out = []
    for index, row in enumerate(rows):
        if index in rules_before:
            out.append(rule)
        out.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    return "\n".join(out)


def num(x) -> str:
    """A number as a short cell ('' for None)."""
    return "" if x is None else f"{round(float(x), 4):g}"


def safe_cell(text: str) -> str:
    """Defuse spreadsheet formulas in free text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
