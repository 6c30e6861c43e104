"""python -m coursekit.judge SUBMISSION_DIR RESULT_JSON [--early-trainings K] [--items ID...]

Writes the result JSON and exits 0. When the judge itself fails (JudgeError, e.g. the sandbox
could not start a worker) it writes a "crashed" result saying why, also with exit 0; any other
failure exits non-zero and the batch step writes the crashed result."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from coursekit.fileio import write_atomic
from coursekit.report.results import GradingResult

from . import JudgeError, judge_submission


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.judge", description=__doc__)
    parser.add_argument("submission_dir", type=Path)
    parser.add_argument("result_json", type=Path)
    parser.add_argument("--early-trainings", type=int, default=0, metavar="K",
                        help="overfit trainings started at once, each in a process of its own, "
                             "while the other tests run (default 0: one call at a time)")
    parser.add_argument("--items", nargs="*", default=None, help="grade only these test ids")
    args = parser.parse_args(argv)
    if args.early_trainings < 0:
        parser.error("--early-trainings must be 0 or more")
    try:
        result = judge_submission(args.submission_dir, items=args.items,
                                  early_trainings=args.early_trainings)
    except JudgeError as exc:
        result = GradingResult.crashed(args.submission_dir.name, str(exc))
    write_atomic(args.result_json, json.dumps(result.to_dict(), indent=2, sort_keys=True))
    print(f"{args.submission_dir}: {result.score} / {result.max_score}"
          + (f" ({result.error})" if result.error else ""), file=sys.stderr)
    return 0


def _exit_now(code: int) -> None:
    """Exit without the interpreter's tear-down (~0.1 s of module clean-up the batch waits
    for): the result file is written, the workers are closed, the code dir removed."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit_now(main())
