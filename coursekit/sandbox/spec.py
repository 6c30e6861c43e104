"""What a worker is allowed: the limits and the start-up settings, given by the caller.

The sandbox reads no course configuration: the judge builds a ``SandboxSpec`` (from KIT)
and passes it to ``Worker.start``. Every default of the sandbox lives here.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field

DEFAULT_STARTUP_SECONDS = 30    # start-up budget: max(this, call_seconds) unless set


@dataclass(frozen=True)
class SandboxLimits:
    """Limits of one worker. Times in seconds; 0 means "not set" where said."""
    wall_seconds: float = 300       # the worker's whole life, wall clock
    call_seconds: float = 60        # one request (callbacks included), wall clock
    cpu_seconds: int = 240          # RLIMIT_CPU of each process of the worker
    memory_mb: int = 3072           # RLIMIT_AS
    max_processes: int = 8          # RLIMIT_NPROC: processes and threads of the worker's uid
    max_file_mb: int = 16           # RLIMIT_FSIZE
    max_open_files: int = 256       # RLIMIT_NOFILE
    max_output_bytes: int = 1 << 20  # captured stdout / stderr, per stream
    max_message_mb: int = 256       # one reply of the worker
    startup_seconds: float = 0      # 0: max(DEFAULT_STARTUP_SECONDS, call_seconds)
    cpu_cores: float = 1.0          # CPU cap of the worker's cgroup (0: no cap, share only)
    starved_fraction: float = 0.25  # a timed-out call that waited this share of its wall
    #                                 time for a CPU is reported as WorkerStarved
    callback_seconds: float = 10    # each judge callback's own deadline (0: the call's only)
    callback_max_elements: int = 1 << 22    # elements of one array given to a callback
    callback_cpu_seconds: float = 0         # judge CPU the worker's callbacks may use (0: no cap)

    def __post_init__(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if type(value) is bool or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"sandbox limit {f.name} must be a number >= 0, not {value!r}")
        for name in ("wall_seconds", "call_seconds", "memory_mb", "max_processes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"sandbox limit {name} must be > 0")

    @classmethod
    def from_mapping(cls, mapping=None, base=None):
        """``base`` (default: the defaults) with the known keys of ``mapping`` replaced;
        other keys (limits meant for the judge) are ignored."""
        base = base or cls()
        if mapping is None:
            return base
        if isinstance(mapping, SandboxLimits):
            return mapping
        known = {f.name for f in dataclasses.fields(cls)}
        return dataclasses.replace(base, **{k: v for k, v in mapping.items() if k in known})

    def startup_budget(self) -> float:
        """Start-up time of a worker; it never counts against the call limits."""
        if self.startup_seconds:
            return float(self.startup_seconds)
        return max(float(DEFAULT_STARTUP_SECONDS), float(self.call_seconds))


@dataclass(frozen=True)
class SandboxSpec:
    """Everything ``Worker.start`` needs besides the code folder and the callbacks."""
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    hide: tuple = ("/root", "/home")    # folders covered (setuid) or checked unreachable
    uid_base: int = 64000               # sandbox uids: uid_base .. uid_base + uid_pool - 1
    uid_pool: int = 256
    python: str | None = None           # the workers' interpreter (None: the judge's own)

    def with_changes(self, **changes):
        """A copy with the given fields replaced (None values are ignored); ``limits`` may be
        a mapping of some limits."""
        changes = {k: v for k, v in changes.items() if v is not None}
        if "limits" in changes:
            changes["limits"] = SandboxLimits.from_mapping(changes["limits"], self.limits)
        if "hide" in changes:
            changes["hide"] = tuple(changes["hide"])
        return dataclasses.replace(self, **changes)


def course_hide(course_root) -> tuple:
    """The usual hidden folders for a course at ``course_root``: root's and users' homes and
    the folder holding the course (its siblings too)."""
    return ("/root", "/home", os.path.dirname(os.path.realpath(course_root)))
