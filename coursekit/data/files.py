"""Deterministic writers for the dataset files: PNG, HDF5, JSON, text, and file hashes."""
from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from coursekit.fileio import write_atomic

PNG_COMPRESSION = 6


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(image: np.ndarray) -> bytes:
    """Encode an RGB uint8 (H, W, 3) image as PNG (no filter, fixed zlib level, no metadata)."""
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an RGB uint8 image, got {image.dtype} {image.shape}")
    h, w, _ = image.shape
    rows = np.concatenate([np.zeros((h, 1), np.uint8), image.reshape(h, w * 3)], axis=1)
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), PNG_COMPRESSION))
            + _png_chunk(b"IEND", b""))


def write_bytes(path: Path, data: bytes) -> None:
    """Atomically (no half-written file under the real name)."""
    write_atomic(path, data)


def write_text_lines(path: Path, lines: list[str]) -> None:
    write_bytes(path, "".join(line + "\n" for line in lines).encode("utf-8"))


def write_json(path: Path, obj) -> None:
    write_bytes(path, (json.dumps(obj, sort_keys=True, indent=1) + "\n").encode("utf-8"))


def write_h5(path: Path, arrays: dict) -> None:
    """HDF5 file with one dataset per key, written without timestamps (byte-reproducible)."""
    import h5py

    tmp = path.with_name(path.name + ".tmp")
    with h5py.File(tmp, "w", libver="earliest", track_order=False) as f:
        for name in sorted(arrays):
            f.create_dataset(name, data=arrays[name], track_times=False)
    os.replace(tmp, path)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
