"""Atomic file writes (temp file in the same folder + fsync + rename), for every writer of
the kit: a reader never sees half a file, and a crash leaves the old file in place."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path, data, mode: int | None = None) -> None:
    """Write `data` (str: UTF-8, or bytes) to `path` atomically; `mode` sets the permissions
    (default: what the umask gives a new file)."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    with atomic_output(path, mode) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(raw)


@contextlib.contextmanager
def atomic_output(path, mode: int | None = None):
    """A temp file beside `path` for the caller to write (e.g. a zip), then fsynced and renamed
    onto `path`; removed instead if the block raises."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:      # name the file asked for, not a temp file or a parent folder
        raise OSError(exc.errno, f"cannot write ({exc.strerror})", str(path)) from None
    os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode if mode is not None else 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def current_umask() -> int:
    """The process umask, read without changing it (os.umask would race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022
