"""A fresh private copy of the worker kit and of the student's code folder for one worker."""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

KIT_FILES = ("worker.py", "protocol.py")
HERE = Path(__file__).resolve().parent


class Stage:
    """root/kit (worker.py, protocol.py), root/code (copy of code_dir), root/scratch.

    As root, everything belongs to root with the slot's gid (group read-only), so only the
    slot's uid can read it and nobody but root can change it; scratch belongs to the uid."""

    def __init__(self, code_dir, uid=None, gid=None):
        code_dir = Path(code_dir)
        if not code_dir.is_dir():
            raise FileNotFoundError(f"code folder {code_dir} does not exist")
        self.root = Path(tempfile.mkdtemp(prefix="coursekit-sandbox-"))
        self.kit, self.code, self.scratch = (self.root / n for n in ("kit", "code", "scratch"))
        self.kit.mkdir()
        for name in KIT_FILES:
            shutil.copyfile(HERE / name, self.kit / name)
        _copy_regular_tree(code_dir, self.code)
        self.scratch.mkdir()
        if uid is not None:
            self._restrict(uid, gid)

    def _restrict(self, uid, gid):
        for path in (self.root, self.kit, self.code, *self.kit.rglob("*"), *self.code.rglob("*")):
            os.chown(path, 0, gid)
            os.chmod(path, 0o750 if path.is_dir() else 0o640)
        os.chown(self.scratch, uid, gid)
        os.chmod(self.scratch, 0o700)

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)


def _copy_regular_tree(src: Path, dst: Path):
    """Copy folders and regular files only: symlinks, fifos and devices are skipped (a
    symlink copied as root could otherwise expose any file of the host)."""
    dst.mkdir()
    for entry in os.scandir(src):
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            _copy_regular_tree(Path(entry.path), dst / entry.name)
        elif stat.S_ISREG(mode):
            shutil.copyfile(entry.path, dst / entry.name, follow_symlinks=False)
