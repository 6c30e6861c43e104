"""index.html: the batch at a glance, for the TA who opens the output folder.

The submissions that need attention first (uploads that could not be graded, internal grader
errors, manual questions to grade, rejected points, answers changed since graded, items not
graded yet or stale, scores that changed at this run), each linked to its feedback; the pass
rate of every test; a histogram of the totals (a matplotlib picture, score-histogram.png);
what changed since the previous run (the gradebook's events of the latest run).
"""
from __future__ import annotations

import io
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..fileio import write_atomic
from ..grading.outputs import write_text
from ..report.sheets import num
from .sheets import grade_rows

TEMPLATES = Path(__file__).parent / "templates"
HISTOGRAM = "score-histogram.png"
EVENT_KINDS = ("score changed", "first graded", "manual grade", "source changed", "files changed", "run killed")


def attention(term, changed: dict[str, str]) -> list[dict]:
    items = []
    for view, row in zip(term.submissions, grade_rows(term)):
        reasons = []
        if view.result.error:
            reasons.append(("error", f"could not be graded: {view.result.error}"))
        if view.result.extra_data.get("internal_errors"):
            reasons.append(("error", "internal grader error in some checks: review them"))
        for q, st in view.manual.items():
            if st.status == "rejected":
                reasons.append(("warn", f"{q}: {st.reason}"))
            elif st.status == "changed":
                reasons.append(("warn", f"{q}: {st.reason}"))
            elif st.status == "pending" and not view.result.error:
                reasons.append(("todo", f"{q}: to grade"))
        if view.not_graded:
            reasons.append(("warn", "not graded yet: " + ", ".join(view.not_graded)))
        if view.stale:
            reasons.append(("warn", "stale: " + ", ".join(view.stale)))
        if view.name in changed:
            reasons.append(("info", f"score changed at the last run: {changed[view.name]}"))
        if reasons:
            order = min(("error", "warn", "todo", "info").index(k) for k, _ in reasons)
            items.append({"name": view.name, "reasons": reasons, "order": order,
                          "total": f"{num(row['total'])} / {num(row['total_max'])}"})
    return sorted(items, key=lambda i: (i["order"], i["name"]))


def pass_rates(term) -> list[dict]:
    settings = term.settings
    graded = [v for v in term.submissions if not v.result.error]
    rates = []
    for item, full in settings.points.items.items():
        have = [v for v in graded if item not in v.not_graded]
        passed = sum(1 for v in have for t in v.result.tests if t.name == item and t.status == "passed")
        rates.append({"item": item, "points": num(full), "extra": item in settings.points.extra_credit,
                      "graded": len(have), "passed": passed,
                      "rate": f"{100 * passed / len(have):.0f}%" if have else "-",
                      "width": round(100 * passed / len(have)) if have else 0})
    return rates


def histogram_png(totals: list[float], maximum: float) -> bytes:
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 2.6), dpi=100)
    ax = fig.add_subplot()
    bins = max(5, min(20, int(maximum) or 5))
    ax.hist(totals, bins=bins, range=(0, maximum or 1), color="#4263eb", edgecolor="white")
    ax.set_xlabel(f"total (of {maximum:g})")
    ax.set_ylabel("submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def write_overview(gb, out: Path, term, run_id: int) -> None:
    events = [e for e in gb.events(since_run=run_id) if e["kind"] in EVENT_KINDS]
    changed = {e["name"]: e["detail"] for e in events if e["kind"] == "score changed" and e["name"]}
    rows = grade_rows(term)
    graded_rows = [r for r in rows if not r["status"].startswith("error")]
    maximum = term.settings.points.max_score + term.settings.points.manual_max
    if graded_rows:
        write_atomic(out / HISTOGRAM, histogram_png([r["total"] for r in graded_rows], maximum))
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True))
    html = env.get_template("index.html.j2").render(
        assignment=term.settings.assignment, count=len(rows), graded=len(graded_rows),
        attention=attention(term, changed), rates=pass_rates(term),
        histogram=HISTOGRAM if graded_rows else "", events=events[-200:], more_events=max(0, len(events) - 200),
        maximum=num(maximum), run_id=run_id)
    write_text(out / "index.html", html)
