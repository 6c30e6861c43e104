"""Errors raised judge-side by the sandbox."""


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
