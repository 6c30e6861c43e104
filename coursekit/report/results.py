"""One submission's grading result; serialises itself to Gradescope's results.json format.

Gradescope's specification: top-level `score`, `execution_time`, `output`, `visibility`,
`tests` (each `name`, `number`, `score`, `max_score`, `status` "passed"/"failed", `output`,
`visibility`) and free-form `extra_data`.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..fileio import write_atomic
from . import studenttext

CURVES = ("overfit", "lstm_overfit")             # extra_data keys holding a training's loss curve
HISTORY_KEYS = ("loss_history", "reference_loss_history")
MAX_HISTORY = 2000                               # points kept per loss history (a run has ~100)
MAX_DEPTH = 40                                   # nesting kept in extra_data
# Serialised size caps (bytes, as written: indent 2, non-ASCII escaped). PrairieLearn refuses
# results over 1 MB; the full result (the batch's stored copy) gets more room for the checks.
MAX_RESULTS_BYTES = 1_000_000
MAX_FULL_RESULT_BYTES = 4_000_000
CUT_MARK = " [... {n} characters cut to keep this report small]"
SHORTEST_CUT = 200                               # texts shorter than this are never cut
SHOWN_DECIMALS = 2          # points shown to students: 1.6667 as 1.67 (the score keeps 4 decimals)


def score_text(score: float, full: float) -> str:
    """"4 / 10", as the student reads it."""
    return f"{round(score, SHOWN_DECIMALS):g} / {round(full, SHOWN_DECIMALS):g}"


@dataclass
class TestResult:
    name: str                    # test id, a key of KIT["points"] or KIT["extra_credit"]
    number: str                  # e.g. "1.3", ordering in the Gradescope UI
    score: float
    max_score: float             # 0 for extra credit items (score is added on top)
    output: str = ""             # feedback text written by the judge only
    visibility: str = "visible"
    function: str = ""           # the student function this test grades (for catch rates)
    extra_credit: bool = False
    extra_max: float = 0.0       # extra credit items: the points they are worth
    hint: str = ""               # the first failing check's hint (from the mistake catalogue)
    # one dict per check (or group of identical failures): title, passed, message, hint,
    # cases (labels), where ({file, line, text} of the student's code), quoted (student text), notes
    checks: list = field(default_factory=list)

    @property
    def full_points(self) -> float:
        return self.extra_max if self.extra_credit else self.max_score

    @property
    def status(self) -> str:
        """"passed" only with every point, extra credit included."""
        if self.extra_credit and self.extra_max <= 0:    # results written before extra_max existed
            return "passed" if self.score > 0 else "failed"
        return "passed" if self.score >= self.full_points - 1e-9 else "failed"

    @classmethod
    def from_dict(cls, d: dict) -> "TestResult":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def to_gradescope_dict(self) -> dict:
        return {
            "name": self.name, "number": self.number, "score": round(self.score, 4),
            "max_score": self.max_score, "status": self.status, "output": self.output,
            "visibility": self.visibility,
        }


@dataclass
class GradingResult:
    submission: str
    tests: list[TestResult] = field(default_factory=list)
    execution_time: float = 0.0
    output: str = ""                         # top-level message shown to the student
    error: str | None = None                 # set when the submission could not be graded
    extra_data: dict = field(default_factory=dict)   # isolation level, loss curve, answers...
    # student files that do not import: {file, line, text (the source line), message}
    import_errors: list = field(default_factory=list)
    # manual questions, set by the view that writes the result (never stored with it):
    # {grade_id, title, max_points, points (None until graded), comment, status, visibility,
    #  staff: "kit" (graded in the kit's gradebook) | "elsewhere" (e.g. on Gradescope)}
    manual: list = field(default_factory=list)

    @classmethod
    def crashed(cls, submission: str, reason: str, *, execution_time: float = 0.0,
                max_score: float = 0.0, extra_data: dict | None = None) -> "GradingResult":
        """A result for a submission that could not be graded: score 0, the reason shown."""
        reason = studenttext.one_line(reason, studenttext.MAX_CHARS)   # may name a student's file
        return cls(submission=submission, execution_time=execution_time,
                   output=f"Your submission could not be graded: {reason}", error=reason,
                   extra_data={**(extra_data or {}), "max_score": max_score})

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 4)

    @property
    def max_score(self) -> float:
        if self.tests:
            return sum(t.max_score for t in self.tests)
        return float(self.extra_data.get("max_score", 0.0))

    @property
    def required_score(self) -> float:
        return round(sum(t.score for t in self.tests if not t.extra_credit), 4)

    @property
    def extra_score(self) -> float:
        return round(sum(t.score for t in self.tests if t.extra_credit), 4)

    @property
    def extra_max(self) -> float:
        return sum(t.extra_max for t in self.tests if t.extra_credit)

    def clean_extra_data(self) -> dict:
        """extra_data with validated loss curves, ready for strict JSON."""
        return clean_curves(self.extra_data) if isinstance(self.extra_data, dict) else {}

    def clean_import_errors(self) -> list[dict]:
        return [clean_import_error(e) for e in self.import_errors or []]

    @property
    def manual_score(self) -> float:
        return round(sum(m["points"] or 0.0 for m in self.manual if m.get("staff") == "kit"), 4)

    @property
    def manual_max(self) -> float:
        return sum(float(m["max_points"]) for m in self.manual)

    def totals(self) -> dict:
        """score / max of each part, apart: required, extra credit, manual; and the total
        (required + manual; extra credit is never part of a maximum)."""
        pending = [m["grade_id"] for m in self.manual if m.get("points") is None]
        return {"required": {"score": self.required_score, "max": self.max_score},
                "extra_credit": {"score": self.extra_score, "max": self.extra_max},
                "manual": {"score": self.manual_score, "max": self.manual_max, "pending": pending},
                "total": {"score": round(self.required_score + self.manual_score, 4),
                          "max": self.max_score + self.manual_max}}

    def manual_lines(self) -> list[str]:
        lines = []
        for m in self.manual:
            worth = f"{m['title']}: {round(float(m['max_points']), 2):g} points"
            if m.get("staff") != "kit":
                lines.append(f"{worth}, graded by your course staff")
            elif m.get("points") is None:
                lines.append(f"{worth}, graded by your course staff (not graded yet)")
            else:
                lines.append(f"{m['title']}: {score_text(m['points'], float(m['max_points']))}"
                             + (f" ({m['comment']})" if m.get("comment") else ""))
        return lines

    def _manual_tests(self) -> list[dict]:
        tests = []
        for i, m in enumerate(self.manual, 1):
            if m.get("staff") != "kit":
                continue
            graded = m.get("points") is not None
            output = ("Graded by your course staff."
                      + (f"\nComment: {m['comment']}" if m.get("comment") else "")) if graded else \
                "Graded by your course staff; not graded yet."
            tests.append({"name": m["title"], "number": f"9.{i}", "score": round(m.get("points") or 0.0, 4),
                          "max_score": float(m["max_points"]),
                          "status": "passed" if graded and m["points"] >= float(m["max_points"]) - 1e-9 else "failed",
                          "output": output, "visibility": m.get("visibility", "visible")})
        return tests

    def to_gradescope_dict(self) -> dict:
        """Gradescope's results.json: strict JSON under MAX_RESULTS_BYTES (fit_size)."""
        manual_tests = self._manual_tests()
        output = "\n".join([self.output, *self.manual_lines()]).strip("\n") if self.manual else self.output
        return fit_size(strict_json({
            "score": round(self.score + sum(t["score"] for t in manual_tests), 4),
            "execution_time": round(self.execution_time, 3),
            "output": output,
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [t.to_gradescope_dict() for t in self.tests] + manual_tests,
            "extra_data": {**self.clean_extra_data(), "submission": studenttext.one_line(self.submission),
                           "error": self.error, "import_errors": self.clean_import_errors(),
                           **({"totals": self.totals()} if self.manual or self.tests else {})},
        }), MAX_RESULTS_BYTES)

    def to_dict(self) -> dict:
        """The full result (result.full.json), strict JSON under MAX_FULL_RESULT_BYTES."""
        return fit_size(strict_json({"submission": self.submission, "execution_time": self.execution_time,
                                     "output": self.output, "error": self.error,
                                     "extra_data": self.clean_extra_data(),
                                     "import_errors": self.clean_import_errors(),
                                     "tests": [asdict(t) for t in self.tests]}), MAX_FULL_RESULT_BYTES)

    @classmethod
    def from_dict(cls, d: dict) -> "GradingResult":
        return cls(submission=d["submission"], execution_time=d.get("execution_time", 0.0),
                   output=d.get("output", ""), error=d.get("error"),
                   extra_data=d.get("extra_data", {}),
                   import_errors=[clean_import_error(e) for e in d.get("import_errors") or []],
                   tests=[TestResult.from_dict(t) for t in d.get("tests", [])])

    def write_json(self, path: Path) -> None:
        """Write Gradescope's results.json atomically (temp file + rename), as strict JSON."""
        write_atomic(Path(path), dumps_strict(self.to_gradescope_dict()))


def dumps_strict(data) -> str:
    """JSON that every parser accepts: no NaN or Infinity (they become null)."""
    return json.dumps(strict_json(data), indent=2, sort_keys=True, allow_nan=False)


def strict_json(value, depth: int = 0):
    """`value` with only JSON types: non-finite floats -> None, numpy scalars -> Python,
    tuples -> lists, keys -> str, anything else -> its str()."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return {str(k): strict_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v, depth + 1) for v in value]
    item = getattr(value, "item", None)          # numpy scalars and 0-d arrays
    if callable(item) and getattr(value, "ndim", 1) == 0:
        try:
            return strict_json(item(), depth + 1)
        except (TypeError, ValueError):
            pass
    tolist = getattr(value, "tolist", None)      # numpy arrays
    if callable(tolist):
        try:
            return strict_json(tolist(), depth + 1)
        except (TypeError, ValueError):
            pass
    return str(value)


def serialised_size(data) -> int:
    """Bytes of `data` as the result files are written (indent 2, sorted keys, ASCII escapes)."""
    return len(json.dumps(data, indent=2, sort_keys=True, allow_nan=False))


def fit_size(data: dict, limit: int) -> dict:
    """`data` (strict JSON, a dict with an "output" text) with its longest texts cut in half,
    longest first, until its serialisation is under `limit` bytes; the top-level "output"
    then says how many texts were cut. Texts are the only unbounded values (student text:
    exception messages, inline answers); numbers and lists are capped where they are made."""
    note = "\nNote: {n} long texts of this report were shortened to keep it under {kb} kB."
    budget = limit - len(json.dumps(note)) - 64
    size = serialised_size(data)
    if size <= limit:
        return data
    import heapq
    heap = [(-_encoded_len(text), i, path) for i, (path, text) in enumerate(_texts(data))]
    heapq.heapify(heap)
    cut = set()
    while size > budget and heap:
        _, order, path = heapq.heappop(heap)
        text = _get(data, path)
        if len(text) < SHORTEST_CUT:
            break
        keep = len(text) // 2
        shorter = text[:keep] + CUT_MARK.format(n=len(text) - keep)
        size -= _encoded_len(text) - _encoded_len(shorter)
        _set(data, path, shorter)
        cut.add(path)
        heapq.heappush(heap, (-_encoded_len(shorter), order, path))
    if cut:
        data["output"] = str(data.get("output", "")) + note.format(n=len(cut), kb=limit // 1000)
    return data


def _encoded_len(text: str) -> int:
    return len(json.dumps(text))


def _texts(value, path=()):
    """(path, text) of every string in `value` (dict values and list items, recursively)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _texts(v, (*path, i))


def _get(data, path):
    for key in path:
        data = data[key]
    return data


def _set(data, path, value) -> None:
    _get(data, path[:-1])[path[-1]] = value


def finite_or_none(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        value = float(value)
    except OverflowError:                        # an int too large for a float
        return None
    return value if math.isfinite(value) else None


def clean_history(values) -> list:
    """A loss history as JSON can carry it: finite floats or None, at most MAX_HISTORY."""
    if not isinstance(values, (list, tuple)):
        return []
    return [finite_or_none(v) for v in list(values)[:MAX_HISTORY]]


def clean_curves(extra_data: dict) -> dict:
    """A copy of extra_data whose loss curves (overfit, lstm_overfit) are validated."""
    out = dict(extra_data)
    for key in CURVES:
        curve = out.get(key)
        if not isinstance(curve, dict):
            continue
        curve = dict(curve)
        for name in HISTORY_KEYS:
            if name in curve:
                if isinstance(curve[name], (list, tuple)) and len(curve[name]) > MAX_HISTORY:
                    curve[f"{name}_cut_from"] = len(curve[name])
                curve[name] = clean_history(curve[name])
        for name in ("final_loss", "threshold"):
            if name in curve:
                curve[name] = finite_or_none(curve[name])
        out[key] = curve
    return out


def clean_import_error(entry) -> dict:
    """One import error as the report shows it: {file, line, text, message}, all bounded."""
    entry = entry if isinstance(entry, dict) else {"message": str(entry)}
    line = entry.get("line")
    return {"file": studenttext.one_line(entry.get("file") or "your file"),
            "line": line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None,
            "text": studenttext.one_line(entry.get("text") or ""),
            "message": studenttext.clean(entry.get("message") or "")}

