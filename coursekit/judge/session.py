"""Workers of one submission. Nothing a worker says is believed: runners only carry calls.

- `plain`: one worker without any reference code, shared by the tests (the student's code
  alone). A dead worker is restarted on demand.
- `granted(grant)`: a FRESH worker for one test, with exactly the grant's reference building
  blocks substituted (grants.py); closed when the test's granted run ends.
- `fresh()`: a fresh plain worker for one numerical check (the own-forward rule), so nothing
  the student's code saw in earlier calls can shape its answers.
- `dedicated_runner()`: plain workers for the overfit trainings started early.

Every sandbox failure becomes a `CheckFailed` with a judge-written message; in granted runs
the student's exception text is never included. A worker that cannot start is the judge's
problem (`SandboxUnavailable`, then JudgeError), never the student's. A student file that does
not import is found once, when the plain worker starts (`imports.py`): every check that needs
it then fails at once with "not graded: <file> does not import". A module the grader lacks
(`import torch`) gets a stand-in in every worker (imports.StandIn), installed before the
student modules are imported.
"""
from __future__ import annotations

import time
from pathlib import Path

from .checks import CheckFailed, JudgeCpuExceeded
from .grants import MODEL, MODULES, Grant
from .imports import ImportProblem, install_stand_ins, probe_imports, student_frame, student_modules

HELPERS = "ck_judge_helpers"
MAX_STUDENT_TEXT = 600


class _Replace(Exception):
    """The probing worker died on a module that later workers leave alone: start another."""


class SandboxUnavailable(RuntimeError):
    """No worker could be started: an infrastructure error (the judge turns it into JudgeError)."""


def _short(text: str) -> str:
    text = str(text).strip()
    return text if len(text) <= MAX_STUDENT_TEXT else "..." + text[-MAX_STUDENT_TEXT:]


class Runner:
    """Calls into one worker; `granted` runs hide everything the student wrote."""

    def __init__(self, session: "Session", grant: Grant | None = None):
        self.session = session
        self.grant = grant
        self._worker = None

    @property
    def substituted(self) -> bool:
        return self.grant is not None

    @property
    def worker(self):
        if self._worker is None:
            self._worker = self.session.start_worker(self.grant)
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
            self.session.callback_cpu_spent += getattr(self._worker, "callback_cpu", 0.0)
            self._worker = None

    def close(self):
        self._drop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, target, *args, what: str, **kwargs):
        """worker.call with judge-written failures; `what` names the student function."""
        self.session.refuse_if_not_importable(_module_needed(target, args))
        self.session.observe(args)
        return self._op("call", target, *args, what=what, verb="raised an exception", **kwargs)

    def getattr(self, handle, name, *, what: str):
        return self._op("getattr", handle, name, what=what, verb="failed")

    def setattr(self, handle, name, value, *, what: str):
        return self._op("setattr", handle, name, value, what=what, verb="failed")

    def _op(self, op, *args, what, verb, **kwargs):
        from coursekit.sandbox import (CallbackBudgetExceeded, StudentError, WorkerDied, WorkerStarved,
                                       WorkerTimeout)
        self.session.check_deadline()
        worker = self.worker
        try:
            try:
                return getattr(worker, op)(*args, **kwargs)
            except WorkerStarved:
                # timed out while the machine was overloaded (not the student's doing): once
                # more on a fresh worker, when the call carries no handle of the dead one
                self._drop()
                if op != "call" or not _values_only(args, kwargs):
                    raise
                return getattr(self.worker, op)(*args, **kwargs)
        except StudentError as exc:
            if self.substituted:
                raise CheckFailed(f"{what} {verb} (with the reference {self.grant.described} in place).") from None
            raise CheckFailed(f"{what} {verb}.", student_text=f"{exc.type_name}: {_short(exc.message)}",
                              where=student_frame(exc.traceback, self.session.code_dir,
                                                  self.session.student_files)) from None
        except CallbackBudgetExceeded:
            self._drop()
            raise JudgeCpuExceeded(
                f"{what}: the reference building blocks it called used up the judge CPU this "
                f"submission may spend on them ({self.session.limits.callback_cpu_seconds:g} s); "
                "later checks run without them.") from None
        except WorkerTimeout:
            self._drop()
            raise CheckFailed(f"{what} did not finish within the time limit "
                              f"({self.session.limits.call_seconds:g} s per call).") from None
        except WorkerDied:
            self._drop()
            raise CheckFailed(f"the process running {what} died (crash, memory limit or exit).") from None


class Session:
    def __init__(self, code_dir: Path, *, ref_layers, student_files: list[str], sandbox):
        self.code_dir = Path(code_dir)
        self.sandbox = sandbox                # SandboxSpec (Settings.sandbox_spec)
        self.limits = sandbox.limits
        self.ref_layers = ref_layers
        self.student_files = list(student_files)
        # the one clock of the submission's time limit; every worker's is derived from it
        self.deadline = time.monotonic() + float(self.limits.wall_seconds)
        self.isolation = None
        self.callback_cpu_spent = 0.0        # judge CPU used by the callbacks of closed workers
        self.start_error: str | None = None            # infrastructure: no worker could start
        self.import_problems: dict[str, ImportProblem] = {}   # module -> why it does not import
        self.stand_ins: list = []             # modules the grader lacks, stood in for (imports.StandIn)
        self._probed = False
        self.first_inputs: str | None = None   # shapes of the running test's first call
        self.plain = Runner(self)
        self.extra: list[Runner] = []
        self._on_close: list = []

    def check_deadline(self):
        if time.monotonic() > self.deadline:
            raise CheckFailed("not run: the submission used up its total time limit "
                              f"({self.limits.wall_seconds:g} s).")

    def observe(self, args) -> None:
        """Remember the array shapes of the running test's first call (for the feedback)."""
        if self.first_inputs is None:
            shapes = [str(tuple(a.shape)) for a in args if hasattr(a, "shape") and hasattr(a, "dtype")]
            if shapes:
                self.first_inputs = " ".join(shapes)

    def granted(self, grant: Grant) -> Runner:
        """A fresh worker lending `grant`'s reference functions; close it after the test."""
        return Runner(self, grant)

    def fresh(self) -> Runner:
        """A fresh plain worker for one numerical check; close it after the check."""
        return Runner(self)

    def dedicated_runner(self) -> Runner:
        """A further plain worker of its own (closed with the session)."""
        runner = Runner(self)
        self.extra.append(runner)
        return runner

    def refuse_if_not_importable(self, module: str | None) -> None:
        """Fail at once when `module` (None: unknown, e.g. a handle) or a student module it
        imports does not import."""
        if not self.import_problems:
            return
        needs = [m for m in self.import_problems if module in (None, m) or m in module_dependencies(module)]
        if needs:
            raise CheckFailed(self.import_problems[needs[0]].not_graded())

    def start_worker(self, grant: Grant | None):
        """A started worker with the student modules imported (and the grant's reference
        functions in place). Raises SandboxUnavailable or CheckFailed."""
        from coursekit.sandbox import Worker
        if self.start_error:
            raise SandboxUnavailable(self.start_error)
        callbacks = grant.callbacks(self.ref_layers) if grant else {}   # a grant without bounds: raises
        try:
            worker = Worker.start(self.code_dir, self.worker_spec(), callbacks=callbacks)
        except Exception as exc:  # no sandbox: the judge's problem, never the student's
            self.start_error = f"{type(exc).__name__}: {exc}"
            raise SandboxUnavailable(self.start_error) from None
        self.isolation = worker.isolation
        try:
            self._import_student_modules(worker)
        except CheckFailed:
            worker.close()
            raise
        except _Replace:
            worker.close()
            return self.start_worker(grant)
        if grant:
            for module in [m for m in MODULES if m not in self.import_problems]:
                for name in grant.names:
                    try:
                        worker.substitute(module, name, f"ref:{name}")
                    except Exception:  # the module may not exist (cs231n.layers) or import
                        break
        return worker

    def worker_spec(self):
        """A new worker's sandbox spec: its wall clock is what is left of the submission's, so
        no worker outlives the submission's time limit (kept by this session alone), and so is
        the judge CPU its callbacks may use (SandboxLimits.callback_cpu_seconds)."""
        left = max(self.deadline - time.monotonic(), 0.01)
        limits = {"wall_seconds": left}
        budget = float(self.limits.callback_cpu_seconds)
        if budget:   # what is left of the submission's judge CPU for callbacks (1e-9: none)
            limits["callback_cpu_seconds"] = max(budget - self.callback_cpu_spent, 1e-9)
        return self.sandbox.with_changes(limits=limits)

    def _import_student_modules(self, worker) -> None:
        """The first worker probes each student module's import once; what fails is kept.
        A module that killed or hung the probing worker is never imported again: the worker
        is replaced, and only the calls that need that module fail ("not graded")."""
        if not self._probed:
            self._probed = True
            self.import_problems = probe_imports(worker, self.code_dir, self.student_files,
                                                 self.limits.call_seconds, self.stand_ins)
            if self.stand_ins:   # this worker imported a module twice: a fresh one imports once
                raise _Replace()
        else:
            self._import_again(worker)
        fatal = [m for m, p in self.import_problems.items() if p.fatal]
        if fatal and fatal[0] == student_modules(self.student_files)[0]:
            raise CheckFailed(self.import_problems[fatal[0]].not_graded())   # nothing can run
        if fatal and not worker.alive:
            raise _Replace()

    def _import_again(self, worker) -> None:
        """Every later worker imports the student modules with the calls the first one made,
        in its order (up to a fatal module): student code cannot tell a fresh worker from the
        first by how, or by what, its modules were first imported."""
        from coursekit.sandbox import SandboxError
        try:
            install_stand_ins(worker, self.stand_ins)
        except SandboxError:       # a dead worker fails its next call
            return
        for module in student_modules(self.student_files):
            problem = self.import_problems.get(module)
            if problem is not None and problem.fatal:
                break
            try:
                worker.call("importlib:import_module", module)
            except SandboxError:   # known already; a dead worker fails its next call
                pass

    def on_close(self, fn) -> None:
        """Call fn() when the session closes (e.g. stop an early training process)."""
        self._on_close.append(fn)

    def close(self):
        for fn in self._on_close:
            fn()
        for runner in [self.plain, *self.extra]:
            runner.close()


def _values_only(args, kwargs) -> bool:
    """True when a call's target and arguments are plain values (no worker handle)."""
    from coursekit.sandbox import Handle
    todo = [*args, *kwargs.values()]
    while todo:
        v = todo.pop()
        if isinstance(v, Handle):
            return False
        if isinstance(v, (list, tuple)):
            todo.extend(v)
        elif isinstance(v, dict):
            todo.extend(v.values())
    return True


def _module_needed(target, args) -> str | None:
    """The student module a call runs: "module:function", or a helper's module argument."""
    if not isinstance(target, str):
        return None
    module, _, name = target.partition(":")
    if module != HELPERS:
        return module
    if name == "call_readonly" and args and isinstance(args[0], str):
        return args[0]
    return MODEL


def module_dependencies(module: str | None) -> set[str]:
    """Student modules `module` imports (the model imports the layers)."""
    if module == "cs231n.classifiers.rnn":
        return {"cs231n.rnn_layers"}
    return set()

