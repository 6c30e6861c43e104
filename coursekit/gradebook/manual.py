"""Manual grades: what TAs typed in review.csv becomes gradebook entries (`import_sheet`), and
each (submission, question) gets its state from the entries and the current answer (`state`).

A grade counts only for the answer it was given to: when the answer changes, the old points and
comment stay in the history and the row stays flagged until a TA grades the new answer.
Points that cannot be used are kept as typed, with the reason, and shown as rejected.
"""
from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

from .reviewsheet import SheetRow, parse_points
from .store import Gradebook, ManualGrade

CHANGED = "answer changed since it was graded"


@dataclass
class ManualState:
    status: str                     # graded | pending | rejected | changed
    points: float | None = None     # what counts
    shown_points: str = ""          # what review.csv shows in `points`
    comment: str = ""
    reason: str = ""                # rejected: why; changed: the earlier grade
    grader: str = ""


def state(grade: ManualGrade | None, answer_digest: str) -> ManualState:
    if grade is None or (not grade.raw_points.strip() and not grade.comment):
        return ManualState("pending")
    if grade.answer_digest and answer_digest and grade.answer_digest != answer_digest:
        earlier = f"{round(grade.points, 4):g}" if grade.points is not None else (grade.raw_points or "no points")
        return ManualState("changed", reason=f"{CHANGED} (earlier grade: {earlier}"
                           + (f", comment {grade.comment!r}" if grade.comment else "") + ")")
    if grade.rejected:
        return ManualState("rejected", shown_points=grade.raw_points, comment=grade.comment,
                           reason=f"points rejected: {grade.rejected}", grader=grade.grader)
    if grade.points is None:
        return ManualState("pending", comment=grade.comment, grader=grade.grader)
    return ManualState("graded", points=grade.points, shown_points=f"{round(grade.points, 4):g}",
                       comment=grade.comment, grader=grade.grader)


def default_grader() -> str:
    return os.environ.get("SUDO_USER") or _user() or "a TA"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return ""


def import_sheet(gb: Gradebook, rows: list[SheetRow], manual_points: dict, answers: dict,
                 run_id: int | None = None) -> tuple[int, list[str]]:
    """Record the rows a TA changed since the last review.csv was written.
    `answers`: (name, question) -> the current answer's digest. Returns (entries, warnings)."""
    shown = gb.sheet_rows()
    current = gb.manual_current()
    ids = {name: sid for name, (sid, _) in gb.submission_rows().items()}
    entered, warnings = 0, []
    for row in rows:
        key = (row.submission, row.question)
        if row.question not in manual_points:
            if (row.points or "").strip():
                warnings.append(f"review.csv line {row.line}: {row.question!r} is not a manual question "
                                f"of the course ({', '.join(manual_points) or 'none'}); its points are not used")
            continue
        if row.submission not in ids:
            if (row.points or "").strip() or (row.comment or "").strip():
                warnings.append(f"review.csv line {row.line}: no submission named {row.submission!r} in the "
                                "gradebook; that row is kept in the backup of review.csv, not graded")
            continue
        before = shown.get(key)
        if before is None:
            grade = current.get(key)
            before = {"points": grade.raw_points if grade else "", "comment": grade.comment if grade else "",
                      "answer_digest": grade.answer_digest if grade else answers.get(key, "")}
        typed_points = before["points"] if row.points is None else row.points
        typed_comment = before["comment"] if row.comment is None else row.comment
        if (typed_points.strip(), typed_comment.strip()) == (before["points"].strip(), before["comment"].strip()):
            continue
        points, rejected = parse_points(typed_points, float(manual_points[row.question]),
                                        decimal_comma=row.decimal_comma)
        digest = row.answer_id or before.get("answer_digest") or answers.get(key, "")
        gb.enter_manual(ids[row.submission], row.question, raw_points=typed_points.strip(), points=points,
                        rejected=rejected, comment=typed_comment.strip(), grader=row.grader or default_grader(),
                        answer_digest=digest, run_id=run_id)
        entered += 1
        if rejected:
            warnings.append(f"review.csv line {row.line}: {row.submission} {row.question}: points "
                            f"rejected ({rejected}); kept as typed and shown on review.html")
    return entered, warnings

