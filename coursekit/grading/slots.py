"""Sandbox slots claimed across processes, so two batches on one machine never share a uid.

Each slot maps to its own sandbox uid, and the sandbox kills every leftover process of a slot's
uid when a worker starts; two graders using the same slot at once would kill each other's
workers. A slot is held through an exclusive flock on <dir>/slot-<n>.lock (released by the
kernel when the holder dies, so a SIGKILLed batch leaves no stale claim).
"""
from __future__ import annotations

import fcntl
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

SLOT_DIR_ENV = "COURSEKIT_SLOT_DIR"
FIRST_SLOT_ENV = "COURSEKIT_FIRST_SLOT"     # e.g. keep a dev machine's slots 0..7 for other tools
DEFAULT_MAX_SLOTS = 16
POLL_SECONDS = 0.2


def slot_dir() -> Path:
    path = Path(os.environ.get(SLOT_DIR_ENV) or Path(tempfile.gettempdir()) / "coursekit-slots")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


class SlotPool:
    def __init__(self, max_slots: int = DEFAULT_MAX_SLOTS, directory: Path | None = None,
                 first_slot: int | None = None):
        self.max_slots = max_slots
        self.first = int(os.environ.get(FIRST_SLOT_ENV, 0)) if first_slot is None else first_slot
        self.directory = directory or slot_dir()
        self._lock = threading.Lock()

    def _try(self, slot: int) -> int | None:
        fd = os.open(self.directory / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return fd

    @contextmanager
    def claim(self):
        """Yield the lowest free slot number, waiting until one is free."""
        while True:
            with self._lock:
                for slot in range(self.first, self.first + self.max_slots):
                    fd = self._try(slot)
                    if fd is not None:
                        break
                else:
                    fd = None
            if fd is not None:
                break
            time.sleep(POLL_SECONDS)
        try:
            yield slot
        finally:
            os.close(fd)        # closing the descriptor releases the flock
