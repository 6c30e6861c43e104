"""Write the student handout zip from release/<assignment>/ and the embedded dataset.

Layout of the zip (everything under one folder, named after the assignment):

    rnn_captioning/...                               release/rnn_captioning/ (requirements.txt included)
    rnn_captioning/cs231n/datasets/get_datasets.sh   with the course's COCO URL when one is set
    rnn_captioning/cs231n/datasets/embedded_dataset.zip   the embedded dataset (default setting)
    rnn_captioning/cs231n/datasets/embedded.sha256        its files' SHA-256 (sha256sum format)

The embedded files are the kit's datasets/embedded files byte for byte (those its manifest
lists); `bash get_datasets.sh` unpacks and verifies them offline. Entries are sorted and carry
a fixed timestamp, so the same inputs give the same zip.
"""
from __future__ import annotations

import io
import json
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..fileio import atomic_output

FIXED_DATE = (2024, 1, 1, 0, 0, 0)
DATASETS_DIR = "cs231n/datasets"
SCRIPT = f"{DATASETS_DIR}/get_datasets.sh"
EMBEDDED_ZIP = f"{DATASETS_DIR}/embedded_dataset.zip"
EMBEDDED_SUMS = f"{DATASETS_DIR}/embedded.sha256"
REQUIREMENTS = "requirements.txt"
COCO_URL_LINE = re.compile(r'^COCO_URL="\$\{COCO_CAPTIONING_URL:-[^}]*\}"', re.MULTILINE)
COCO_SHA_LINE = re.compile(r'^COCO_SHA256="\$\{COCO_CAPTIONING_SHA256:-[^}]*\}"', re.MULTILINE)
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
# Instructor tooling must never reach students (it would also be nothing they can run).
FORBIDDEN_WORDS = ("coursekit", "course kit")


class HandoutError(Exception):
    """The handout cannot be written (missing release/, missing dataset, bad setting)."""


@dataclass
class HandoutReport:
    out: Path
    files: int
    bytes: int
    dataset: str          # "embedded" or the COCO URL
    seconds: float


def write_handout(course, out: Path, release_dir: Path | None = None, progress=None) -> HandoutReport:
    """Write the handout zip to out (atomically) and report what it holds; `progress(text)` is
    told each stage as it starts."""
    started = time.monotonic()
    say = progress or (lambda text: None)
    release = Path(release_dir or course.assignment_dir("release"))
    if not (release / REQUIREMENTS).is_file() or not (release / SCRIPT).is_file():
        raise HandoutError(f"{release} is not a built handout (no {REQUIREMENTS} or {SCRIPT}): "
                           "run `coursekit build` first")
    coco_url, coco_sha = _coco_setting(course)
    say(f"reading the handout tree {_shown(release, course.root)}")
    entries = _release_entries(release)
    entries[SCRIPT] = _script(entries[SCRIPT], coco_url, coco_sha)
    if not coco_url:
        say("compressing the embedded dataset (get_datasets.sh unpacks it offline)")
        inner, sums = _embedded_archive(course)
        entries[EMBEDDED_ZIP] = inner
        entries[EMBEDDED_SUMS] = sums
    say(f"checking that none of the {len(entries)} files names instructor tooling")
    _check_student_text(entries)
    out = Path(out)
    say(f"writing {out}")
    with atomic_output(out) as tmp:
        _write_zip(tmp, course.assignment, entries)
    return HandoutReport(out, len(entries), out.stat().st_size, coco_url or "embedded",
                         time.monotonic() - started)


def _shown(path: Path, root: Path) -> str:
    """release/rnn_captioning/ when it is the course's own, else the whole path."""
    try:
        return path.resolve().relative_to(Path(root).resolve()).as_posix() + "/"
    except ValueError:
        return str(path)


def _coco_setting(course) -> tuple[str, str]:
    url, sha = course.dataset.coco_url, course.dataset.coco_sha256
    for name, value in (("coco_url", url), ("coco_sha256", sha)):
        if any(c in value for c in '"$`\\}\n'):
            raise HandoutError(f"KIT['dataset']['{name}'] must be a plain string, got {value!r}")
    if url and "://" not in url:
        raise HandoutError(f"KIT['dataset']['coco_url'] must be a URL (https://...), got {url!r}")
    return url, sha


def _release_entries(release: Path) -> dict[str, bytes]:
    entries = {}
    for path in sorted(release.rglob("*")):
        rel = path.relative_to(release)
        if path.is_file() and not set(rel.parts) & SKIP_PARTS and path.suffix != ".pyc":
            entries[rel.as_posix()] = path.read_bytes()
    return entries


def _script(data: bytes, coco_url: str, coco_sha: str) -> bytes:
    text = data.decode("utf-8")
    if not COCO_URL_LINE.search(text) or not COCO_SHA_LINE.search(text):
        raise HandoutError(f"{SCRIPT} has no COCO_URL / COCO_SHA256 setting line to fill in")
    text = COCO_URL_LINE.sub(f'COCO_URL="${{COCO_CAPTIONING_URL:-{coco_url}}}"', text, count=1)
    text = COCO_SHA_LINE.sub(f'COCO_SHA256="${{COCO_CAPTIONING_SHA256:-{coco_sha}}}"', text, count=1)
    return text.encode("utf-8")


def embedded_files(dataset: Path) -> dict[str, str]:
    """relative path -> SHA-256 of the embedded dataset's files (from its up-to-date manifest)."""
    from ..data import files as data_files

    try:
        manifest = json.loads((dataset / "manifest.json").read_text())
        recorded = dict(manifest["files"])
    except (OSError, ValueError, KeyError, TypeError):
        raise HandoutError(f"{dataset} has no readable manifest: run `coursekit data`") from None
    for rel, digest in recorded.items():
        path = dataset / rel
        if not path.is_file() or data_files.sha256(path) != digest:
            raise HandoutError(f"{path} is missing or differs from its manifest: run `coursekit data --force`")
    return recorded


def _embedded_archive(course) -> tuple[bytes, bytes]:
    """(embedded_dataset.zip, embedded.sha256) from the course's embedded dataset."""
    from ..build.execute import ensure_dataset
    from ..build.errors import BuildError

    try:
        dataset = ensure_dataset(course)
    except BuildError as exc:
        raise HandoutError(str(exc)) from None
    recorded = embedded_files(dataset)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as inner:
        for rel in sorted(recorded):
            _add(inner, f"embedded/{rel}", (dataset / rel).read_bytes(), zipfile.ZIP_DEFLATED)
    sums = "".join(f"{recorded[rel]}  {rel}\n" for rel in sorted(recorded))
    return buffer.getvalue(), sums.encode("utf-8")


def _check_student_text(entries: dict[str, bytes]) -> None:
    for rel, data in entries.items():
        if rel == EMBEDDED_ZIP:
            continue
        lowered = data.lower()
        for word in FORBIDDEN_WORDS:
            if word.encode() in lowered:
                raise HandoutError(f"{rel} names instructor tooling ({word!r}); students must not see it")


def _add(archive: zipfile.ZipFile, name: str, data: bytes, compress: int) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
    info.compress_type = compress
    info.external_attr = (0o755 if name.endswith(".sh") else 0o644) << 16
    archive.writestr(info, data)


def _write_zip(path: Path, top: str, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for rel in sorted(entries):
            stored = rel.endswith(".zip")  # already compressed
            _add(archive, f"{top}/{rel}", entries[rel], zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
