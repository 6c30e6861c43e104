"""Generation is deterministic, idempotent (manifest), careful with folders, and checks input."""
from __future__ import annotations

import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

from coursekit import cli
from coursekit.data import DatasetError, generate, manifest_matches
from coursekit.data.generate import CANONICAL_DRAWS, MANIFEST

SMALL = {"num_train_images": 60, "num_val_images": 8, "captions_per_image": 5}


def _tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tmp_path):
    generate(tmp_path / "a", seed=5, **SMALL)
    generate(tmp_path / "b", seed=5, **SMALL)
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) > SMALL["num_train_images"]
    assert [name for name in a if a[name] != b[name]] == []


def test_different_seed_gives_different_data(tmp_path):
    generate(tmp_path / "a", seed=5, **SMALL)
    generate(tmp_path / "b", seed=6, **SMALL)
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    for name in ("coco2014_captions.h5", "train2014_vgg16_fc7.h5", "images/train/train_000000.png"):
        assert a[name] != b[name], name


def test_second_generate_skips_and_changed_file_triggers_regeneration(tmp_path):
    assert not generate(tmp_path, seed=1, **SMALL).skipped
    assert generate(tmp_path, seed=1, **SMALL).skipped
    png = tmp_path / "images" / "val" / "val_000000.png"
    original = png.read_bytes()
    png.write_bytes(b"broken")
    assert not manifest_matches(tmp_path, {"seed": 1, **SMALL, "image_size": 96})
    assert not generate(tmp_path, seed=1, **SMALL).skipped
    assert png.read_bytes() == original


def test_other_parameters_regenerate(tmp_path):
    generate(tmp_path, seed=1, **SMALL)
    result = generate(tmp_path, seed=1, **{**SMALL, "num_val_images": 9})
    assert not result.skipped
    assert len((tmp_path / "val2014_urls.txt").read_text().splitlines()) == 9
    assert not (tmp_path / "images" / "val" / "val_000009.png").exists()


def test_canonical_overfit_draw_hits_distinct_images(tmp_path):
    generate(tmp_path, seed=2, **SMALL)
    with h5py.File(tmp_path / "coco2014_captions.h5", "r") as f:
        image_idxs = f["train_image_idxs"][()]
    for draw_seed, size in CANONICAL_DRAWS:
        positions = np.unique(np.random.RandomState(draw_seed).randint(len(image_idxs), size=size))
        assert len(np.unique(image_idxs[positions])) == len(positions)


@pytest.mark.parametrize("bad", [
    {"seed": -1}, {"num_train_images": 0}, {"num_val_images": 2.5},
    {"captions_per_image": 0}, {"captions_per_image": 50}, {"seed": "x"},
])
def test_bad_parameters_raise_a_clear_error(tmp_path, bad):
    with pytest.raises(DatasetError, match=next(iter(bad))):
        generate(tmp_path, **{"seed": 0, **SMALL, **bad})


def test_refuses_a_foreign_non_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(DatasetError, match="not empty"):
        generate(tmp_path, seed=0, **SMALL)
    assert not (tmp_path / MANIFEST).exists()


# ----------------------------------------------------------------------------- the CLI
@pytest.fixture
def small_course(tmp_path, monkeypatch) -> Path:
    """A course folder whose course_config.py asks for a small dataset."""
    (tmp_path / "course_config.py").write_text(textwrap.dedent(f"""\
        c = get_config()
        KIT = {{"assignment": "rnn_captioning", "dataset": {{
            "embedded_dir": "datasets/embedded", "seed": 4,
            "num_train_images": {SMALL['num_train_images']}, "num_val_images": {SMALL['num_val_images']},
            "captions_per_image": {SMALL['captions_per_image']}}}}}
        """))
    monkeypatch.setenv("COURSEKIT_ROOT", str(tmp_path))
    return tmp_path


def test_cli_writes_then_skips(small_course, capsys):
    out = small_course / "datasets" / "embedded"
    assert cli.main(["data", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    stamp = (out / MANIFEST).stat().st_mtime_ns
    assert cli.main(["data"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert (out / MANIFEST).stat().st_mtime_ns == stamp
    assert cli.main(["data", "--force"]) == 0
    assert "wrote the embedded dataset" in capsys.readouterr().out


def test_cli_out_and_seed_override_the_config(small_course, tmp_path):
    assert cli.main(["data", "--quiet", "--out", str(tmp_path / "x"), "--seed", "9"]) == 0
    assert manifest_matches(tmp_path / "x", {"seed": 9, **SMALL, "image_size": 96})
    assert not (small_course / "datasets" / "embedded").exists()


def test_cli_reports_a_foreign_folder_without_traceback(small_course, capsys):
    foreign = small_course / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("x")
    assert cli.main(["data", "--out", str(foreign)]) == 2
    assert "coursekit data: error:" in capsys.readouterr().err
