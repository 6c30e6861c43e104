"""Build autograder.zip: the kit, course_config.py, hidden tests, provided files, reference source.

Never included: solutions/, tests/, datasets (setup.sh generates the embedded one), caches.
Entries are sorted with a fixed timestamp, so the same tree gives the same bundle.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..fileio import atomic_output
from ..judge.seed import SEED_FILE, seed_text
from .scripts import RUN_AUTOGRADER, SETUP_SH

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".git"}
SKIP_SUFFIXES = {".pyc", ".pyo"}
SEED_ENTRY = f"autograder/{SEED_FILE}"     # the course's seed, in the bundle


class BundleError(Exception):
    """The bundle cannot be made (e.g. release/ not built yet)."""


def bundle_sources(root: Path, assignment: str) -> list[tuple[str, Path]]:
    """(path in the zip, path on disk) of every file the bundle holds, besides the scripts."""
    wanted = [("coursekit", True), ("autograder", True), (f"release/{assignment}", True),
              (f"source/{assignment}/cs231n", True), ("course_config.py", False),
              ("pyproject.toml", False), ("README.md", False)]
    entries = []
    for rel, required in wanted:
        path = root / rel
        if not path.exists():
            if required:
                raise BundleError(f"{path} is missing (run `coursekit build` first?)")
            continue
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if _keep(p, path))
        entries += [(p.relative_to(root).as_posix(), p) for p in files]
    return entries


def _keep(path: Path, top: Path) -> bool:
    if not path.is_file() or path.suffix in SKIP_SUFFIXES:
        return False
    return not any(part in SKIP_DIRS for part in path.relative_to(top).parts)


def build_bundle(root: Path, assignment: str, out: Path, seed: int | None = None) -> int:
    """Write the bundle to `out`; returns the number of files in it. `seed` (the course's,
    coursekit.judge.seed) is written as autograder/secret_seed in place of any file there."""
    entries = bundle_sources(root, assignment)
    if seed is not None:
        entries = [(name, path) for name, path in entries if name != SEED_ENTRY]
    with atomic_output(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        _add(zf, "setup.sh", SETUP_SH.encode(), 0o755)
        _add(zf, "run_autograder", RUN_AUTOGRADER.encode(), 0o755)
        for name, path in sorted(entries):
            _add(zf, name, path.read_bytes(), 0o644)
        if seed is not None:
            _add(zf, SEED_ENTRY, seed_text(seed).encode(), 0o600)
    return len(entries) + 2 + (seed is not None)


def _add(zf: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)
