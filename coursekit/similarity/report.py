"""similarity.csv, known.csv, similarity.html and one page per pair a TA may look at
(pairs/NNNN.html), rendered from jinja2 templates with autoescaping.

Every pair is in the CSV. The HTML lists the most similar pairs (LIST_ROWS of them) and says
how many more the CSV has; a pair gets its own page when it is flagged, among the TOP_PAGES
most similar, or a submission's closest known solution (at most MAX_PAGES pages).
"""
from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

from ..fileio import write_atomic
from .compare import Comparison, Pair
from .params import COMMON_MIN_DOCS, COMMON_SHARE, FLAG_AT, MAX_FALSE_ALARMS, MIN_DETECTION
from .views import pair_view

CSV_NAME, KNOWN_CSV, HTML_NAME, PAIRS_DIR = "similarity.csv", "known.csv", "similarity.html", "pairs"
LIST_ROWS = 500
TOP_PAGES = 20
MAX_PAGES = 300
SMALL_POPULATION = 20       # fewer documents than this: common code is not recognised well


def closest_known(cmp: Comparison) -> list[Pair]:
    """For each submission, its most similar known solution (most similar first)."""
    best: dict[str, Pair] = {}
    for p in cmp.pairs:                       # already most similar first
        if p.a.known != p.b.known:
            sub = p.b.name if p.a.known else p.a.name
            best.setdefault(sub, p)
    return sorted(best.values(), key=lambda p: (-p.similarity, p.a.name, p.b.name))


def pages_for(cmp: Comparison, known: list[Pair]) -> dict[int, str]:
    """id(pair) -> its page's file name."""
    chosen = [p for i, p in enumerate(cmp.pairs) if i < TOP_PAGES or p.similarity >= cmp.threshold]
    chosen = chosen[:MAX_PAGES] + [p for p in known if p not in chosen[:MAX_PAGES]]
    order = {id(p): i for i, p in enumerate(cmp.pairs)}
    return {id(p): f"{PAIRS_DIR}/{order[id(p)] + 1:04d}.html" for p in chosen}


def similarity_csv(cmp: Comparison, pages: dict[int, str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["a", "b", "similarity", "share_of_a", "share_of_b", "flagged", "page"])
    for p in cmp.pairs:
        writer.writerow([p.a.name, p.b.name, f"{p.similarity:.3f}", f"{p.share_a:.3f}", f"{p.share_b:.3f}",
                         "yes" if p.similarity >= cmp.threshold else "no", pages.get(id(p), "")])
    return buf.getvalue()


def known_csv(cmp: Comparison, known: list[Pair], pages: dict[int, str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["submission", "closest_known", "similarity", "flagged", "page"])
    for p in known:
        sub, sol = (p.b, p.a) if p.a.known else (p.a, p.b)
        writer.writerow([sub.name, sol.name, f"{p.similarity:.3f}", "yes" if p.similarity >= cmp.threshold else "no",
                         pages.get(id(p), "")])
    return buf.getvalue()


@functools.lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, PackageLoader, select_autoescape
    return Environment(loader=PackageLoader("coursekit.similarity", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def index_html(cmp: Comparison, known: list[Pair], pages: dict[int, str]) -> str:
    rows = cmp.pairs[:LIST_ROWS]
    flagged = cmp.flagged()
    return _env().get_template("similarity.html.j2").render(
        cmp=cmp, rows=rows, pages=pages, known=known, flagged=flagged,
        submissions=sum(not d.known for d in cmp.docs), known_count=sum(d.known for d in cmp.docs),
        unlisted=len(cmp.pairs) - len(rows), last_listed=rows[-1].similarity if rows else 0.0,
        flagged_without_page=sum(id(p) not in pages for p in flagged),
        small=cmp.documents < SMALL_POPULATION, small_at=SMALL_POPULATION, top_pages=TOP_PAGES,
        max_pages=MAX_PAGES, id=id, calibrated=FLAG_AT, max_false=MAX_FALSE_ALARMS, min_detection=MIN_DETECTION,
        pct=lambda x: f"{100 * x:g}%", common_share=COMMON_SHARE, common_min=COMMON_MIN_DOCS)


def pair_html(cmp: Comparison, pair: Pair, number: int) -> str:
    return _env().get_template("pair.html.j2").render(
        cmp=cmp, pair=pair, number=number, view=pair_view(pair, cmp.streams), index=f"../{HTML_NAME}")


def write(out: Path, cmp: Comparison) -> None:
    out = Path(out)
    known = closest_known(cmp)
    pages = pages_for(cmp, known)
    write_atomic(out / CSV_NAME, similarity_csv(cmp, pages))
    if known:
        write_atomic(out / KNOWN_CSV, known_csv(cmp, known, pages))
    write_atomic(out / HTML_NAME, index_html(cmp, known, pages))
    for number, pair in enumerate(cmp.pairs, 1):
        if id(pair) in pages:
            write_atomic(out / pages[id(pair)], pair_html(cmp, pair, number))
