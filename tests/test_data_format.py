"""The embedded dataset has the COCO file format, and its captions describe its images."""
from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from coursekit.data import generate
from coursekit.data.captions import CAPTION_LENGTH, SPECIAL_TOKENS
from coursekit.data.features import FC7_DIM, PCA_DIM
from coursekit.data.scenes import IMAGE_SIZE, PALETTE

Image = pytest.importorskip("PIL.Image")

SMALL = {"seed": 3, "num_train_images": 40, "num_val_images": 12, "captions_per_image": 5}
SIZES = {"train": SMALL["num_train_images"], "val": SMALL["num_val_images"]}
COLOUR_TOLERANCE = 30      # RGB distance: a pixel "has" a palette colour
MIN_COLOUR_PIXELS = 20     # a colour is in the image when at least this many pixels have it
RELATIONS = {"to the left of": (1, -1), "to the right of": (1, 1), "above": (0, -1), "below": (0, 1)}  # (axis, sign)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("embedded")
    generate(out, **SMALL)
    return out


def _h5(path: Path) -> dict:
    with h5py.File(path, "r") as f:
        return {k: f[k][()] for k in f}


def _vocab(dataset):
    return json.loads((dataset / "coco2014_vocab.json").read_text())


def _words(row, idx_to_word):
    return [idx_to_word[i] for i in row if idx_to_word[i] not in SPECIAL_TOKENS]


def _image(dataset, split, index):
    url = (dataset / f"{split}2014_urls.txt").read_text().splitlines()[index]
    return np.asarray(Image.open(dataset / url).convert("RGB"))


def test_caption_file_has_coco_keys_shapes_and_dtypes(dataset):
    data = _h5(dataset / "coco2014_captions.h5")
    assert set(data) == {"train_captions", "train_image_idxs", "val_captions", "val_image_idxs"}
    for split, n in SIZES.items():
        captions, idxs = data[f"{split}_captions"], data[f"{split}_image_idxs"]
        assert captions.shape == (n * SMALL["captions_per_image"], CAPTION_LENGTH)
        assert captions.dtype == np.int32 and idxs.dtype == np.int32
        assert np.bincount(idxs, minlength=n).tolist() == [SMALL["captions_per_image"]] * n


def test_vocab_has_special_tokens_first_and_is_consistent(dataset):
    vocab = _vocab(dataset)
    assert vocab["idx_to_word"][:4] == ["<NULL>", "<START>", "<END>", "<UNK>"]
    assert {w: i for i, w in enumerate(vocab["idx_to_word"])} == vocab["word_to_idx"]


def test_captions_are_start_words_end_then_null_padding(dataset):
    data, w2i = _h5(dataset / "coco2014_captions.h5"), _vocab(dataset)["word_to_idx"]
    vocab_size = len(w2i)
    for split in SIZES:
        for row in data[f"{split}_captions"]:
            assert row[0] == w2i["<START>"]
            end = int(np.flatnonzero(row == w2i["<END>"])[0])
            words = row[1:end]
            assert len(words) >= 3 and np.all(words > w2i["<UNK>"]) and np.all(words < vocab_size)
            assert np.all(row[end + 1:] == w2i["<NULL>"])


def test_captions_of_one_image_are_worded_differently(dataset):
    data = _h5(dataset / "coco2014_captions.h5")
    for split, n in SIZES.items():
        for i in range(n):
            rows = data[f"{split}_captions"][data[f"{split}_image_idxs"] == i]
            assert len({r.tobytes() for r in rows}) == SMALL["captions_per_image"]


def test_feature_files_have_coco_shapes_and_are_finite(dataset):
    for split, n in SIZES.items():
        fc7 = _h5(dataset / f"{split}2014_vgg16_fc7.h5")
        pca = _h5(dataset / f"{split}2014_vgg16_fc7_pca.h5")
        assert set(fc7) == {"features"} and set(pca) == {"features"}
        assert fc7["features"].shape == (n, FC7_DIM) and fc7["features"].dtype == np.float32
        assert pca["features"].shape == (n, PCA_DIM) and pca["features"].dtype == np.float32
        assert np.isfinite(fc7["features"]).all() and np.isfinite(pca["features"]).all()
        assert fc7["features"].min() >= 0          # ReLU output, like fc7
        assert len(np.unique(pca["features"].round(4), axis=0)) == n   # images are told apart
    train_pca = _h5(dataset / "train2014_vgg16_fc7_pca.h5")["features"]
    np.testing.assert_allclose(train_pca.mean(axis=0), 0, atol=1e-3)   # fitted on train


def test_urls_are_relative_paths_to_existing_pngs(dataset):
    for split, n in SIZES.items():
        urls = (dataset / f"{split}2014_urls.txt").read_text().splitlines()
        names = (dataset / f"{split}2014_images.txt").read_text().splitlines()
        assert len(urls) == len(names) == n
        for url, name in zip(urls, names):
            assert "://" not in url and not Path(url).is_absolute() and Path(url).name == name
            image = Image.open(dataset / url)
            assert image.format == "PNG" and image.size == (IMAGE_SIZE, IMAGE_SIZE) and image.mode == "RGB"


def test_reference_loader_reads_the_dataset(dataset, ref):
    from coursekit.reference import submodule

    data = submodule(ref, "coco_utils").load_coco_data(base_dir=dataset)
    assert data["train_features"].shape == (SIZES["train"], PCA_DIM)
    assert str(data["val_urls"][0]).startswith("file://")


def _colour_pixels(image):
    """colour name -> (row, column) coordinates of the pixels of that palette colour."""
    out = {}
    for name, rgb in PALETTE.items():
        near = np.linalg.norm(image.astype(float) - rgb, axis=-1) < COLOUR_TOLERANCE
        if near.sum() >= MIN_COLOUR_PIXELS:
            out[name] = np.argwhere(near)
    return out


def test_colour_words_name_the_colours_drawn(dataset):
    """Every colour a caption names is drawn; every shape colour (not the background) is named."""
    data, idx_to_word = _h5(dataset / "coco2014_captions.h5"), _vocab(dataset)["idx_to_word"]
    for i in range(SIZES["train"]):
        pixels = _colour_pixels(_image(dataset, "train", i))
        background = max(pixels, key=lambda name: len(pixels[name]))
        rows = data["train_captions"][data["train_image_idxs"] == i]
        said = {w for row in rows for w in _words(row, idx_to_word) if w in PALETTE}
        assert said <= set(pixels), f"image {i}: captions say {said}, image has {set(pixels)}"
        assert set(pixels) - {background} <= said, f"image {i}: shape colours missing from {said}"


def test_spatial_relations_match_the_drawing(dataset):
    data, idx_to_word = _h5(dataset / "coco2014_captions.h5"), _vocab(dataset)["idx_to_word"]
    checked = 0
    for row, i in zip(data["train_captions"], data["train_image_idxs"]):
        text = " ".join(_words(row, idx_to_word))
        for phrase, (axis, sign) in RELATIONS.items():
            if f" {phrase} " in text:
                first, second = [w for w in text.split() if w in PALETTE][:2]
                pixels = _colour_pixels(_image(dataset, "train", i))
                delta = pixels[first][:, axis].mean() - pixels[second][:, axis].mean()
                assert np.sign(delta) == sign, f"image {i}: {text!r}"
                checked += 1
    assert checked > 0
