"""Inline-question answers from submitted notebooks.

An answer is a markdown cell whose nbgrader metadata marks it as a solution or graded cell,
keyed by its `grade_id`. Notebooks are student files: invalid JSON or odd structure gives a
note instead of an exception. Answers are student text, bounded where they are read: at most
MAX_ANSWERS per notebook, each at most MAX_ANSWER_CHARS (cleaned like all student text,
studenttext.clean, which ends a cut text with "[N characters cut]") with a grade id of at most
MAX_GRADE_ID_CHARS; what was cut is said in the answer itself and in the notebook's note, so results.json, answers.md and the TA sheets stay
small whatever a notebook holds.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import studenttext

MAX_NOTEBOOK_BYTES = 64 << 20
MAX_ANSWERS = 10             # answer cells kept per notebook (the assignment has one or two)
MAX_ANSWER_CHARS = 5000      # an inline answer is a few sentences
MAX_GRADE_ID_CHARS = 100


def extract_answers(notebook: Path, questions: dict[str, str] | None = None) -> dict:
    """{"notebook": name, "answers": [{"grade_id", "text"}...], "note": str | None}.
    `questions` (grade id -> the handout's question text, the markdown cell before the answer
    cell): an answer written into the question cell (as the 2018 handout asked, "ANSWER:") is
    found there too, as what the student added to the handout's text."""
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
    for a in answers:
        _add_question_cell_text(a, cells, (questions or {}).get(a["grade_id"]))
    note = None
    if len(answers) > MAX_ANSWERS:
        note = (f"{len(answers) - MAX_ANSWERS} answer cells after the first {MAX_ANSWERS} "
                "were left out")
        answers = answers[:MAX_ANSWERS]
    return {"notebook": name, "answers": [_bounded(a) for a in answers], "note": note}


def _bounded(answer: dict) -> dict:
    """One answer as it is kept: grade id on one line, text cleaned and capped (said so)."""
    kept = {"grade_id": studenttext.one_line(answer["grade_id"], MAX_GRADE_ID_CHARS),
            "text": studenttext.clean(answer["text"], MAX_ANSWER_CHARS, keep="head")}
    if answer.get("in_question_cell"):
        kept["in_question_cell"] = True
    return kept


IN_QUESTION = "(written in the question cell:)"


def _add_question_cell_text(answer: dict, cells: list, released: str | None) -> None:
    """What the student added to the question cell before the answer cell, appended to the
    answer (the answer cell's placeholder dropped)."""
    index = answer.pop("index", None)
    if released is None or not index:
        return
    before = cells[index - 1]
    if not isinstance(before, dict) or before.get("cell_type") != "markdown":
        return
    submitted = _text(before)
    if submitted.strip() == released.strip():
        return
    import difflib
    added = [line[2:] for line in difflib.ndiff(released.splitlines(), submitted.splitlines())
             if line.startswith("+ ")]
    added_text = "\n".join(added).strip()
    if not added_text:
        return
    own = "" if is_blank(answer["text"], "") else answer["text"].rstrip()
    answer["text"] = (own + "\n\n" if own else "") + f"{IN_QUESTION}\n{added_text}"
    answer["in_question_cell"] = True


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
    return {"grade_id": str(grade_id) if grade_id else f"cell-{index}", "text": source, "index": index}


def answers_for(notebooks: list[Path], expected: list[str], release_dir: Path | None = None) -> list[dict]:
    """Answers of every expected notebook name, in order (missing ones get a note); with
    `release_dir`, answers written into the handout's question cells are found too."""
    by_name = {Path(p).name: Path(p) for p in notebooks}
    return [extract_answers(by_name[n], released_questions(release_dir, n) if release_dir else None)
            if n in by_name else _note(n, "the notebook was not submitted") for n in expected]


def released_questions(release_dir: Path, name: str) -> dict[str, str]:
    """grade id -> the text of the markdown cell before that answer cell in the handout."""
    out = {}
    for gid, (index, cells) in _answer_cells(Path(release_dir) / name).items():
        before = cells[index - 1] if index > 0 else None
        if isinstance(before, dict) and before.get("cell_type") == "markdown":
            out[gid] = _text(before)
    return out


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


# ----------------------------------------------------------------------------- questions
def _read_cells(path: Path) -> list:
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    cells = nb.get("cells") if isinstance(nb, dict) else None
    return cells if isinstance(cells, list) else []


def _text(cell) -> str:
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    return "".join(source) if isinstance(source, list) else str(source)


def _answer_cells(path: Path) -> dict[str, tuple[int, list]]:
    cells = _read_cells(path)
    found = {}
    for i, cell in enumerate(cells):
        a = _answer(cell, i)
        if a:
            found[a["grade_id"]] = (i, cells)
    return found


def question_catalogue(release_dir: Path, solutions_dir: Path, notebooks: list[str],
                       manual_points: dict) -> list[dict]:
    """One entry per manually graded question (KIT["manual_points"]), in notebook order:
    grade_id, notebook, points, question (the markdown cell before the answer cell in the
    handout), placeholder (the handout's answer text) and model_answer (from solutions/)."""
    catalogue = []
    for name in notebooks:
        handout = _answer_cells(Path(release_dir) / name)
        model = _answer_cells(Path(solutions_dir) / name)
        for gid, (index, cells) in handout.items():
            if gid not in manual_points:
                continue
            before = cells[index - 1] if index > 0 else {}
            is_text = isinstance(before, dict) and before.get("cell_type") == "markdown"
            question = _text(before) if is_text else ""
            model_answer = _text(model[gid][1][model[gid][0]]) if gid in model else ""
            catalogue.append({"grade_id": gid, "notebook": name, "points": float(manual_points[gid]),
                              "question": question, "placeholder": _text(cells[index]),
                              "model_answer": model_answer})
    return catalogue


def is_blank(answer: str | None, placeholder: str) -> bool:
    """No answer, an empty one, or the handout's placeholder left as it was."""
    text = (answer or "").strip()
    return not text or text == placeholder.strip() or text.strip("*_ ").lower() == "your answer here."
