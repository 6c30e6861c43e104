"""The documents compared: each submission's (and each known solution's) student-written code.

Submissions are unpacked with `grading.unpack` (the same safe unpacking and layout rules as
grading). A known solution is usually a whole repository of some year (`assignment3/cs231n/...`
beside other assignments), as a folder or a .zip: its assignment folder is found first (the
shallowest folder holding the student files), then unpacked the same way.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
import zipfile
from pathlib import Path

from ..grading.unpack import SubmissionError, prepare
from .code import Handout, normalise_newlines, student_code
from .compare import Document

MB = 1 << 20
MAX_SEARCH_DEPTH = 8            # folders below a known solution's top searched for the assignment
MAX_SEARCH_FOLDERS = 20000
GENERIC_NAMES = {"submission", "submissions", "upload", "solution", "rnn_captioning",
                 "rnn_captioning_submission"}


def handout_for(settings) -> Handout:
    """The handout (release/) and its solution (solutions/) of the course's student files."""
    def read(kind):
        folder = settings.assignment_dir(kind)
        return {rel: (folder / rel).read_text(encoding="utf-8") for rel in settings.student_files
                if (folder / rel).is_file()}
    release, solved = read("release"), read("solutions")
    if not release or not solved:
        raise FileNotFoundError("release/ or solutions/ is missing: run `coursekit build` first")
    return Handout.from_files(release, solved)


def read_files(folder: Path, student_files) -> dict[str, str]:
    return {rel: normalise_newlines((Path(folder) / rel).read_text(encoding="utf-8", errors="replace"))
            for rel in student_files if (Path(folder) / rel).is_file()}


def display_name(src: Path) -> str:
    """The submission's name: its file or folder name (its parent's too when that name is generic)."""
    def clean(raw):
        raw = raw[:-4] if raw.lower().endswith(".zip") else raw
        return re.sub(r"[^\w.-]+", "_", raw).strip("._-")[:120]
    name = clean(Path(src).name) or "submission"
    if name.lower() in GENERIC_NAMES and clean(Path(src).absolute().parent.name):
        name = f"{clean(Path(src).absolute().parent.name)}_{name}"
    return name


# ----------------------------------------------------------------------------- known solutions
def _assignment_prefix(paths: list[str], student_files) -> str | None:
    """The shortest folder prefix under which most student files are found."""
    best, paths = None, set(paths)
    for path in paths:
        for rel in student_files:
            if path == rel or path.endswith("/" + rel):
                prefix = path[:len(path) - len(rel)]
                count = sum(prefix + r in paths for r in student_files)
                key = (-count, prefix.count("/"), prefix)
                best = min(best, key) if best else key
    return best[2] if best else None


def _folder_paths(folder: Path) -> list[str]:
    out, seen = [], 0
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        depth = len(Path(dirpath).relative_to(folder).parts)
        seen += 1
        if depth >= MAX_SEARCH_DEPTH or seen > MAX_SEARCH_FOLDERS:
            dirnames[:] = []
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel = Path(dirpath).relative_to(folder).as_posix()
        out += [f for f in (f"{rel}/{n}" if rel != "." else n for n in filenames) if f.endswith(".py")]
    return out


def _extract(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], prefix: str, student_files,
             dest: Path, max_bytes: int) -> None:
    """Copy the student files found under `prefix` to dest (regular files, size-limited)."""
    for rel in student_files:
        info = members.get(prefix + rel)
        if info is None or info.is_dir() or info.flag_bits & 0x1:
            continue
        mode = info.external_attr >> 16
        if info.create_system == 3 and mode and not stat.S_ISREG(mode):
            continue
        if info.file_size > max_bytes:
            raise SubmissionError(f"{rel} is larger than {max_bytes // MB} MB")
        data = zf.open(info).read(max_bytes + 1)
        if len(data) > max_bytes:
            raise SubmissionError(f"{rel} is larger than {max_bytes // MB} MB")
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)


def _known_root(src: Path, settings, tmp: Path) -> Path:
    """A folder (or the zip itself) that grading.unpack reads as this known solution."""
    files = settings.student_files
    if src.is_dir():
        prefix = _assignment_prefix(_folder_paths(src), files)
        if prefix is None:
            raise SubmissionError(f"none of {', '.join(files)} found")
        return src / prefix if prefix else src
    if not zipfile.is_zipfile(src):
        raise SubmissionError(f"{src.name} is not a valid .zip file")
    try:
        with zipfile.ZipFile(src) as zf:
            infos = zf.infolist()
            if len(infos) > settings.unpack.max_members:
                raise SubmissionError(f"the .zip has {len(infos)} entries (the limit is {settings.unpack.max_members})")
            members = {i.filename.replace("\\", "/"): i for i in infos}
            prefix = _assignment_prefix(list(members), files)
            if prefix is None:
                raise SubmissionError(f"none of {', '.join(files)} found")
            out = tmp / "found"
            _extract(zf, members, prefix, files, out, int(settings.unpack.max_file_mb * MB))
            return out
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise SubmissionError(f"{src.name} could not be unpacked ({exc})") from None


# ----------------------------------------------------------------------------- documents
def load_document(src: Path, name: str, settings, handout: Handout, *, known: bool = False) -> Document:
    """Raises SubmissionError when the submission (or known solution) cannot be read."""
    with tempfile.TemporaryDirectory(prefix="ck-similarity-") as tmp:
        root = _known_root(Path(src), settings, Path(tmp)) if known else Path(src)
        prepared = prepare(root, Path(tmp) / "sub", settings)
        files = read_files(prepared.path, settings.student_files)
    return Document(name, student_code(files, handout), known)


def known_sources(folder: Path) -> list[Path]:
    """Each sub-folder or .zip of the --known folder is one known solution."""
    return sorted(p for p in Path(folder).iterdir()
                  if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == ".zip"))


def collect(sources: list[Path], settings, handout: Handout,
            known: Path | None = None) -> tuple[list[Document], list[str]]:
    """(documents, problems): a submission that cannot be read is left out with a reason."""
    docs, problems, taken = [], [], set()
    entries = [(s, False) for s in sources] + [(s, True) for s in (known_sources(known) if known else [])]
    for src, is_known in entries:
        base = ("known:" if is_known else "") + display_name(src)
        name, i = base, 2
        while name in taken:
            name, i = f"{base}-{i}", i + 1
        taken.add(name)
        try:
            doc = load_document(src, name, settings, handout, known=is_known)
        except SubmissionError as exc:
            problems.append(f"{src}: {exc}")
            continue
        if not doc.units:
            problems.append(f"{src}: no student-written code (the handout's stubs only)")
            continue
        docs.append(doc)
    return docs, problems
