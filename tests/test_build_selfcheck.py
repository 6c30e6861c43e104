"""The public self-check shipped in the handout: one clear failure per function on the untouched
release, all green once the solution .py files are dropped in."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

# test id in the handout -> the message the untouched release must give
UNTOUCHED = {
    "test_rnn_step_forward": "rnn_step_forward returned None: it is not implemented yet",
    "test_rnn_step_backward": "rnn_step_backward returned None: it is not implemented yet",
    "test_rnn_forward": "rnn_forward returned None: it is not implemented yet",
    "test_rnn_backward": "rnn_backward returned None: it is not implemented yet",
    "test_word_embedding_forward": "word_embedding_forward returned None: it is not implemented yet",
    "test_word_embedding_backward": "word_embedding_backward returned None: it is not implemented yet",
    "test_lstm_step_forward": "lstm_step_forward returned None: it is not implemented yet",
    "test_lstm_step_backward": "lstm_step_backward returned None: it is not implemented yet",
    "test_lstm_forward": "lstm_forward returned None: it is not implemented yet",
    "test_lstm_backward": "lstm_backward returned None: it is not implemented yet",
    "test_captioning_rnn_loss": "CaptioningRNN.loss (rnn) returned loss 0 and no gradients: it is not implemented yet",
    "test_captioning_lstm_loss": "CaptioningRNN.loss (lstm) returned loss 0 and no gradients: it is not implemented yet",
}


def _handout_copy(course, tmp_path: Path) -> Path:
    dest = tmp_path / course.assignment
    shutil.copytree(course.assignment_dir("release"), dest)
    return dest


def _run_selfcheck(folder: Path) -> dict[str, str | None]:
    """Plain `pytest` in the handout folder; test name -> failure message (None if it passed)."""
    report = folder.parent / "selfcheck.xml"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run([sys.executable, "-m", "pytest", f"--junitxml={report}"], cwd=folder,
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    results = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        failure = case.find("failure")
        results[case.get("name")] = None if failure is None else failure.get("message", "")
    return results


def test_untouched_release_fails_once_per_function_with_a_clear_message(course, tmp_path):
    results = _run_selfcheck(_handout_copy(course, tmp_path))
    assert set(results) == set(UNTOUCHED)
    for name, message in UNTOUCHED.items():
        assert results[name] is not None and message in results[name], (name, results[name])


def test_selfcheck_passes_with_the_solution_files(course, tmp_path):
    folder = _handout_copy(course, tmp_path)
    solutions = course.assignment_dir("solutions")
    for rel in course.kit["student_files"]:
        shutil.copyfile(solutions / rel, folder / rel)
    results = _run_selfcheck(folder)
    assert set(results) == set(UNTOUCHED)
    assert {name: msg for name, msg in results.items() if msg} == {}


def test_selfcheck_names_the_wrong_values(course, tmp_path):
    """A wrong rnn_step_forward (sigmoid instead of tanh) gets the value message, nothing else."""
    folder = _handout_copy(course, tmp_path)
    solutions = course.assignment_dir("solutions")
    for rel in course.kit["student_files"]:
        shutil.copyfile(solutions / rel, folder / rel)
    layers = folder / "cs231n" / "rnn_layers.py"
    text = layers.read_text()
    assert text.count("np.tanh(x @ Wx + prev_h @ Wh + b)") == 1
    layers.write_text(text.replace("np.tanh(x @ Wx + prev_h @ Wh + b)", "1 / (1 + np.exp(-(x @ Wx + prev_h @ Wh + b)))"))
    results = _run_selfcheck(folder)
    assert "rnn_step_forward: next_h differs from the expected values (relative error" in results["test_rnn_step_forward"]


def test_collect_submission_zips_the_student_files_and_refuses_when_one_is_missing(course, tmp_path):
    import zipfile

    folder = _handout_copy(course, tmp_path)
    done = subprocess.run([sys.executable, "collect_submission.py"], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(folder / "rnn_captioning_submission.zip") as archive:
        assert sorted(archive.namelist()) == sorted(course.kit["notebooks"] + course.kit["student_files"])
    (folder / course.kit["student_files"][0]).unlink()
    done = subprocess.run([sys.executable, "collect_submission.py"], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 1 and f"missing file(s): {course.kit['student_files'][0]}" in done.stderr
    assert "Traceback" not in done.stderr
