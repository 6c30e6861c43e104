"""Grade export for an LMS: with a roster (submission name -> student), a CSV in Canvas's
gradebook import format, written beside grades.csv.

roster.csv columns (header required, case-insensitive): submission, student_id, name, email.
Canvas's import file: Student, ID, SIS User ID, SIS Login ID, Section, then one column per
assignment; the second row ("Points Possible") gives the maximum. We fill Student (name),
SIS User ID (student_id) and SIS Login ID (email); Canvas matches a row on any of them.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..report.sheets import safe_cell

ROSTER_COLUMNS = ("submission", "student_id", "name", "email")
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_FILE = "canvas_grades.csv"


class RosterError(Exception):
    """The roster cannot be read; str(exc) says why."""


def read_roster(path: Path) -> list[dict]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = {f.strip().lower(): f for f in (reader.fieldnames or [])}
            missing = [c for c in ROSTER_COLUMNS if c not in fields]
            if missing:
                raise RosterError(f"{path}: missing column(s) {', '.join(missing)} "
                                  f"(expected a header {','.join(ROSTER_COLUMNS)})")
            rows = [{c: (r.get(fields[c]) or "").strip() for c in ROSTER_COLUMNS} for r in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RosterError(f"{path}: cannot be read ({exc})") from None
    names = [r["submission"] for r in rows]
    dupes = sorted({n for n in names if names.count(n) > 1 and n})
    if dupes:
        raise RosterError(f"{path}: submission name(s) listed twice: {', '.join(dupes)}")
    return rows


def canvas_csv(roster: list[dict], totals: dict[str, float], total_max: float,
               assignment: str) -> tuple[str, list[str]]:
    """(the Canvas CSV, warnings). Students without a graded submission get an empty cell."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*CANVAS_IDENTITY, assignment])
    writer.writerow(["    Points Possible", "", "", "", "", f"{total_max:g}"])
    listed = set()
    for student in roster:
        listed.add(student["submission"])
        score = totals.get(student["submission"])
        writer.writerow([safe_cell(student["name"]), "", safe_cell(student["student_id"]),
                         safe_cell(student["email"]), "", "" if score is None else f"{round(score, 4):g}"])
    warnings = [f"submission {name} is not in the roster; it is left out of {CANVAS_FILE}"
                for name in sorted(set(totals) - listed)]
    return buf.getvalue(), warnings
