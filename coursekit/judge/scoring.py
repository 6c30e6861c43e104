"""Recorded outcomes -> GradingResult (one TestResult per KIT test id, in config order).

Each test keeps a structured list of checks (for the feedback page) and the same as text
(`output`, for Gradescope). Identical failures of one test collapse into one check listing
their cases. Text that came from the student's code is quoted (studenttext.QUOTE on every
line), so it can never pass for a verdict line.

Optional attributes of an outcome, read with defaults: `case` (the inputs, e.g. "a batch of
one caption, N=1"), `where` ({file, line, text} of the student's line that raised), `hint`,
`student_text` (the student's exception text, when the judge keeps it apart from `message`).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from coursekit.report import studenttext
from coursekit.report.results import GradingResult, TestResult, clean_import_error, score_text

from .items import fraction, item_file, item_function

PASS, FAIL = "PASS", "FAIL"
INDENT = "    "
# session.py words a student exception as "<what> raised an exception:\n<the student's text>"
_STUDENT_EXCEPTION = re.compile(r"^(.*? raised an exception):\n(.*)$", re.S)
_HINT = " Hint: "


def _split_message(o) -> tuple[str, str, str]:
    """(judge-written text, the student's quoted text, hint) of one outcome."""
    message = str(getattr(o, "message", "") or "")
    student = getattr(o, "student_text", None)
    if student is None:
        found = _STUDENT_EXCEPTION.match(message)
        message, student = (found.group(1) + ".", found.group(2)) if found else (message, "")
    hint = getattr(o, "hint", "") or ""
    if not hint and _HINT in message:
        before, _, after = message.rpartition(_HINT)
        if is_catalogue_hint(after.strip()):      # never promote student text to a hint
            message, hint = before, after
    return message.strip(), str(student or "").strip(), str(hint).strip()


@functools.lru_cache(maxsize=1)
def _hint_patterns() -> list[re.Pattern]:
    from .hints import HINTS
    return [re.compile(re.sub(r"\\\{\w+\\\}", ".+?", re.escape(text))) for text in HINTS.values()]


def is_catalogue_hint(text: str) -> bool:
    """True when `text` is one of the catalogue's hints (placeholders filled in)."""
    return any(p.fullmatch(text) for p in _hint_patterns())


def _where(o) -> dict | None:
    where = getattr(o, "where", None)
    if not isinstance(where, dict) or not where.get("file"):
        return None
    clean = clean_import_error(where)
    return {"file": clean["file"], "line": clean["line"], "text": clean["text"]}


def _check(o, context) -> dict:
    message, quoted, hint = _split_message(o)
    case = getattr(o, "case", "") or ""
    return {"title": o.title, "passed": bool(o.passed), "message": message, "hint": hint,
            "cases": [studenttext.one_line(case)] if case else [], "where": _where(o),
            "quoted": quoted, "notes": list(context.notes.get(o.nodeid, []))}


def _collapse(checks: list[dict]) -> list[dict]:
    """Identical failures (same message, place and student text) become one check whose
    `cases` lists every case (or title, where a check names no case); passed checks of one
    title without notes or cases become one check with a `count`."""
    out: list[dict] = []
    seen: dict[tuple, dict] = {}
    for c in checks:
        if c["passed"]:
            key = ("passed", c["title"]) if not (c["notes"] or c["cases"]) else None
        else:
            key = ("failed", c["message"], c["quoted"], c["hint"], repr(c["where"]))
        first = seen.get(key) if key else None
        if first is None:
            out.append(c)
            if key:
                seen[key] = c
            continue
        if not c["passed"]:
            if first.get("count", 1) == 1:
                first["cases"] = first["cases"] or [first["title"]]
            first["cases"].extend(c["cases"] or [c["title"]])
            first["notes"].extend(n for n in c["notes"] if n not in first["notes"])
        first["count"] = first.get("count", 1) + 1
    return out


def _judge_lines(text: str, indent: str) -> list[str]:
    """Judge-written text; any line that looks like a verdict is quoted (it embeds student text)."""
    out = []
    for line in studenttext.clean(text).split("\n"):
        quoted = studenttext.looks_like_verdict(line)
        out.append(f"{indent}{studenttext.QUOTE if quoted else ''}{line}".rstrip())
    return out


def check_text(c: dict) -> list[str]:
    """One check as lines of the Gradescope output."""
    mark = PASS if c["passed"] else FAIL
    title = studenttext.one_line(c["title"])
    if c.get("count", 1) > 1 and c["passed"]:
        head = f"[{mark}] {title} ({c['count']} checks)"
    elif c.get("count", 1) > 1:
        head = f"[{mark}] {c['count']} checks failed the same way: " + "; ".join(c["cases"])
    else:
        head = f"[{mark}] {title}" + (f" (case: {c['cases'][0]})" if c["cases"] else "")
    lines = [head]
    if c["message"]:
        lines += _judge_lines(c["message"] + (_HINT + c["hint"] if c["hint"] else ""), INDENT)
    elif c["hint"]:
        lines += _judge_lines("Hint: " + c["hint"], INDENT)
    if c["where"]:
        w = c["where"]
        lines.append(f"{INDENT}in your file {w['file']}" + (f", line {w['line']}:" if w["line"] else ":"))
        if w["text"]:
            lines.append(studenttext.quote(w["text"], INDENT))
    if c["quoted"]:
        lines.append(f"{INDENT}your code's message:")
        lines.append(studenttext.quote(c["quoted"], INDENT))
    for note in c["notes"]:
        lines += _judge_lines("Note: " + note, INDENT)
    return lines


def _item_checks(item, outcomes, context, broken: dict) -> list[dict]:
    rel = item_file(item)
    if rel in broken and not all(o.passed for o in outcomes):
        return [{"title": f"not graded: {rel} does not import (see the top of this page)",
                 "passed": False, "message": "", "hint": "", "cases": [], "where": None,
                 "quoted": "", "notes": []}]
    return _collapse([_check(o, context) for o in outcomes])


def _item_output(item, checks, outcomes, context) -> str:
    if not outcomes:
        return "No result: this test did not run (score 0)."
    lines = []
    rel = item_file(item)
    if rel in context.missing_files and not all(o.passed for o in outcomes):
        lines.append(f"File missing: {rel} was not in your submission; the handout's stub was graded.")
    for c in checks:
        lines += check_text(c)
    return "\n".join(lines)


def build_result(submission_dir: Path, outcomes, context, session, *, execution_time: float,
                 items=None) -> GradingResult:
    course_points = context.config.points
    import_errors = [clean_import_error(e) for e in getattr(context, "import_errors", None) or []]
    broken = {e["file"]: e for e in import_errors}
    by_item: dict[str, list] = {}
    for o in outcomes:
        by_item.setdefault(o.item, []).append(o)
    tests = []
    groups = [(course_points.required, False), (course_points.extra_credit, True)]
    number = 0
    for points_table, extra in groups:
        for item, points in points_table.items():
            if items and item not in items:
                continue
            number += 1
            got = by_item.get(item, [])
            frac = fraction(item, sum(o.passed for o in got), len(got))
            checks = _item_checks(item, got, context, broken)
            hint = next((c["hint"] for c in checks if not c["passed"] and c["hint"]), "")
            tests.append(TestResult(
                name=item, number=str(number), score=round(points * frac, 4),
                max_score=0.0 if extra else float(points),
                output=_item_output(item, checks, got, context), function=item_function(item),
                extra_credit=extra, extra_max=float(points) if extra else 0.0, hint=hint,
                checks=checks))
    internal = [{"test": o.nodeid, "error": o.detail} for o in outcomes if o.internal_error]
    extra_data = {**context.extra_data, "isolation": session.isolation,
                  "max_score": course_points.max_score}
    if context.missing_files:
        extra_data["missing_files"] = list(context.missing_files)
    if internal:
        extra_data["internal_errors"] = internal
    _add_thresholds(extra_data)
    missing = [f"File missing: {rel} was not in your submission; the handout's stub was graded."
               for rel in context.missing_files or ()]
    output = "\n".join([*missing, *map(import_banner, import_errors), summary(tests),
                        *getattr(context, "summary_notes", [])])
    if internal:
        output += " Some checks failed because of a grader problem; course staff will review them."
    return GradingResult(submission=Path(submission_dir).name, tests=tests,
                         execution_time=execution_time, output=output, extra_data=extra_data,
                         import_errors=import_errors)


def _add_thresholds(extra_data: dict) -> None:
    """The pass threshold of each overfit curve, for the chart."""
    from .training import RECIPES
    for key, cell in (("overfit", "rnn"), ("lstm_overfit", "lstm")):
        curve = extra_data.get(key)
        if isinstance(curve, dict) and "threshold" not in curve:
            extra_data[key] = {**curve, "threshold": RECIPES[cell].threshold}


def import_banner(e: dict) -> str:
    """One banner for a student file that does not import (file, line, line text, message)."""
    at = f", line {e['line']}" if e.get("line") else ""
    lines = [f"Not graded: your file {e['file']} does not import{at}, so none of its functions "
             "could be called:"]
    if e.get("text"):
        lines.append(studenttext.quote(e["text"], INDENT))
    if e.get("message"):
        lines.append(studenttext.quote(e["message"], INDENT))
    return "\n".join(lines)


def summary(tests: list[TestResult]) -> str:
    """One line for the top of the student's results: the required score, the extra credit
    apart, and every test below full marks (extra credit included)."""
    graded = [t for t in tests if not t.extra_credit]
    extra = [t for t in tests if t.extra_credit]
    text = "Hidden test suite: " + score_text(sum(t.score for t in graded),
                                               sum(t.max_score for t in graded))
    if extra:
        text += ", extra credit " + score_text(sum(t.score for t in extra),
                                                sum(t.extra_max for t in extra))
    failed = [t for t in tests if t.status == "failed"]
    if failed:
        names = ", ".join(f"{t.name} ({score_text(t.score, t.full_points)})" for t in failed)
        return text + f". Not yet full marks: {names} (see each test's feedback)."
    return text + (". All tests passed, extra credit included." if extra
                   else ". All required tests passed.")
