"""feedback.html for one submission: score table, each test's output, isolation level, and the
overfit loss curve against the reference. Every string is HTML-escaped (student-controlled
text never becomes markup); the plot is inline SVG drawn by `svgplot` (no plotting library).
"""
from __future__ import annotations

import math
from html import escape

from .results import GradingResult
from .svgplot import loss_chart_svg

CSS = """body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.passed{color:#176f2c}.failed{color:#a4161a}pre{background:#f6f6f6;padding:.6em;
white-space:pre-wrap;overflow-wrap:anywhere}.error{background:#fde8e8;padding:.6em}"""
CURVES = (("overfit", "Overfit (vanilla RNN)"), ("lstm_overfit", "Overfit (LSTM, extra credit)"))


def render_feedback(result: GradingResult, title: str = "Grading feedback") -> str:
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>",
             f"<style>{CSS}</style></head><body>",
             f"<h1>{escape(title)}: {escape(result.submission)}</h1>",
             _summary(result), _score_table(result)]
    for key, label in CURVES:
        parts.append(_curve_section(result.extra_data.get(key), label))
    parts.append(_test_outputs(result))
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


def _summary(result: GradingResult) -> str:
    extra = sum(t.score for t in result.tests if t.extra_credit)
    main = result.score - extra
    lines = [f"<p><b>Score:</b> {main:g} / {result.max_score:g}"
             + (f" (+{extra:g} extra credit)" if extra else "") + "</p>"]
    isolation = result.extra_data.get("isolation")
    if isolation:
        lines.append(f"<p><b>Isolation:</b> {escape(str(isolation))}</p>")
    if result.error:
        lines.append(f"<p class='error'><b>Not graded:</b> {escape(result.error)}</p>")
    elif result.output:
        lines.append(f"<pre>{escape(result.output)}</pre>")
    return "\n".join(lines)


def _score_table(result: GradingResult) -> str:
    if not result.tests:
        return ""
    rows = ["<table><tr><th>#</th><th>test</th><th>score</th><th>max</th><th>status</th></tr>"]
    for t in result.tests:
        maxs = f"{t.max_score:g}" if not t.extra_credit else "extra credit"
        rows.append(f"<tr><td>{escape(str(t.number))}</td><td><a href='#test-{escape(t.name)}'>"
                    f"{escape(t.name)}</a></td><td>{t.score:g}</td><td>{escape(maxs)}</td>"
                    f"<td class='{t.status}'>{t.status}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _test_outputs(result: GradingResult) -> str:
    parts = []
    for t in result.tests:
        parts.append(f"<h3 id='test-{escape(t.name)}'>{escape(str(t.number))} {escape(t.name)} "
                     f"<span class='{t.status}'>({t.score:g})</span></h3>")
        parts.append(f"<pre>{escape(t.output) if t.output else '(no output)'}</pre>")
    return ("<h2>Test details</h2>\n" + "\n".join(parts)) if parts else ""


def _curve_section(data, label: str) -> str:
    student = _numbers(data.get("loss_history")) if isinstance(data, dict) else []
    if not student:
        return ""
    reference = _numbers(data.get("reference_loss_history"))
    try:
        svg = loss_chart_svg(student, reference, label)
    except Exception as exc:          # a plotting problem must not cost the student the report
        return f"<h2>{escape(label)}</h2>\n<p>(plot unavailable: {escape(type(exc).__name__)})</p>"
    final = data.get("final_loss")
    final_txt = f"<p>Final loss: {final:.4g}</p>" if isinstance(final, (int, float)) else ""
    return f"<h2>{escape(label)}</h2>\n{final_txt}\n{svg}"


def _numbers(values) -> list[float]:
    if not isinstance(values, list):
        return []
    out = []
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            out.append(float(v))
        else:
            out.append(float("nan"))
    return out
