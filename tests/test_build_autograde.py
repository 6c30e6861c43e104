"""nbgrader's own workflow on the built handout: `nbgrader autograde` keeps the student's .py files
(Autograde.exclude_overwriting from course_config.py) and scores the notebook's grade cells."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coursekit import config as ck_config
from coursekit.build import build

STUDENT = "alice"
NOTEBOOK = "RNN_Captioning.ipynb"
CORRECT = "out = W[x]"


def _grade_points(notebook: Path) -> dict[str, float]:
    cells = json.loads(notebook.read_text())["cells"]
    meta = [c["metadata"].get("nbgrader", {}) for c in cells]
    return {m["grade_id"]: m["points"] for m in meta if m.get("grade") and m.get("solution") is False}


@pytest.mark.slow
def test_autograde_keeps_student_files_and_scores_grade_cells(course, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(course.assignment_dir("source"), root / "source" / course.assignment,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(course.path, root / "course_config.py")
    tmp_course = ck_config.load(root)
    (root / "build").mkdir()
    build(tmp_course, root, execute_solutions=False, db_url=tmp_course.nbgrader.CourseDirectory.db_url)

    # The student's work: the solutions, with one deliberate bug in word_embedding_forward.
    submitted = root / "submitted" / STUDENT / course.assignment
    shutil.copytree(root / "release" / course.assignment, submitted)
    shutil.copyfile(root / "solutions" / course.assignment / NOTEBOOK, submitted / NOTEBOOK)
    (submitted / "LSTM_Captioning.ipynb").unlink()
    for rel in course.student_files:
        shutil.copyfile(root / "solutions" / course.assignment / rel, submitted / rel)
    layers = submitted / "cs231n" / "rnn_layers.py"
    assert layers.read_text().count(CORRECT) == 1
    layers.write_text(layers.read_text().replace(CORRECT, "out = 2 * W[x]  # alice's bug"))

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", CS231N_DATA_DIR=str(course.embedded_dataset),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", course.assignment, "--create",
         f"--NbGrader.config_file={root / 'course_config.py'}", f"--CourseDirectory.root={root}"],
        cwd=root, capture_output=True, text=True, env=env, timeout=1500)
    assert done.returncode == 0, done.stderr[-3000:]

    autograded = root / "autograded" / STUDENT / course.assignment
    assert "alice's bug" in (autograded / "cs231n" / "rnn_layers.py").read_text()
    for rel in course.student_files:
        assert (autograded / rel).read_bytes() == (submitted / rel).read_bytes()

    from nbgrader.api import Gradebook

    points = _grade_points(course.assignment_dir("source") / NOTEBOOK)
    with Gradebook(tmp_course.nbgrader.CourseDirectory.db_url, tmp_course.nbgrader.CourseDirectory.course_id) as gb:
        nb = gb.find_submission_notebook(NOTEBOOK[:-len(".ipynb")], course.assignment, STUDENT)
        scores = {grade.name: grade.auto_score for grade in nb.grades if grade.cell.cell_type == "code"}
    assert scores["word_embedding_forward"] == 0
    for name in ("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward"):  # independent of the bug
        assert scores[name] == points[name], name
