"""Workers of one submission: a plain one, and one with the reference building blocks
substituted (started only when a plain run fails). Dead workers are restarted on demand.

Every sandbox failure becomes a `CheckFailed` with a judge-written message; in substituted
runs the student's exception text is never included.
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
MAX_STUDENT_TEXT = 600


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
            # one live worker per slot (a slot's sandbox uid is shared): stop the other one
            other = self.session.plain if self.substituted else self.session.subst
            other.close()
            self._worker = self.session.start_worker(self.substituted)
        return self._worker

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
        try:
            return self.worker.call(target, *args, **kwargs)
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
        try:
            return getattr(self.worker, op)(*args)
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
        self.isolation = None
        self.start_error: str | None = None
        self.plain = Runner(self, substituted=False)
        self.subst = Runner(self, substituted=True)

    def check_deadline(self):
        if time.monotonic() > self.deadline:
            raise CheckFailed("not run: the submission used up its total time limit "
                              f"({self.limits.get('wall_seconds')} s).")

    def callbacks(self) -> dict:
        return {f"ref:{name}": getattr(self.ref_layers, name) for name in LAYER_FUNCTIONS}

    def start_worker(self, substituted: bool):
        from coursekit.sandbox import Worker
        try:
            worker = Worker.start(self.code_dir, slot=self.slot, limits=self.limits,
                                  callbacks=self.callbacks() if substituted else {})
        except Exception as exc:  # no sandbox: the judge's problem, never the student's
            self.start_error = f"{type(exc).__name__}: {exc}"
            raise
        self.isolation = worker.isolation
        if substituted:
            for module, names in SUBSTITUTIONS.items():
                for name in names:
                    try:
                        worker.substitute(module, name, f"ref:{name}")
                    except Exception:  # the student's module may not import or define it
                        pass
        return worker

    def close(self):
        self.plain.close()
        self.subst.close()
