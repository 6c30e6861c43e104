"""python -m coursekit.judge SUBMISSION_DIR RESULT_JSON [--early-trainings K] [--items ID...]

Writes the result JSON and exits 0. When the judge itself fails (JudgeError, e.g. the sandbox
could not start a worker) it writes a "crashed" result saying why, also with exit 0; any other
failure exits non-zero and the batch step writes the crashed result."""
from __future__ import annotations

import os

from coursekit.sandbox.isolation import use_single_thread_blas

# One BLAS thread in the judge, set before numpy loads: the overfit trainings run judge-side
# on threads while the main thread forks sandbox workers, and a multi-threaded OpenBLAS can
# deadlock a fork that happens during one of its calls (its atfork handler waits for it).
use_single_thread_blas()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path

from coursekit.fileio import write_atomic  # noqa: E402
from coursekit.report.results import GradingResult  # noqa: E402

from . import JudgeError, judge_submission  # noqa: E402


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
