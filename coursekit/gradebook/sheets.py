"""grades.csv: one row per submission, sorted by name, from the gradebook's term view.

Columns: submission, score (auto-graded, required items), max_score, extra_credit,
extra_credit_max, one column per auto-graded item (empty: not graded yet), one per manual
question (its grade id; empty until a TA's points count), manual_pending (questions still to
grade), total (score + manual points), total_max (max_score + every manual question's points),
status. Extra credit is never part of a maximum: total never exceeds total_max.
"""
from __future__ import annotations

import csv
import io
import textwrap

from ..report.sheets import num, safe_cell, text_table


def grade_rows(term) -> list[dict]:
    settings = term.settings
    rows = []
    for view in term.submissions:
        r = view.result
        totals = r.totals()
        row = {"submission": view.name, "score": totals["required"]["score"],
               "max_score": settings.points.max_score, "extra_credit": totals["extra_credit"]["score"],
               "extra_credit_max": sum(settings.points.extra_credit.values())}
        scores = {t.name: t.score for t in r.tests if t.name not in view.not_graded}
        row.update({item: scores.get(item) for item in settings.points.items})
        for q in settings.points.manual:
            st = view.manual.get(q)
            row[q] = st.points if st is not None and st.status == "graded" else None
        row["manual_pending"] = " ".join(q for q in settings.points.manual
                                         if row[q] is None and not r.error)
        row["total"] = totals["total"]["score"]
        row["total_max"] = settings.points.max_score + settings.points.manual_max
        row["status"] = view.status
        rows.append(row)
    return rows


def columns(settings) -> list[str]:
    return ["submission", "score", "max_score", "extra_credit", "extra_credit_max",
            *settings.points.items, *settings.points.manual, "manual_pending", "total", "total_max", "status"]


def grades_csv(term) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    cols = columns(term.settings)
    writer.writerow(cols)
    for row in grade_rows(term):
        writer.writerow([safe_cell(v) if isinstance(v, str) else num(v) for v in (row[c] for c in cols)])
    return buf.getvalue()


def score_table(term, width: int = 100) -> str:
    """The batch as plain text for the terminal; long statuses wrap under their column."""
    head = ("submission", "score", "extra", "manual", "total", "status")
    lines = [head]
    manual_max = term.settings.points.manual_max
    for row in grade_rows(term):
        given = [row[q] for q in term.settings.points.manual if row[q] is not None]
        manual = (f"{num(sum(given))}/{num(manual_max)}" if given else
                  ("pending" if manual_max and not row["status"].startswith("error") else "-"))
        lines.append((row["submission"], f"{num(row['score'])}/{num(row['max_score'])}",
                      num(row["extra_credit"]), manual, f"{num(row['total'])}/{num(row['total_max'])}",
                      row["status"]))
    return _wrapped(lines, width)


def _wrapped(lines: list[tuple], width: int) -> str:
    fixed = [max(len(str(r[i])) for r in lines) for i in range(len(lines[0]) - 1)]
    room = max(30, width - sum(fixed) - 2 * len(fixed))
    out = []
    for row in lines:
        status = str(row[-1])
        pieces = textwrap.wrap(status, room, break_on_hyphens=False) or [""]
        out.append((*row[:-1], pieces[0]))
        out += [("",) * (len(row) - 1) + (p,) for p in pieces[1:]]
    return text_table(out)
