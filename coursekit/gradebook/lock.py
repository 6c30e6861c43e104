"""One writer at a time: an exclusive lock held for a whole grading run.

For a file gradebook (SQLite) and for the output folder, an `flock` on a lock file beside it
(released by the kernel when the process dies, so a killed run never leaves it held); for a
server gradebook (PostgreSQL), also a session-level advisory lock on the gradebook's own
connection. The lock file records who holds it, for the second writer's message.
"""
from __future__ import annotations

import fcntl
import os
import socket
import time
from pathlib import Path


class GradebookBusy(Exception):
    """Another run holds the gradebook; str(exc) names it."""


def _holder() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}"


class FileLock:
    def __init__(self, path: Path, what: str):
        self.path, self.what, self.fd = Path(path), what, None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                who = os.read(fd, 300).decode(errors="replace").strip() or "another process"
            finally:
                os.close(fd)
            raise GradebookBusy(f"{self.what} is being written by another grading run ({who}); "
                                "wait for it to finish, or stop it, then run this again") from None
        os.ftruncate(fd, 0)
        os.write(fd, _holder().encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            try:
                os.ftruncate(self.fd, 0)
            finally:
                os.close(self.fd)
                self.fd = None


class WriterLock:
    """All the locks of one run, taken in order and released in reverse."""

    def __init__(self, locks):
        self.locks, self.taken = list(locks), []

    def __enter__(self):
        try:
            for lock in self.locks:
                lock.acquire()
                self.taken.append(lock)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        while self.taken:
            self.taken.pop().release()
