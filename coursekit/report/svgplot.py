"""A loss-curve chart as inline SVG, drawn by hand: no plotting library on the grading path.

Matplotlib costs about half a second per report (imports, fonts, layout); a polyline chart
costs microseconds and stays crisp at any zoom. Values that are not finite are skipped.
"""
from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 30, 40
STYLES = {"student": ("#c0392b", 2.0, ""), "reference": ("#333333", 1.2, "6 4")}


def _finite_points(values: list[float]) -> list[tuple[int, float]]:
    return [(i + 1, v) for i, v in enumerate(values) if isinstance(v, float) and math.isfinite(v)]


def _y_transform(points: list[tuple[int, float]]):
    """log10 when every value is positive (loss curves span orders of magnitude), else linear."""
    ys = [y for _, y in points]
    if ys and min(ys) > 0:
        return math.log10, True
    return (lambda v: v), False


def _ticks(lo: float, hi: float, log: bool) -> list[tuple[float, str]]:
    if log:
        return [(float(e), f"{10.0 ** e:g}") for e in range(math.floor(lo), math.ceil(hi) + 1)]
    step = (hi - lo) / 4 or 1.0
    return [(lo + k * step, f"{lo + k * step:.3g}") for k in range(5)]


def loss_chart_svg(student: list[float], reference: list[float], title: str) -> str:
    """The student's loss per iteration against the reference's, as an <svg> element."""
    series = {"student": _finite_points(student), "reference": _finite_points(reference)}
    everything = series["student"] + series["reference"]
    if not everything:
        return ""
    fy, log = _y_transform(everything)
    ys = [fy(y) for _, y in everything]
    y_lo, y_hi = min(ys), max(ys)
    if log:
        y_lo, y_hi = math.floor(y_lo), math.ceil(y_hi)
    if y_hi - y_lo < 1e-12:
        y_lo, y_hi = y_lo - 1, y_hi + 1
    x_hi = max(x for x, _ in everything)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + (x - 1) / max(x_hi - 1, 1) * plot_w

    def sy(v: float) -> float:
        return TOP + (y_hi - v) / (y_hi - y_lo) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
           'font-family="sans-serif" font-size="11">',
           f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="13">{escape(title)}</text>',
           f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>']
    for value, label in _ticks(y_lo, y_hi, log):
        y = sy(value)
        out.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    for k in range(5):
        x = 1 + k * (x_hi - 1) / 4
        out.append(f'<text x="{sx(x):.1f}" y="{TOP + plot_h + 15}" text-anchor="middle">{x:.0f}</text>')
    out.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 6}" text-anchor="middle">iteration</text>'
               f'<text x="14" y="{TOP + plot_h / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {TOP + plot_h / 2})">training loss{" (log)" if log else ""}</text>')
    for i, (name, points) in enumerate(series.items()):
        if not points:
            continue
        color, width, dash = STYLES[name]
        coords = " ".join(f"{sx(x):.1f},{sy(fy(y)):.1f}" for x, y in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline class="{name}" fill="none" stroke="{color}" stroke-width="{width}"'
                   f'{dash_attr} points="{coords}"/>')
        label = "your model" if name == "student" else "reference"
        ly = TOP + 14 + 16 * i
        out.append(f'<line x1="{LEFT + plot_w - 120}" y1="{ly - 4}" x2="{LEFT + plot_w - 95}" '
                   f'y2="{ly - 4}" stroke="{color}" stroke-width="{width}"{dash_attr}/>'
                   f'<text x="{LEFT + plot_w - 90}" y="{ly}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out)
