"""`coursekit similarity SUBMISSION... --out DIR [--known FOLDER]`: who may have copied from whom.

Submissions are folders or .zip files like those of `coursekit grade`; --known is a folder of
collected solutions (one sub-folder or .zip each, any handout year's layout, e.g. public
repositories), each compared with every submission. Writes DIR/similarity.csv,
DIR/similarity.html with a page per pair worth reading (DIR/pairs/), and DIR/known.csv (each
submission's closest known solution). Exit 0, or 2 for usage errors.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .params import FLAG_AT


def add_arguments(parser) -> None:
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help="submission folder or .zip (as for `coursekit grade`)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--known", default=None, metavar="FOLDER",
                        help="folder of known solutions (one sub-folder or .zip each)")
    parser.add_argument("--flag", type=float, default=FLAG_AT, metavar="X",
                        help="flag pairs with similarity >= X (default %(default)s, the calibrated threshold)")


def _stage(text: str) -> None:
    print(f"similarity: {text} ...", file=sys.stderr, flush=True)


def _error(message: str) -> int:
    print(f"coursekit similarity: {message}", file=sys.stderr)
    return 2


def run(args) -> int:
    from ..config import ConfigError, load
    from .compare import compare_all
    from .documents import collect, handout_for
    from .report import CSV_NAME, HTML_NAME, write

    sources = [Path(s) for s in args.submissions]
    missing = [str(s) for s in sources if not os.path.lexists(s)]
    if missing:
        return _error(f"no such submission: {', '.join(missing)}")
    if args.known and not Path(args.known).is_dir():
        return _error(f"--known {args.known} is not a folder")
    if not 0 <= args.flag <= 1:
        return _error(f"--flag must be between 0 and 1, not {args.flag}")
    try:
        course = load()
        handout = handout_for(course)
    except (ConfigError, FileNotFoundError) as exc:
        return _error(str(exc))
    _stage(f"reading {len(sources)} submissions" + (f" and the known solutions in {args.known}" if args.known else ""))
    docs, problems = collect(sources, course, handout, Path(args.known) if args.known else None)
    for p in problems:
        print(f"warning: left out {p}", file=sys.stderr)
    if sum(not d.known for d in docs) < 1 or len(docs) < 2:
        return _error("need at least two readable submissions (or one and --known)")
    comparison = compare_all(docs, handout, threshold=args.flag, progress=_stage)
    _stage(f"writing {CSV_NAME}, {HTML_NAME} and the pages of the pairs worth reading to {args.out}")
    write(Path(args.out), comparison)
    for p in comparison.pairs[:10]:
        print(f"{p.similarity:.3f}  {p.a.name}  {p.b.name}")
    print(f"{len(comparison.pairs)} pair(s), {len(comparison.flagged())} flagged (>= {args.flag:.2f}), in "
          f"{args.out}: {CSV_NAME}, {HTML_NAME}", file=sys.stderr)
    return 0
