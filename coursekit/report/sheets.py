"""grades.csv: one row per submission, sorted by name.

Columns: submission, score (auto-graded, extra credit excluded), max_score, extra_credit, one
column per auto-graded test, one per manual question (settings.points.manual, named by its grade
id; empty until a TA enters points in review.csv), total (score + manual + extra credit),
total_max (max_score + manual maximum), status. Scores are capped at the current points.
"""
from __future__ import annotations

import csv
import io

from .results import GradingResult


def test_columns(settings) -> list[str]:
    return list(settings.points.items)


def manual_columns(settings) -> list[str]:
    return list(settings.points.manual)


def auto_scores(result: GradingResult, settings) -> tuple[float, float, dict[str, float]]:
    """(score without extra credit, extra credit, per test) under the current points."""
    points, extra_points = settings.points.required, settings.points.extra_credit
    per_test = {}
    for t in result.tests:
        cap = points.get(t.name, extra_points.get(t.name))
        if cap is not None:
            per_test[t.name] = max(0.0, min(float(t.score), float(cap)))
    score = sum(v for k, v in per_test.items() if k in points)
    extra = sum(v for k, v in per_test.items() if k in extra_points)
    return score, extra, per_test


def grades_rows(results: list[GradingResult], settings,
                manual: dict[str, dict[str, float]] | None = None) -> list[dict]:
    manual = manual or {}
    max_score, manual_max = settings.points.max_score, settings.points.manual_max
    rows = []
    for r in sorted(results, key=lambda r: r.submission):
        score, extra, per_test = auto_scores(r, settings)
        given = manual.get(r.submission, {})
        row = {"submission": r.submission, "score": score, "max_score": max_score, "extra_credit": extra}
        row.update({c: per_test.get(c) for c in test_columns(settings)})
        row.update({c: given.get(c) for c in manual_columns(settings)})
        row["total"] = score + extra + sum(given.get(c, 0.0) for c in manual_columns(settings))
        row["total_max"] = max_score + manual_max
        row["status"] = f"error: {r.error}" if r.error else "graded"
        rows.append(row)
    return rows


def grades_csv(results: list[GradingResult], settings,
               manual: dict[str, dict[str, float]] | None = None) -> str:
    columns = ["submission", "score", "max_score", "extra_credit", *test_columns(settings),
               *manual_columns(settings), "total", "total_max", "status"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in grades_rows(results, settings, manual):
        writer.writerow([safe_cell(v) if isinstance(v, str) else num(v)
                         for v in (row[c] for c in columns)])
    return buf.getvalue()


def score_table(results: list[GradingResult], settings,
                manual: dict[str, dict[str, float]] | None = None) -> str:
    """A plain-text table of the batch for the terminal."""
    head = ("submission", "score", "extra", "manual", "total", "status")
    lines = [head]
    for row in grades_rows(results, settings, manual):
        given = [row[c] for c in manual_columns(settings) if row[c] is not None]
        lines.append((row["submission"], f"{num(row['score'])}/{num(row['max_score'])}",
                      num(row["extra_credit"]), num(sum(given)) if given else "-",
                      f"{num(row['total'])}/{num(row['total_max'])}", row["status"][:60]))
    return text_table(lines)


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
