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

RERUN_HELP = ("Grading into an existing --out folder reuses a stored result only when the "
              "submission's bytes, the hidden suite (autograder/), the points, the feedback "
              "settings, the --items and the kit version are all unchanged; anything else is "
              "regraded. --force regrades everything. TAs' points in review.csv are kept and "
              "added to grades.csv.")


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
                        help="roster.csv (submission,student_id,name,email): also write "
                             "canvas_grades.csv (Canvas gradebook import format) beside grades.csv")
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
    unknown = sorted(set(args.items or []) - set(item_points(course)))
    if unknown:
        return _usage_error(f"unknown item(s) {', '.join(unknown)}; the items are: "
                            + ", ".join(item_points(course)))
    roster = None
    if args.roster:
        from .export import RosterError, read_roster
        try:
            roster = read_roster(Path(args.roster))
        except RosterError as exc:
            return _usage_error(str(exc))
    return _grade(course, sources, args, roster)


def _grade(course, sources, args, roster) -> int:
    from ..report.answers import question_catalogue
    from ..report.sheets import score_table
    from .batch import grade_batch, write_canvas
    from .gradekey import course_fingerprint
    from .pipeline import GradeOptions

    opts = GradeOptions(settings=course, judge_cmd=shlex.split(args.judge_cmd) if args.judge_cmd else None,
                        timeout=args.timeout, items=args.items,
                        fingerprint=course_fingerprint(course, course.dir("autograder"), args.items))
    questions = question_catalogue(course.assignment_dir("release"), course.assignment_dir("solutions"),
                                   course.notebooks, course.points.manual)
    out = Path(args.out)
    summary = grade_batch(sources, out, opts, jobs=args.jobs, force=args.force, questions=questions)
    warnings = list(summary.warnings)
    if roster is not None:
        warnings += write_canvas(out, course, roster, summary)
    print(score_table(summary.results, course, summary.manual))
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"{len(summary.results)} result(s) in {out}: grades.csv, review.html, review.csv"
          + (", canvas_grades.csv" if roster is not None else "")
          + "; per submission results.json, feedback.html, answers.md", file=sys.stderr)
    return 0
