"""No answer is lost (issue 20, point 1): a student who writes the answer into the question cell
(as the 2018 handout asked, "ANSWER: ...") is found there; the question cell is locked in the
handout (nbgrader's read-only cell, with its checksum)."""
from __future__ import annotations

import csv
import json
import zipfile

from helpers_grading import fake_judge

from coursekit.grading.batch import grade_batch
from coursekit.grading.pipeline import GradeOptions
from coursekit.grading.progress import Progress
from coursekit.handout.zipper import write_handout

QUESTION = "inline_question_1"
ANSWER = "ANSWER: a character model needs a tiny vocabulary, but its sequences are five times longer."


def _question_cell(nb: dict) -> dict:
    cells = nb["cells"]
    index = next(i for i, c in enumerate(cells)
                 if (c.get("metadata", {}).get("nbgrader") or {}).get("grade_id") == QUESTION)
    return cells[index - 1]


def test_the_question_cell_is_locked_in_the_handout(course):
    nb = json.loads((course.assignment_dir("release") / "RNN_Captioning.ipynb").read_text())
    meta = _question_cell(nb)["metadata"]
    assert meta["nbgrader"]["locked"] is True and meta["nbgrader"]["checksum"]
    assert meta["editable"] is False


def test_an_answer_written_in_the_question_cell_reaches_the_ta(course, tmp_path, monkeypatch):
    write_handout(course, tmp_path / "handout.zip")
    with zipfile.ZipFile(tmp_path / "handout.zip") as zf:
        zf.extractall(tmp_path / "unzipped")
    folder = next(p for p in (tmp_path / "unzipped").iterdir() if p.is_dir())
    path = folder / "RNN_Captioning.ipynb"
    nb = json.loads(path.read_text())
    cell = _question_cell(nb)
    cell["source"] = [*cell["source"], "\n\n", ANSWER]           # the answer cell keeps its placeholder
    path.write_text(json.dumps(nb))
    judge = fake_judge(tmp_path, course, monkeypatch)
    out = tmp_path / "out"
    grade_batch([folder], out, GradeOptions(settings=course, judge_cmd=judge), progress=Progress(1, enabled=False))
    name = folder.parent.name            # "rnn_captioning" says nothing: the folder holding it
    assert ANSWER in (out / name / "answers.md").read_text()
    with open(out / "review.csv", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["question"] == QUESTION)
    assert ANSWER in row["answer"] and "In our current image captioning setup" not in row["answer"]
    assert "blank" not in row["flags"] and "written in the question cell" in row["flags"]
