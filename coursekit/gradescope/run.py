"""`python -m coursekit.gradescope.run --root /autograder`: grade one Gradescope submission.

Same engine as `coursekit grade`: safe unpacking, the judge in its own process, a crashed
result when anything fails. Writes ROOT/results/results.json (plus feedback.html, answers.md).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..report.results import GradingResult

ROOT_ENV = "AUTOGRADER_ROOT"


def pick_source(submission: Path, settings) -> Path:
    """The submission folder, or the single .zip inside it when that is all it holds."""
    if submission.is_dir():
        if not any(os.path.lexists(submission / rel) for rel in settings.needed_files):
            zips = [p for p in submission.iterdir() if p.suffix.lower() == ".zip" and p.is_file()]
            if len(zips) == 1:
                return zips[0]
    return submission


def grade(root: Path) -> GradingResult:
    from ..config import load
    from ..grading.pipeline import GradeOptions, grade_submission
    from ..judge.seed import require_seed

    results = root / "results"
    try:
        course = load(root / "source")
        require_seed(course)
    except Exception as exc:                 # still write a result for the student
        result = GradingResult.crashed("submission", f"autograder configuration error ({exc})")
        result.write_json(results / "results.json")
        return result
    opts = GradeOptions(settings=course, manual_elsewhere=True)
    source = pick_source(root / "submission", course)
    return grade_submission(source, "submission", results, opts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.gradescope.run", description=__doc__)
    parser.add_argument("--root", default=os.environ.get(ROOT_ENV, "/autograder"))
    args = parser.parse_args(argv)
    result = grade(Path(args.root))
    print(f"score {result.score} / {result.max_score}" + (f" ({result.error})" if result.error else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
