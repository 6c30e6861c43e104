"""Hostile-input handling: turn a submitted folder or .zip into a clean folder for the judge.

Only the files the judge needs are passed on: the student-edited files (settings.student_files)
and the notebooks (settings.notebooks, for the inline answers). Everything is validated first:

- zip: member count, per-file and total uncompressed size, compression ratio (zip bomb), names
  (no `..`, absolute paths, drive letters, NUL, non-UTF-8), no symlinks/devices/fifos, no
  encryption; the sizes are enforced again while streaming, since a zip header can lie.
- folder: needed files must be regular files (a symlink is followed only when its target stays
  inside the submission), under the per-file size limit.

Where the files are: at the top of the folder / zip, or under its single top-level folder; a
file missing there is also taken from the top level by its base name when that name is
unambiguous (loose files uploaded without their folders, e.g. rnn_layers.py and rnn.py).
This module is the one owner of the submission's layout: the prepared folder holds each
needed file at its path relative to the assignment (settings.student_files, settings.notebooks),
and the judge takes it as it is.

Every problem raises `SubmissionError` with a plain-English reason for the student.
"""
from __future__ import annotations

import dataclasses
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MB = 1 << 20
IGNORED_TOP = {"__MACOSX"}


HOW_TO_SUBMIT = "run collect_submission.py in your assignment folder and upload the zip it writes"


class SubmissionError(Exception):
    """The submission cannot be graded; str(exc) is the reason shown to the student."""


@dataclass
class PreparedSubmission:
    path: Path                                   # clean folder holding only the needed files
    notebooks: list[Path] = field(default_factory=list)


def unpack_limits(settings, overrides: dict | None = None) -> dict:
    """The course's unpack limits (settings.unpack) with `overrides` (tests) on top."""
    return {**dataclasses.asdict(settings.unpack), **(overrides or {})}


def needed_files(settings) -> list[str]:
    return settings.needed_files


def prepare(src: Path, dest: Path, settings, *, limits: dict | None = None) -> PreparedSubmission:
    """Validate `src` (folder or .zip) and copy the needed files into the empty folder `dest`."""
    src = Path(src)
    limits = unpack_limits(settings, limits)
    dest.mkdir(parents=True, exist_ok=True)
    if src.is_symlink() and not src.exists():
        raise SubmissionError("the submission is a broken link")
    if src.is_dir():
        files = _copy_from_dir(src, dest, settings, limits)
    elif src.is_file():
        files = _copy_from_zip(src, dest, settings, limits)
    else:
        raise SubmissionError(f"{src.name} is neither a folder nor a .zip file")
    return _finish(dest, files, settings)


def _finish(dest: Path, files: list[str], settings) -> PreparedSubmission:
    student = [f for f in settings.student_files if f in files]
    if not student:
        wanted = ", ".join(settings.student_files)
        raise SubmissionError(f"no assignment files found (expected {wanted}); {HOW_TO_SUBMIT}")
    notebooks = [dest / f for f in settings.notebooks if f in files]
    return PreparedSubmission(path=dest, notebooks=notebooks)


def loose_names(settings) -> dict[str, str]:
    """needed path -> its base name, for the needed files whose base name is unambiguous."""
    needed = needed_files(settings)
    bases = [PurePosixPath(rel).name for rel in needed]
    return {rel: base for rel, base in zip(needed, bases) if bases.count(base) == 1}


# ----------------------------------------------------------------------------- folders
def _copy_from_dir(src: Path, dest: Path, settings, limits: dict) -> list[str]:
    root = _dir_root(src, settings)
    real_root = root.resolve()
    copied = []
    loose = loose_names(settings)
    for rel in needed_files(settings):
        path = root / rel
        if not os.path.lexists(path) and rel in loose:
            path = root / loose[rel]
        if not os.path.lexists(path):
            continue
        real = path.resolve()
        if path.is_symlink() and not real.is_relative_to(real_root):
            raise SubmissionError(f"{rel} is a link pointing outside the submission")
        st = os.stat(real) if real.exists() else None
        if st is None or not stat.S_ISREG(st.st_mode):
            raise SubmissionError(f"{rel} is not a regular file")
        _check_file_size(rel, st.st_size, limits)
        _copy_limited(real, dest / rel, rel, limits)
        copied.append(rel)
    return copied


def _dir_root(src: Path, settings) -> Path:
    """The submission folder itself, or its single sub-folder holding the assignment."""
    if any(os.path.lexists(src / f) for f in needed_files(settings)):
        return src
    subdirs = [p for p in src.iterdir() if p.name not in IGNORED_TOP and not p.name.startswith(".")]
    if len(subdirs) == 1 and subdirs[0].is_dir() and not subdirs[0].is_symlink():
        return subdirs[0]
    if not subdirs:
        raise SubmissionError("the submission is empty")
    return src


def _copy_limited(src: Path, dst: Path, rel: str, limits: dict) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        _stream(fin, fout, rel, limits["max_file_mb"] * MB)


def _stream(fin, fout, rel: str, max_bytes: int) -> int:
    total = 0
    while chunk := fin.read(1 << 16):
        total += len(chunk)
        if total > max_bytes:
            raise SubmissionError(f"{rel} is larger than {max_bytes // MB} MB")
        fout.write(chunk)
    return total


def _check_file_size(rel: str, size: int, limits: dict) -> None:
    if size > limits["max_file_mb"] * MB:
        raise SubmissionError(f"{rel} is too large ({size / MB:.1f} MB, the limit is "
                              f"{limits['max_file_mb']} MB)")


# ----------------------------------------------------------------------------- zips
def _copy_from_zip(src: Path, dest: Path, settings, limits: dict) -> list[str]:
    if not zipfile.is_zipfile(src):
        raise SubmissionError(f"{src.name} is not a valid .zip file (it may be damaged or "
                              f"incomplete); {HOW_TO_SUBMIT}")
    try:
        with zipfile.ZipFile(src) as zf:
            members = _validated_members(zf, limits)
            prefix = _zip_prefix(members, settings)
            by_name = {m[0]: m[1] for m in members}
            copied = []
            total = 0
            loose = loose_names(settings)
            for rel in needed_files(settings):
                info = by_name.get(prefix + rel)
                if info is None and rel in loose:
                    info = by_name.get(prefix + loose[rel], by_name.get(loose[rel]))
                if info is None or info.is_dir():
                    continue
                with zf.open(info) as fin, open(_target(dest, rel), "wb") as fout:
                    total += _stream(fin, fout, rel, limits["max_file_mb"] * MB)
                copied.append(rel)
            return copied
    except SubmissionError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError) as exc:      # corrupt data, bad CRC, unknown method
        raise SubmissionError(f"{src.name} could not be unpacked ({exc}); {HOW_TO_SUBMIT}") from None


def _target(dest: Path, rel: str) -> Path:
    path = dest / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _validated_members(zf: zipfile.ZipFile, limits: dict) -> list[tuple[str, zipfile.ZipInfo]]:
    infos = zf.infolist()
    if len(infos) > limits["max_members"]:
        raise SubmissionError(f"the .zip has {len(infos)} entries (the limit is {limits['max_members']})")
    members, total = [], 0
    for info in infos:
        name = _safe_name(info)
        _check_member_type(info, name)
        _check_file_size(name, info.file_size, limits)
        _check_ratio(info, name, limits)
        total += info.file_size
        if total > limits["max_total_mb"] * MB:
            raise SubmissionError(f"the .zip unpacks to more than {limits['max_total_mb']} MB")
        if not name.startswith(tuple(f"{d}/" for d in IGNORED_TOP)):
            members.append((name, info))
    if not any(not i.is_dir() for _, i in members):
        raise SubmissionError("the submission is empty")
    return members


def _safe_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800 and not name.isascii():
        try:      # zipfile decoded it as cp437: accept it only if the raw bytes are UTF-8
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            raise SubmissionError(f"the .zip has a file name that is not valid UTF-8 ({name!r})") from None
    shown = repr(name)[1:-1][:120]
    if "\x00" in name or not name:
        raise SubmissionError(f"the .zip has an invalid file name ({shown})")
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[0].isalpha() and norm[1] == ":"):
        raise SubmissionError(f"the .zip has an absolute path ({shown})")
    if ".." in PurePosixPath(norm).parts:
        raise SubmissionError(f"the .zip has a path leaving the submission folder ({shown})")
    return norm


def _check_member_type(info: zipfile.ZipInfo, name: str) -> None:
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode:      # Unix attributes present
        if stat.S_ISLNK(mode):
            raise SubmissionError(f"the .zip contains a link ({name}); links are not allowed")
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):   # 0: type not recorded
            raise SubmissionError(f"the .zip contains a special file ({name})")
    if info.flag_bits & 0x1:
        raise SubmissionError(f"the .zip is password-protected ({name})")


def _check_ratio(info: zipfile.ZipInfo, name: str, limits: dict) -> None:
    if info.file_size < limits["ratio_min_mb"] * MB:
        return
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio > limits["max_ratio"]:
        raise SubmissionError(f"{name} is compressed {ratio:.0f}:1, which looks like a zip bomb")


def _zip_prefix(members: list[tuple[str, zipfile.ZipInfo]], settings) -> str:
    """"" when the assignment files sit at the top of the zip, "folder/" when under one folder."""
    names = {n for n, _ in members}
    if any(f in names for f in needed_files(settings)):
        return ""
    tops = {n.split("/", 1)[0] for n, _ in members if "/" in n}
    if len(tops) == 1:
        return tops.pop() + "/"
    return ""
