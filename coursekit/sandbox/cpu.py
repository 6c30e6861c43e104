"""CPU between workers: a cgroup per sandbox uid, and how long a worker waited for a CPU.

* ``CpuGroup.create(uid, cores)`` (root only): the cgroup ``coursekit-sandbox/uid-<uid>``
  under cgroup v2 (``/sys/fs/cgroup``, cpu controller enabled for it) or else under the
  cgroup v1 cpu hierarchy (``/sys/fs/cgroup/cpu``). Every group has the same weight, so
  a worker with 50 busy processes gets one worker's share of the machine, not 50; ``cores``
  caps it further (``cpu.max`` / ``cpu.cfs_quota_us``). The worker joins it between fork and
  exec (``join_fd``); its children inherit it. None where no cgroup can be made (no root,
  read-only cgroupfs, no cpu controller): then only the rlimits bound a worker.
* ``sched_times(pid)``: CPU time and run-queue wait of one process (``/proc/PID/schedstat``),
  so that a call that timed out because the machine was overloaded (long waits for a CPU,
  little CPU got) can be told from one that was simply too slow.
"""
from __future__ import annotations

import functools
import os
import time

V2_ROOT = "/sys/fs/cgroup"
V1_CPU = "/sys/fs/cgroup/cpu"
TOP = "coursekit-sandbox"
PERIOD_US = 100_000


@functools.lru_cache(maxsize=1)
def _hierarchy():
    """("v2" | "v1", folder of our groups) where groups can be made, else None."""
    if os.geteuid() != 0:
        return None
    for kind, root in (("v2", V2_ROOT), ("v1", V1_CPU)):
        try:
            return kind, _prepare(kind, root)
        except OSError:
            continue
    return None


def _prepare(kind, root):
    if kind == "v2":
        if "cpu" not in _read(os.path.join(root, "cgroup.controllers")).split():
            raise OSError("no cpu controller in cgroup v2")
        _write(os.path.join(root, "cgroup.subtree_control"), "+cpu")
    elif not os.path.exists(os.path.join(root, "cpu.shares")):
        raise OSError("no cgroup v1 cpu hierarchy")
    top = os.path.join(root, TOP)
    os.makedirs(top, exist_ok=True)
    if kind == "v2":
        _write(os.path.join(top, "cgroup.subtree_control"), "+cpu")
    return top


class CpuGroup:
    """The cgroup of one leased sandbox uid (see the module's docstring)."""

    def __init__(self, kind, path):
        self.kind, self.path = kind, path
        self.join_fd = os.open(os.path.join(path, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC)

    @classmethod
    def create(cls, uid, cores):
        """The group of ``uid`` (the caller holds its lease), or None if none can be made."""
        found = _hierarchy()
        if found is None:
            return None
        kind, top = found
        path = os.path.join(top, f"uid-{int(uid)}")
        try:
            os.makedirs(path, exist_ok=True)
            _set_cap(kind, path, cores)
            return cls(kind, path)
        except OSError:
            return None

    def join(self):
        """Move the calling process into the group (between fork and exec; best effort)."""
        try:
            os.write(self.join_fd, b"0")
        except OSError:
            pass

    def throttled_seconds(self) -> float:
        """Time the group was held back by its own CPU cap (its processes competing with each
        other, not with anyone else)."""
        try:
            stat = dict(line.split() for line in _read(os.path.join(self.path, "cpu.stat"))
                        .splitlines() if line.count(" ") == 1)
        except (OSError, ValueError):
            return 0.0
        if self.kind == "v2":
            return int(stat.get("throttled_usec", 0)) / 1e6
        return int(stat.get("throttled_time", 0)) / 1e9

    def close(self):
        """Close our descriptor and remove the (then empty) group; best effort."""
        if self.join_fd is not None:
            os.close(self.join_fd)
            self.join_fd = None
        try:
            os.rmdir(self.path)
        except OSError:
            pass


def _set_cap(kind, path, cores):
    quota = int(cores * PERIOD_US) if cores > 0 else None
    if kind == "v2":
        _write(os.path.join(path, "cpu.max"), f"{quota or 'max'} {PERIOD_US}")
        return
    _write(os.path.join(path, "cpu.cfs_period_us"), str(PERIOD_US))
    _write(os.path.join(path, "cpu.cfs_quota_us"), str(quota or -1))


def sched_times(pid):
    """(CPU seconds, seconds waited on a run queue) of process ``pid``, or None if gone
    (or unknown: ``pid`` None)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{int(pid)}/schedstat", "rb") as f:
            words = f.read().split()
        return int(words[0]) / 1e9, int(words[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def _read(path):
    with open(path) as f:
        return f.read()


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


class CallMeter:
    """Wall time, CPU time and run-queue wait of the worker's main process over one call."""

    def __init__(self, pid, group=None):
        self.pid, self.group = pid, group
        self.began = self.sched = None
        self.throttled = 0.0

    def start(self):
        self.began, self.sched = time.monotonic(), sched_times(self.pid)
        self.throttled = self.group.throttled_seconds() if self.group else 0.0

    def reading(self):
        """(wall, cpu, wait) seconds since start(); wait leaves out the time the worker's own
        CPU cap held it back. cpu and wait are None if the process could not be read."""
        wall = time.monotonic() - self.began
        now = sched_times(self.pid)
        if now is None or self.sched is None:
            return wall, None, None
        own = (self.group.throttled_seconds() if self.group else 0.0) - self.throttled
        return wall, now[0] - self.sched[0], max(now[1] - self.sched[1] - own, 0.0)
