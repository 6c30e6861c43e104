"""A pair as the pages show it: the matched regions with file, function and line numbers, and
each side's student-written code with the matched tokens marked.

The score counts uncommon code only, so its matches are cut wherever common code sits between
them. A region is therefore a whole stretch of tokens both sides share (every k-gram, common
ones included) that holds some of the pair's uncommon matches; the uncommon matches are marked
strongly (`hit`), the common code inside a region lightly (`common`). Stretches without any
uncommon match (what every correct solution has) are not regions and stay unmarked.

Only student-written code is shown and marked: the documents hold nothing else (code.py), and
a mark covers matched tokens only (never the whitespace or a comment between them).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import fingerprints as fp
from .code import CodeLine, Unit
from .compare import Pair, links
from .params import NOISE_TOKENS
from .fingerprints import Stream

HIT, COMMON = "hit", "common"


@dataclass
class ShownLine:
    number: int
    segments: list[tuple[str, str]]           # (text, "" | HIT | COMMON)
    anchor: str = ""                          # id of the region that starts on this line


@dataclass
class ShownUnit:
    file: str
    name: str
    lines: list[ShownLine] = field(default_factory=list)


def _base(path: str) -> str:
    return path.rsplit("/", 1)[-1]


@dataclass
class Place:
    file: str
    function: str
    first: int
    last: int
    last_file: str = ""

    @property
    def text(self) -> str:
        if self.last_file and self.last_file != self.file:
            return f"{_base(self.file)} line {self.first} to {_base(self.last_file)} line {self.last} ({self.function})"
        lines = f"line {self.first}" if self.first == self.last else f"lines {self.first}-{self.last}"
        return f"{_base(self.file)} {lines} ({self.function})"


@dataclass
class ShownRegion:
    number: int
    tokens: int
    a: Place
    b: Place
    a_units: list[ShownUnit]
    b_units: list[ShownUnit]


def _tokens(ranges: np.ndarray) -> set[int]:
    return {i for s, e in zip(ranges[0].tolist(), ranges[1].tolist()) for i in range(s, e)}


def segments(line: CodeLine, marked: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    """The line cut into runs: plain, or marked with a level; adjacent tokens of one level
    join into one run."""
    runs: list[list] = []
    for start, end, level in marked:
        if runs and runs[-1][2] == level and not line.text[runs[-1][1]:start].strip():
            runs[-1][1] = end
        else:
            runs.append([start, end, level])
    out, pos = [], 0
    for start, end, level in runs:
        if start > pos:
            out.append((line.text[pos:start], ""))
        out.append((line.text[start:end], level))
        pos = end
    if pos < len(line.text):
        out.append((line.text[pos:], ""))
    return out


def _line_marks(stream: Stream, levels: dict[int, str]) -> dict[tuple[int, int], list[tuple[int, int, str]]]:
    marks: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
    for i in sorted(levels):
        u, n, tok = stream.where[i]
        marks.setdefault((u, n), []).append((tok.col, tok.end, levels[i]))
    return marks


def listing(units: list[Unit], marks: dict, starts: dict[tuple[int, int], str],
            only: set[tuple[int, int]] | None = None) -> list[ShownUnit]:
    """The units (or only the lines in `only`) with their marks (_line_marks) and region anchors."""
    shown = []
    for u, unit in enumerate(units):
        lines = [ShownLine(line.number, segments(line, marks.get((u, n), [])), starts.get((u, n), ""))
                 for n, line in enumerate(unit.lines) if only is None or (u, n) in only]
        if lines:
            shown.append(ShownUnit(unit.file, unit.name, lines))
    return shown


def _place(units: list[Unit], stream: Stream, span: tuple[int, int]) -> tuple[Place, set[tuple[int, int]]]:
    where = stream.where[span[0]:span[1]]
    lines = {(u, n) for u, n, _ in where}
    u0, n0, _ = where[0]
    u1, n1, _ = where[-1]
    names = dict.fromkeys(units[u].name for u, _ in sorted(lines))
    place = Place(units[u0].file, " / ".join(names), units[u0].lines[n0].number, units[u1].lines[n1].number,
                  units[u1].file)
    return place, lines


@dataclass
class Region:
    a: tuple[int, int]                        # token ranges [start, end) of each side
    b: tuple[int, int]


def _runs(shared: list[tuple[int, int]], k: int, sa: Stream, sb: Stream) -> list[Region]:
    """Aligned stretches: k-grams at a, a+1, ... matching b, b+1, ... (one diagonal); a changed
    token (a gap of up to k + 1 positions on the diagonal) does not end a stretch."""
    by_diagonal: dict[int, list[int]] = {}
    for x, y in shared:
        by_diagonal.setdefault(x - y, []).append(x)
    runs = []
    for d, xs in by_diagonal.items():
        xs = sorted(set(xs))
        first = last = xs[0]
        for x in xs[1:] + [None]:
            if x is not None and x - last <= k + 1 and _same_unit(sa, last, x) and _same_unit(sb, last - d, x - d):
                last = x
                continue
            runs.append(Region((first, last + k), (first - d, last - d + k)))
            if x is not None:
                first = last = x
    return runs


def _same_unit(s: Stream, i: int, j: int) -> bool:
    return s.where[i][0] == s.where[j][0]


def _overlaps(r: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(r[0] < e and s < r[1] for s, e in taken)


def regions(pair: Pair, sa: Stream, sb: Stream, k: int = NOISE_TOKENS) -> list[Region]:
    """The pair's regions: aligned stretches holding some of its uncommon matches, longest
    first, none overlapping another on either side; in a's order."""
    none = np.array([], dtype=np.int64)
    shared = links(fp.fingerprint(sa, none, k=k, window=1), fp.fingerprint(sb, none, k=k, window=1))
    evidence_a, evidence_b = _tokens(pair.slices_a), _tokens(pair.slices_b)
    chosen, taken_a, taken_b = [], [], []
    for run in sorted(_runs(shared, k, sa, sb), key=lambda r: (r.a[0] - r.a[1], r.a)):
        if not (evidence_a & set(range(*run.a)) or evidence_b & set(range(*run.b))):
            continue
        if _overlaps(run.a, taken_a) or _overlaps(run.b, taken_b):
            continue
        chosen.append(run)
        taken_a.append(run.a)
        taken_b.append(run.b)
    return sorted(chosen, key=lambda r: r.a)


@dataclass
class PairView:
    regions: list[ShownRegion]
    a_units: list[ShownUnit]
    b_units: list[ShownUnit]


def _levels(evidence: set[int], inside: set[int]) -> dict[int, str]:
    return {**{t: COMMON for t in inside}, **{t: HIT for t in evidence}}


def pair_view(pair: Pair, streams: dict[str, Stream]) -> PairView:
    sa, sb = streams[pair.a.name], streams[pair.b.name]
    found = regions(pair, sa, sb)
    in_a = {t for r in found for t in range(*r.a)}
    in_b = {t for r in found for t in range(*r.b)}
    la = _line_marks(sa, _levels(_tokens(pair.slices_a), in_a))
    lb = _line_marks(sb, _levels(_tokens(pair.slices_b), in_b))
    shown, a_starts, b_starts = [], {}, {}
    for number, region in enumerate(found, 1):
        pa, lines_a = _place(pair.a.units, sa, region.a)
        pb, lines_b = _place(pair.b.units, sb, region.b)
        a_starts.setdefault(sa.where[region.a[0]][:2], f"a-r{number}")
        b_starts.setdefault(sb.where[region.b[0]][:2], f"b-r{number}")
        shown.append(ShownRegion(number, region.a[1] - region.a[0], pa, pb,
                                 listing(pair.a.units, la, {}, lines_a), listing(pair.b.units, lb, {}, lines_b)))
    return PairView(shown, listing(pair.a.units, la, a_starts), listing(pair.b.units, lb, b_starts))
