"""similarity.csv (a, b, similarity 0..1, most similar first) and similarity.html (each pair
with its matched regions highlighted side by side; rendered with autoescaping)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..grading.outputs import write_text
from .compare import Pair

CSV_NAME, HTML_NAME = "similarity.csv", "similarity.html"
TEMPLATE = "similarity.html.j2"
MAX_PAIRS_SHOWN = 50        # the HTML shows the most similar pairs; the CSV has them all


def similarity_csv(pairs: list[Pair]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["a", "b", "similarity", "share_of_a", "share_of_b"])
    for p in pairs:
        writer.writerow([p.a.name, p.b.name, f"{p.similarity:.3f}", f"{p.share_a:.3f}", f"{p.share_b:.3f}"])
    return buf.getvalue()


def segments(text: str, slices) -> list[tuple[str, bool]]:
    """The text cut into (piece, matched) runs."""
    out, pos = [], 0
    for start, end in sorted(zip(slices[0].tolist(), slices[1].tolist())) if slices.size else []:
        start, end = max(start, pos), min(end, len(text))
        if start > pos:
            out.append((text[pos:start], False))
        if end > start:
            out.append((text[start:end], True))
            pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def similarity_html(pairs: list[Pair], *, threshold: float | None = None) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("coursekit.similarity", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    shown = [{"pair": p, "left": segments(p.a.text, p.slices_a), "right": segments(p.b.text, p.slices_b)}
             for p in pairs[:MAX_PAIRS_SHOWN]]
    return env.get_template(TEMPLATE).render(pairs=pairs, shown=shown, threshold=threshold)


def write(out: Path, pairs: list[Pair], *, threshold: float | None = None) -> None:
    out = Path(out)
    write_text(out / CSV_NAME, similarity_csv(pairs))
    write_text(out / HTML_NAME, similarity_html(pairs, threshold=threshold))
