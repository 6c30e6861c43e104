"""The folders one worker sees: the worker kit (worker.py, protocol.py) and the code folder.

Two ways to stage:
* copied (``Stage(code_dir, uid, gid)``): a fresh private copy of the kit and of the code
  folder, plus a scratch folder; needed where the worker could write into or see beyond
  its code folder (setuid and rlimits levels).
* shared (``Stage(..., share=True)``, bwrap level): the code folder is bound read-only in
  place when it is a private tree of ours (owned by us, writable by nobody else, regular
  files and folders only), and the kit is one read-only copy shared by all workers (see
  shared_kit). Nothing is copied or removed per worker. A tree that does not qualify is copied as above.
"""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

KIT_FILES = ("worker.py", "protocol.py")
HERE = Path(__file__).resolve().parent
MAX_SHARED_ENTRIES = 5000    # bigger trees are copied (checking them would cost as much)


class Stage:
    """``kit``, ``code`` and ``scratch`` (None when shared) folders of one worker;
    ``needed`` lists the folders the worker's uid must be able to reach."""

    def __init__(self, code_dir, uid=None, gid=None, share=False):
        code_dir = Path(code_dir)
        if not code_dir.is_dir():
            raise FileNotFoundError(f"code folder {code_dir} does not exist")
        self.root = None
        if share and is_private_tree(code_dir, readable_by_others=uid is not None):
            self.kit, self.code, self.scratch = shared_kit(), code_dir, None
            self.needed = [str(self.kit), str(self.code)]
            return
        self.root = Path(tempfile.mkdtemp(prefix=f"coursekit-sandbox-{os.getpid()}-"))
        self.kit, self.code, self.scratch = (self.root / n for n in ("kit", "code", "scratch"))
        _copy_kit(self.kit)
        _copy_regular_tree(code_dir, self.code)
        self.scratch.mkdir()
        self.needed = [str(self.root)]
        if uid is not None:
            self._restrict(uid, gid)

    @property
    def shared(self):
        return self.root is None

    def _restrict(self, uid, gid):
        """Everything belongs to root with the uid's gid (group read-only): only that uid
        can read it, nobody but root can change it; scratch belongs to the uid."""
        for path in (self.root, self.kit, self.code, *self.kit.rglob("*"), *self.code.rglob("*")):
            os.chown(path, 0, gid)
            os.chmod(path, 0o750 if path.is_dir() else 0o640)
        os.chown(self.scratch, uid, gid)
        os.chmod(self.scratch, 0o700)

    def remove(self):
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)


def is_private_tree(top: Path, readable_by_others: bool) -> bool:
    """True if ``top`` and everything below are folders and regular files owned by us and
    writable by nobody else (and, if asked, readable by others, for a sandbox uid)."""
    euid, seen = os.geteuid(), 0
    pending = [str(top)]
    try:
        if not _private_entry(os.lstat(top), euid, readable_by_others):
            return False
        while pending:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    seen += 1
                    st = entry.stat(follow_symlinks=False)
                    if seen > MAX_SHARED_ENTRIES or not _private_entry(st, euid,
                                                                       readable_by_others):
                        return False
                    if stat.S_ISDIR(st.st_mode):
                        pending.append(entry.path)
    except OSError:
        return False
    return True


def _private_entry(st, euid, readable_by_others):
    is_dir = stat.S_ISDIR(st.st_mode)
    if not (is_dir or stat.S_ISREG(st.st_mode)) or st.st_uid != euid or st.st_mode & 0o022:
        return False
    if readable_by_others:
        need = 0o005 if is_dir else 0o004
        return st.st_mode & need == need
    return True


_shared = {}


def shared_kit() -> Path:
    """The read-only worker kit shared by every worker of this user on this machine:
    <tmp>/coursekit-kit-<euid>-<digest of the kit files>, made once (atomically) and never
    removed, so nothing leaks when a judge is killed. If someone else took that name, a
    private copy for this process is used instead (removed at exit)."""
    sources = {name: (HERE / name).read_bytes() for name in KIT_FILES}
    digest = hashlib.sha256(b"\0".join(sources[n] for n in KIT_FILES)).hexdigest()[:16]
    kit = Path(tempfile.gettempdir()) / f"coursekit-kit-{os.geteuid()}-{digest}"
    cached = _shared.get(os.getpid())
    if cached is not None and _is_our_kit(cached, sources):
        return cached
    if not _is_our_kit(kit, sources):
        made = _make_kit(Path(tempfile.mkdtemp(prefix=".coursekit-kit-")))
        try:
            os.rename(made, kit)    # atomic; fails if the name exists (another process won)
        except OSError:
            shutil.rmtree(made, ignore_errors=True)
    if not _is_our_kit(kit, sources):
        kit = _make_kit(Path(tempfile.mkdtemp(prefix="coursekit-kit-")))
        owner = os.getpid()
        atexit.register(lambda: os.getpid() == owner and shutil.rmtree(kit, ignore_errors=True))
    _shared[os.getpid()] = kit
    return kit


def _make_kit(kit: Path) -> Path:
    for name in KIT_FILES:
        shutil.copyfile(HERE / name, kit / name)
        os.chmod(kit / name, 0o644)
    os.chmod(kit, 0o755)
    return kit


def _is_our_kit(kit: Path, sources: dict) -> bool:
    """A folder of ours, writable by nobody else, holding exactly the kit files."""
    euid = os.geteuid()
    try:
        if not _private_entry(os.lstat(kit), euid, True):
            return False
        if sorted(os.listdir(kit)) != sorted(sources):
            return False
        for name, data in sources.items():
            if not _private_entry(os.lstat(kit / name), euid, True):
                return False
            if (kit / name).read_bytes() != data:
                return False
    except OSError:
        return False
    return True


def _copy_kit(kit: Path):
    kit.mkdir()
    for name in KIT_FILES:
        shutil.copyfile(HERE / name, kit / name)


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
