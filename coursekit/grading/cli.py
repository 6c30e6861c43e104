"""`coursekit grade SUB... --out DIR [--jobs N]`: grade submissions (folders or .zip files).

--jobs N is a CPU budget (default: all cores): min(N, submissions) are graded at once, each
with max(1, N // that number) cores.

Exit 0 when the batch was graded, whatever the scores; 2 for usage errors.
"""
from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path


def add_arguments(parser) -> None:
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
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per submission (default: KIT limits wall_seconds plus a margin)")
    parser.add_argument("--judge-cmd", default=None,
                        help="judge command to run instead of `python -m coursekit.judge` "
                             "(also $COURSEKIT_JUDGE_CMD)")


def run(args) -> int:
    from ..config import ConfigError, load
    from .batch import grade_batch
    from .pipeline import GradeOptions

    if args.jobs < 1:
        print("coursekit grade: --jobs must be at least 1", file=sys.stderr)
        return 2
    sources = [Path(s) for s in args.submissions]
    missing = [str(s) for s in sources if not os.path.lexists(s)]
    if missing:
        print(f"coursekit grade: no such submission: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        course = load()
    except ConfigError as exc:
        print(f"coursekit grade: {exc}", file=sys.stderr)
        return 2
    opts = GradeOptions(kit=course.kit,
                        judge_cmd=shlex.split(args.judge_cmd) if args.judge_cmd else None,
                        timeout=args.timeout)
    out = Path(args.out)
    summary = grade_batch(sources, out, opts, jobs=args.jobs)
    print(f"{len(summary.results)} result(s) in {out}: grades.csv, review.html, review.csv; "
          f"per submission results.json, feedback.html, answers.md", file=sys.stderr)
    return 0
