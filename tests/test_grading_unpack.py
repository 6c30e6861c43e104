"""Hostile submissions: each attack gives one clear error row; the rest of the batch is graded."""
from __future__ import annotations

import csv
import os
import stat
import zipfile
from pathlib import Path

import pytest
from helpers_grading import fake_judge, make_dir_submission, make_zip_submission

from coursekit.grading.batch import grade_batch
from coursekit.grading.pipeline import GradeOptions
from coursekit.grading.progress import Progress
from coursekit.grading.unpack import SubmissionError, prepare

SMALL = {"max_file_mb": 1, "max_total_mb": 2, "max_members": 50, "max_ratio": 50, "ratio_min_mb": 0.25}
MB = 1 << 20


def _zip_with(path: Path, kit: dict, members: list[tuple]) -> Path:
    """A valid submission zip plus extra members: (name, data) or (ZipInfo, data)."""
    make_zip_submission(path, kit)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def _symlink_member(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _non_utf8_zip(path: Path, kit: dict) -> Path:
    make_zip_submission(path, kit)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("placeholder_\u00e9.txt", "x")
    raw = path.read_bytes()
    # Rewrite the name as Latin-1 bytes (invalid UTF-8) without the UTF-8 flag: same length.
    good = "placeholder_\u00e9.txt".encode("utf-8")
    bad = b"placeholder_\xe9_.txt"
    assert len(good) == len(bad)
    raw = raw.replace(good, bad)
    # clear the UTF-8 flag (bit 11) of that member in both headers
    data = bytearray(raw)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := data.find(sig, start)) != -1:
            name_off = 30 if sig == b"PK\x03\x04" else 46
            if data[i + name_off:i + name_off + len(bad)] == bad:
                data[i + off + 1] &= ~0x08
            start = i + 4
    path.write_bytes(bytes(data))
    return path


def _attacks(tmp: Path, kit: dict) -> dict[str, tuple[Path, str]]:
    """name -> (submission path, words expected in the error)."""
    bomb = b"\0" * (2 * MB)
    not_zip = tmp / "notzip.zip"
    not_zip.write_bytes(b"this is a text file, not a zip\n" * 10)
    empty = tmp / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    empty_dir = tmp / "emptydir"
    empty_dir.mkdir()
    huge_dir = make_dir_submission(tmp / "hugedir", kit)
    with open(huge_dir / kit.student_files[0], "ab") as fh:
        fh.truncate(5 * MB)                       # sparse: cheap to make, 5 MB to read
    outside = tmp / "secret.txt"
    outside.write_text("secret")
    link_dir = make_dir_submission(tmp / "linkdir", kit)
    (link_dir / kit.student_files[1]).unlink()
    os.symlink(outside, link_dir / kit.student_files[1])
    return {
        "zipslip": (_zip_with(tmp / "zipslip.zip", kit, [("../../evil.py", "x")]), "leaving"),
        "absolute": (_zip_with(tmp / "absolute.zip", kit, [("/etc/evil.py", "x")]), "absolute"),
        "drive": (_zip_with(tmp / "drive.zip", kit, [("C:\\evil.py", "x")]), "absolute"),
        "symlink": (_zip_with(tmp / "symlink.zip", kit, [(_symlink_member("cs231n/x", "/etc/passwd"),
                                                         "/etc/passwd")]), "link"),
        "bomb": (_zip_with(tmp / "bomb.zip", kit, [("bomb.bin", bomb)]), "MB"),
        "ratio": (_zip_with(tmp / "ratio.zip", kit, [("dense.bin", bomb[:MB // 2])]), "zip bomb"),
        "members": (_zip_with(tmp / "members.zip", kit, [(f"f{i}", "") for i in range(60)]), "entries"),
        "notzip": (not_zip, "not a valid .zip"),
        "emptyzip": (empty, "empty"),
        "emptydir": (empty_dir, "empty"),
        "hugedir": (huge_dir, "too large"),
        "linkdir": (link_dir, "outside"),
        "nonutf8": (_non_utf8_zip(tmp / "nonutf8.zip", kit), "UTF-8"),
    }


def test_each_attack_is_one_error_row_and_the_rest_is_graded(tmp_path, course, monkeypatch):
    kit = course
    judge = fake_judge(tmp_path, kit, monkeypatch)
    (tmp_path / "subs").mkdir()
    attacks = _attacks(tmp_path / "subs", kit)
    good = [make_dir_submission(tmp_path / "subs" / "good_dir", kit),
            make_zip_submission(tmp_path / "subs" / "good_zip.zip", kit, top="my folder/")]
    opts = GradeOptions(settings=kit, judge_cmd=judge, unpack_limits=SMALL)
    sources = [p for p, _ in attacks.values()] + good
    out = tmp_path / "out"
    summary = grade_batch(sources, out, opts, jobs=2, progress=Progress(len(sources), enabled=False))
    assert summary.graded == len(sources)
    rows = {r["submission"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    assert len(rows) == len(sources)
    full = sum(kit.points.required.values())
    for name in ("good_dir", "good_zip"):
        assert rows[name]["status"] == "graded" and float(rows[name]["score"]) == full
    for key, (path, words) in attacks.items():
        name = path.name[:-4] if path.name.endswith(".zip") else path.name
        assert rows[name]["status"].startswith("error:"), key
        assert words in rows[name]["status"], (key, rows[name]["status"])
        assert float(rows[name]["score"]) == 0
    assert not (tmp_path / "evil.py").exists() and not Path("/etc/evil.py").exists()


def test_only_needed_files_are_passed_on(tmp_path, course):
    kit = course
    src = make_zip_submission(tmp_path / "s.zip", kit, top="top/",
                              extra=[("top/notes.txt", "hi"), ("top/cs231n/optim.py", "evil")])
    prepared = prepare(src, tmp_path / "clean", kit)
    got = sorted(p.relative_to(prepared.path).as_posix() for p in prepared.path.rglob("*") if p.is_file())
    assert got == sorted(kit.student_files + kit.notebooks)
    assert all((prepared.path / rel).is_file() for rel in kit.student_files)


def test_missing_student_file_is_left_to_the_judge(tmp_path, course):
    kit = course
    src = tmp_path / "partial"
    (src / "cs231n").mkdir(parents=True)
    (src / kit.student_files[0]).write_text("# mine\n")
    prepared = prepare(src, tmp_path / "clean", kit)
    assert (prepared.path / kit.student_files[0]).is_file()
    assert not (prepared.path / kit.student_files[1]).exists()


def test_declared_size_lie_is_caught_while_streaming(tmp_path, course):
    """A member whose header under-states its size still stops at the per-file limit."""
    kit = course
    real = b"# FAKE: full\n"
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(kit.student_files[0], b"#" * (2 * MB))
        zf.writestr(kit.student_files[1], real)
    with zipfile.ZipFile(big) as zf:
        info = zf.getinfo(kit.student_files[0])
    # patch the central directory's uncompressed size (offset 24 in the entry) to 10 bytes
    raw = bytearray(big.read_bytes())
    cd = raw.rfind(b"PK\x01\x02", 0, raw.rfind(b"PK\x01\x02"))
    assert raw[cd + 46:cd + 46 + len(info.filename)] == info.filename.encode()
    raw[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    big.write_bytes(bytes(raw))
    with pytest.raises(SubmissionError) as err:
        prepare(big, tmp_path / "clean", kit, limits=SMALL)
    assert "could not be unpacked" in str(err.value) or "larger than" in str(err.value)


def _loose_files(kit) -> dict[str, str]:
    return {rel: f"# {rel}\n" for rel in kit.student_files + kit.notebooks}


def test_loose_files_with_unambiguous_names_are_accepted(tmp_path, course):
    kit = course
    folder = tmp_path / "loose"
    folder.mkdir()
    for rel, text in _loose_files(kit).items():
        (folder / Path(rel).name).write_text(text)
    zpath = tmp_path / "loose.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for rel, text in _loose_files(kit).items():
            zf.writestr(Path(rel).name, text)
    for src in (folder, zpath):
        prepared = prepare(src, tmp_path / f"clean-{src.name}", kit)
        for rel, text in _loose_files(kit).items():
            assert (prepared.path / rel).read_text() == text, (src, rel)


def test_broken_zip_says_how_to_fix_it(tmp_path, course):
    bad = tmp_path / "sub.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(SubmissionError, match="run collect_submission.py .* upload the zip it writes"):
        prepare(bad, tmp_path / "clean", course)
