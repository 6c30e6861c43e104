"""Write the embedded dataset (COCO file format) into a folder, idempotently."""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import captions as cap
from . import features as feat
from . import files
from .scenes import IMAGE_SIZE, render, sample_scene

GENERATOR_VERSION = "4"
MANIFEST = "manifest.json"
MARKER = ".coursekit-dataset"      # written first: the folder belongs to the generator
SPLITS = ("train", "val")
# (np.random.seed, max_train) of the notebook's overfit check: load_coco_data draws
# np.random.randint(num_train_captions, size=max_train). The train caption rows are ordered
# so that these draws hit distinct images (two captions of one image would set a loss floor).
CANONICAL_DRAWS = ((231, 50),)


class DatasetError(Exception):
    """Bad parameters or an output folder the generator must not write into."""


@dataclass(frozen=True)
class GenerationResult:
    out_dir: Path
    skipped: bool          # True when the manifest matched and nothing was written
    seconds: float
    num_images: dict       # split -> images
    num_captions: dict     # split -> captions


def generate(out_dir, *, seed: int, num_train_images: int, num_val_images: int,
             captions_per_image: int, image_size: int = IMAGE_SIZE, force: bool = False) -> GenerationResult:
    """Write the dataset into out_dir; skip when its manifest already matches these parameters."""
    t0 = time.perf_counter()
    params = _check_params(seed, num_train_images, num_val_images, captions_per_image, image_size)
    out = Path(out_dir)
    sizes = {"train": num_train_images, "val": num_val_images}
    counts = {s: sizes[s] * captions_per_image for s in SPLITS}
    if not force and manifest_matches(out, params):
        return GenerationResult(out, True, time.perf_counter() - t0, sizes, counts)
    _prepare_folder(out, force)
    vocab = cap.vocabulary()
    word_to_idx = {w: i for i, w in enumerate(vocab)}
    splits = {s: _make_split(s, params, word_to_idx) for s in SPLITS}
    _write_images(out, splits)
    _write_tables(out, splits, vocab, word_to_idx)
    _write_features(out, splits)
    _write_manifest(out, params, splits)
    return GenerationResult(out, False, time.perf_counter() - t0, sizes, counts)


def _check_params(seed, n_train, n_val, per_image, image_size) -> dict:
    for name, value, low in (("seed", seed, 0), ("num_train_images", n_train, 1),
                             ("num_val_images", n_val, 1), ("captions_per_image", per_image, 1),
                             ("image_size", image_size, 32)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise DatasetError(f"{name} must be an integer >= {low}, got {value!r}")
    max_per_image = min(len(cap.SINGLE_TEMPLATES), len(cap.PAIR_TEMPLATES))
    if per_image > max_per_image:
        raise DatasetError(f"captions_per_image must be at most {max_per_image}, got {per_image}")
    return {"seed": int(seed), "num_train_images": int(n_train), "num_val_images": int(n_val),
            "captions_per_image": int(per_image), "image_size": int(image_size)}


def manifest_matches(out: Path, params: dict) -> bool:
    """True when out holds a complete dataset of this generator version and parameters."""
    try:
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if manifest.get("version") != GENERATOR_VERSION or manifest.get("params") != params:
        return False
    recorded = manifest.get("files") or {}
    try:
        return bool(recorded) and all(files.sha256(out / rel) == h for rel, h in recorded.items())
    except OSError:
        return False


def _prepare_folder(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists() and not force:
        raise DatasetError(f"{out} is not empty and was not written by `coursekit data`; "
                           "choose another folder or pass --force")
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).unlink(missing_ok=True)      # incomplete until the manifest is back
    (out / MARKER).write_text("written by `coursekit data`; regenerated as a whole\n")
    for split in SPLITS:
        shutil.rmtree(out / "images" / split, ignore_errors=True)


def _make_split(split: str, params: dict, word_to_idx: dict) -> dict:
    """Scenes, images and encoded captions of one split (its own random streams)."""
    n = params[f"num_{split}_images"]
    per_image = params["captions_per_image"]
    split_id = SPLITS.index(split)
    rng = np.random.RandomState([params["seed"], split_id])
    images = np.empty((n, params["image_size"], params["image_size"], 3), np.uint8)
    rows, owners = [], []
    for i in range(n):
        scene = sample_scene(rng, params["image_size"])
        images[i] = render(scene, rng, params["image_size"])
        for text in cap.describe(scene, per_image, rng):
            rows.append(cap.encode(text, word_to_idx))
            owners.append(i)
    owners = np.array(owners, dtype=np.int32)
    order = np.random.RandomState([params["seed"], 10 + split_id]).permutation(len(owners))
    if split == "train":
        order = spread_canonical_draws(order, owners)
    names = [f"{split}_{i:06d}.png" for i in range(n)]
    return {"images": images, "captions": np.stack(rows)[order], "image_idxs": owners[order], "names": names}


def spread_canonical_draws(order: np.ndarray, owners: np.ndarray, draws=CANONICAL_DRAWS) -> np.ndarray:
    """Reorder caption rows so that each canonical draw picks rows of distinct images.

    order[p] is the caption row placed at position p; owners[row] is its image. Positions
    drawn by the canonical draws that repeat an image get swapped with rows of images that
    no drawn position uses. Best effort when there are fewer images than draws.
    """
    order = order.copy()
    for draw_seed, size in draws:
        positions = list(dict.fromkeys(np.random.RandomState(draw_seed).randint(len(order), size=size)))
        drawn = set(positions)
        if len(positions) > len(np.unique(owners)):
            continue
        used = set()
        for p in positions:
            if owners[order[p]] in used:
                taken = {owners[order[r]] for r in positions}
                q = next((q for q in range(len(order))
                          if q not in drawn and owners[order[q]] not in taken), None)
                if q is None:
                    break
                order[p], order[q] = order[q], order[p]
            used.add(owners[order[p]])
    return order


def _write_images(out: Path, splits: dict) -> None:
    for split, data in splits.items():
        folder = out / "images" / split
        folder.mkdir(parents=True, exist_ok=True)
        for name, image in zip(data["names"], data["images"]):
            (folder / name).write_bytes(files.png_bytes(image))


def _write_tables(out: Path, splits: dict, vocab: list, word_to_idx: dict) -> None:
    files.write_h5(out / "coco2014_captions.h5", {
        f"{s}_{key}": splits[s][key] for s in SPLITS for key in ("captions", "image_idxs")})
    files.write_json(out / "coco2014_vocab.json", {"idx_to_word": vocab, "word_to_idx": word_to_idx})
    for split, data in splits.items():
        files.write_text_lines(out / f"{split}2014_urls.txt", [f"images/{split}/{n}" for n in data["names"]])
        files.write_text_lines(out / f"{split}2014_images.txt", data["names"])


def _write_features(out: Path, splits: dict) -> None:
    stats = {s: feat.pixel_statistics(splits[s]["images"]) for s in SPLITS}
    fc7 = dict(zip(SPLITS, feat.fc7_features(stats["train"], stats["val"])))
    mean, comps = feat.fit_pca(fc7["train"])
    for split in SPLITS:
        files.write_h5(out / f"{split}2014_vgg16_fc7.h5", {"features": fc7[split]})
        files.write_h5(out / f"{split}2014_vgg16_fc7_pca.h5", {"features": feat.apply_pca(fc7[split], mean, comps)})


def _written_files(splits: dict) -> list[str]:
    names = ["coco2014_captions.h5", "coco2014_vocab.json"]
    for split, data in splits.items():
        names += [f"{split}2014_{kind}" for kind in ("urls.txt", "images.txt", "vgg16_fc7.h5", "vgg16_fc7_pca.h5")]
        names += [f"images/{split}/{n}" for n in data["names"]]
    return sorted(names)


def _write_manifest(out: Path, params: dict, splits: dict) -> None:
    hashes = {rel: files.sha256(out / rel) for rel in _written_files(splits)}
    files.write_json(out / MANIFEST, {"generator": "coursekit.data", "version": GENERATOR_VERSION,
                                      "params": params, "files": hashes})
