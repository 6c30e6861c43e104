"""python -m coursekit.judge SUBMISSION_DIR RESULT_JSON [--slot N]"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from coursekit.report.results import write_atomic

from . import judge_submission


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.judge", description=__doc__)
    parser.add_argument("submission_dir", type=Path)
    parser.add_argument("result_json", type=Path)
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--items", nargs="*", default=None, help="grade only these test ids")
    args = parser.parse_args(argv)
    result = judge_submission(args.submission_dir, slot=args.slot, items=args.items)
    write_atomic(args.result_json, json.dumps(result.to_dict(), indent=2, sort_keys=True))
    print(f"{args.submission_dir}: {result.score} / {result.max_score}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
