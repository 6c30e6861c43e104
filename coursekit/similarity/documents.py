"""The text compared for each submission: its student files (settings.student_files), joined
with a header line per file, taken through grading.unpack (the same safe unpacking and layout
rules as grading)."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..grading.unpack import SubmissionError, prepare

HEADER = "# ===== {rel} =====\n"


@dataclass
class Document:
    name: str
    text: str
    known: bool = False          # a known solution (from --known), not a submission


def joined_text(folder: Path, student_files: list[str]) -> str:
    parts = []
    for rel in student_files:
        path = Path(folder) / rel
        body = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        parts.append(HEADER.format(rel=rel) + body.rstrip("\n") + "\n")
    return "\n".join(parts)


def load_document(src: Path, name: str, settings, *, known: bool = False) -> Document:
    """Raises SubmissionError when the submission cannot be unpacked."""
    with tempfile.TemporaryDirectory(prefix="ck-similarity-") as tmp:
        prepared = prepare(Path(src), Path(tmp) / "sub", settings)
        return Document(name, joined_text(prepared.path, settings.student_files), known)


def known_sources(folder: Path) -> list[Path]:
    """Each sub-folder or .zip of the --known folder is one known solution."""
    return sorted(p for p in Path(folder).iterdir()
                  if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == ".zip"))


def collect(sources: list[Path], settings, known: Path | None = None) -> tuple[list[Document], list[str]]:
    """(documents, problems): a submission that cannot be read is left out with a reason."""
    from ..grading.batch import sanitise

    docs, problems, taken = [], [], set()
    entries = [(s, False) for s in sources] + [(s, True) for s in (known_sources(known) if known else [])]
    for src, is_known in entries:
        base = ("known:" if is_known else "") + sanitise(src.name)
        name, i = base, 2
        while name in taken:
            name, i = f"{base}-{i}", i + 1
        taken.add(name)
        try:
            docs.append(load_document(src, name, settings, known=is_known))
        except SubmissionError as exc:
            problems.append(f"{src}: {exc}")
    return docs, problems
