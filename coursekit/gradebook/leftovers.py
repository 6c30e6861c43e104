"""What a killed run leaves behind, removed by the next one: the working copies of students'
files in the system's temporary folder (`coursekit-grade-<pid>-*`, `ck-judge-<pid>-*`,
`ck-key-<pid>-*`, `coursekit-sandbox-<pid>-*`), each named after the process that made it and
removed once that process is gone, and half-written files in the output folder."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

PATTERN = re.compile(r"^(?:coursekit-grade|ck-judge|ck-key|coursekit-sandbox)-(\d+)-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(tmp: Path | None = None) -> list[Path]:
    """Remove the working folders of dead grading processes; returns what was removed."""
    root = Path(tmp or tempfile.gettempdir())
    removed = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for path in entries:
        m = PATTERN.match(path.name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            if not path.exists():
                removed.append(path)
    return removed


def remove_partial_writes(out: Path) -> list[Path]:
    """The temp files of atomic writes (`.<name>.<random>.tmp`) a killed run left in the
    output folder: called with the writer lock held, so none of them is being written."""
    removed = []
    for path in Path(out).rglob(".*.tmp"):
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def work_prefix(kind: str = "coursekit-grade") -> str:
    return f"{kind}-{os.getpid()}-"
