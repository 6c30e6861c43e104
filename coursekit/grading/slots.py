"""Slot hints for parallel graders: the sandbox leases its uids machine-wide itself (a flock
per uid), so a slot is only the first uid a grader's workers try; distinct hints per job just
avoid needless collisions. No cross-process state here."""
from __future__ import annotations

import threading
from contextlib import contextmanager


def cores_per_submission(jobs: int, concurrent: int) -> int:
    """`--jobs` is the CPU budget of the whole batch: each of the `concurrent` submissions
    graded at once gets max(1, jobs // concurrent) cores."""
    return max(1, int(jobs) // max(1, int(concurrent)))


class SlotPool:
    """Hands out the lowest slot hint not in use by this process's running jobs."""

    def __init__(self, first_slot: int = 0):
        self.first = first_slot
        self._busy: set[int] = set()
        self._lock = threading.Lock()

    @contextmanager
    def claim(self):
        with self._lock:
            slot = self.first
            while slot in self._busy:
                slot += 1
            self._busy.add(slot)
        try:
            yield slot
        finally:
            with self._lock:
                self._busy.discard(slot)
