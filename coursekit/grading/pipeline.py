"""Grade one submission end to end: unpack safely, run the judge, write the result files.

Shared by `coursekit grade` (batch) and the Gradescope `run_autograder`. Never raises for
anything the submission does: every failure becomes a "crashed" GradingResult.

The stored result (result.full.json, written last) carries the key it was graded under
(gradekey.py); `load_complete(dir, key)` returns it only when the key still matches.
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

FULL_RESULT = "result.full.json"      # written last: its presence marks a complete result
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
    fingerprint: str = ""                     # gradekey.course_fingerprint of the course

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
    result.extra_data["answers"] = answers_for(prepared.notebooks, opts.settings.notebooks)
    return result


def grade_submission(src: Path, name: str, out_dir: Path, opts: GradeOptions,
                     *, log_dir: Path | None = None, key: str = "") -> GradingResult:
    """Grade `src` and write out_dir/{results.json, feedback.html, answers.md, result.full.json};
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
    write_outputs(result, out_dir, key)
    return result


def write_outputs(result: GradingResult, out_dir: Path, key: str = "") -> None:
    try:
        html = render_feedback(result)
    except Exception as exc:          # keep the result even if the report cannot be drawn
        html = f"<p>feedback unavailable ({type(exc).__name__}); see results.json</p>"
    write_text(out_dir / "feedback.html", html)
    write_text(out_dir / "answers.md",
               answers_markdown(result.submission, result.extra_data.get("answers", [])))
    write_text(out_dir / GRADESCOPE_RESULT,
               json.dumps(result.to_gradescope_dict(), indent=2, sort_keys=True))
    write_text(out_dir / FULL_RESULT,
               json.dumps({**result.to_dict(), "grade_key": key}, indent=1, sort_keys=True))


def load_complete(out_dir: Path, key: str | None = None) -> GradingResult | None:
    """The result in out_dir if all its files were written (and, when `key` is given, it was
    graded under that key), else None."""
    full = out_dir / FULL_RESULT
    if not full.is_file() or not (out_dir / GRADESCOPE_RESULT).is_file():
        return None
    try:
        data = json.loads(full.read_text(encoding="utf-8"))
        if key is not None and data.get("grade_key") != key:
            return None
        return GradingResult.from_dict(data)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
