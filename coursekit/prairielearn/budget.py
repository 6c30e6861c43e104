"""PrairieLearn's limits, and the kit's limits fitted inside them.

PrairieLearn kills a grading container at the question's `timeout` (info.json; 30 s when
unset, at most 600 s) and gives it 2 GiB of memory without swap and 0.9 CPU. A killed
container reports nothing useful to the student, so the kit must finish first: the judge's
clock and every sandbox limit are fitted inside the timeout, leaving time for the entry
point's own work (interpreter start, unpacking, the report).

The timeout itself comes from a measured grading time (measure.py) with a wide margin, so
that a correct solution several times slower than the reference still gets its marks.
"""
from __future__ import annotations

import dataclasses
import math
import os
import secrets

from ..sandbox.spec import SandboxLimits
from ..settings import UidPool

MAX_TIMEOUT = 600              # seconds: the most a question's timeout may be
DEFAULT_TIMEOUT = 30           # what PrairieLearn uses when info.json sets none
CONTAINER_MEMORY_MB = 2048     # a grader container's memory (no swap)
CONTAINER_CPUS = 0.9           # a grader container's CPU share
MAX_RESULTS_BYTES = 1 << 20    # results.json must stay under 1 MB

SLOWDOWN = 20                  # the timeout allows a grading this many times the measured one
STARTUP_SECONDS = 30           # container start, interpreter start, unpacking, report
REPORT_RESERVE = 15            # entry point's time outside the judge process (unpack, report)
JUDGE_MARGIN = 15              # judge process's time outside the submission's wall clock
MIN_WALL = 30                  # the least wall clock a submission's hidden suite gets
MIN_TIMEOUT = MIN_WALL + JUDGE_MARGIN + REPORT_RESERVE
WORKERS_IN_MEMORY = 2          # sandbox workers alive at once on 0.9 CPU (one, and its retry)
JOB_UIDS = 32                  # sandbox uids one grading job leases from
UID_RANGE = (20000, 65000)     # job uid pools are drawn here (below 65536: remapped hosts)


FITTED = ("wall_seconds", "call_seconds", "cpu_seconds", "memory_mb")


class BudgetError(ValueError):
    """A timeout the kit cannot fit its grading into."""


def question_timeout(measured_seconds: float) -> int:
    """info.json's timeout for a grading that took `measured_seconds` on one CPU here."""
    wanted = SLOWDOWN * float(measured_seconds) / CONTAINER_CPUS + STARTUP_SECONDS
    return int(min(MAX_TIMEOUT, max(MIN_TIMEOUT, math.ceil(wanted))))


def check_timeout(timeout) -> int:
    """`timeout` as an int, or BudgetError if PrairieLearn or the kit cannot use it."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout != int(timeout):
        raise BudgetError(f"the timeout must be a whole number of seconds, not {timeout!r}")
    if not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:
        raise BudgetError(f"the timeout must be between {MIN_TIMEOUT} s (the least the hidden "
                          f"suite needs) and {MAX_TIMEOUT} s (PrairieLearn's maximum), "
                          f"not {timeout}")
    return int(timeout)


@dataclasses.dataclass(frozen=True)
class Budget:
    timeout: int                 # the question's timeout: PrairieLearn's clock
    judge_seconds: float         # the judge process's clock
    limits: SandboxLimits        # the course's sandbox limits, fitted inside the two

    def kit_limits(self) -> dict:
        """The fitted limits, as KIT["limits"] entries."""
        return {name: getattr(self.limits, name) for name in FITTED}


def fit(limits: SandboxLimits, timeout: int) -> Budget:
    """The course's `limits`, each no larger than what `timeout` and the container allow."""
    timeout = check_timeout(timeout)
    judge = float(timeout - REPORT_RESERVE)
    wall = judge - JUDGE_MARGIN
    fitted = dataclasses.replace(
        limits,
        wall_seconds=min(float(limits.wall_seconds), wall),
        call_seconds=min(float(limits.call_seconds), wall),
        cpu_seconds=min(int(limits.cpu_seconds), int(wall)),
        memory_mb=min(int(limits.memory_mb), CONTAINER_MEMORY_MB // WORKERS_IN_MEMORY))
    return Budget(timeout=timeout, judge_seconds=judge, limits=fitted)


def job_uid_pool() -> UidPool:
    """A uid pool for one grading job, drawn at random. Containers of one grader host share
    the host's uids, and a uid's process limit counts every container: two jobs must not
    run their student code as the same uid."""
    slots = (UID_RANGE[1] - UID_RANGE[0]) // JOB_UIDS
    return UidPool(uid_base=UID_RANGE[0] + JOB_UIDS * secrets.randbelow(slots), uid_pool=JOB_UIDS)


def container_cpus() -> float:
    """The CPUs this container may use: its affinity, capped by a cgroup CPU quota."""
    cpus = float(len(os.sched_getaffinity(0)))
    for path, parse in (("/sys/fs/cgroup/cpu.max", _cgroup2_quota),
                        ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", _cgroup1_quota)):
        try:
            with open(path, encoding="ascii") as fh:
                quota = parse(fh.read(), path)
        except (OSError, ValueError):
            continue
        if quota:
            cpus = min(cpus, quota)
    return cpus


def _cgroup2_quota(text: str, path: str) -> float | None:
    quota, period = text.split()[:2]
    return None if quota == "max" else int(quota) / int(period)


def _cgroup1_quota(text: str, path: str) -> float | None:
    quota = int(text.strip())
    if quota <= 0:
        return None
    with open(path.replace("cfs_quota_us", "cfs_period_us"), encoding="ascii") as fh:
        return quota / int(fh.read().strip())


def early_trainings(cpus: float) -> int:
    """Overfit trainings the judge may start early with `cpus` (0.9 CPU: none)."""
    return max(0, int(cpus) - 1)
