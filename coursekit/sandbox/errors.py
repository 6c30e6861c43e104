"""Errors raised judge-side by the sandbox."""


class SandboxError(Exception):
    """Base class of everything the sandbox raises."""


class StudentError(SandboxError):
    """Student code raised an exception; the worker lives on."""

    def __init__(self, type_name, message, traceback_text):
        self.type_name, self.message, self.traceback = type_name, message, traceback_text
        super().__init__(f"{type_name}: {message}")


class WorkerTimeout(SandboxError):
    """The worker exceeded a wall-clock limit and was killed with its whole group."""


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
