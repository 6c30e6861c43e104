"""The hidden suite run against a stand-in worker, in this process, for judge-side property
tests (tests/test_judge_fuzz.py).

The judge's code is the real one: `Session`, `Runner`, `JudgeContext`, the hidden tests of
autograder/tests and everything they call. Only the worker is replaced: `FakeWorker` runs a
"student" who is the reference (cs231n of source/), except for the graded functions a test
tampers with, whose honest result it hands to a `tamper(name, honest)` function that returns
what the worker sends instead. Every value crosses the real wire format
(coursekit.sandbox.protocol) in both directions, so it reaches the judge exactly as a real
worker's would: an array subclass or an object array becomes a Handle, a tuple stays a tuple,
and what the protocol cannot carry kills the worker (WorkerDied), as it would.
"""
from __future__ import annotations

import importlib.util
import itertools
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coursekit.judge.seed import course_seed
from coursekit.judge.checks import CheckFailed
from coursekit.judge.context import JudgeContext
from coursekit.judge.session import HELPERS, Session
from coursekit.reference import reference, submodule
from coursekit.sandbox.errors import StudentError, WorkerDied
from coursekit.sandbox.protocol import ProtocolError, Ref, decode, encode

# The graded functions and methods a student writes (the targets of the tampering).
LAYER_FUNCTIONS = ("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
                   "word_embedding_forward", "word_embedding_backward", "lstm_step_forward",
                   "lstm_step_backward", "lstm_forward", "lstm_backward")
METHODS = ("CaptioningRNN.__init__", "CaptioningRNN.loss", "CaptioningRNN.sample")
GRADED = LAYER_FUNCTIONS + METHODS
_tokens = itertools.count(1)


@dataclass
class Student:
    """The reference as a student, with `tamper(name, honest_value) -> value` applied to the
    graded functions in `tampered` (never to a granted reference building block)."""
    layers: object
    model: object
    tampered: frozenset = frozenset()
    tamper: object = None
    called: set = field(default_factory=set)     # graded functions called so far

    def run(self, name, fn, args, kwargs, grant):
        self.called.add(name)
        try:
            value = fn(*args, **kwargs)
        except Exception as exc:   # the student's code raised: the worker lives on
            raise StudentError(type(exc).__name__, str(exc), traceback.format_exc()) from None
        if name in self.tampered and not (grant and name.split(".")[-1] in grant.names):
            try:
                value = self.tamper(name, value)
            except BaseException as exc:     # the test's own failure: never the judge's to catch
                raise TamperFailed(exc) from exc
        return value


class TamperFailed(BaseException):
    """The tamper function itself raised (e.g. a hypothesis draw): re-raised by run_checks."""

    def __init__(self, original):
        super().__init__(repr(original))
        self.original = original


class FakeWorker:
    """Answers the judge's requests like worker.py would, with the Student's functions."""
    isolation = "fake"

    def __init__(self, student: Student, grant):
        self.student, self.grant = student, grant
        self.objects: dict[int, object] = {}
        self.token = next(_tokens)
        self.alive, self.closed = True, False

    # ------------------------------------------------------------------ wire
    def _inbound(self, value):
        """A judge value as the worker decodes it (handles become this worker's objects)."""
        def resolve(side, ident, type_name):
            return self.objects[ident]
        return decode(bytes(encode(value, self._judge_opaque)[8:]), resolve)

    def _judge_opaque(self, obj):
        if isinstance(obj, Ref) and obj.side == "h" and obj.owner == self.token:
            return "h", obj.id, obj.type_name
        raise ValueError(f"the judge sent {obj!r}, which is not a handle of this worker")

    def _outbound(self, value):
        """A worker value as the judge decodes it (non-encodable objects stay here)."""
        def opaque(obj):
            ident = len(self.objects) + 1
            self.objects[ident] = obj
            return "h", ident, type(obj).__name__

        def resolve(side, ident, type_name):
            return Ref("h", ident, type_name, self.token)
        try:
            return decode(bytes(encode(value, opaque)[8:]), resolve)
        except ProtocolError as exc:
            self.alive = False
            raise WorkerDied(f"the worker broke the protocol: {exc}") from None

    # ------------------------------------------------------------------ requests
    def call(self, target, *args, **kwargs):
        if not self.alive:
            raise WorkerDied("the worker is no longer running")
        try:
            return self._call(target, args, kwargs)
        except (StudentError, WorkerDied):
            raise
        except Exception as exc:   # raised in the worker (e.g. a helper on a wrong value)
            raise StudentError(type(exc).__name__, str(exc), traceback.format_exc()) from None

    def _call(self, target, args, kwargs):
        if isinstance(target, Ref):
            target = self.objects[target.id]
            return self._outbound(target(*self._inbound(list(args)), **self._inbound(kwargs)))
        args, kwargs = self._inbound(list(args)), self._inbound(kwargs)
        module, _, name = target.partition(":")
        if module == "importlib":
            return None
        if module == HELPERS:
            return self._outbound(getattr(self, f"_helper_{name}")(*args, **kwargs))
        return self._outbound(self._layer(name, args, kwargs))

    def getattr(self, handle, name):
        try:
            value = getattr(self.objects[handle.id], name)
        except Exception as exc:
            raise StudentError(type(exc).__name__, str(exc), "") from None
        return self._outbound(value)

    def setattr(self, handle, name, value):
        setattr(self.objects[handle.id], name, self._inbound(value))

    def substitute(self, module, attr, callback):
        pass

    def close(self):
        self.alive, self.closed = False, True

    # ------------------------------------------------------------------ the student's code
    def _layer(self, name, args, kwargs):
        fn = getattr(self.student.layers, name)
        return self.student.run(name, fn, args, kwargs, self.grant) if name in GRADED else fn(*args, **kwargs)

    def _method(self, model, name, args, kwargs):
        return self.student.run(f"CaptioningRNN.{name}", getattr(model, name), args, kwargs, self.grant)

    def _helper_make_model(self, word_to_idx, input_dim, wordvec_dim, hidden_dim, cell_type,
                           dtype_name, params=None):
        cls = self.student.model.CaptioningRNN

        def build():
            model = cls(word_to_idx, input_dim=input_dim, wordvec_dim=wordvec_dim,
                        hidden_dim=hidden_dim, cell_type=cell_type, dtype=np.dtype(dtype_name).type)
            if params is not None:
                model.params = {k: np.array(v, copy=True) for k, v in params.items()}
            return model
        return self.student.run("CaptioningRNN.__init__", build, (), {}, self.grant)

    def _helper_call_method(self, obj, name, *args, **kwargs):
        return self._method(obj, name, args, kwargs)

    def _helper_loss_with_params(self, model, params, features, captions):
        model.params = params
        return self._method(model, "loss", (features, captions), {})

    def _helper_call_readonly(self, module, name, args):
        for a in args:
            if isinstance(a, np.ndarray):
                a.flags.writeable = False
        return self._layer(name, args, {})


class FakeSession(Session):
    """The real Session (runners, deadline, import bookkeeping) with FakeWorkers."""

    def __init__(self, student: Student, config):
        super().__init__(Path("/nonexistent-code-dir"), ref_layers=student.layers,
                         student_files=config.student_files, sandbox=config.sandbox_spec())
        self.student = student

    def start_worker(self, grant):
        if grant is not None:
            grant.callbacks(self.ref_layers)    # as the real one: no grant without the test's dimensions
        worker = FakeWorker(self.student, grant)
        self.isolation = worker.isolation
        return worker


# ----------------------------------------------------------------------------- the suite
@dataclass(frozen=True)
class Check:
    """One hidden test with one parameter set: `run(judge)` raises CheckFailed when it fails."""
    item: str
    nodeid: str
    fn: object
    case: str | None

    def run(self, judge) -> None:
        judge.current = self.nodeid
        judge.session.first_inputs = None
        if self.case is None:
            self.fn(judge)
        else:
            self.fn(judge, self.case)


def hidden_checks(course) -> list[Check]:
    """Every check of autograder/tests (parametrize cases expanded), in file order."""
    checks = []
    for path in sorted((course.dir("autograder") / "tests").glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(f"ck_hidden_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        with warnings.catch_warnings():      # the judge's plugin registers the `item` mark
            warnings.simplefilter("ignore")
            spec.loader.exec_module(module)
        for name, fn in vars(module).items():
            marks = {m.name: m for m in getattr(fn, "pytestmark", [])}
            if not name.startswith("test_") or "item" not in marks:
                continue
            item = marks["item"].args[0]
            cases = marks["parametrize"].args[1] if "parametrize" in marks else [None]
            for case in cases:
                node = f"{path.name}::{name}" + (f"[{case}]" if case is not None else "")
                checks.append(Check(item, node, fn, case))
    return checks


@dataclass
class Outcome:
    check: Check
    passed: bool
    internal_error: str = ""      # an exception other than CheckFailed: the judge broke


def run_checks(course, student: Student, checks, shared=None) -> list[Outcome]:
    """Run `checks` against `student` in one fresh JudgeContext (as judge_submission does);
    `shared` seeds judge.shared (e.g. the reference's cached trainings)."""
    ref = reference(course)
    session = FakeSession(student, course)
    judge = JudgeContext(session=session, ref=ref, config=course, base_seed=course_seed(course),
                         missing_files=[])
    judge.shared.update(shared or {})
    out = []
    try:
        for check in checks:
            try:
                check.run(judge)
                out.append(Outcome(check, True))
            except CheckFailed:
                out.append(Outcome(check, False))
            except TamperFailed as failed:
                raise failed.original
            except Exception as exc:   # noqa: BLE001 -- what the plugin records as internal
                out.append(Outcome(check, False, f"{type(exc).__name__}: {exc}\n"
                                                 + traceback.format_exc()[-1500:]))
    finally:
        session.close()
    return out


def honest_student(course, **kw) -> Student:
    ref = reference(course)
    return Student(layers=submodule(ref, "rnn_layers"), model=submodule(ref, "classifiers.rnn"), **kw)
