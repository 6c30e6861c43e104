"""Pairwise comparison with copydetect's fingerprints.

A pair's similarity is the larger of the two shares of each side's fingerprinted tokens
(boilerplate removed) that the other side also has: 1.0 means one side is contained in the
other. Pairs of two known solutions are not compared.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .documents import Document

NOISE_CHARS = 25        # k: shortest match that counts, in characters of the filtered code
GUARANTEE_CHARS = 30    # every match this long is found (winnowing window = guarantee - noise + 1)
VIRTUAL_NAME = "student.py"    # tells copydetect's tokenizer the language


@dataclass
class Pair:
    a: Document
    b: Document
    similarity: float
    share_a: float
    share_b: float
    slices_a: np.ndarray          # 2 x N character ranges of matched code in a.text
    slices_b: np.ndarray


def _fingerprint(text: str, boilerplate=None, window: int | None = None):
    from copydetect import CodeFingerprint

    win = window if window is not None else GUARANTEE_CHARS - NOISE_CHARS + 1
    return CodeFingerprint(VIRTUAL_NAME, NOISE_CHARS, win, boilerplate, fp=io.StringIO(text))


def boilerplate_hashes(texts: list[str]) -> np.ndarray:
    hashes = [h for t in texts for h in _fingerprint(t, window=1).hashes]
    return np.unique(np.array(hashes, dtype=np.int64)) if hashes else np.array([], dtype=np.int64)


def _ranges(slices) -> np.ndarray:
    return np.asarray(slices, dtype=int).reshape(2, -1)


def compare_all(docs: list[Document], boilerplate: list[str]) -> list[Pair]:
    """Every submission against every other and against every known solution, most similar first."""
    from copydetect import compare_files

    bp = boilerplate_hashes(boilerplate)
    prints = [_fingerprint(d.text, bp) for d in docs]
    pairs = []
    for i, j in combinations(range(len(docs)), 2):
        if docs[i].known and docs[j].known:
            continue
        _, (s1, s2), (sl1, sl2) = compare_files(prints[i], prints[j])
        s1, s2 = float(s1), float(s2)
        pairs.append(Pair(docs[i], docs[j], max(s1, s2), s1, s2, _ranges(sl1), _ranges(sl2)))
    pairs.sort(key=lambda p: (-p.similarity, p.a.name, p.b.name))
    return pairs
