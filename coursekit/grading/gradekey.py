"""The keys kept with stored results: an item's stored result is reused only when its key
matches exactly.

An item's key digests the submission's bytes (the files grading takes from it, as
grading.unpack finds them, so a 2 GB file beside the code costs nothing), the course digests
(the hidden suite, the reference solution in source/, the provided files of release/, the kit
version, the feedback settings and the limits) and the item's points. Anything else changed ->
a different key -> the item is regraded.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import __version__

SKIP_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
CHUNK = 1 << 16


def _hash_file(digest, path: Path) -> None:
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)


def tree_digest(root: Path, exclude: set[str] = frozenset()) -> str:
    """sha256 over the relative names and bytes of every regular file under `root` (or of
    `root` itself when it is a file), leaving out the relative paths in `exclude`;
    "missing" when it does not exist."""
    root = Path(root)
    digest = hashlib.sha256()
    if root.is_file():
        _hash_file(digest, root)
        return digest.hexdigest()
    if not root.is_dir():
        return "missing"
    for path in sorted(p for p in root.rglob("*") if not SKIP_PARTS & set(p.parts)):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not path.is_symlink() and rel not in exclude:
            digest.update(rel.encode() + b"\0")
            _hash_file(digest, path)
            digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class CourseDigests:
    """Everything but the submission and the points that decides a result."""
    suite: str              # autograder/
    reference: str          # source/<assignment>/cs231n (the reference the judge imports)
    provided: str           # release/<assignment>/ without the student files and notebooks
    version: str
    settings: str           # feedback settings and limits

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


def course_digests(settings, suite_dir: Path | None = None) -> CourseDigests:
    release = settings.assignment_dir("release")
    own = set(settings.student_files) | set(settings.notebooks)
    limits = dataclasses.asdict(settings.limits)
    return CourseDigests(
        suite=tree_digest(Path(suite_dir) if suite_dir else settings.dir("autograder")),
        reference=tree_digest(settings.assignment_dir("source") / "cs231n"),
        provided=tree_digest(release, exclude=own),
        version=__version__,
        settings=hashlib.sha256(json.dumps({"feedback": settings.feedback.as_dict(), "limits": limits},
                                           sort_keys=True, default=str).encode()).hexdigest())


def item_keys(submission: str, fingerprint: str, points: dict[str, float],
              items: list[str] | None = None) -> dict[str, str]:
    """{item: key} for the items graded (all of `points` when `items` is None)."""
    chosen = items if items else list(points)
    return {item: hashlib.sha256(f"{submission}:{fingerprint}:{item}:{float(points.get(item, 0.0))!r}"
                                 .encode()).hexdigest() for item in chosen}


def submission_digest(source: Path, settings) -> str:
    """Digest of the files grading takes from `source`; for an upload that cannot be unpacked,
    of the reason, its size and modification time (so a replaced upload is tried again)."""
    from .unpack import SubmissionError, prepare

    with tempfile.TemporaryDirectory(prefix=f"ck-key-{os.getpid()}-") as tmp:
        try:
            return tree_digest(prepare(Path(source), Path(tmp) / "sub", settings).path)
        except SubmissionError as exc:
            try:
                st = os.stat(source)
                seen = f"{st.st_size}:{st.st_mtime_ns}"
            except OSError:
                seen = "gone"
            return hashlib.sha256(f"unreadable:{exc}:{seen}".encode()).hexdigest()

