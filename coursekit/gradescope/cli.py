"""`coursekit gradescope --out autograder.zip`: write the Gradescope autograder bundle."""
from __future__ import annotations

import sys
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--out", default="autograder.zip", help="bundle path (default: autograder.zip)")


def run(args) -> int:
    from ..config import ConfigError, load
    from ..preflight import PreflightError, preflight
    from .bundle import BundleError, build_bundle

    try:
        course = load()
        preflight(course)
        count = build_bundle(course.root, course.assignment, Path(args.out))
    except (ConfigError, BundleError, PreflightError) as exc:
        print(f"coursekit gradescope: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({count} files): upload it as the Gradescope autograder "
          f"(Ubuntu base image); setup.sh installs the kit, run_autograder grades.")
    return 0
