"""The sandbox: student code runs only in a worker process, never in the judge.

See docs/ARCHITECTURE.md ("Sandbox") and docs/SECURITY.md. The sandbox knows nothing of the
course: the caller passes a SandboxSpec (limits, hidden folders, uid pool, interpreter).
worker.py and protocol.py are standalone (stdlib + numpy) because they are copied into the
sandbox.
"""
from importlib import import_module

# Loaded on first use (PEP 562): the course settings import SandboxLimits from spec.py without
# loading numpy, which must see the single-thread BLAS environment first.
_WHERE = {"Callback": "callbacks", "Worker": "launcher", "Handle": "launcher",
          "ProtocolError": "protocol", "SandboxLimits": "spec", "SandboxSpec": "spec",
          "course_hide": "spec",
          **{name: "errors" for name in ("CallbackBudgetExceeded", "IsolationUnavailable", "SandboxError",
                                         "SandboxStartError",
                                         "StudentError", "WorkerDied", "WorkerStarved",
                                         "WorkerTimeout")}}

__all__ = list(_WHERE)


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value
