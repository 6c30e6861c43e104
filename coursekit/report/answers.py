"""Inline-question answers from submitted notebooks.

An answer is a markdown cell whose nbgrader metadata marks it as a solution or graded cell,
keyed by its `grade_id`. Notebooks are student files: invalid JSON or odd structure gives a
note instead of an exception.
"""
from __future__ import annotations

import json
from pathlib import Path

MAX_NOTEBOOK_BYTES = 64 << 20


def extract_answers(notebook: Path) -> dict:
    """{"notebook": name, "answers": [{"grade_id", "text"}...], "note": str | None}."""
    name = Path(notebook).name
    try:
        if Path(notebook).stat().st_size > MAX_NOTEBOOK_BYTES:
            return _note(name, "the notebook is too large to read")
        nb = json.loads(Path(notebook).read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return _note(name, "the notebook was not submitted")
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return _note(name, "the notebook is not valid notebook JSON; no answers could be read")
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return _note(name, "the notebook has no cells list; no answers could be read")
    answers = [a for a in (_answer(c, i) for i, c in enumerate(cells)) if a]
    return {"notebook": name, "answers": answers, "note": None}


def _note(name: str, note: str) -> dict:
    return {"notebook": name, "answers": [], "note": note}


def _answer(cell, index: int) -> dict | None:
    if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
        return None
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or not (meta.get("solution") or meta.get("grade")):
        return None
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    if not isinstance(source, str):
        source = ""
    grade_id = meta.get("grade_id")
    return {"grade_id": str(grade_id) if grade_id else f"cell-{index}", "text": source}


def answers_for(notebooks: list[Path], expected: list[str]) -> list[dict]:
    """Answers of every expected notebook name, in order (missing ones get a note)."""
    by_name = {Path(p).name: Path(p) for p in notebooks}
    return [extract_answers(by_name[n]) if n in by_name else _note(n, "the notebook was not submitted")
            for n in expected]


def answers_markdown(submission: str, answers: list[dict]) -> str:
    lines = [f"# Inline answers: {submission}", ""]
    for nb in answers:
        lines += [f"## {nb['notebook']}", ""]
        if nb.get("note"):
            lines += [f"_Note: {nb['note']}_", ""]
        for a in nb["answers"]:
            lines += [f"### {a['grade_id']}", "", a["text"].rstrip(), ""]
        if not nb.get("note") and not nb["answers"]:
            lines += ["_No inline answers found._", ""]
    return "\n".join(lines)
