"""`coursekit handout --out FILE.zip`: write the zip students get (handout, requirements.txt, data)."""
from __future__ import annotations

import sys
from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.zip",
                        help="where to write the handout zip")


def _stage(text: str) -> None:
    print(f"handout: {text} ...", file=sys.stderr, flush=True)


def run(args) -> int:
    from ..config import ConfigError, load
    from ..preflight import PreflightError, preflight
    from .zipper import HandoutError, write_handout

    if args.out.suffix != ".zip":
        print(f"handout error: --out must name a .zip file, got {args.out}", file=sys.stderr)
        return 2
    try:
        course = load()
        _stage("checking that release/ and solutions/ are up to date (the build stamp)")
        preflight(course)
        report = write_handout(course, args.out, progress=_stage)
    except (ConfigError, HandoutError, PreflightError) as exc:      # OSError: coursekit.cli says which file
        print(f"handout error: {exc}", file=sys.stderr)
        return 1
    data = ("the embedded dataset (get_datasets.sh unpacks it offline)" if report.dataset == "embedded"
            else f"get_datasets.sh downloads {report.dataset}")
    print(f"wrote {report.out}: {report.files} files, {report.bytes / 1e6:.1f} MB, with {data}, "
          f"in {report.seconds:.1f} s")
    return 0
