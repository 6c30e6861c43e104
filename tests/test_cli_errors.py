"""Output places that cannot be written: one clear line naming the place, exit 1, no traceback."""
from __future__ import annotations

import pytest

from coursekit import cli


@pytest.fixture
def blocked(tmp_path):
    """A path below a regular file: no folder can ever be made there."""
    plain = tmp_path / "a_file"
    plain.write_text("not a folder")
    return plain / "out"


def _fails_cleanly(capsys, argv, blocked) -> str:
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(blocked) in err
    return err


def test_grade_into_a_folder_that_cannot_be_made(capsys, blocked, tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    err = _fails_cleanly(capsys, ["grade", str(sub), "--out", str(blocked)], blocked)
    assert err.startswith("coursekit grade: ")


def test_similarity_into_a_folder_that_cannot_be_made(capsys, blocked, tmp_path):
    subs = []
    for name in ("a", "b"):
        (tmp_path / name / "cs231n" / "classifiers").mkdir(parents=True)
        (tmp_path / name / "cs231n" / "rnn_layers.py").write_text(
            "def rnn_step_forward(x, prev_h, Wx, Wh, b):\n" + f"    x_{name} = [i * 2 for i in range(10)]\n" * 5)
        (tmp_path / name / "cs231n" / "classifiers" / "rnn.py").write_text("y = 1\n")
        subs.append(str(tmp_path / name))
    err = _fails_cleanly(capsys, ["similarity", *subs, "--out", str(blocked)], blocked)
    error = [line for line in err.splitlines() if not line.startswith("similarity: ")]   # after the stages
    assert len(error) == 1 and error[0].startswith("coursekit similarity: ")


def test_handout_into_a_folder_that_cannot_be_made(capsys, blocked):
    target = blocked / "handout.zip"
    err = _fails_cleanly(capsys, ["handout", "--out", str(target)], target)
    assert "cannot write" in err
