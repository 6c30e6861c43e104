"""`coursekit gradescope --out autograder.zip`: write the Gradescope autograder bundle."""
from __future__ import annotations

import sys
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--out", default="autograder.zip", help="bundle path (default: autograder.zip)")
    parser.add_argument("--try", dest="try_uploads", nargs="+", type=Path, default=None, metavar="UPLOAD",
                        help="then try the bundle here as Gradescope runs it (its setup.sh and "
                             "run_autograder, the real sandbox) on these uploads (zips as "
                             "collect_submission.py writes them, or folders) and print their scores")
    parser.add_argument("--try-dir", type=Path, default=Path("gradescope-try"),
                        help="where --try installs the bundle (kept, so a second try is quick; "
                             "default: ./gradescope-try)")


def run(args) -> int:
    from ..config import ConfigError, load
    from ..preflight import PreflightError, preflight
    from ..judge.seed import SeedError, course_seed
    from .bundle import BundleError, build_bundle

    try:
        course = load()
        preflight(course)
        seed = course_seed(course)   # drawn now if this is the course's first: the bundle carries it
        count = build_bundle(course.root, course.assignment, Path(args.out), seed=seed)
    except (ConfigError, BundleError, PreflightError, SeedError) as exc:
        print(f"coursekit gradescope: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({count} files): upload it as the Gradescope autograder "
          f"(Ubuntu base image); setup.sh installs the kit, run_autograder grades.")
    if args.try_uploads:
        missing = [str(p) for p in args.try_uploads if not p.exists()]
        if missing:
            print(f"coursekit gradescope: no such upload: {', '.join(missing)}", file=sys.stderr)
            return 2
        from .local import try_bundle
        return try_bundle(Path(args.out).absolute(), [p.absolute() for p in args.try_uploads],
                          args.try_dir.absolute())
    return 0
