"""Grade one submission end to end: unpack safely, run the judge, write the result files.

Shared by `coursekit grade` (batch) and the Gradescope `run_autograder`. Never raises for
anything the submission does: every failure becomes a "crashed" GradingResult.

`coursekit grade` records results in the gradebook (grading/batch.py); `grade_submission`
writes one submission's files directly (the Gradescope and PrairieLearn entry points).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..report.answers import answers_for, answers_markdown
from ..report.feedback import render_feedback
from ..report.results import GradingResult
from ..settings import Settings
from .jobs import machine_early_trainings
from .judge_runner import judge_timeout, run_judge
from .outputs import private_dir, write_text
from .policy import apply_course_policy
from .unpack import SubmissionError, prepare

GRADESCOPE_RESULT = "results.json"
JUDGE_LOG = "judge.log"
INTERNAL_ERROR = "internal-error.txt"


@dataclass
class GradeOptions:
    settings: Settings                        # coursekit.config.load()
    judge_cmd: list[str] | None = None        # default: python -m coursekit.judge
    timeout: float | None = None              # default: judge_timeout(settings.limits)
    unpack_limits: dict = field(default_factory=dict)
    judge_env: dict = field(default_factory=dict)
    # overfit trainings the judge starts early, each in its own process (default: every
    # core of the machine but one, for a submission graded alone)
    early_trainings: int = field(default_factory=machine_early_trainings)
    items: list[str] | None = None            # grade only these test ids (None: all)
    # the manual questions are graded on the engine's own site (Gradescope): the results say so
    manual_elsewhere: bool = False

    @property
    def max_score(self) -> float:
        return self.settings.points.max_score


def grade_to_result(src: Path, name: str, work: Path, log_path: Path, opts: GradeOptions,
) -> GradingResult:
    """Unpack `src` into the private folder `work` and judge it; always returns a result."""
    start = time.monotonic()
    try:
        prepared = prepare(src, work / "submission", opts.settings, limits=opts.unpack_limits)
    except SubmissionError as exc:
        return GradingResult.crashed(name, str(exc), execution_time=time.monotonic() - start,
                                     max_score=opts.max_score)
    timeout = opts.timeout or judge_timeout(opts.settings.limits)
    result = run_judge(prepared.path, work / "judge-result.json", log_path, name=name,
                       timeout=timeout, max_score=opts.max_score, judge_cmd=opts.judge_cmd,
                       env=opts.judge_env, early_trainings=opts.early_trainings,
                       items=opts.items)
    apply_course_policy(result, opts.settings)
    result.extra_data["answers"] = answers_for(prepared.notebooks, opts.settings.notebooks,
                                               opts.settings.assignment_dir("release"))
    return result


def grade_submission(src: Path, name: str, out_dir: Path, opts: GradeOptions,
                     *, log_dir: Path | None = None) -> GradingResult:
    """Grade `src` and write out_dir/{results.json, feedback.html, answers.md};
    the judge's log (and any internal error) goes to `log_dir` (mode 0700; default
    OUT/_private/<name> beside the student's folder, never in it)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    log_dir = log_dir or private_dir(out_dir.parent, out_dir.name)
    work = Path(tempfile.mkdtemp(prefix=f"coursekit-grade-{os.getpid()}-"))
    try:
        result = grade_to_result(src, name, work, log_dir / JUDGE_LOG, opts)
    except Exception as exc:          # a bug on our side must not stop the batch
        write_text(log_dir / INTERNAL_ERROR, traceback.format_exc(), private=True)
        result = GradingResult.crashed(name, f"internal grader error ({type(exc).__name__})",
                                       max_score=opts.max_score)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if opts.manual_elsewhere:
        result.manual = manual_elsewhere(opts.settings)
    write_outputs(result, out_dir)
    return result


def manual_elsewhere(settings) -> list[dict]:
    """The manual questions as the results of an engine that grades them itself show them."""
    return [{"grade_id": q, "title": f"Inline question {n}", "max_points": float(p), "points": None,
             "comment": "", "status": "pending", "visibility": settings.feedback.visibility_of(q),
             "staff": "elsewhere"} for n, (q, p) in enumerate(settings.points.manual.items(), 1)]


def write_outputs(result: GradingResult, out_dir: Path) -> None:
    try:
        html = render_feedback(result)
    except Exception as exc:          # keep the result even if the report cannot be drawn
        html = f"<p>feedback unavailable ({type(exc).__name__}); see results.json</p>"
    write_text(out_dir / "feedback.html", html)
    write_text(out_dir / "answers.md",
               answers_markdown(result.submission, result.extra_data.get("answers", [])))
    write_text(out_dir / GRADESCOPE_RESULT,
               json.dumps(result.to_gradescope_dict(), indent=2, sort_keys=True))
