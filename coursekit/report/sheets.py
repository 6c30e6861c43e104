"""Batch-level reports built from completed results: grades.csv, review.html, review.csv.

Rows come from `GradingResult`s (with `extra_data["answers"]` as written by the batch grader),
one per submission, sorted by submission name.
"""
from __future__ import annotations

import csv
import io
from html import escape

from .results import GradingResult


def test_columns(kit: dict) -> list[str]:
    return list(kit.get("points", {})) + list(kit.get("extra_credit", {}))


def grades_csv(results: list[GradingResult], kit: dict) -> str:
    """name, score, max, extra credit, one column per test, status."""
    columns = test_columns(kit)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["submission", "score", "max_score", "extra_credit", *columns, "status"])
    max_score = float(sum(kit.get("points", {}).values()))
    for r in sorted(results, key=lambda r: r.submission):
        by_name = {t.name: t for t in r.tests}
        extra = sum(t.score for t in r.tests if t.extra_credit)
        cells = [_num(by_name[c].score) if c in by_name else "" for c in columns]
        status = f"error: {r.error}" if r.error else "graded"
        writer.writerow([_safe_cell(r.submission), _num(r.score - extra), _num(max_score),
                         _num(extra), *cells, _safe_cell(status)])
    return buf.getvalue()


def _num(x: float) -> str:
    return f"{round(float(x), 4):g}"


def _safe_cell(text: str) -> str:
    """Defuse spreadsheet formulas in free text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _answer_grid(results: list[GradingResult]) -> tuple[list[tuple[str, str]], dict]:
    """Question keys (notebook, grade_id) in first-seen order, and answers per submission."""
    keys: list[tuple[str, str]] = []
    grid: dict[str, dict] = {}
    for r in results:
        row = grid.setdefault(r.submission, {})
        for nb in r.extra_data.get("answers", []) or []:
            if nb.get("note"):
                row[(nb["notebook"], "__note__")] = nb["note"]
            for a in nb.get("answers", []):
                key = (nb["notebook"], a["grade_id"])
                if key not in keys:
                    keys.append(key)
                row[key] = a["text"]
    return keys, grid


def review_csv(results: list[GradingResult]) -> str:
    results = sorted(results, key=lambda r: r.submission)
    keys, grid = _answer_grid(results)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["submission", *(f"{nb}:{gid}" for nb, gid in keys), "notes"])
    for r in results:
        row = grid.get(r.submission, {})
        notes = "; ".join(f"{nb}: {v}" for (nb, gid), v in row.items() if gid == "__note__")
        writer.writerow([_safe_cell(r.submission), *(_safe_cell(row.get(k, "")) for k in keys),
                         _safe_cell(notes)])
    return buf.getvalue()


def review_html(results: list[GradingResult], title: str = "Inline answers: TA review") -> str:
    """One section per question, every submission's answer side by side (escaped)."""
    results = sorted(results, key=lambda r: r.submission)
    keys, grid = _answer_grid(results)
    out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>",
           "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;width:100%}"
           "td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}"
           "pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0}.note{color:#a4161a}</style>",
           f"</head><body><h1>{escape(title)}</h1>",
           f"<p>{len(results)} submissions, {len(keys)} questions.</p>"]
    for nb, gid in keys:
        out.append(f"<h2>{escape(nb)}: {escape(gid)}</h2><table>"
                   "<tr><th style='width:12em'>submission</th><th>answer</th><th style='width:6em'>"
                   "points</th></tr>")
        for r in results:
            row = grid.get(r.submission, {})
            answer = row.get((nb, gid))
            cell = (f"<pre>{escape(answer)}</pre>" if answer is not None
                    else f"<span class='note'>{escape(row.get((nb, '__note__'), 'no answer'))}</span>")
            out.append(f"<tr><td>{escape(r.submission)}</td><td>{cell}</td><td></td></tr>")
        out.append("</table>")
    if not keys:
        out.append("<p>No inline answers were found in any submission.</p>")
    out.append("</body></html>")
    return "\n".join(out)
