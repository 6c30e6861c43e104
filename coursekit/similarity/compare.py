"""Every pair of documents scored.

A document's share is the part of its student-written code (fingerprinted tokens, common k-grams
left out) that the other document also has; a document with less such code than
LEAST_CODE_TOKENS is measured against that many tokens, so that a submission of one or two short
functions cannot be "contained" in another by the few tokens any correct version shares. A
pair's similarity is the larger of its two shares: 1.0 means one side's code is contained in the
other's, as when a student copies part of a known solution. Pairs of two known solutions are not
compared.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
from copydetect.utils import get_copied_slices

from . import fingerprints as fp
from .code import Handout, Unit
from .params import COMMON_MIN_DOCS, COMMON_SHARE, FLAG_AT, LEAST_CODE_TOKENS, NOISE_TOKENS, WINDOW

MAX_LINKS_PER_HASH = 4      # positions paired per shared k-gram when matching regions up


@dataclass
class Document:
    name: str
    units: list[Unit]
    known: bool = False          # a known solution (from --known), not a submission


@dataclass
class Pair:
    a: Document
    b: Document
    similarity: float
    share_a: float
    share_b: float
    slices_a: np.ndarray         # 2 x n token ranges of a that match (start row, end row)
    slices_b: np.ndarray


@dataclass
class Comparison:
    pairs: list[Pair]                       # most similar first
    streams: dict[str, fp.Stream]           # document name -> its token stream
    common_at: int                          # documents a k-gram must be in to be common
    docs: list[Document]
    threshold: float = FLAG_AT

    @property
    def documents(self) -> int:
        return len(self.docs)

    def flagged(self) -> list[Pair]:
        return [p for p in self.pairs if p.similarity >= self.threshold]


def links(fa: fp.Fingerprint, fb: fp.Fingerprint) -> list[tuple[int, int]]:
    """(position in a, position in b) of every k-gram both have (a few positions per k-gram)."""
    return [(pa, pb) for h in fa.hashes & fb.hashes for pa in fa.index[h][:MAX_LINKS_PER_HASH]
            for pb in fb.index[h][:MAX_LINKS_PER_HASH]]


def slices(positions, k: int = NOISE_TOKENS) -> np.ndarray:
    """2 x n token ranges [start, end) covered by the k-grams starting at `positions`."""
    positions = sorted(set(positions))
    return np.asarray(get_copied_slices(np.asarray(positions, dtype=int), k), dtype=int).reshape(2, -1)


def score(a: Document, b: Document, fa: fp.Fingerprint, fb: fp.Fingerprint, k: int = NOISE_TOKENS,
          least: int = LEAST_CODE_TOKENS) -> Pair:
    shared = links(fa, fb)
    sa, sb = slices([x for x, _ in shared], k), slices([y for _, y in shared], k)
    share_a = float((sa[1] - sa[0]).sum() / max(fa.coverage, least))
    share_b = float((sb[1] - sb[0]).sum() / max(fb.coverage, least))
    return Pair(a, b, max(share_a, share_b), share_a, share_b, sa, sb)


def compare_all(docs: list[Document], handout: Handout, *, threshold: float = FLAG_AT,
                k: int = NOISE_TOKENS, window: int = WINDOW, share: float = COMMON_SHARE,
                min_docs: int = COMMON_MIN_DOCS, least: int = LEAST_CODE_TOKENS,
                progress=None) -> Comparison:
    """Every submission against every other and against every known solution (the keyword
    arguments other than threshold and progress exist for the calibration benchmark);
    `progress(text)` is told each stage as it starts."""
    say = progress or (lambda text: None)
    say(f"tokenising {len(docs)} documents and finding the code common to many of them")
    vocabulary = fp.Vocabulary()
    streams = [fp.stream(d.units, handout.names, vocabulary) for d in docs]
    common, needed = fp.common(streams, k=k, share=share, min_docs=min_docs)
    ignored = np.array(sorted(common), dtype=np.int64)
    prints = [fp.fingerprint(s, ignored, k=k, window=window) for s in streams]
    todo = [(i, j) for i, j in combinations(range(len(docs)), 2) if not (docs[i].known and docs[j].known)]
    say(f"comparing {len(todo)} pairs")
    pairs = [score(docs[i], docs[j], prints[i], prints[j], k, least) for i, j in todo]
    pairs.sort(key=lambda p: (-p.similarity, p.a.name, p.b.name))
    return Comparison(pairs, {d.name: s for d, s in zip(docs, streams)}, needed, list(docs), threshold)
