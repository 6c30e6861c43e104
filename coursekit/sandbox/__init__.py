"""The sandbox: student code runs only in a worker process, never in the judge.

See docs/ARCHITECTURE.md ("Sandbox"). worker.py and protocol.py are standalone (stdlib +
numpy) because they are copied into the sandbox.
"""
from .errors import (IsolationUnavailable, SandboxError, SandboxStartError, StudentError,
                     WorkerDied, WorkerTimeout)
from .launcher import Handle, Worker
from .protocol import ProtocolError

__all__ = ["Worker", "Handle", "SandboxError", "StudentError", "WorkerTimeout", "WorkerDied",
           "IsolationUnavailable", "SandboxStartError", "ProtocolError"]
