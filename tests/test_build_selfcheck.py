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

# test id in the handout -> the message the untouched release must give (one failure each), in the
# order RNN_Captioning.ipynb introduces the functions (the order of the "Not done yet" list)
UNTOUCHED = {
    "test_rnn_step_forward": "rnn_step_forward returned None: it is not implemented yet",
    "test_rnn_step_backward": "rnn_step_backward returned None: it is not implemented yet",
    "test_rnn_forward": "rnn_forward returned None: it is not implemented yet",
    "test_rnn_backward": "rnn_backward returned None: it is not implemented yet",
    "test_word_embedding_forward": "word_embedding_forward returned None: it is not implemented yet",
    "test_word_embedding_backward": "word_embedding_backward returned None: it is not implemented yet",
    "test_captioning_rnn_loss": "CaptioningRNN.loss (rnn) returned loss 0 and no gradients: it is not implemented yet",
    "test_rnn_overfits_small_data": "overfit check: CaptioningRNN.loss returned loss 0 and no gradients: it is not implemented yet",
    "test_captioning_rnn_sample": "CaptioningRNN.sample (rnn) returned only <NULL> words: it is not implemented yet",
}
# extra credit: skipped (with the reason) while not started, never a failure
UNTOUCHED_EXTRA = {
    "test_lstm_step_forward": "lstm_step_forward returned None: it is not implemented yet",
    "test_lstm_step_backward": "lstm_step_backward returned None: it is not implemented yet",
    "test_lstm_forward": "lstm_forward returned None: it is not implemented yet",
    "test_lstm_backward": "lstm_backward returned None: it is not implemented yet",
    "test_captioning_lstm_loss": "CaptioningRNN.loss (lstm) needs lstm_forward, which is not implemented yet",
    "test_captioning_lstm_sample": "CaptioningRNN.sample (lstm) needs lstm_forward, which is not implemented yet",
}
ALL_TESTS = set(UNTOUCHED) | set(UNTOUCHED_EXTRA)


def _handout_copy(course, tmp_path: Path) -> Path:
    dest = tmp_path / course.assignment
    shutil.copytree(course.assignment_dir("release"), dest)
    return dest


def _run(folder: Path, course):
    """Plain `pytest` in the handout folder (the dataset named by $CS231N_DATA_DIR):
    (test name -> ("failed" | "skipped" | "passed", message), stdout)."""
    report = folder.parent / "selfcheck.xml"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", CS231N_DATA_DIR=str(course.embedded_dataset))
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run([sys.executable, "-m", "pytest", f"--junitxml={report}"], cwd=folder,
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    results = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        outcome = next((c for c in case if c.tag in ("failure", "error", "skipped")), None)
        kind = "passed" if outcome is None else {"error": "failed", "failure": "failed"}.get(outcome.tag, outcome.tag)
        results[case.get("name")] = (kind, "" if outcome is None else outcome.get("message", ""))
    return results, done.stdout


def _run_selfcheck(folder: Path, course) -> dict[str, str | None]:
    """test name -> failure message (None if it passed or was skipped)."""
    results, _ = _run(folder, course)
    return {name: (msg if kind == "failed" else None) for name, (kind, msg) in results.items()}


def _solved_copy(course, tmp_path: Path) -> Path:
    folder = _handout_copy(course, tmp_path)
    solutions = course.assignment_dir("solutions")
    for rel in course.student_files:
        shutil.copyfile(solutions / rel, folder / rel)
    return folder


def _listed(lines: list[str], heading: str) -> list[str]:
    """The '  - ' lines of the summary list whose heading line starts with `heading`."""
    start = next(i for i, line in enumerate(lines) if line.startswith(heading)) + 1
    items = []
    for line in lines[start:]:
        if not line.startswith("  - "):
            break
        items.append(line[4:])
    return items


def test_untouched_release_fails_once_per_function_with_a_clear_message(course, tmp_path):
    results, stdout = _run(_handout_copy(course, tmp_path), course)
    assert set(results) == ALL_TESTS
    for name, message in UNTOUCHED.items():
        assert results[name][0] == "failed" and message in results[name][1], (name, results[name])
    for name, message in UNTOUCHED_EXTRA.items():
        assert results[name][0] == "skipped" and message in results[name][1], (name, results[name])
        assert "extra credit" in results[name][1]
    # the summary: one line per required check, then the skipped extra credit
    lines = stdout.splitlines()
    assert f"Not done yet ({len(UNTOUCHED)}):" in lines
    for message in UNTOUCHED.values():
        assert sum(message in line for line in lines) == 1, message
    assert _listed(lines, "Not done yet") == list(UNTOUCHED.values())  # the assignment's order
    assert _listed(lines, "Extra credit, skipped:") == list(UNTOUCHED_EXTRA.values())
    assert "Traceback" not in stdout and "During handling" not in stdout


def test_selfcheck_passes_with_the_solution_files(course, tmp_path):
    results, stdout = _run(_solved_copy(course, tmp_path), course)
    assert set(results) == ALL_TESTS
    assert {name: r for name, r in results.items() if r[0] != "passed"} == {}
    assert "All checks pass." in stdout


def _blank_solution_of(text: str, function: str) -> str:
    """The reference source with the solution region of one function replaced by `pass`."""
    start = text.index(f"def {function}(")
    begin = text.index("### BEGIN SOLUTION", start)
    end = text.index("### END SOLUTION", begin) + len("### END SOLUTION")
    return text[:begin] + "pass" + text[end:]


def test_selfcheck_fails_when_only_sample_is_missing(course, tmp_path):
    """Every function solved except CaptioningRNN.sample: exactly that check fails (the issue's
    "12 passed" case); its LSTM twin is an extra-credit skip."""
    folder = _solved_copy(course, tmp_path)
    model = folder / "cs231n" / "classifiers" / "rnn.py"
    source = (course.assignment_dir("source") / "cs231n" / "classifiers" / "rnn.py").read_text()
    model.write_text(_blank_solution_of(source, "sample"))
    results, _ = _run(folder, course)
    failed = {name: msg for name, (kind, msg) in results.items() if kind == "failed"}
    assert list(failed) == ["test_captioning_rnn_sample"]
    assert "CaptioningRNN.sample (rnn) returned only <NULL> words" in failed["test_captioning_rnn_sample"]
    assert results["test_captioning_lstm_sample"][0] == "skipped"


def test_not_done_yet_lists_the_required_part_before_the_extra_credit(course, tmp_path):
    """A broken rnn_step_forward and a started but broken lstm_step_forward: the list follows the
    notebooks (RNN first), not the test files' alphabetical order (test_lstm_layers.py first)."""
    folder = _solved_copy(course, tmp_path)
    layers = folder / "cs231n" / "rnn_layers.py"
    text = layers.read_text()
    for call in ("np.tanh(x @ Wx + prev_h @ Wh + b)", "def lstm_step_forward("):
        assert text.count(call) == 1, call
    text = text.replace("np.tanh(x @ Wx + prev_h @ Wh + b)", "np.tanh(x @ Wx + prev_h @ Wh)")
    text = text.replace("def lstm_step_forward(", "def lstm_step_forward(*args):\n    raise ValueError('broken')\n\n\ndef _unused_lstm_step_forward(")
    layers.write_text(text)
    _, stdout = _run(folder, course)
    listed = _listed(stdout.splitlines(), "Not done yet")
    firsts = [next(i for i, item in enumerate(listed) if item.startswith(name)) for name in ("rnn_step_forward", "lstm_step_forward")]
    assert firsts[0] == 0 and firsts[0] < firsts[1], listed


def test_an_error_in_student_code_shows_the_file_and_line_once(course, tmp_path):
    folder = _solved_copy(course, tmp_path)
    layers = folder / "cs231n" / "rnn_layers.py"
    text = layers.read_text()
    assert text.count("np.tanh(x @ Wx + prev_h @ Wh + b)") == 1
    layers.write_text(text.replace("np.tanh(x @ Wx + prev_h @ Wh + b)", "np.tanh(x @ Wh + prev_h @ Wh + b)"))
    line = 1 + layers.read_text().split("np.tanh(x @ Wh")[0].count("\n")
    results, stdout = _run(folder, course)
    kind, message = results["test_rnn_step_forward"]
    assert kind == "failed" and "rnn_step_forward raised ValueError" in message
    assert f"(at cs231n/rnn_layers.py:{line})" in message
    assert message.count("raised") == 1 and message.count("(at ") == 1  # said once, where
    assert "During handling" not in stdout and "Traceback" not in stdout


def test_selfcheck_names_the_wrong_values(course, tmp_path):
    """A wrong rnn_step_forward (sigmoid instead of tanh) gets the value message, nothing else."""
    folder = _solved_copy(course, tmp_path)
    layers = folder / "cs231n" / "rnn_layers.py"
    text = layers.read_text()
    assert text.count("np.tanh(x @ Wx + prev_h @ Wh + b)") == 1
    layers.write_text(text.replace("np.tanh(x @ Wx + prev_h @ Wh + b)", "1 / (1 + np.exp(-(x @ Wx + prev_h @ Wh + b)))"))
    results = _run_selfcheck(folder, course)
    assert "rnn_step_forward: next_h differs from the expected values (relative error" in results["test_rnn_step_forward"]


def test_collect_submission_zips_the_student_files_and_refuses_when_one_is_missing(course, tmp_path):
    import zipfile

    folder = _handout_copy(course, tmp_path)
    done = subprocess.run([sys.executable, "collect_submission.py"], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(folder / "rnn_captioning_submission.zip") as archive:
        assert sorted(archive.namelist()) == sorted(course.notebooks + course.student_files)
    (folder / course.student_files[0]).unlink()
    done = subprocess.run([sys.executable, "collect_submission.py"], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 1 and f"missing file(s): {course.student_files[0]}" in done.stderr
    assert "Traceback" not in done.stderr
