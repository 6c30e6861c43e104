"""`coursekit similarity SUBMISSION... --out DIR [--known FOLDER]`: pairwise code similarity.

Submissions are folders or .zip files like those of `coursekit grade`; --known is a folder
whose sub-folders / .zip files are known solutions (e.g. public ones you collected), each
compared with every submission. The handout's student files are boilerplate. Writes
DIR/similarity.csv and DIR/similarity.html. Exit 0, or 2 for usage errors.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_FLAG = 0.5      # pairs at or above this similarity are highlighted in the HTML list


def add_arguments(parser) -> None:
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help="submission folder or .zip (as for `coursekit grade`)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--known", default=None, metavar="FOLDER",
                        help="folder of known solutions (one sub-folder or .zip each)")
    parser.add_argument("--flag", type=float, default=DEFAULT_FLAG, metavar="X",
                        help="highlight pairs with similarity >= X in the report (default %(default)s)")


def _error(message: str) -> int:
    print(f"coursekit similarity: {message}", file=sys.stderr)
    return 2


def run(args) -> int:
    from ..config import ConfigError, load
    from .compare import compare_all
    from .documents import collect, joined_text
    from .report import CSV_NAME, HTML_NAME, write

    sources = [Path(s) for s in args.submissions]
    missing = [str(s) for s in sources if not os.path.lexists(s)]
    if missing:
        return _error(f"no such submission: {', '.join(missing)}")
    if args.known and not Path(args.known).is_dir():
        return _error(f"--known {args.known} is not a folder")
    try:
        course = load()
    except ConfigError as exc:
        return _error(str(exc))
    docs, problems = collect(sources, course, Path(args.known) if args.known else None)
    for p in problems:
        print(f"warning: left out {p}", file=sys.stderr)
    if sum(not d.known for d in docs) < 1 or len(docs) < 2:
        return _error("need at least two readable submissions (or one and --known)")
    handout = joined_text(course.assignment_dir("release"), course.student_files)
    pairs = compare_all(docs, [handout])
    write(Path(args.out), pairs, threshold=args.flag)
    for p in pairs[:10]:
        print(f"{p.similarity:.3f}  {p.a.name}  {p.b.name}")
    print(f"{len(pairs)} pair(s) in {args.out}: {CSV_NAME}, {HTML_NAME}", file=sys.stderr)
    return 0
