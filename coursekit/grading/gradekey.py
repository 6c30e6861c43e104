"""The key kept with a stored result: a result is reused only when it matches exactly.

The key digests the submission's bytes (the files grading takes from it, as grading.unpack
finds them, so a 2 GB file beside the code costs nothing), the hidden suite (every file of
autograder/), the points, the feedback settings, the graded items and the kit version. Anything
else changed -> a different key -> the submission is regraded.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from .. import __version__

SKIP_PARTS = {"__pycache__", ".pytest_cache"}
CHUNK = 1 << 16


def _hash_file(digest, path: Path) -> None:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)


def tree_digest(root: Path) -> str:
    """sha256 over the relative names and bytes of every regular file under `root` (or of
    `root` itself when it is a file); "missing" when it does not exist."""
    root = Path(root)
    digest = hashlib.sha256()
    if root.is_file():
        _hash_file(digest, root)
        return digest.hexdigest()
    if not root.is_dir():
        return "missing"
    for path in sorted(p for p in root.rglob("*") if not SKIP_PARTS & set(p.parts)):
        if path.is_file() and not path.is_symlink():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            _hash_file(digest, path)
            digest.update(b"\0")
    return digest.hexdigest()


def course_fingerprint(settings, suite_dir: Path, items: list[str] | None = None) -> str:
    """Everything but the submission that decides a result."""
    parts = {"suite": tree_digest(suite_dir), "version": __version__,
             "points": dict(settings.points.required), "extra_credit": dict(settings.points.extra_credit),
             "feedback": settings.feedback.as_dict(), "items": sorted(items) if items else None}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def submission_digest(source: Path, settings) -> str:
    """Digest of the files grading takes from `source`; for an upload that cannot be unpacked,
    of the reason, its size and modification time (so a replaced upload is tried again)."""
    from .unpack import SubmissionError, prepare

    with tempfile.TemporaryDirectory(prefix="ck-key-") as tmp:
        try:
            return tree_digest(prepare(Path(source), Path(tmp) / "sub", settings).path)
        except SubmissionError as exc:
            try:
                st = os.stat(source)
                seen = f"{st.st_size}:{st.st_mtime_ns}"
            except OSError:
                seen = "gone"
            return hashlib.sha256(f"unreadable:{exc}:{seen}".encode()).hexdigest()


def grade_key(source: Path, settings, fingerprint: str) -> str:
    return hashlib.sha256(f"{submission_digest(source, settings)}:{fingerprint}".encode()).hexdigest()
