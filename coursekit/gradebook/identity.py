"""Who a submission belongs to: one stable name per student, never a silent "-2".

A submission's name is its file or folder name (sanitised, ".zip" dropped), except when that
name says nothing about the student: the name `collect_submission.py` gives every zip
(`<assignment>_submission`), the assignment's own name, or a name several uploads of this
run share (`alice/rnn_captioning_submission.zip`, `bob/rnn_captioning_submission.zip`). Then
it is the folder holding the upload. With a roster, a candidate the roster lists wins. Two
uploads that still get one name are an error naming both paths: nothing is graded.

A name recorded in the gradebook before is the same student: a new path under a known name
is a resubmission (the gradebook records the new source).
"""
from __future__ import annotations

import re
from pathlib import Path

MAX_NAME = 80
# names the output folder uses itself (a submission folder cannot take them)
RESERVED = {"_private", "grades.csv", "review.csv", "review.html", "index.html", "canvas_grades.csv",
            "gradebook.db", "gradebook.db.lock", "score-histogram.png", ".coursekit-grade.lock"}


class IdentityError(Exception):
    """Two uploads cannot be told apart; str(exc) names both paths."""


def sanitise(raw: str) -> str:
    name = raw[:-4] if raw.lower().endswith(".zip") else raw
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:MAX_NAME]
    return name or "submission"


def generic_names(assignment: str) -> set[str]:
    return {sanitise(n).lower() for n in (f"{assignment}_submission", assignment, "submission",
                                          "submissions", "upload", "rnn_captioning_submission")}


def _parent_name(src: Path) -> str:
    parent = Path(src).absolute().parent.name
    return sanitise(parent) if parent else ""


def candidates(src: Path, assignment: str) -> list[str]:
    """Names for `src`, best first: its own name unless generic, then its folder's name."""
    own, parent = sanitise(Path(src).name), _parent_name(src)
    if (own.lower() in generic_names(assignment) or own.lower() in RESERVED) and parent:
        return [parent, own]
    return [own] + ([parent] if parent else [])


def assign_names(sources: list[Path], assignment: str, roster_names: set[str] | None = None) -> dict[Path, str]:
    """{source: name}; raises IdentityError when two sources cannot be told apart."""
    options = {src: candidates(src, assignment) for src in dict.fromkeys(sources)}
    roster = {n.lower(): n for n in roster_names or ()}
    chosen: dict[Path, str] = {}
    for src, names in options.items():
        listed = [n for n in names if n.lower() in roster or sanitise(n).lower() in roster]
        chosen[src] = listed[0] if listed else names[0]
    for _ in range(2):      # a shared name moves every holder to its folder's name, once
        holders = _holders(chosen)
        for name, srcs in holders.items():
            if len(srcs) > 1:
                for src in srcs:
                    later = [n for n in options[src] if n.lower() != name]
                    if later:
                        chosen[src] = later[0]
    for name, srcs in _holders(chosen).items():
        if len(srcs) > 1:
            a, b = srcs[:2]
            raise IdentityError(f"{a} and {b} would both be graded as {chosen[a]!r}: rename one of "
                                "them (or their folders) so that each student's upload has its own name")
        if name in RESERVED or name.startswith("_"):
            raise IdentityError(f"{srcs[0]} would be graded as {chosen[srcs[0]]!r}, a name the output "
                                "folder uses itself: rename it")
    return chosen


def _holders(chosen: dict[Path, str]) -> dict[str, list[Path]]:
    holders: dict[str, list[Path]] = {}
    for src, name in chosen.items():
        holders.setdefault(name.lower(), []).append(src)
    return holders
