"""The trusted judge: grade one submission with the hidden suite (autograder/tests).

    judge_submission(submission_dir, config=None, items=None, early_trainings=0) -> GradingResult

builds a fresh code dir (provided files from release/ + only the student files), runs the
hidden pytest suite in-process (tests reach student code only through sandbox workers) and
turns the recorded outcomes into a GradingResult. Never raises for anything the student did;
raises JudgeError when the judge itself fails (e.g. the sandbox could not start a worker).

`early_trainings` overfit trainings (the expensive part, most expensive first) start at once,
each in a process of its own, while the other tests run; with 0, everything runs one call at
a time.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

# One BLAS thread in the judge, set before this package loads numpy (`python -m
# coursekit.judge` imports the package before __main__): the overfit trainings run in forked
# judge processes beside the main one, and idle OpenBLAS threads spin on the cores the sandbox
# workers need (a run with two BLAS threads took 7 s instead of 2.5 s).
from coursekit.sandbox.isolation import use_single_thread_blas  # noqa: E402

use_single_thread_blas()

from .checks import CheckFailed  # noqa: E402,F401  (re-exported for the hidden suite)

class JudgeError(RuntimeError):
    """The judge itself failed (not the student's fault)."""


def judge_submission(submission_dir: Path, *, config=None, items=None,
                     early_trainings: int = 0) -> "GradingResult":
    """Grade `submission_dir`; `items` (a subset of the test ids) restricts the run."""
    from coursekit import config as _config
    from coursekit.reference import reference, submodule

    from .codedir import build_code_dir
    from .context import JudgeContext
    from .culprits import resolve as resolve_culprits
    from .items import name_failing_prerequisites
    from .training import start_early
    from .scoring import build_result
    from .seed import SeedError, course_seed
    from .session import Session

    config = config or _config.load()
    submission_dir = Path(submission_dir)
    if not submission_dir.is_dir():
        raise JudgeError(f"submission folder {submission_dir} does not exist")
    suite = config.dir("autograder") / "tests"
    if not suite.is_dir():
        raise JudgeError(f"hidden suite {suite} not found")
    try:
        seed = course_seed(config)        # the course's secret: hidden inputs (seed.py)
    except SeedError as exc:
        raise JudgeError(str(exc)) from None
    start = time.monotonic()
    ref = reference(config)
    with tempfile.TemporaryDirectory(prefix=f"ck-judge-{os.getpid()}-") as tmp:
        code_dir = Path(tmp) / "code"
        missing = build_code_dir(submission_dir, code_dir, config)
        os.chmod(tmp, 0o755)
        session = Session(code_dir,
                          ref_layers=submodule(ref, "rnn_layers"),
                          student_files=config.student_files, sandbox=config.sandbox_spec())
        context = JudgeContext(session=session, ref=ref, config=config, base_seed=seed,
                               missing_files=missing)
        try:
            late = start_early(context, early_trainings, items)
            import pytest   # after the early start: its import is on the critical path

            from .plugin import JudgePlugin
            plugin = JudgePlugin(context, only=set(items) if items else None, late=late)
            # no third-party plugins (anyio's alone costs ~1 s to import) and no assertion
            # rewriting (the suite reports through CheckFailed, never bare asserts)
            rc = pytest.main([str(suite), "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
                              "--disable-plugin-autoload", "--assert=plain",
                              "-o", "console_output_style=classic", "--no-header", "-rN", "--tb=short",
                              "--rootdir", str(suite.parent), "-c", os.devnull],
                             plugins=plugin.plugins())
            resolve_culprits(plugin.outcomes, context)     # may add checks: before the naming
            if not session.import_problems and not session.start_error:
                _name_provided_changes(context, plugin.outcomes)
            name_failing_prerequisites(plugin.outcomes)
        finally:
            session.close()
    if session.start_error:
        raise JudgeError(f"the sandbox could not start a worker ({session.start_error}); "
                         "this is a grader problem, not the submission's")
    if rc not in (0, 1) and not plugin.outcomes:
        raise JudgeError(f"the hidden suite did not run (pytest exit code {rc})")
    context.import_errors = [p.to_dict() for p in session.import_problems.values()]
    context.summary_notes += [s.note() for s in session.stand_ins]
    if session.stand_ins:
        context.record("stand_ins", [s.missing for s in session.stand_ins])
    context.record("judge_cpu_seconds", judge_cpu(session))
    return build_result(submission_dir, plugin.outcomes, context, session,
                        execution_time=time.monotonic() - start, items=items)


def judge_cpu(session) -> dict:
    """The judge-side CPU this submission cost, in seconds: this process (the hidden suite,
    the reference, the training loop when it ran here) and the granted reference calls, which
    run in processes of their own (capped: limits.callback_cpu_seconds)."""
    import resource
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"judge": round(usage.ru_utime + usage.ru_stime, 3),
            "callbacks": round(session.callback_cpu_spent, 3),
            "callback_budget": float(session.limits.callback_cpu_seconds)}


def _name_provided_changes(context, outcomes) -> None:
    """Failing tests name a changed provided function that may explain them (provided.py)."""
    from . import provided
    changes = provided.find_changes(context)
    if changes:
        context.record("provided_changes", [{"function": c.function, "detail": c.detail} for c in changes])
        context.summary_notes += provided.apply(changes, outcomes)
