"""The build stamp: what `coursekit build` built from, and what it wrote.

release/.build-stamp.json (beside the assignment's folder, so never shipped) records the digest
of the inputs (source/<assignment>/ and KIT's points, which the build writes into the grade
cells) and the sha256 of every file it wrote in release/ and solutions/. `stale(course)` says,
in a few milliseconds, whether the committed trees still match (`build --check` rebuilds, which
takes half a minute): `grade`, `handout` and `gradescope` refuse stale trees.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..fileio import write_atomic

STAMP = ".build-stamp.json"
FIX = "run `coursekit build` (and commit release/ and solutions/)"


def stamp_path(root: Path) -> Path:
    return Path(root) / "release" / STAMP


def inputs_digest(course) -> str:
    from ..grading.gradekey import tree_digest
    points = {"points": dict(course.points.required), "extra_credit": dict(course.points.extra_credit),
              "manual_points": dict(course.points.manual)}
    return hashlib.sha256((tree_digest(course.assignment_dir("source")) + json.dumps(points, sort_keys=True))
                          .encode()).hexdigest()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_stamp(course, out_root: Path, files: list[str]) -> None:
    out_root = Path(out_root)
    stamp = {"inputs": inputs_digest(course), "assignment": course.assignment,
             "files": {rel: _sha(out_root / rel) for rel in sorted(files)}}
    write_atomic(stamp_path(out_root), json.dumps(stamp, indent=1, sort_keys=True) + "\n")


def stale(course) -> list[str]:
    """Why release/ and solutions/ do not match source/ and KIT ([] when they do, or when the
    course has no source/, as in a Gradescope bundle)."""
    if not course.assignment_dir("source").is_dir():
        return []
    path = stamp_path(course.root)
    try:
        stamp = json.loads(path.read_text())
        files = stamp["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return [f"{path} is missing or unreadable: release/ and solutions/ were not built by this kit"]
    problems = []
    if stamp.get("inputs") != inputs_digest(course):
        problems.append(f"source/{course.assignment}/ or KIT's points changed since release/ and solutions/ were built")
    for rel, digest in files.items():
        target = course.root / rel
        if not target.is_file():
            problems.append(f"{rel} is missing")
        elif _sha(target) != digest:
            problems.append(f"{rel} was changed after the build")
        if len(problems) >= 5:
            problems.append("...")
            break
    return problems
