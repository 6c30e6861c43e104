"""Comparing sampled captions (CaptioningRNN.sample) with the reference's.

The rule, for every sample check (random model and overfit model):
- the student's array must be a numpy integer array of shape (N, max_length) whose entries
  are all valid word indices (0 <= index < vocabulary size), including the ignored ones;
- each caption is compared with the reference's caption up to and including the reference's
  FIRST <END>; entries after it are ignored on both sides. Keeping on generating after <END>
  (the reference does) and stopping there (leaving <NULL>) are both correct: the CS231n spec
  requires neither, and decode_captions stops at <END> anyway. A reference caption without
  <END> is compared whole.
"""
from __future__ import annotations

import numpy as np

from .checks import CheckFailed, valid_array


def valid_captions(value, shape: tuple, vocab_size: int, name: str = "captions") -> np.ndarray:
    """Shape, integer dtype and valid word indices of a sampled captions array; returns it."""
    got = valid_array(value, name, shape, integer=True)
    bad = int(np.sum((got < 0) | (got >= vocab_size)))
    if bad:
        raise CheckFailed(f"{name}: {bad} of {got.size} entries are not word indices "
                          f"(each must be in [0, {vocab_size})).")
    return got


def compared_mask(expected: np.ndarray, end: int | None) -> np.ndarray:
    """True where an entry is compared: up to and including each row's first <END>."""
    if end is None:
        return np.ones(expected.shape, dtype=bool)
    is_end = expected == end
    ended_before = (np.cumsum(is_end, axis=1) - is_end) > 0
    return ~ended_before


def captions_agree(got: np.ndarray, expected: np.ndarray, end: int | None) -> np.ndarray:
    """Per caption: equal to the reference's up to and including its first <END>."""
    expected = np.asarray(expected)
    return np.all((got == expected) | ~compared_mask(expected, end), axis=1)


def end_index(word_to_idx: dict) -> int | None:
    return word_to_idx.get("<END>")


__all__ = ["valid_captions", "compared_mask", "captions_agree", "end_index"]
