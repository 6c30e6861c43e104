"""Machine-wide pool of sandbox uids: one uid per live worker, held through a lock.

Every worker that runs as an unprivileged uid (root only) leases one uid of the pool
``base .. base + size - 1`` by taking an exclusive, non-blocking ``flock`` on
``<lock dir>/uid-<uid>.lock``. The lease lasts for the worker's whole life and ends at
``release()`` -- or when the holding process dies, since the kernel drops flocks with the
last descriptor. Kill-by-uid sweeps happen only under the lease, so they can never hit a
live worker of another grader, another judge or another worker of the same judge.
"""
from __future__ import annotations

import fcntl
import os
import stat
import tempfile
import threading

from .errors import IsolationUnavailable

DEFAULT_POOL_SIZE = 256
RUN_DIR = "/run/coursekit"
_guard = threading.Lock()       # two threads of one process must not probe the same uid


def lock_dir() -> str:
    """The lock folder, shared by every grader of this machine running as this user:
    /run/coursekit as root (not affected by $TMPDIR), else -- or when /run is missing or
    read-only, as in some containers -- <tmp>/coursekit-uids-<euid>."""
    euid = os.geteuid()
    fallback = os.path.join(tempfile.gettempdir(), f"coursekit-uids-{euid}")
    candidates = [RUN_DIR, fallback] if euid == 0 else [fallback]
    for path in candidates:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            if path != candidates[-1]:
                continue
            raise IsolationUnavailable(f"cannot create the uid lock folder {path}: {exc}") \
                from None
        _check_private(path, euid)
        return path


def _check_private(path, euid):
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != euid or st.st_mode & 0o022:
        raise IsolationUnavailable(
            f"the uid lock folder {path} must be a folder owned by uid {euid} and writable "
            "by nobody else (remove it if someone else created it)")


class UidLease:
    """An exclusively held sandbox uid. Use ``UidLease.acquire(...)``; ``release()`` is
    idempotent."""

    def __init__(self, uid, fd, path):
        self.uid, self._fd, self.path = uid, fd, path

    @classmethod
    def acquire(cls, base, size=DEFAULT_POOL_SIZE, hint=0):
        """Lease the first free uid, trying ``base + hint`` first (then the following ones,
        wrapping around the pool). Never waits: raises IsolationUnavailable if all are held."""
        base, size = int(base), int(size)
        if size < 1 or base < 1:
            raise ValueError(f"bad sandbox uid pool: base {base}, size {size}")
        folder = lock_dir()
        first = int(hint) % size
        with _guard:
            for step in range(size):
                uid = base + (first + step) % size
                lease = cls._try(uid, folder)
                if lease is not None:
                    return lease
        raise IsolationUnavailable(f"all {size} sandbox uids ({base}..{base + size - 1}) are "
                                   "in use by live workers")

    @classmethod
    def _try(cls, uid, folder):
        path = os.path.join(folder, f"uid-{uid}.lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return cls(uid, fd, path)

    @property
    def held(self):
        return self._fd is not None

    def release(self):
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)        # closing the last descriptor drops the flock

    def __repr__(self):
        return f"UidLease(uid={self.uid}, held={self.held})"


def in_use(uid) -> bool:
    """True if some live worker (of any process on this machine) holds ``uid``."""
    path = os.path.join(lock_dir(), f"uid-{int(uid)}.lock")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False
