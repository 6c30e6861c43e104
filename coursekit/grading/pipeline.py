"""Grade one submission end to end: unpack safely, run the judge, write the result files.

Shared by `coursekit grade` (batch) and the Gradescope `run_autograder`. Never raises for
anything the submission does: every failure becomes a "crashed" GradingResult.
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
from ..report.results import GradingResult, write_atomic
from .judge_runner import judge_timeout, run_judge
from .unpack import SubmissionError, prepare

FULL_RESULT = "result.full.json"      # written last: its presence marks a complete result
GRADESCOPE_RESULT = "results.json"


@dataclass
class GradeOptions:
    kit: dict
    judge_cmd: list[str] | None = None        # default: python -m coursekit.judge
    timeout: float | None = None              # default: from KIT limits
    unpack_limits: dict = field(default_factory=dict)
    judge_env: dict = field(default_factory=dict)
    cores: int | None = None                  # CPU cores per submission; None: all of them

    @property
    def judge_cores(self) -> int:
        return max(1, self.cores if self.cores is not None else (os.cpu_count() or 1))

    @property
    def max_score(self) -> float:
        return float(sum(self.kit.get("points", {}).values()))


def grade_to_result(src: Path, name: str, work: Path, log_path: Path, opts: GradeOptions,
                    slot: int = 0) -> GradingResult:
    """Unpack `src` into the private folder `work` and judge it; always returns a result."""
    start = time.monotonic()
    try:
        prepared = prepare(src, work / "submission", opts.kit, limits=opts.unpack_limits)
    except SubmissionError as exc:
        return GradingResult.crashed(name, str(exc), execution_time=time.monotonic() - start,
                                     max_score=opts.max_score)
    timeout = opts.timeout or judge_timeout(opts.kit.get("limits", {}))
    result = run_judge(prepared.path, work / "judge-result.json", log_path, name=name, slot=slot,
                       timeout=timeout, max_score=opts.max_score, judge_cmd=opts.judge_cmd,
                       env=opts.judge_env, cores=opts.judge_cores)
    result.extra_data["answers"] = answers_for(prepared.notebooks, opts.kit.get("notebooks", []))
    return result


def grade_submission(src: Path, name: str, out_dir: Path, opts: GradeOptions,
                     slot: int = 0) -> GradingResult:
    """Grade `src` and write out_dir/{results.json, feedback.html, answers.md, result.full.json}."""
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="coursekit-grade-"))
    try:
        result = grade_to_result(src, name, work, out_dir / "judge.log", opts, slot)
    except Exception as exc:          # a bug on our side must not stop the batch
        (out_dir / "internal-error.txt").write_text(traceback.format_exc())
        result = GradingResult.crashed(name, f"internal grader error ({type(exc).__name__})",
                                       max_score=opts.max_score)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_outputs(result, out_dir)
    return result


def write_outputs(result: GradingResult, out_dir: Path) -> None:
    try:
        html = render_feedback(result)
    except Exception as exc:          # keep the result even if the report cannot be drawn
        html = f"<p>feedback unavailable ({type(exc).__name__}); see results.json</p>"
    write_atomic(out_dir / "feedback.html", html)
    write_atomic(out_dir / "answers.md",
                 answers_markdown(result.submission, result.extra_data.get("answers", [])))
    result.write_json(out_dir / GRADESCOPE_RESULT)
    write_atomic(out_dir / FULL_RESULT, json.dumps(result.to_dict(), indent=1, sort_keys=True))


def load_complete(out_dir: Path) -> GradingResult | None:
    """The result in out_dir if all its files were written, else None."""
    full = out_dir / FULL_RESULT
    if not full.is_file() or not (out_dir / GRADESCOPE_RESULT).is_file():
        return None
    try:
        return GradingResult.from_dict(json.loads(full.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None
