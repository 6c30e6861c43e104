"""collect_submission.py checks before it zips (issue 20, point 2): a stub, a blank answer and a
complete submission, run in a copy of the handout as a student runs it; it always writes the zip."""
from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from coursekit.judge.items import ITEMS


def _copy(course, tmp_path: Path, solved: bool, answer: str | None = None) -> Path:
    folder = tmp_path / course.assignment
    shutil.copytree(course.assignment_dir("release"), folder)
    if solved:
        for rel in [*course.student_files, *course.notebooks]:
            shutil.copyfile(course.assignment_dir("solutions") / rel, folder / rel)
        now = time.time()
        for rel in course.student_files:                       # code saved, then the notebooks run
            os.utime(folder / rel, (now - 60, now - 60))
    if answer is not None:
        nb_path = folder / "RNN_Captioning.ipynb"
        nb = json.loads(nb_path.read_text())
        for cell in nb["cells"]:
            if (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id") == "inline_question_1":
                cell["source"] = [answer]
        nb_path.write_text(json.dumps(nb))
    return folder


def _collect(folder: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "collect_submission.py"], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert zipfile.ZipFile(folder / "rnn_captioning_submission.zip").namelist()      # written anyway
    return done


def test_the_untouched_handout_lists_every_stub_the_blank_answer_and_unrun_notebooks(course, tmp_path):
    out = _collect(_copy(course, tmp_path, solved=False)).stdout
    for fn in ("rnn_step_forward", "word_embedding_backward", "CaptioningRNN.loss", "CaptioningRNN.sample"):
        assert f"{fn} in " in out and "is not implemented yet" in out
    assert "lstm_forward in cs231n/rnn_layers.py is not implemented yet (extra credit)" in out
    assert "RNN_Captioning.ipynb: the written answer inline_question_1 is blank" in out
    assert "RNN_Captioning.ipynb was never run" in out
    assert out.strip().splitlines()[-1].startswith("Summary: ") and "thing(s) to check" in out


def test_a_complete_submission_is_ready(course, tmp_path):
    out = _collect(_copy(course, tmp_path, solved=True)).stdout
    assert "Before you submit" not in out
    assert out.strip().splitlines()[-1] == "Summary: nothing unfinished found; upload rnn_captioning_submission.zip to Gradescope."


def test_only_a_blank_answer_and_a_stale_notebook(course, tmp_path):
    folder = _copy(course, tmp_path, solved=True, answer="*Your answer here.*")
    layers = folder / course.student_files[0]
    layers.write_text(layers.read_text() + "\n# a last change\n")       # after the notebooks ran
    out = _collect(folder).stdout
    lines = [l for l in out.splitlines() if l.startswith("  - ")]
    assert len(lines) == 3, out
    assert "  - RNN_Captioning.ipynb: the written answer inline_question_1 is blank" in lines
    assert sum("saved before your last change" in l for l in lines) == 2
    assert "Summary: 3 thing(s) to check" in out


def test_the_script_knows_every_graded_function_and_the_upload_limit(course):
    tree = ast.parse((course.assignment_dir("release") / "collect_submission.py").read_text())
    values = {n.targets[0].id: ast.literal_eval(n.value) for n in tree.body
              if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)
              and n.targets[0].id in ("GRADED", "MAX_FILE_MB", "EXTRA_CREDIT")}
    graded = {(f, fn.split(".")[-1]) for fn, f in ITEMS.values()}
    assert graded == {(f, fn) for f, fns in values["GRADED"].items() for fn in fns}
    assert values["MAX_FILE_MB"] == course.unpack.max_file_mb
    assert values["EXTRA_CREDIT"] == {ITEMS[i][0] for i in course.points.extra_credit} - {"CaptioningRNN.loss", "CaptioningRNN.sample"}
