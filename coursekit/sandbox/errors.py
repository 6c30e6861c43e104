"""Errors raised judge-side by the sandbox, and how a worker's end is described."""
import signal


class SandboxError(Exception):
    """Base class of everything the sandbox raises."""


class StudentError(SandboxError):
    """Student code raised an exception; the worker lives on."""

    def __init__(self, type_name, message, traceback_text):
        self.type_name, self.message, self.traceback = type_name, message, traceback_text
        super().__init__(f"{type_name}: {message}")


class WorkerTimeout(SandboxError):
    """The worker exceeded a wall-clock limit and was killed with its whole group.
    ``wall_seconds``, ``cpu_seconds`` and ``wait_seconds`` (time spent waiting for a CPU)
    measure the call that timed out (None where unknown)."""

    def __init__(self, message, wall_seconds=None, cpu_seconds=None, wait_seconds=None):
        super().__init__(message)
        self.wall_seconds, self.cpu_seconds = wall_seconds, cpu_seconds
        self.wait_seconds = wait_seconds


class WorkerStarved(WorkerTimeout):
    """A call timed out while the machine was overloaded: the worker spent a large share of
    the call waiting for a CPU (``SandboxLimits.starved_fraction``). The judge may run the
    check again (once) instead of failing it."""


class CallbackBudgetExceeded(WorkerTimeout):
    """The worker's callbacks used up the judge CPU they were allowed
    (``SandboxLimits.callback_cpu_seconds``); the worker was killed."""


class WorkerDied(SandboxError):
    """The worker is gone: it exited, crashed, was killed, ran out of memory, or broke
    the protocol (and was then killed)."""


class IsolationUnavailable(SandboxError):
    """No isolation level could be set up (or the forced one is unavailable)."""


class SandboxStartError(IsolationUnavailable):
    """A worker could not start: an infrastructure problem, never the student's fault (a
    worker imports no student code before the first call)."""

    def __init__(self, message, timed_out=False):
        super().__init__(message)
        self.timed_out = timed_out


def during(op, fields):
    """'during a call ...' text for a death in the middle of a request. Student modules are
    imported by the first call that names them, so an exit at import is reported here."""
    if op in ("call", "call_handle") and type(fields[0]) is str:
        return f"during a call of {fields[0][:200]} (running or importing student code)"
    return f"during a call ({op})"


def describe_exit(code, when, level, limits):
    if code is None:
        return f"the worker stopped answering {when}"
    if level == "bwrap" and code > 128:   # bwrap reports a signal as 128 + signal number
        code = -(code - 128)
    if code >= 0:
        return f"the worker exited with code {code} {when}"
    sig = -code
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
    if sig == signal.SIGXCPU:
        return f"the worker exceeded its CPU time limit ({limits.cpu_seconds} s) {when}"
    if sig == signal.SIGKILL:
        return f"the worker was killed by {name} {when} (possibly out of memory)"
    return f"the worker was killed by signal {name} {when}"
