"""Workers of one submission: a plain one, one with the reference building blocks
substituted (started only when a plain run fails), and, when the submission has spare
cores, dedicated workers for the overfit trainings (overfit.py). They live side by side
(the sandbox leases one uid per worker); a dead worker is restarted on demand.

Every sandbox failure becomes a `CheckFailed` with a judge-written message; in substituted
runs the student's exception text is never included. A worker that cannot start is the
judge's problem (`SandboxUnavailable`, then JudgeError), never the student's. A student
module that kills or hangs its worker while being imported fails every later check at once
with one clear message (no restart per test).
"""
from __future__ import annotations

import time
from pathlib import Path

from .checks import CheckFailed

# Reference functions substituted, per student module, in the substituted worker.
# rnn_layers keeps the student's sequence functions (they are what is graded there) but gets
# the reference step functions; the model module gets the reference for every layer.
STEP_FUNCTIONS = ["rnn_step_forward", "rnn_step_backward", "lstm_step_forward",
                  "lstm_step_backward", "sigmoid"]
LAYER_FUNCTIONS = STEP_FUNCTIONS + [
    "rnn_forward", "rnn_backward", "lstm_forward", "lstm_backward", "word_embedding_forward",
    "word_embedding_backward", "affine_forward", "affine_backward", "temporal_affine_forward",
    "temporal_affine_backward", "temporal_softmax_loss"]
SUBSTITUTIONS = {"cs231n.rnn_layers": STEP_FUNCTIONS, "cs231n.classifiers.rnn": LAYER_FUNCTIONS}
STUDENT_MODULES = ["cs231n.rnn_layers", "cs231n.classifiers.rnn"]   # imported right after start
HELPERS = "ck_judge_helpers"
# Reference functions whose arguments include word indices or a mask (the other callbacks
# accept float arrays only).
INDEX_ARGUMENTS = {"word_embedding_forward", "word_embedding_backward", "temporal_softmax_loss"}
MAX_STUDENT_TEXT = 600


class SandboxUnavailable(RuntimeError):
    """No worker could be started: an infrastructure error (the judge turns it into JudgeError)."""


def _short(text: str) -> str:
    text = str(text).strip()
    return text if len(text) <= MAX_STUDENT_TEXT else "..." + text[-MAX_STUDENT_TEXT:]


class Runner:
    """Calls into one worker; `substituted` runs hide everything the student wrote."""

    def __init__(self, session: "Session", substituted: bool):
        self.session = session
        self.substituted = substituted
        self._worker = None

    @property
    def worker(self):
        if self._worker is None:
            self._worker = self.session.start_worker(self.substituted)
        return self._worker

    def start(self) -> None:
        """Start the worker now (student modules imported); failures surface at the first call."""
        try:
            self.worker
        except (CheckFailed, SandboxUnavailable):
            pass

    def _drop(self):
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def close(self):
        self._drop()

    def call(self, target, *args, what: str, **kwargs):
        """worker.call with judge-written failures; `what` names the student function."""
        from coursekit.sandbox import StudentError, WorkerDied, WorkerTimeout
        self.session.check_deadline()
        worker = self.worker
        try:
            return worker.call(target, *args, **kwargs)
        except StudentError as exc:
            detail = "" if self.substituted else f":\n{_short(exc)}"
            raise CheckFailed(f"{what} raised an exception{detail}") from None
        except WorkerTimeout:
            self._drop()
            raise CheckFailed(f"{what} did not finish within the time limit "
                              f"({self.session.limits.get('call_seconds')} s per call).") from None
        except WorkerDied:
            self._drop()
            raise CheckFailed(f"the process running {what} died (crash, memory limit or exit).") from None

    def getattr(self, handle, name, *, what: str):
        return self._op("getattr", handle, name, what=what)

    def setattr(self, handle, name, value, *, what: str):
        return self._op("setattr", handle, name, value, what=what)

    def _op(self, op, *args, what):
        from coursekit.sandbox import StudentError, WorkerDied, WorkerTimeout
        self.session.check_deadline()
        worker = self.worker
        try:
            return getattr(worker, op)(*args)
        except StudentError as exc:
            detail = "" if self.substituted else f": {_short(exc)}"
            raise CheckFailed(f"{what} failed{detail}") from None
        except (WorkerTimeout, WorkerDied):
            self._drop()
            raise CheckFailed(f"the process running {what} died or timed out.") from None


class Session:
    def __init__(self, code_dir: Path, *, slot: int, limits: dict, ref_layers):
        self.code_dir = Path(code_dir)
        self.slot = slot
        self.limits = dict(limits)
        self.ref_layers = ref_layers
        self.deadline = time.monotonic() + float(self.limits.get("wall_seconds", 300))
        self.sandbox = sandbox_spec(self.limits)
        self.isolation = None
        self.start_error: str | None = None     # infrastructure: no worker could start
        self.import_failure: str | None = None  # the student's module killed/hung its worker
        self.plain = Runner(self, substituted=False)
        self.subst = Runner(self, substituted=True)
        self.extra: list[Runner] = []           # dedicated workers (overfit trainings)

    def check_deadline(self):
        if time.monotonic() > self.deadline:
            raise CheckFailed("not run: the submission used up its total time limit "
                              f"({self.limits.get('wall_seconds')} s).")

    def dedicated_runner(self) -> Runner:
        """A further plain worker of its own (closed with the session)."""
        runner = Runner(self, substituted=False)
        self.extra.append(runner)
        return runner

    def callbacks(self) -> dict:
        from coursekit.sandbox import Callback
        floats = ("float32", "float64")
        return {f"ref:{name}": Callback(getattr(self.ref_layers, name),
                                        dtypes=floats + ("int32", "int64", "bool")
                                        if name in INDEX_ARGUMENTS else floats)
                for name in LAYER_FUNCTIONS}

    def start_worker(self, substituted: bool):
        """A started worker with the student modules imported (and, if `substituted`, the
        reference functions in place). Raises SandboxUnavailable or CheckFailed."""
        from coursekit.sandbox import Worker
        if self.start_error:
            raise SandboxUnavailable(self.start_error)
        if self.import_failure:
            raise CheckFailed(self.import_failure)
        try:
            worker = Worker.start(self.code_dir, self.sandbox, slot=self.slot,
                                  callbacks=self.callbacks() if substituted else {})
        except Exception as exc:  # no sandbox: the judge's problem, never the student's
            self.start_error = f"{type(exc).__name__}: {exc}"
            raise SandboxUnavailable(self.start_error) from None
        self.isolation = worker.isolation
        try:
            self._import_student_modules(worker)
        except CheckFailed:
            worker.close()
            raise
        if substituted:
            for module, names in SUBSTITUTIONS.items():
                for name in names:
                    try:
                        worker.substitute(module, name, f"ref:{name}")
                    except Exception:  # the student's module may not import or define it
                        pass
        return worker

    def _import_student_modules(self, worker) -> None:
        """Import each student module once; an exit or hang there is remembered for good.
        An exception at import is left to each check (it shows the student's error)."""
        from coursekit.sandbox import StudentError, WorkerDied, WorkerTimeout
        for module in STUDENT_MODULES:
            try:
                worker.call(f"{HELPERS}:import_module", module)
            except StudentError:
                continue
            except WorkerDied:
                self.import_failure = (f"not run: your module {module} exited while being imported "
                                       "(os._exit, a crash or the memory limit), "
                                       "so none of its functions could be called.")
            except WorkerTimeout:
                self.import_failure = (f"not run: your module {module} did not finish being imported "
                                       f"within the time limit ({self.limits.get('call_seconds')} s).")
            if self.import_failure:
                raise CheckFailed(self.import_failure)

    def close(self):
        for runner in [self.plain, self.subst, *self.extra]:
            runner.close()


def sandbox_spec(limits: dict):
    """The sandbox settings of this course (KIT): limits, hidden folders, uid pool."""
    from coursekit import config
    from coursekit.sandbox import SandboxLimits, SandboxSpec, course_hide
    course = config.load()
    kit = course.kit
    return SandboxSpec(limits=SandboxLimits.from_mapping(limits), hide=course_hide(course.root),
                       uid_base=int(kit.get("sandbox_uid_base", SandboxSpec.uid_base)),
                       uid_pool=int(kit.get("sandbox_uid_pool", SandboxSpec.uid_pool)))
