"""`coursekit build [--no-execute] [--check]`."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--no-execute", action="store_true",
                        help="do not execute the solution notebooks (quick check; outputs stay empty)")
    parser.add_argument("--check", action="store_true",
                        help="rebuild into a temporary folder and report differences from the committed "
                             "release/ and solutions/ (solution notebook outputs ignored); exit 1 if any")
    parser.add_argument("--out", type=Path, default=None,
                        help="write release/ and solutions/ under this folder instead of the course root")


def run(args) -> int:
    from ..config import ConfigError, load
    from ..preflight import PreflightError, check_items
    from .errors import BuildError

    try:
        course = load()
        check_items(course)
        if args.check:
            return _check(course, execute=not args.no_execute)
        return _build(course, args.out, execute=not args.no_execute)
    except (BuildError, ConfigError, PreflightError) as exc:
        print(f"build error: {exc}", file=sys.stderr)
        return 1


def _stage(text: str) -> None:
    print(f"build: {text} ...", file=sys.stderr, flush=True)


def _build(course, out: Path | None, execute: bool) -> int:
    from .builder import build

    db_url = None
    if out is None:  # the course's own gradebook (course_config: under build/, not committed)
        (course.root / "build").mkdir(exist_ok=True)
        db_url = course.nbgrader.CourseDirectory.db_url
    report = build(course, out, execute_solutions=execute, db_url=db_url, progress=_stage)
    print(f"built {len(report.files)} files under {report.out_root} "
          f"({'solutions executed' if report.executed else 'solutions NOT executed'}) "
          f"in {report.seconds:.1f} s")
    return 0


def _check(course, execute: bool) -> int:
    from .builder import build
    from .compare import compare_builds

    with tempfile.TemporaryDirectory(prefix="coursekit-check-") as tmp:
        build(course, Path(tmp), execute_solutions=execute, progress=_stage)
        found = compare_builds(course.root, Path(tmp), course.assignment)
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} difference(s): run `coursekit build` and commit release/ and solutions/",
              file=sys.stderr)
        return 1
    print("release/ and solutions/ are up to date")
    return 0
