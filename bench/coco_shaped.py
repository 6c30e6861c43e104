"""A dataset of the real COCO files' shapes, with random content, for timings only.

The real COCO captioning data (coco_captioning.zip, about 1 GB) cannot be fetched offline. What
the timing of the character-level section depends on is its shapes: 400,135 train and 195,954
val captions of 17 tokens, a vocabulary of 1004 words (<NULL>, <START>, <END>, <UNK> and 1000
words), 82,783 and 40,504 images with 512 PCA features. This writes a folder of that format
(the files load_coco_data reads with pca_features=True), with words of about COCO's length
(4 letters on average), Zipf frequencies and 8 to 15 words per caption. Its losses
and captions mean nothing: the captions are random.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SHAPES = {"train": (400135, 82783), "val": (195954, 40504)}    # captions, images
NUM_WORDS, TIMESTEPS, FEATURES = 1000, 17, 512
WORDS_PER_CAPTION = (8, 15)
SPECIAL = ["<NULL>", "<START>", "<END>", "<UNK>"]
LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def _vocabulary(rng) -> list[str]:
    lengths = np.clip(1 + rng.poisson(3.0, NUM_WORDS), 1, 14)   # about COCO's 4 letters a word
    words, seen = [], set()
    for n in lengths:
        word = "".join(rng.choice(LETTERS, n))
        while word in seen:             # taken (e.g. all 26 one-letter words): one letter more
            n += 1
            word = "".join(rng.choice(LETTERS, n))
        seen.add(word)
        words.append(word)
    return SPECIAL + words


def _captions(rng, count: int) -> np.ndarray:
    zipf = 1.0 / np.arange(1, NUM_WORDS + 1)
    words = rng.choice(NUM_WORDS, size=(count, TIMESTEPS - 2), p=zipf / zipf.sum()) + len(SPECIAL)
    lengths = rng.randint(WORDS_PER_CAPTION[0], WORDS_PER_CAPTION[1] + 1, size=count)
    captions = np.zeros((count, TIMESTEPS), dtype=np.int32)
    captions[:, 0] = SPECIAL.index("<START>")
    captions[:, 1:-1] = np.where(np.arange(TIMESTEPS - 2) < lengths[:, None], words, 0)
    captions[np.arange(count), lengths + 1] = SPECIAL.index("<END>")
    return captions


def write(folder: Path, seed: int = 0) -> Path:
    """Write the dataset into folder (created) and return it."""
    import h5py

    rng = np.random.RandomState(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab = _vocabulary(rng)
    (folder / "coco2014_vocab.json").write_text(json.dumps(
        {"idx_to_word": vocab, "word_to_idx": {w: i for i, w in enumerate(vocab)}}))
    with h5py.File(folder / "coco2014_captions.h5", "w") as f:
        for split, (num_captions, num_images) in SHAPES.items():
            f[f"{split}_captions"] = _captions(rng, num_captions)
            f[f"{split}_image_idxs"] = rng.randint(num_images, size=num_captions).astype(np.int32)
    for split, (_, num_images) in SHAPES.items():
        with h5py.File(folder / f"{split}2014_vgg16_fc7_pca.h5", "w") as f:
            f["features"] = rng.randn(num_images, FEATURES).astype(np.float32)
        urls = (f"http://images.invalid/{split}/{i}.jpg" for i in range(num_images))
        (folder / f"{split}2014_urls.txt").write_text("\n".join(urls) + "\n")
    return folder
