"""The reference coco_utils, image_utils and gradient_check, on tiny COCO-format files."""
import json
import os
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from PIL import Image

from coursekit.reference import load_package, submodule

VOCAB = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "dog"]
T = 6
PCA_DIM, FC7_DIM = 3, 5
SPLIT_SIZES = {"train": (9, 4), "val": (4, 2)}   # split -> (captions, images)
ENV = "CS231N_DATA_DIR"


def printed_dataset_dir(out: str, cwd=None) -> Path:
    """The folder named by load_coco_data's "Using ... in <folder>" line (printed relative to
    the working directory when they share a folder), as an absolute path."""
    line = next(l for l in out.splitlines() if l.startswith("Using "))
    return (Path(cwd or os.getcwd()) / line.split(" in ", 1)[1].strip()).resolve()


@pytest.fixture(scope="module")
def coco(ref):
    return submodule(ref, "coco_utils")



@pytest.fixture(scope="module")
def image_utils(ref):
    return submodule(ref, "image_utils")


def write_dataset(folder, relative_urls=True):
    """A tiny dataset in the COCO file format; returns the arrays written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(0)
    written = {}
    with h5py.File(folder / "coco2014_captions.h5", "w") as f:
        for split, (n_captions, n_images) in SPLIT_SIZES.items():
            written[split + "_captions"] = rng.randint(len(VOCAB), size=(n_captions, T)).astype(np.int32)
            written[split + "_image_idxs"] = np.arange(n_captions, dtype=np.int32) % n_images
            f[split + "_captions"] = written[split + "_captions"]
            f[split + "_image_idxs"] = written[split + "_image_idxs"]
    for split, (_, n_images) in SPLIT_SIZES.items():
        for suffix, dim in (("_pca", PCA_DIM), ("", FC7_DIM)):
            feats = rng.randn(n_images, dim).astype(np.float32)
            written[split + "_features" + suffix] = feats
            with h5py.File(folder / ("%s2014_vgg16_fc7%s.h5" % (split, suffix)), "w") as f:
                f["features"] = feats
        with open(folder / ("%s2014_urls.txt" % split), "w") as f:
            for i in range(n_images):
                url = "images/%s_%d.png" % (split, i)
                f.write((url if relative_urls else "http://example.org/" + url) + "\n")
    with open(folder / "coco2014_vocab.json", "w") as f:
        json.dump({"idx_to_word": VOCAB, "word_to_idx": {w: i for i, w in enumerate(VOCAB)}}, f)
    return written


# ----------------------------------------------------------------------------- load_coco_data
def test_load_keys_shapes_dtypes(coco, tmp_path, capsys):
    written = write_dataset(tmp_path)
    data = coco.load_coco_data(base_dir=tmp_path)
    assert set(data) == {"train_captions", "train_image_idxs", "val_captions", "val_image_idxs",
                         "train_features", "val_features", "idx_to_word", "word_to_idx",
                         "train_urls", "val_urls"}
    for split, (n_captions, n_images) in SPLIT_SIZES.items():
        np.testing.assert_array_equal(data[split + "_captions"], written[split + "_captions"])
        np.testing.assert_array_equal(data[split + "_image_idxs"], written[split + "_image_idxs"])
        np.testing.assert_array_equal(data[split + "_features"], written[split + "_features_pca"])
        assert data[split + "_features"].dtype == np.float32
        # local files: file:// URLs in an object array (a string dtype's width would depend on the path)
        assert data[split + "_urls"].shape == (n_images,) and data[split + "_urls"].dtype == object
    assert data["idx_to_word"] == VOCAB
    assert data["word_to_idx"]["cat"] == VOCAB.index("cat")
    out = capsys.readouterr().out
    assert "embedded synthetic" in out and printed_dataset_dir(out) == tmp_path.resolve()


def test_load_full_fc7_features(coco, tmp_path):
    written = write_dataset(tmp_path)
    data = coco.load_coco_data(base_dir=tmp_path, pca_features=False)
    np.testing.assert_array_equal(data["val_features"], written["val_features"])


def test_relative_urls_become_file_urls(coco, tmp_path, capsys):
    write_dataset(tmp_path)
    data = coco.load_coco_data(base_dir=tmp_path)
    assert data["train_urls"][1] == (tmp_path / "images" / "train_1.png").resolve().as_uri()
    assert data["train_urls"][1].startswith("file:///")


def test_absolute_urls_are_kept_and_reported_as_real_coco(coco, tmp_path, capsys):
    write_dataset(tmp_path, relative_urls=False)
    data = coco.load_coco_data(base_dir=tmp_path)
    assert data["val_urls"][0] == "http://example.org/images/val_0.png"
    assert "real COCO" in capsys.readouterr().out


def test_max_train_draws_with_replacement(coco, tmp_path):
    written = write_dataset(tmp_path)
    n_train = SPLIT_SIZES["train"][0]
    max_train = 50                                     # more than n_train: needs replacement
    np.random.seed(3)
    data = coco.load_coco_data(base_dir=tmp_path, max_train=max_train)
    np.random.seed(3)
    mask = np.random.randint(n_train, size=max_train)
    np.testing.assert_array_equal(data["train_captions"], written["train_captions"][mask])
    np.testing.assert_array_equal(data["train_image_idxs"], written["train_image_idxs"][mask])
    assert data["train_features"].shape[0] == SPLIT_SIZES["train"][1]   # features stay whole
    assert data["val_captions"].shape[0] == SPLIT_SIZES["val"][0]


def test_data_dir_from_environment(coco, tmp_path, monkeypatch, capsys):
    write_dataset(tmp_path / "elsewhere")
    monkeypatch.setenv(ENV, str(tmp_path / "elsewhere"))
    data = coco.load_coco_data()
    assert data["train_captions"].shape == (SPLIT_SIZES["train"][0], T)
    assert printed_dataset_dir(capsys.readouterr().out) == (tmp_path / "elsewhere").resolve()


def copy_package(ref, dest):
    src = Path(ref.__file__).parent
    shutil.copytree(src, dest / "cs231n", ignore=shutil.ignore_patterns("__pycache__"))


def test_lookup_walks_up_and_prefers_real_coco(ref, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(ENV, raising=False)
    copy_package(ref, tmp_path / "assignment")
    write_dataset(tmp_path / "datasets" / "embedded")
    pkg = load_package(tmp_path / "assignment", "cs231n_walkup_test")
    coco = submodule(pkg, "coco_utils")
    coco.load_coco_data()
    assert printed_dataset_dir(capsys.readouterr().out) == (tmp_path / "datasets" / "embedded").resolve()
    write_dataset(tmp_path / "datasets" / "coco_captioning", relative_urls=False)
    coco.load_coco_data()
    out = capsys.readouterr().out
    assert "real COCO" in out and printed_dataset_dir(out) == (tmp_path / "datasets" / "coco_captioning").resolve()


def test_no_dataset_tells_how_to_get_one(ref, tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    copy_package(ref, tmp_path)
    coco = submodule(load_package(tmp_path, "cs231n_nodata_test"), "coco_utils")
    if any((p / "datasets" / "embedded" / "coco2014_captions.h5").exists() for p in tmp_path.parents):
        pytest.skip("a dataset exists above the temporary folder")
    with pytest.raises(FileNotFoundError, match="cd cs231n/datasets && bash get_datasets.sh") as info:
        coco.load_coco_data()
    assert "coursekit" not in str(info.value)  # students never see instructor tooling


def test_missing_base_dir_is_a_clear_error(coco, tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        coco.load_coco_data(base_dir=tmp_path / "nope")


@pytest.mark.parametrize("victim", ["coco2014_vocab.json", "val2014_vgg16_fc7_pca.h5", "train2014_urls.txt"])
def test_missing_file_is_named(coco, tmp_path, victim):
    write_dataset(tmp_path)
    (tmp_path / victim).unlink()
    with pytest.raises(FileNotFoundError, match=victim):
        coco.load_coco_data(base_dir=tmp_path)


def test_malformed_files_are_named(coco, tmp_path):
    write_dataset(tmp_path)
    (tmp_path / "coco2014_vocab.json").write_text("{not json")
    with pytest.raises(ValueError, match="coco2014_vocab.json"):
        coco.load_coco_data(base_dir=tmp_path)
    write_dataset(tmp_path)
    (tmp_path / "coco2014_captions.h5").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="coco2014_captions.h5"):
        coco.load_coco_data(base_dir=tmp_path)
    write_dataset(tmp_path)
    with h5py.File(tmp_path / "coco2014_captions.h5", "a") as f:
        del f["val_image_idxs"]
    with pytest.raises(ValueError, match="val_image_idxs"):
        coco.load_coco_data(base_dir=tmp_path)


def test_image_indices_out_of_range_are_reported(coco, tmp_path):
    write_dataset(tmp_path)
    with h5py.File(tmp_path / "coco2014_captions.h5", "a") as f:
        f["train_image_idxs"][0] = 99
    with pytest.raises(ValueError, match="train_image_idxs"):
        coco.load_coco_data(base_dir=tmp_path)


# ----------------------------------------------------------------------------- minibatch, decode
def test_sample_coco_minibatch(coco, tmp_path):
    write_dataset(tmp_path)
    data = coco.load_coco_data(base_dir=tmp_path)
    np.random.seed(5)
    captions, features, urls = coco.sample_coco_minibatch(data, batch_size=7, split="val")
    np.random.seed(5)
    idx = np.random.choice(SPLIT_SIZES["val"][0], 7)
    np.testing.assert_array_equal(captions, data["val_captions"][idx])
    image_idxs = data["val_image_idxs"][idx]
    np.testing.assert_array_equal(features, data["val_features"][image_idxs])
    np.testing.assert_array_equal(urls, data["val_urls"][image_idxs])
    with pytest.raises(ValueError, match="split"):
        coco.sample_coco_minibatch(data, split="test")


def test_decode_captions_rules(coco):
    w = {word: i for i, word in enumerate(VOCAB)}
    row = [w["<START>"], w["a"], w["<NULL>"], w["cat"], w["<END>"], w["dog"]]
    assert coco.decode_captions(np.array(row), VOCAB) == "<START> a cat <END>"
    two = np.array([row, [w["dog"], w["<NULL>"], w["<NULL>"], w["a"], w["a"], w["a"]]])
    assert coco.decode_captions(two, VOCAB) == ["<START> a cat <END>", "dog a a a"]
    with pytest.raises(ValueError):
        coco.decode_captions(np.zeros((1, 2, 3), dtype=int), VOCAB)


# ----------------------------------------------------------------------------- images
def test_image_from_url_reads_local_png(image_utils, tmp_path):
    pixels = np.random.RandomState(0).randint(0, 256, size=(4, 6, 3)).astype(np.uint8)
    Image.fromarray(pixels).save(tmp_path / "img.png")
    img = image_utils.image_from_url((tmp_path / "img.png").as_uri())
    assert img.dtype == np.uint8 and img.shape == (4, 6, 3)
    np.testing.assert_array_equal(img, pixels)


def test_image_from_url_missing_or_broken_gives_none(image_utils, tmp_path, capsys):
    assert image_utils.image_from_url((tmp_path / "missing.png").as_uri()) is None
    (tmp_path / "broken.png").write_bytes(b"not a png")
    assert image_utils.image_from_url((tmp_path / "broken.png").as_uri()) is None
    out = capsys.readouterr().out
    assert "missing.png" in out and "broken.png" in out


# ----------------------------------------------------------------------------- gradient check
def test_numerical_gradient_of_known_function(gc):
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    x_before = x.copy()
    grad = gc.eval_numerical_gradient(lambda v: np.sum(v ** 3), x, verbose=False)
    np.testing.assert_allclose(grad, 3 * x_before ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, x_before)          # restored after perturbation


def test_numerical_gradient_array_of_known_function(gc):
    x = np.array([0.3, -1.2, 2.0])
    df = np.array([1.0, 2.0, -1.0])
    grad = gc.eval_numerical_gradient_array(lambda v: np.sin(v), x, df)
    np.testing.assert_allclose(grad, np.cos(x) * df, rtol=1e-8)
