"""review.csv as TAs really save it, read back into manual grades.

Spreadsheets write CSV many ways: a byte-order mark ("CSV UTF-8"), Windows-1252 ("CSV"),
CRLF line ends, `;` or tab separators (European locales, with decimal commas), reordered or
deleted columns, quotes around everything. Columns are found by name; `submission` and
`question` are required, `points` and `comment` are what TAs type, `answer_id` (or, when it
was deleted, what the last review.csv showed) says which answer they graded, `grader` is used
when present. A file that cannot be read stops the run before anything is written, so a TA's
work is never overwritten by an empty sheet.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = ",;\t"
REQUIRED = ("submission", "question")
ALIASES = {"student": "submission", "name": "submission", "score": "points", "grade": "points",
           "comments": "comment", "feedback": "comment", "ta": "grader"}


class ReviewSheetError(Exception):
    """review.csv cannot be read; str(exc) says why and what to do."""


@dataclass
class SheetRow:
    line: int
    submission: str
    question: str
    points: str | None          # None: the column is not in the file
    comment: str | None
    answer_id: str | None
    grader: str | None
    decimal_comma: bool = False


def decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReviewSheetError(f"{path}: not text in UTF-8 or Windows-1252: save it as CSV (UTF-8)")


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _column(name: str) -> str:
    key = re.sub(r"\s+", "_", name.strip().strip('"').strip().lower())
    return ALIASES.get(key, key)


def unquote(text: str) -> str:
    """Undo the formula guard the kit writes (a leading ' before = + - @)."""
    return text[1:] if text[:2] in ("'=", "'+", "'-", "'@", "'\t") else text


def read_sheet(path: Path) -> list[SheetRow]:
    """The rows of review.csv ([] when it does not exist); ReviewSheetError when unreadable."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ReviewSheetError(f"{path}: cannot be read ({exc.strerror})") from None
    if data.startswith(b"PK\x03\x04"):
        raise ReviewSheetError(f"{path} is a spreadsheet workbook (.xlsx), not CSV: save it as "
                               "CSV (UTF-8) under the same name")
    text = decode(data, path)
    if not text.strip():
        return []
    delimiter = _delimiter(text.splitlines()[0])
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = list(reader)
    except csv.Error as exc:
        raise ReviewSheetError(f"{path}: not valid CSV ({exc})") from None
    header = [_column(h) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ReviewSheetError(f"{path}: no column {' or '.join(missing)} in its first line "
                               f"({', '.join(rows[0])}); keep the columns submission and question "
                               "as the kit wrote them")
    index = {name: header.index(name) for name in set(header)}
    out = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        get = lambda name: (cells[index[name]] if index[name] < len(cells) else "") if name in index else None
        out.append(SheetRow(line=line, submission=unquote((get("submission") or "").strip()),
                            question=(get("question") or "").strip(),
                            points=None if get("points") is None else unquote(get("points").strip()),
                            comment=None if get("comment") is None else unquote(get("comment")),
                            answer_id=None if get("answer_id") is None else get("answer_id").strip(),
                            grader=None if get("grader") is None else get("grader").strip(),
                            decimal_comma=delimiter == ";"))
    return out


def parse_points(raw: str, maximum: float, *, decimal_comma: bool = False) -> tuple[float | None, str | None]:
    """(points, None) or (None, why they cannot be used)."""
    text = raw.strip().lstrip("'")
    if not text:
        return None, None
    if decimal_comma or re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None, f"{raw!r} is not a number"
    if value != value or not 0 <= value <= maximum:
        return None, f"{raw} is outside 0..{maximum:g}"
    return value, None
