"""feedback.html for one submission, rendered from templates/feedback.html.j2 (jinja2, autoescape).

The page leads with what needs work: a banner per student file that does not import, the
required score and the extra credit apart, the tests to look at (linked), then each failing
test with its points ("4 / 10") and hint at the top and its failing checks highlighted, then
the passed tests. The overfit loss curves are inline SVG (svgplot) inside their test, with the
pass threshold and the iteration where training diverged. Student text is shown as quoted
text (class "student-text"), never as markup. Nothing about the sandbox is shown: the
isolation level stays in results.json's extra_data and the TA's grade sheet.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from . import studenttext
from .results import GradingResult, TestResult, clean_import_error, finite_or_none, score_text
from .svgplot import first_bad, loss_chart_svg

TEMPLATES = Path(__file__).parent / "templates"
CURVES = (("overfit", "Overfit (vanilla RNN)"), ("lstm_overfit", "Overfit (LSTM, extra credit)"))


@functools.lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["breakable"] = breakable
    return env


def breakable(name: str) -> Markup:
    """A test name that a narrow window breaks after an underscore ("word_embedding_<wbr>
    forward"), never inside a word."""
    return Markup("_<wbr>").join(escape(part) for part in str(name).split("_"))


def render_feedback(result: GradingResult, title: str | None = None) -> str:
    """The student's feedback page for `result` (a complete HTML document)."""
    return _env().get_template("feedback.html.j2").render(page=page_model(result, title))


points = score_text


def page_model(result: GradingResult, title: str | None = None) -> dict:
    """Everything the template shows, as plain values (strings are escaped by jinja2)."""
    submission = studenttext.one_line(result.submission)
    extra_data = result.clean_extra_data()
    curves = {key: _curve(extra_data.get(key), label) for key, label in CURVES}
    tests = [_test(t, curves.pop(t.name, None)) for t in result.tests]
    failing = [t for t in tests if t["status"] == "failed"]
    extra_max = result.extra_max
    return {
        "title": studenttext.one_line(title) if title else f"Feedback: {submission}",
        "submission": submission,
        "import_errors": [clean_import_error(e) for e in result.import_errors],
        "error": studenttext.one_line(result.error, studenttext.MAX_CHARS) if result.error else "",
        "missing_files": [studenttext.one_line(f) for f in extra_data.get("missing_files") or []],
        "internal": bool(extra_data.get("internal_errors")),
        "required": points(result.required_score, result.max_score),
        "extra": points(result.extra_score, extra_max) if extra_max else "",
        "tests": failing + [t for t in tests if t["status"] != "failed"],
        "failing": failing,
        "passing": [t for t in tests if t["status"] != "failed"],
        "curves": [c for c in curves.values() if c],
        **_manual_model(result),
    }


def _manual_model(result: GradingResult) -> dict:
    """The manual questions and the total, each part apart (extra credit never in a maximum)."""
    items = []
    for m in result.manual:
        full = float(m["max_points"])
        graded = m.get("staff") == "kit" and m.get("points") is not None
        items.append({"title": studenttext.one_line(m["title"]),
                      "worth": f"{round(full, 2):g} points",
                      "points": points(m["points"], full) if graded else "",
                      "pending": m.get("staff") == "kit" and not graded,
                      "comment": studenttext.clean(m.get("comment") or "") if graded and
                      m.get("visibility", "visible") != "hidden" else ""})
    totals = result.totals()
    pending = sum(float(m["max_points"]) for m in result.manual if m.get("staff") != "kit" or m.get("points") is None)
    return {"manual": items, "total": points(totals["total"]["score"], totals["total"]["max"]),
            "pending": f"{round(pending, 2):g} point(s)" if pending else ""}


def _test(t: TestResult, curve: dict | None) -> dict:
    return {"name": studenttext.one_line(t.name), "anchor": _anchor(t.name),
            "points": points(t.score, t.full_points), "status": t.status,
            "extra_credit": t.extra_credit, "hint": studenttext.clean(t.hint),
            "checks": [_check_view(c) for c in t.checks if isinstance(c, dict)],
            "lines": _output_lines(t.output), "curve": curve}


def _anchor(name: str) -> str:
    return "test-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", str(name)) or "x")


def _check_view(c: dict) -> dict:
    where = c.get("where") if isinstance(c.get("where"), dict) else None
    cases = _list(c.get("cases"))
    count = c.get("count") if isinstance(c.get("count"), int) else 1
    return {"passed": bool(c.get("passed")), "title": studenttext.one_line(c.get("title", "")),
            "count": count,
            "cases": [studenttext.one_line(x) for x in cases],
            "message": _pieces(c.get("message", "")),
            "where": clean_import_error(where) if where else None,
            "quoted": studenttext.clean(c.get("quoted") or "").strip(),
            "notes": [_pieces(n) for n in _list(c.get("notes"))]}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _pieces(text) -> list[tuple[str, bool]]:
    """Judge-written text as (lines, quoted) runs: a line that looks like a verdict carries
    student text (a judge message may embed it) and is shown as quoted."""
    text = studenttext.clean(text or "").strip("\n")
    runs: list[tuple[str, bool]] = []
    for line in text.split("\n") if text else []:
        quoted = studenttext.looks_like_verdict(line)
        if runs and runs[-1][1] == quoted:
            runs[-1] = (runs[-1][0] + "\n" + line, quoted)
        else:
            runs.append((line, quoted))
    return runs


def _output_lines(output: str) -> list[dict]:
    """The Gradescope text, line by line, failing verdict lines marked (results without checks)."""
    out = []
    for line in studenttext.clean(output or "").strip("\n").split("\n") if output else []:
        kind = "fail" if line.startswith("[FAIL]") else "pass" if line.startswith("[PASS]") else ""
        out.append({"text": line, "kind": kind})
    return out


def _curve(data, label: str) -> dict | None:
    if not isinstance(data, dict):
        return None
    student = list(data.get("loss_history") or [])
    if not student:
        return None
    reference = list(data.get("reference_loss_history") or [])
    threshold = finite_or_none(data.get("threshold"))
    try:
        svg = loss_chart_svg(student, reference, label, threshold=threshold)
    except Exception as exc:         # a plotting problem must not cost the student the report
        svg = f"(plot unavailable: {type(exc).__name__})"
    final = finite_or_none(data.get("final_loss"))
    return {"label": label, "svg": Markup(svg) if svg.startswith("<svg") else svg,
            "final": f"{final:.4g}" if final is not None else None,
            "threshold": f"{threshold:g}" if threshold is not None else None,
            "diverged": first_bad(student),
            "stopped": len(student) if final is None else None}

