"""Run the trusted judge for one prepared submission in its own process, DMOJ style.

`python -m coursekit.judge SUBMISSION_DIR RESULT_JSON --early-trainings K [--items ID...]` grades
and writes a result JSON. Its log is private (mode 0600): it may show hidden-test details.
This outer step owns the outcome: if the judge fails, times out, or writes nothing or invalid
JSON, the result is a "crashed" one with a plain reason. The judge command can be replaced
(tests, other engines) through the `judge_cmd` argument or $COURSEKIT_JUDGE_CMD.
"""
from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import threading
import sys
import time
from pathlib import Path

from ..report.results import GradingResult
from ..sandbox.isolation import SINGLE_THREAD_ENV, die_with_parent
from .outputs import open_private_log

JUDGE_ENV = "COURSEKIT_JUDGE_CMD"
# The judge process gets SINGLE_THREAD_ENV unless the caller says otherwise: a submission's
# cores are for its sandbox workers, and idle OpenBLAS threads spin on the cores they need.


def default_judge_cmd() -> list[str]:
    env = os.environ.get(JUDGE_ENV)
    if env:
        return shlex.split(env)
    return [sys.executable, "-m", "coursekit.judge"]


def judge_timeout(limits) -> float:
    """The judge process's wall clock, derived from the submission's time limit (which the
    judge's Session enforces): that budget plus a margin for start-up and reporting."""
    wall = float(limits.wall_seconds)
    return wall + max(60.0, 0.5 * wall)


_LIVE: set = set()
_LIVE_LOCK = threading.Lock()


def stop_all_judges() -> int:
    """Kill every judge this process started that is still running (an interrupted batch)."""
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return len(procs)


def run_judge(sub_dir: Path, result_json: Path, log_path: Path, *, name: str,
              timeout: float, max_score: float, judge_cmd: list[str] | None = None,
              env: dict | None = None, early_trainings: int = 0,
              items: list[str] | None = None) -> GradingResult:
    """Grade `sub_dir` with the judge; always returns a GradingResult (crashed on failure)."""
    cmd = [*(judge_cmd or default_judge_cmd()), str(sub_dir), str(result_json),
           "--early-trainings", str(early_trainings)] + (["--items", *items] if items else [])
    start = time.monotonic()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open_private_log(log_path) as log:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True, preexec_fn=die_with_parent,
                                    env={**SINGLE_THREAD_ENV, **os.environ, **(env or {})})
        except OSError as exc:
            return _crashed(name, f"the grader could not be started ({exc})", start, max_score)
        with _LIVE_LOCK:
            _LIVE.add(proc)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return _crashed(name, f"grading took longer than {timeout:.0f} seconds and was stopped",
                            start, max_score)
        except BaseException:
            _kill_group(proc)
            raise
        finally:
            with _LIVE_LOCK:
                _LIVE.discard(proc)
    return _read_result(result_json, code, name, start, max_score)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _read_result(path: Path, code: int, name: str, start: float, max_score: float) -> GradingResult:
    if code != 0:
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        return _crashed(name, f"the grader failed ({how})", start, max_score)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        result = GradingResult.from_dict(data)
        _check_result(result)
    except FileNotFoundError:
        return _crashed(name, "the grader wrote no result", start, max_score)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return _crashed(name, f"the grader wrote an invalid result ({type(exc).__name__})",
                        start, max_score)
    result.submission = name
    return result


def _check_result(result: GradingResult) -> None:
    if not isinstance(result.extra_data, dict) or not isinstance(result.output, str):
        raise ValueError("bad result fields")
    for t in result.tests:
        t.score, t.max_score = float(t.score), float(t.max_score)
        if not isinstance(t.name, str) or not isinstance(t.output, str):
            raise ValueError("bad test fields")


def _crashed(name: str, reason: str, start: float, max_score: float) -> GradingResult:
    # The judge's log stays in the instructor's output folder (it may show hidden-test details).
    return GradingResult.crashed(name, reason, execution_time=time.monotonic() - start,
                                 max_score=max_score)
