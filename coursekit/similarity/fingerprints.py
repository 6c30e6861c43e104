"""Fingerprints of student code: winnowed k-grams of a normalised token stream (copydetect).

The stream has one symbol per token. A variable (any name the student binds: locals,
parameters, helper functions) becomes `V`, so renaming hides nothing; what is not a variable
stays as written: attributes (`.dot`, `.T`, `.params`), keyword arguments (`axis=`), builtins,
keywords, operators, numbers, strings and the handout's module-level names (`np`,
`rnn_step_forward`, `affine_forward` ...). `np.dot(a, b)` and `a.dot(b)` therefore differ, as
they do in the students' code.

k-grams (NOISE_TOKENS tokens) are hashed here, deterministically (a symbol's code comes from
blake2b, a k-gram's hash is a polynomial of its symbols' codes: copydetect's Python hash() changes
with every process, and so would the winnowed fingerprints and the scores), then winnowed with
copydetect's functions (the k-grams to ignore are removed here: copydetect's own boilerplate
filter assumes unique hashes, and a student's code repeats itself); a k-gram
that occurs in many documents (the batch and the known solutions) is common, like the handout:
it does not count.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import hashlib

from copydetect.utils import get_token_coverage, winnow
import builtins

from .code import Unit
from .tokens import NAME, STRING, Token
from .params import COMMON_MIN_DOCS, COMMON_SHARE, GROUP_AT, NOISE_TOKENS, WINDOW

VARIABLE = "V"
BUILTINS = set(dir(builtins)) | {"self", "xrange"}
_BASE = np.uint64(1_000_003)


@dataclass
class Vocabulary:
    """Symbol -> its 64-bit code (from blake2b: the same in every process and every batch)."""
    codes: dict[str, int] = field(default_factory=dict)

    def code(self, symbol: str) -> int:
        if symbol not in self.codes:
            self.codes[symbol] = int.from_bytes(hashlib.blake2b(symbol.encode(), digest_size=8).digest(), "little")
        return self.codes[symbol]


@dataclass
class Stream:
    """A document's tokens in order, as symbol codes, with where each token is."""
    codes: np.ndarray                         # uint64, one per token
    where: list[tuple[int, int, Token]]       # (unit index, line index in the unit, token)
    units: list[str] = field(default_factory=list)      # the units' names

    def __len__(self) -> int:
        return len(self.where)

    def pieces(self) -> list[tuple[int, np.ndarray]]:
        """(offset, codes) of each unit: k-grams never span two functions, so the order of the
        functions in a file does not matter."""
        out, start = [], 0
        for i in range(1, len(self.where) + 1):
            if i == len(self.where) or self.where[i][0] != self.where[start][0]:
                out.append((start, self.codes[start:i]))
                start = i
        return out


def hashed_kgrams(codes: np.ndarray, k: int) -> np.ndarray:
    """The hash of every k-gram of `codes` (int64), the same in every process."""
    n = len(codes) - k + 1
    if n <= 0:
        return np.array([], dtype=np.int64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _BASE + codes[j:j + n]
    return h.view(np.int64)


def _symbol(tok: Token, prev: Token | None, nxt: Token | None, depth: int, names: set[str]) -> str:
    if tok.kind == STRING:
        return "S" + tok.value.lstrip("rRbBuUfF").strip("'\"")
    if tok.kind != NAME:
        return tok.value                                      # keywords, numbers, operators
    if prev is not None and prev.value == ".":
        return tok.value                                      # an attribute
    if depth > 0 and nxt is not None and nxt.value == "=":
        return tok.value                                      # a keyword argument
    return tok.value if tok.value in names or tok.value in BUILTINS else VARIABLE


def stream(units: list[Unit], names: set[str], vocabulary: Vocabulary) -> Stream:
    where = [(u, n, tok) for u, unit in enumerate(units) for n, line in enumerate(unit.lines)
             for tok in line.tokens]
    codes, depth = [], 0
    for i, (_, _, tok) in enumerate(where):
        prev = where[i - 1][2] if i else None
        nxt = where[i + 1][2] if i + 1 < len(where) else None
        codes.append(vocabulary.code(_symbol(tok, prev, nxt, depth, names)))
        if tok.value in "([{":
            depth += 1
        elif tok.value in ")]}":
            depth = max(depth - 1, 0)
    return Stream(np.array(codes, dtype=np.uint64), where, [u.name for u in units])


def kgrams(s: Stream, k: int = NOISE_TOKENS) -> set[int]:
    """Every k-gram hash of the stream (no winnowing): what document frequencies count."""
    return set(kgram_units(s, k))


def kgram_units(s: Stream, k: int = NOISE_TOKENS) -> dict[int, set[str]]:
    """Every k-gram hash of the stream -> the names of the units it occurs in."""
    out: dict[int, set[str]] = {}
    for offset, codes in s.pieces():
        name = s.units[s.where[offset][0]]
        for h in hashed_kgrams(codes, k).tolist():
            out.setdefault(h, set()).add(name)
    return out


def groups(sets: list[set[int]], at: float = GROUP_AT) -> list[list[int]]:
    """Documents that are near copies of each other (they share at least `at` of the larger
    one's k-grams, or are linked through a chain of such), as lists of indices. Measured against
    the larger document, so that a short incomplete submission (contained in many complete ones)
    never chains independent authors together."""
    parent = list(range(len(sets)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            large = max(len(sets[i]), len(sets[j]))
            if large and len(sets[i] & sets[j]) >= at * large:
                parent[root(i)] = root(j)
    out: dict[int, list[int]] = {}
    for i in range(len(sets)):
        out.setdefault(root(i), []).append(i)
    return list(out.values())


def common(streams: list[Stream], *, k: int = NOISE_TOKENS, share: float = COMMON_SHARE,
           min_docs: int = COMMON_MIN_DOCS, group_at: float = GROUP_AT) -> tuple[set[int], int]:
    """(the common k-grams, how many authors a k-gram of a function everyone wrote needs).

    A k-gram is common when at least max(min_docs, share x n) authors have it, n being the
    number of authors who wrote the function it occurs in (an incomplete submission does not make
    the other functions' code rarer; the LSTM's code is measured among those who wrote the
    LSTM). An author is a group of near copies (`groups`): twenty copies of one public solution
    make its code no more common than the solution alone, so a copying ring cannot hide itself."""
    per_doc = [kgram_units(s, k) for s in streams]
    counts: Counter = Counter()
    where: dict[int, set[str]] = {}
    writers: Counter = Counter()
    for group in groups([set(d) for d in per_doc], group_at):
        author: dict[int, set[str]] = {}
        for i in group:
            for h, names in per_doc[i].items():
                author.setdefault(h, set()).update(names)
        writers.update({name for i in group for name in streams[i].units})
        for h, names in author.items():
            counts[h] += 1
            where.setdefault(h, set()).update(names)

    def needed(n: int) -> int:
        return max(min_docs, int(np.ceil(share * n)))
    found = {h for h, n in counts.items() if n >= needed(max(writers[u] for u in where[h]))}
    return found, needed(max(writers.values(), default=0))


@dataclass
class Fingerprint:
    hashes: set
    index: dict                 # hash -> token positions where its k-gram starts
    coverage: int               # tokens covered by the kept k-grams
    length: int


def fingerprint(s: Stream, ignored: np.ndarray, *, k: int = NOISE_TOKENS, window: int = WINDOW) -> Fingerprint:
    index: dict[int, list[int]] = {}
    for offset, codes in s.pieces():
        if len(codes) < k:
            continue
        selected, positions = winnow(hashed_kgrams(codes, k), window, remove_duplicates=False)
        keep = ~np.isin(selected, ignored)
        for h, pos in zip(selected[keep].tolist(), positions[keep].tolist()):
            index.setdefault(h, []).append(pos + offset)
    return Fingerprint(set(index), index, int(get_token_coverage(index, k, len(s))), len(s))
