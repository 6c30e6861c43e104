"""Compare a fresh build with the committed trees.

Everything is compared byte for byte, except the executed solution notebooks: their outputs
depend on the machine's floating point kernels (BLAS, libm), so they are compared with outputs
and execution counts removed. Two builds on the same machine are byte-identical everywhere except
in the outputs of cells tagged `nbio.TIMING_TAG` (a wall-clock training budget).
"""
from __future__ import annotations

from pathlib import Path

from . import nbio


def _files(root: Path) -> set[str]:
    if not root.is_dir():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def _same_notebook(a: Path, b: Path) -> bool:
    return nbio.dumps(nbio.strip_outputs(nbio.read(a))) == nbio.dumps(nbio.strip_outputs(nbio.read(b)))


def differences(expected: Path, actual: Path, *, outputs_matter: bool) -> list[str]:
    """Human-readable differences between two trees; empty when they match."""
    want, have = _files(expected), _files(actual)
    found = [f"missing: {rel}" for rel in sorted(want - have)]
    found += [f"unexpected: {rel}" for rel in sorted(have - want)]
    for rel in sorted(want & have):
        a, b = expected / rel, actual / rel
        if a.read_bytes() == b.read_bytes():
            continue
        if rel.endswith(".ipynb") and not outputs_matter and _same_notebook(a, b):
            continue
        found.append(f"differs: {rel}")
    return found


def compare_builds(committed_root: Path, fresh_root: Path, assignment: str) -> list[str]:
    """Differences between the committed release/ and solutions/ and a fresh build."""
    found = []
    for kind, outputs_matter in (("release", True), ("solutions", False)):
        sub = Path(kind) / assignment
        found += [f"{kind}/{assignment}: {d}"
                  for d in differences(committed_root / sub, fresh_root / sub, outputs_matter=outputs_matter)]
    return found
