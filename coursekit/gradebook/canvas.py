"""canvas_grades.csv, Canvas's gradebook import format, from the gradebook and its roster.

roster.csv (header required, case-insensitive, any order, spreadsheet-saved files accepted):
`submission` (the submission's name: its file or folder name), `student_id`, `name`, and any
other columns (e.g. `email`, `login`). The roster is kept in the gradebook, so every later run
rewrites the export. Canvas's file: Student, ID, SIS User ID, SIS Login ID, Section, then the
assignment's column (points possible: the auto-graded maximum plus the manual questions) and
its extra credit in a column of its own (points possible 0, Canvas's way of extra credit).
A cell is left empty, with a warning naming the students, when its grade is not complete: an
upload that could not be graded, a manual question not graded yet, a roster student without
a submission. Which roster column is the SIS login is KIT["export"]["sis_login_column"].
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import insert, select, update

from ..grading.outputs import write_text
from ..report.sheets import num, safe_cell
from . import schema as S
from .reviewsheet import ReviewSheetError, decode

REQUIRED = ("submission", "student_id", "name")
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_FILE = "canvas_grades.csv"


class RosterError(Exception):
    """The roster cannot be read; str(exc) says why."""


def read_roster(path: Path, sis_login_column: str = "") -> list[dict]:
    path = Path(path)
    try:
        text = decode(path.read_bytes(), path)
    except (OSError, ReviewSheetError) as exc:
        raise RosterError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        fields = {f.strip().lower(): f for f in (reader.fieldnames or []) if f}
        missing = [c for c in REQUIRED if c not in fields]
        if missing:
            raise RosterError(f"{path}: missing column(s) {', '.join(missing)} (expected a header with "
                              f"{', '.join(REQUIRED)}, and any others such as email)")
        if sis_login_column and sis_login_column.lower() not in fields:
            raise RosterError(f"{path}: no column {sis_login_column!r}, which KIT['export']"
                              f"['sis_login_column'] names as the SIS login")
        rows = [{k: (r.get(orig) or "").strip() for k, orig in fields.items()} for r in reader]
    except csv.Error as exc:
        raise RosterError(f"{path}: not valid CSV ({exc})") from None
    rows = [r for r in rows if any(r.values())]
    names = [r["submission"] for r in rows]
    dupes = sorted({n for n in names if names.count(n) > 1 and n})
    if dupes:
        raise RosterError(f"{path}: submission name(s) listed twice: {', '.join(dupes)}")
    return rows


def save_roster(gb, roster: list[dict]) -> None:
    value = json.dumps(roster, sort_keys=True)
    with gb.engine.begin() as conn:
        if conn.execute(select(S.meta.c.key).where(S.meta.c.key == "roster")).first():
            conn.execute(update(S.meta).where(S.meta.c.key == "roster").values(value=value))
        else:
            conn.execute(insert(S.meta).values(key="roster", value=value))


def load_roster(gb) -> list[dict] | None:
    with gb.engine.connect() as conn:
        value = conn.execute(select(S.meta.c.value).where(S.meta.c.key == "roster")).scalar()
    return json.loads(value) if value else None


def match_roster(roster: list[dict], names: set[str]) -> None:
    """Roster names as typed or sanitised like submission names."""
    from .identity import sanitise
    lower = {n.lower(): n for n in names}
    for student in roster:
        given = student["submission"]
        for candidate in (given, sanitise(given)):
            if candidate.lower() in lower:
                student["submission"] = lower[candidate.lower()]
                break


def canvas_csv(term) -> tuple[str, list[str]]:
    from .sheets import grade_rows

    settings = term.settings
    roster = [dict(s) for s in term.roster or []]
    rows = {r["submission"]: r for r in grade_rows(term)}
    match_roster(roster, set(rows))
    login = settings.export.sis_login_column.lower()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    extra_max = sum(settings.points.extra_credit.values())
    title = settings.assignment
    writer.writerow([*CANVAS_IDENTITY, title] + ([f"{title} (extra credit)"] if extra_max else []))
    writer.writerow(["    Points Possible", "", "", "", "", num(rows and next(iter(rows.values()))["total_max"]
                                                          or settings.points.max_score + settings.points.manual_max)]
                    + (["0"] if extra_max else []))
    absent, broken, pending = [], [], []
    for student in roster:
        row = rows.get(student["submission"])
        cell, extra = "", ""
        if row is None:
            absent.append(student["name"] or student["submission"])
        elif row["status"].startswith("error"):
            broken.append(student["submission"])
        elif row["manual_pending"]:
            pending.append(student["submission"])
            extra = num(row["extra_credit"])
        else:
            cell, extra = num(row["total"]), num(row["extra_credit"])
        writer.writerow([safe_cell(student["name"]), "", safe_cell(student["student_id"]),
                         safe_cell(student.get(login, "")) if login else "", "", cell]
                        + ([extra] if extra_max else []))
    listed = {s["submission"] for s in roster}
    warnings = []
    if absent:
        warnings.append(f"{CANVAS_FILE}: {len(absent)} roster student(s) without a submission, left empty: "
                        + ", ".join(absent))
    if broken:
        warnings.append(f"{CANVAS_FILE}: {len(broken)} upload(s) that could not be graded, left empty: "
                        + ", ".join(broken))
    if pending:
        warnings.append(f"{CANVAS_FILE}: {len(pending)} submission(s) whose manual questions are not graded "
                        "yet, total left empty: " + ", ".join(pending))
    warnings += [f"submission {n} is not in the roster; it is left out of {CANVAS_FILE}"
                 for n in sorted(set(rows) - listed)]
    return buf.getvalue(), warnings


def write_canvas(out: Path, term) -> list[str]:
    text, warnings = canvas_csv(term)
    write_text(out / CANVAS_FILE, text)
    return warnings
