"""The 50 training captions of the overfit check, drawn judge-side as the notebook does
(np.random.seed(231); load_coco_data(max_train=50)), cached in build/judge/."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from .recipe import MAX_TRAIN, SEED


@dataclass
class SmallData:
    captions: np.ndarray        # (50, T) int32
    image_idxs: np.ndarray      # (50,) into features
    features: np.ndarray        # (images, D) float32
    word_to_idx: dict
    state: tuple                # np.random state right after loading (the notebook's next draws)

    def batch(self, idx):
        return self.features[self.image_idxs[idx]], self.captions[idx]

    def all(self):
        return self.features[self.image_idxs], self.captions


def small_data(judge) -> SmallData:
    if "small_data" not in judge.shared:
        path = _cache_path(judge)
        found = _load(path)
        if found is None:
            found = _draw(judge)
            _save(path, found)
        judge.shared["small_data"] = found
    return judge.shared["small_data"]


def _draw(judge) -> SmallData:
    from coursekit.reference import submodule
    coco = submodule(judge.ref, "coco_utils")
    saved = np.random.get_state()
    np.random.seed(SEED)
    data = coco.load_coco_data(base_dir=str(judge.config.embedded_dataset), max_train=MAX_TRAIN)
    state = np.random.get_state()
    np.random.set_state(saved)
    used, remapped = np.unique(data["train_image_idxs"], return_inverse=True)
    return SmallData(data["train_captions"].astype(np.int32), remapped.astype(np.int64),
                     data["train_features"][used].astype(np.float32), dict(data["word_to_idx"]), state)


def _cache_path(judge):
    digest = hashlib.sha256(f"{SEED}:{MAX_TRAIN}".encode())
    folder = judge.config.embedded_dataset
    for f in sorted(folder.iterdir()) if folder.is_dir() else []:
        st = f.stat()
        digest.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return judge.config.root / "build" / "judge" / f"small_data_{digest.hexdigest()[:16]}.npz"


def _load(path) -> SmallData | None:
    try:
        with np.load(path, allow_pickle=False) as f:
            state = ("MT19937", f["state_keys"], int(f["state_pos"]), int(f["state_gauss"]),
                     float(f["state_cached"]))
            return SmallData(f["captions"], f["image_idxs"], f["features"],
                             json.loads(str(f["word_to_idx"])), state)
    except (OSError, KeyError, ValueError, TypeError):
        return None


def _save(path, d: SmallData) -> None:
    import io

    from coursekit.fileio import write_atomic
    buf = io.BytesIO()
    np.savez(buf, captions=d.captions, image_idxs=d.image_idxs, features=d.features,
             word_to_idx=np.array(json.dumps(d.word_to_idx)), state_keys=d.state[1],
             state_pos=d.state[2], state_gauss=d.state[3], state_cached=d.state[4])
    try:
        write_atomic(path, buf.getvalue())
    except OSError:
        pass
