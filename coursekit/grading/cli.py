"""`coursekit grade SUB... --out DIR [--jobs N] [--items ID...] [--force] [--roster CSV]`:
grade submissions (folders, .zip files, or loose files).

--jobs N is a CPU budget (default: all cores): min(N, submissions) are graded at once, each
with max(1, N // that number) cores.

Exit 0 when the batch was graded, whatever the scores; 2 for usage errors.
"""
from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

RERUN_HELP = ("Every grade is kept in the gradebook (OUT/gradebook.db, or --gradebook URL); "
              "every file in OUT is a view of it, rewritten at each run. Grading into an existing "
              "--out folder reuses an item's stored result only when the submission's bytes, the "
              "hidden suite (autograder/), the reference solution, the provided files, the "
              "settings, the item's points and the kit version are all unchanged; anything else "
              "is regraded. --items grades those items and keeps the others. --force regrades "
              "everything. TAs' points and comments typed into review.csv are recorded at the "
              "next run.")


def add_arguments(parser) -> None:
    parser.epilog = RERUN_HELP
    parser.add_argument("submissions", nargs="+", metavar="SUB",
                        help="submission folder (shaped like release/<assignment>/) or .zip of one")
    parser.add_argument("--out", required=True, help="output folder (one sub-folder per submission)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="CPU budget of the batch (default: all cores, here %(default)s): "
                             "min(N, submissions) submissions are graded at once, each with "
                             "max(1, N // that number) cores; a submission with 2 or more cores "
                             "runs its overfit trainings in parallel with its other tests, one "
                             "with 1 core runs one call at a time. So one submission gets every "
                             "core, and --jobs 2 over many submissions grades 2 at a time, 1 core "
                             "each")
    parser.add_argument("--items", nargs="+", default=None, metavar="ITEM",
                        help="grade only these test ids (keys of KIT points / extra_credit)")
    parser.add_argument("--force", action="store_true",
                        help="regrade every submission even when its stored result is current")
    parser.add_argument("--roster", default=None, metavar="CSV",
                        help="roster.csv (columns submission,student_id,name and any others, e.g. email): "
                             "kept in the gradebook; every run then also writes canvas_grades.csv "
                             "(Canvas gradebook import format) beside grades.csv")
    parser.add_argument("--gradebook", default=None, metavar="URL",
                        help="the gradebook database (default: sqlite:///OUT/gradebook.db); a "
                             "SQLAlchemy URL, e.g. postgresql://user@host/course for a shared server")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per submission (default: KIT limits wall_seconds plus a margin)")
    parser.add_argument("--judge-cmd", default=None,
                        help="judge command to run instead of `python -m coursekit.judge` "
                             "(also $COURSEKIT_JUDGE_CMD)")


def _usage_error(message: str) -> int:
    print(f"coursekit grade: {message}", file=sys.stderr)
    return 2


def run(args) -> int:
    from ..config import ConfigError, load
    from .policy import item_points

    if args.jobs < 1:
        return _usage_error("--jobs must be at least 1")
    sources = [Path(s) for s in args.submissions]
    missing = [str(s) for s in sources if not os.path.lexists(s)]
    if missing:
        return _usage_error(f"no such submission: {', '.join(missing)}")
    try:
        course = load()
    except ConfigError as exc:
        return _usage_error(str(exc))
    from ..judge.seed import SeedError, course_seed
    from ..preflight import PreflightError, preflight
    try:
        preflight(course)
        course_seed(course)     # drawn before the suite's digest, on a course's first grade
    except (PreflightError, SeedError) as exc:
        return _usage_error(str(exc))
    unknown = sorted(set(args.items or []) - set(item_points(course)))
    if unknown:
        return _usage_error(f"unknown item(s) {', '.join(unknown)}; the items are: "
                            + ", ".join(item_points(course)))
    roster = None
    if args.roster:
        from ..gradebook.canvas import RosterError, read_roster
        try:
            roster = read_roster(Path(args.roster), course.export.sis_login_column)
        except RosterError as exc:
            return _usage_error(str(exc))
    return _grade(course, sources, args, roster)


def _grade(course, sources, args, roster) -> int:
    from ..gradebook import GradebookBusy, GradebookError
    from ..gradebook.identity import IdentityError
    from ..gradebook.reviewsheet import ReviewSheetError
    from ..gradebook.sheets import score_table
    from ..report.answers import question_catalogue
    from .batch import BatchInterrupted, grade_batch
    from .pipeline import GradeOptions

    opts = GradeOptions(settings=course, judge_cmd=shlex.split(args.judge_cmd) if args.judge_cmd else None,
                        timeout=args.timeout, items=args.items)
    questions = question_catalogue(course.assignment_dir("release"), course.assignment_dir("solutions"),
                                   course.notebooks, course.points.manual)
    out = Path(args.out)
    try:
        summary = grade_batch(sources, out, opts, jobs=args.jobs, force=args.force, questions=questions,
                              roster=roster, gradebook=args.gradebook)
    except (GradebookBusy, IdentityError) as exc:
        return _usage_error(str(exc))
    except (GradebookError, ReviewSheetError) as exc:
        return _usage_error(f"{exc} (nothing was graded or written)")
    except BatchInterrupted as exc:
        print(f"coursekit grade: {exc}", file=sys.stderr)
        return 130
    print(score_table(summary.term))
    for w in summary.warnings:
        print(f"warning: {w}", file=sys.stderr)
    has_roster = (out / "canvas_grades.csv").exists() and summary.term.roster is not None
    print(f"{len(summary.results)} result(s) in {out} (gradebook {summary.gradebook}): index.html, "
          "grades.csv, review.html, review.csv" + (", canvas_grades.csv" if has_roster else "")
          + "; per submission results.json, feedback.html, answers.md", file=sys.stderr)
    return 0
