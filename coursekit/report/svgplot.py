"""A loss-curve chart as inline SVG, drawn by hand: no plotting library on the grading path.

Matplotlib costs about half a second per report (imports, fonts, layout); a polyline chart
costs microseconds and stays crisp at any zoom. Values that are not finite (NaN, inf or a
missing value) are never bridged: the line stops there and the chart marks the first one
("training diverged at iteration k"). The pass threshold is drawn as a horizontal line.
The SVG scales down with its container (viewBox, width 100%), so it fits a phone.
"""
from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 30, 40
STYLES = {"student": ("#c0392b", 2.0, ""), "reference": ("#333333", 1.2, "6 4")}
THRESHOLD_COLOR, DIVERGED_COLOR = "#1a7f37", "#8e44ad"
MAX_TICKS = 8
CLAMP = 1e30          # plotted values are clamped to +-CLAMP (a huge loss must not break the axes)


def _finite(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _finite_points(values: list[float]) -> list[tuple[int, float]]:
    return [(i + 1, max(-CLAMP, min(CLAMP, float(v)))) for i, v in enumerate(values) if _finite(v)]


def _runs(values: list[float]) -> list[list[tuple[int, float]]]:
    """Consecutive finite points (1-based iterations): the pieces of the line, never bridged."""
    runs, current = [], []
    for i, v in enumerate(values):
        if _finite(v):
            current.append((i + 1, max(-CLAMP, min(CLAMP, float(v)))))
        elif current:
            runs.append(current)
            current = []
    return runs + ([current] if current else [])


def first_bad(values: list[float]) -> int | None:
    """The 1-based iteration of the first value that is not finite, or None."""
    return next((i + 1 for i, v in enumerate(values) if not _finite(v)), None)


def _y_transform(points: list[tuple[int, float]]):
    """log10 when every value is positive (loss curves span orders of magnitude), else linear."""
    ys = [y for _, y in points]
    if ys and min(ys) > 0:
        return math.log10, True
    return (lambda v: v), False


def _ticks(lo: float, hi: float, log: bool) -> list[tuple[float, str]]:
    if log:
        lo, hi = math.floor(lo), math.ceil(hi)
        every = max(1, math.ceil((hi - lo) / MAX_TICKS))
        return [(float(e), f"{10.0 ** e:g}") for e in range(lo, hi + 1, every)]
    step = (hi - lo) / 4 or 1.0
    return [(lo + k * step, f"{lo + k * step:.3g}") for k in range(5)]


def loss_chart_svg(student: list[float], reference: list[float], title: str,
                   threshold: float | None = None) -> str:
    """The student's loss per iteration against the reference's, as an <svg> element."""
    student, reference = list(student), list(reference)
    series = {"student": _finite_points(student), "reference": _finite_points(reference)}
    everything = series["student"] + series["reference"]
    if not everything:
        return ""
    limit = [(1, float(threshold))] if _finite(threshold) and abs(threshold) < CLAMP else []
    fy, log = _y_transform(everything + limit)
    ys = [fy(y) for _, y in everything + limit]
    y_lo, y_hi = min(ys), max(ys)
    if log:
        y_lo, y_hi = math.floor(y_lo), math.ceil(y_hi)
    if y_hi - y_lo < 1e-12:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    x_hi = max(len(student), len(reference), 1)
    box = _Box(x_hi, y_lo, y_hi)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11" '
           f'style="max-width:{WIDTH}px;height:auto">',
           f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="13">{escape(title)}</text>',
           f'<rect x="{LEFT}" y="{TOP}" width="{box.w}" height="{box.h}" fill="none" stroke="#999"/>']
    out += _axes(box, fy, log)
    legend = []
    for name, values in (("reference", reference), ("student", student)):
        color, width, dash = STYLES[name]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(values):
            coords = " ".join(f"{box.sx(x):.1f},{box.sy(fy(y)):.1f}" for x, y in run)
            if len(run) == 1:          # a lone point between gaps: a dot, not a line
                x, y = run[0]
                out.append(f'<circle class="{name}" cx="{box.sx(x):.1f}" cy="{box.sy(fy(y)):.1f}" '
                           f'r="{width + 1}" fill="{color}"/>')
            else:
                out.append(f'<polyline class="{name}" fill="none" stroke="{color}" '
                           f'stroke-width="{width}"{dash_attr} points="{coords}"/>')
        legend.append(("your model" if name == "student" else "reference", color, width, dash_attr))
    if limit:
        y = box.sy(fy(limit[0][1]))
        out.append(f'<line class="threshold" x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + box.w}" y2="{y:.1f}" '
                   f'stroke="{THRESHOLD_COLOR}" stroke-width="1.2" stroke-dasharray="2 3"/>'
                   f'<text x="{LEFT + 4}" y="{y - 4:.1f}" fill="{THRESHOLD_COLOR}">'
                   f'pass threshold {limit[0][1]:g}</text>')
    bad = first_bad(student)
    if bad is not None:
        x = box.sx(bad)
        out.append(f'<line class="diverged" x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + box.h}" '
                   f'stroke="{DIVERGED_COLOR}" stroke-width="1.5"/>'
                   f'<text x="{min(x + 4, LEFT + box.w - 4):.1f}" y="{TOP + box.h - 8}" '
                   f'text-anchor="{"start" if x + 150 < LEFT + box.w else "end"}" '
                   f'fill="{DIVERGED_COLOR}">diverged (NaN/inf) at iteration {bad}</text>')
    for i, (label, color, width, dash_attr) in enumerate(reversed(legend)):
        ly = TOP + 14 + 16 * i
        out.append(f'<line x1="{LEFT + box.w - 120}" y1="{ly - 4}" x2="{LEFT + box.w - 95}" '
                   f'y2="{ly - 4}" stroke="{color}" stroke-width="{width}"{dash_attr}/>'
                   f'<text x="{LEFT + box.w - 90}" y="{ly}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out)


class _Box:
    """Data -> SVG coordinates of the plot area."""

    def __init__(self, x_hi: int, y_lo: float, y_hi: float):
        self.x_hi, self.y_lo, self.y_hi = x_hi, y_lo, y_hi
        self.w, self.h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(self, x: float) -> float:
        return LEFT + (x - 1) / max(self.x_hi - 1, 1) * self.w

    def sy(self, v: float) -> float:
        return TOP + (self.y_hi - v) / (self.y_hi - self.y_lo) * self.h


def iteration_ticks(last: int) -> list[int]:
    """Round iteration numbers for the x axis (1, 10, 20, 30, 40 for 40 iterations): a step of
    1, 2 or 5 times a power of ten giving at most 6 ticks, the first iteration always shown."""
    if last <= 1:
        return [1]
    for power in range(0, 8):
        for base in (1, 2, 5):
            step = base * 10 ** power
            if last // step <= 5:
                return sorted({1, *range(step, last + 1, step)})
    return [1, last]


def _axes(box: _Box, fy, log: bool) -> list[str]:
    out = []
    for value, label in _ticks(box.y_lo, box.y_hi, log):
        y = box.sy(value)
        out.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{LEFT + box.w}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    for x in iteration_ticks(box.x_hi):
        out.append(f'<text x="{box.sx(x):.1f}" y="{TOP + box.h + 15}" text-anchor="middle">{x:.0f}</text>')
    out.append(f'<text x="{LEFT + box.w / 2}" y="{HEIGHT - 6}" text-anchor="middle">iteration</text>'
               f'<text x="14" y="{TOP + box.h / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {TOP + box.h / 2})">training loss{" (log)" if log else ""}</text>')
    return out
