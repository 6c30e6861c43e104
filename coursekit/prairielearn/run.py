"""`python -m coursekit.prairielearn.run --grade /grade --timeout T`: grade one PrairieLearn job.

Same engine as `coursekit grade` (safe unpacking, the judge in its own process, the sandbox),
with the limits fitted inside the question's timeout T (budget.py) and this job's own uids.
Writes GRADE/results/results.json in PrairieLearn's format (results.py), always: a problem
of the upload or of the grader gives `gradable: false` with the reason.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from ..config import ConfigError, load
from ..fileio import write_atomic
from ..gradescope.run import pick_source
from ..judge.seed import SeedError, require_seed
from ..report.results import GradingResult
from . import budget as pl_budget
from .layout import GRADE, IMAGE_DATASET, LayoutError, assemble
from .results import dumps, to_prairielearn

RESULTS = "results/results.json"
NAME = "submission"


def grade(grade_dir: Path, timeout: int, dataset: str = IMAGE_DATASET) -> GradingResult:
    """Grade GRADE/student and write GRADE/results/results.json; returns the result."""
    try:
        result = _grade(Path(grade_dir), timeout, dataset)
    except (ConfigError, LayoutError, pl_budget.BudgetError, SeedError) as exc:
        result = GradingResult.crashed(NAME, f"autograder configuration error ({exc})")
    except Exception as exc:                  # a bug on our side: still a result for the student
        traceback.print_exc()
        result = GradingResult.crashed(NAME, f"internal grader error ({type(exc).__name__})")
    write_atomic(Path(grade_dir) / RESULTS, dumps(to_prairielearn(result)))
    return result


def _grade(grade_dir: Path, timeout: int, dataset: str) -> GradingResult:
    from ..grading.pipeline import GradeOptions, grade_to_result

    question = load(grade_dir / "tests")
    budget = pl_budget.fit(question.limits, timeout)
    root = assemble(grade_dir, budget, pl_budget.job_uid_pool(), dataset)
    course = load(root)
    require_seed(course)
    opts = GradeOptions(settings=course, timeout=budget.judge_seconds,
                        judge_env={"COURSEKIT_ROOT": str(root)},
                        early_trainings=pl_budget.early_trainings(pl_budget.container_cpus()))
    work = Path(tempfile.mkdtemp(prefix="coursekit-pl-"))
    try:
        source = pick_source(grade_dir / "student", course)
        return grade_to_result(source, NAME, work, work / "judge.log", opts)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.prairielearn.run", description=__doc__)
    parser.add_argument("--grade", default=os.environ.get("COURSEKIT_GRADE_DIR", GRADE),
                        help=f"the job's folder (default: {GRADE})")
    parser.add_argument("--timeout", type=int, default=pl_budget.DEFAULT_TIMEOUT,
                        help="the question's timeout in seconds, as in info.json")
    parser.add_argument("--dataset", default=os.environ.get("COURSEKIT_PL_DATASET", IMAGE_DATASET),
                        help="the embedded dataset (default: the grader image's)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    result = grade(Path(args.grade), args.timeout, args.dataset)
    isolation = result.extra_data.get("isolation") if isinstance(result.extra_data, dict) else None
    print(f"score {result.score} / {result.max_score}, isolation {isolation}, "
          f"{time.monotonic() - start:.1f} s" + (f" ({result.error})" if result.error else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
