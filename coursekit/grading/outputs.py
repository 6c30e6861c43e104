"""Where a batch's files go, and with which permissions.

DIR/<submission>/ holds what may be shown to the student or a TA (results.json, feedback.html,
answers.md) and the stored result; those files follow the umask like any other output, so a TA
on a shared server can read them. Internal logs (the judge's log may show hidden-test details,
an internal error's traceback) go to DIR/_private/<submission>/, mode 0700 / 0600.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..fileio import write_atomic

PRIVATE = "_private"          # sanitised submission names never start with "_"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def write_text(path: Path, text: str, *, private: bool = False) -> None:
    """Write `text` atomically (temp file + rename). The file gets 0666 minus the umask, or
    0600 when `private`."""
    write_atomic(path, text, mode=PRIVATE_FILE_MODE if private else None)


def private_dir(out: Path, name: str) -> Path:
    """DIR/_private/<name>/, created mode 0700 (and the _private folder itself too)."""
    root = Path(out) / PRIVATE
    for folder in (root, root / name):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, PRIVATE_DIR_MODE)
    return root / name


def open_private_log(path: Path):
    """A binary log file created mode 0600 (truncated if it exists)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    os.fchmod(fd, PRIVATE_FILE_MODE)
    return os.fdopen(fd, "wb")
