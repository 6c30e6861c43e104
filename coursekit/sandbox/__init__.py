"""The sandbox: student code runs only in a worker process, never in the judge.

See docs/ARCHITECTURE.md ("Sandbox") and docs/SECURITY.md. The sandbox knows nothing of the
course: the caller passes a SandboxSpec (limits, hidden folders, uid pool, interpreter).
worker.py and protocol.py are standalone (stdlib + numpy) because they are copied into the
sandbox.
"""
from .callbacks import Callback
from .errors import (IsolationUnavailable, SandboxError, SandboxStartError, StudentError,
                     WorkerDied, WorkerStarved, WorkerTimeout)
from .launcher import Handle, Worker
from .protocol import ProtocolError
from .spec import SandboxLimits, SandboxSpec, course_hide

__all__ = ["Worker", "Handle", "Callback", "SandboxLimits", "SandboxSpec", "course_hide",
           "SandboxError", "StudentError", "WorkerTimeout", "WorkerStarved", "WorkerDied",
           "IsolationUnavailable", "SandboxStartError", "ProtocolError"]
