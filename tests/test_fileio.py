"""coursekit.fileio: atomic writes never leave half a file or a stray temp file."""
from __future__ import annotations

import os
import zipfile

import pytest

from coursekit.fileio import atomic_output, current_umask, write_atomic


def test_write_atomic_replaces_the_file_with_the_umask_mode(tmp_path):
    target = tmp_path / "sub" / "out.json"
    write_atomic(target, "first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~current_umask()
    write_atomic(target, "private", mode=0o600)
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert os.listdir(target.parent) == ["out.json"]


def test_atomic_output_keeps_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "bundle.zip"
    with atomic_output(target) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        zf.writestr("a.txt", "old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as tmp, zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr("a.txt", "new, half written")
            raise RuntimeError("disk full")
    with zipfile.ZipFile(target) as zf:
        assert zf.read("a.txt") == b"old"
    assert os.listdir(tmp_path) == ["bundle.zip"]
