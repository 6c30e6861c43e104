"""datasets/get_datasets.sh, exercised offline with a tiny zip behind a file:// URL."""
from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "datasets" / "get_datasets.sh"
REQUIRED = ["coco2014_captions.h5", "coco2014_vocab.json", "train2014_vgg16_fc7.h5", "val2014_vgg16_fc7.h5",
            "train2014_vgg16_fc7_pca.h5", "val2014_vgg16_fc7_pca.h5", "train2014_urls.txt", "val2014_urls.txt"]

pytestmark = pytest.mark.skipif(not (shutil.which("curl") or shutil.which("wget")), reason="needs curl or wget")


def _zip(path: Path, members: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name in members:
            z.writestr(f"coco_captioning/{name}", f"content of {name}\n")
    return path


def _run(dest: Path, url: str, **extra) -> subprocess.CompletedProcess:
    env = {**os.environ, "COCO_CAPTIONING_URL": url, "COCO_DATASETS_DIR": str(dest), **extra}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def test_script_parses():
    assert subprocess.run(["bash", "-n", str(SCRIPT)]).returncode == 0


def test_downloads_unpacks_and_then_skips(tmp_path):
    source = _zip(tmp_path / "src.zip", REQUIRED)
    dest = tmp_path / "datasets"
    first = _run(dest, source.as_uri())
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in (dest / "coco_captioning").iterdir()) == sorted(REQUIRED)
    assert not (dest / "coco_captioning.zip").exists()
    source.unlink()                                   # a second run must not need the URL
    second = _run(dest, source.as_uri())
    assert second.returncode == 0 and "nothing to do" in second.stdout


def test_unreachable_url_fails_with_a_clear_message(tmp_path):
    result = _run(tmp_path, (tmp_path / "missing.zip").as_uri())
    assert result.returncode != 0
    assert "could not download" in result.stderr and "coursekit data" in result.stderr
    assert not (tmp_path / "coco_captioning").exists()


def test_wrong_checksum_and_incomplete_archive_are_rejected(tmp_path):
    good = _zip(tmp_path / "good.zip", REQUIRED)
    bad_sum = _run(tmp_path / "a", good.as_uri(), COCO_CAPTIONING_SHA256="0" * 64)
    assert bad_sum.returncode != 0 and "SHA-256" in bad_sum.stderr
    partial = _zip(tmp_path / "partial.zip", REQUIRED[:3])
    incomplete = _run(tmp_path / "b", partial.as_uri())
    assert incomplete.returncode != 0 and "does not hold" in incomplete.stderr
    assert not (tmp_path / "b" / "coco_captioning").exists()


def test_damaged_zip_is_deleted(tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(_zip(tmp_path / "ok.zip", REQUIRED).read_bytes()[:-40])
    result = _run(tmp_path / "d", broken.as_uri())
    assert result.returncode != 0 and "damaged" in result.stderr
    assert not (tmp_path / "d" / "coco_captioning.zip").exists()
