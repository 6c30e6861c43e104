"""docs/WRITING_HIDDEN_TESTS.md's worked example, as written there, in a temporary course:
the new item gets its points from KIT, the reference scores them all and the stubs none."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from coursekit import config
from coursekit.judge import judge_submission

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "WRITING_HIDDEN_TESTS.md"
ITEM = "rnn_step_forward_saturated"

pytestmark = pytest.mark.slow


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("guide-course")
    test_code, points_line = code_blocks(GUIDE.read_text())[:2]
    shutil.copytree(REPO / "autograder", root / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "autograder" / "tests" / "test_saturation.py").write_text(test_code)
    (root / "course_config.py").write_text((REPO / "course_config.py").read_text() + "\n" + points_line)
    for name in ("source", "release", "solutions", "datasets", "build"):
        if (REPO / name).exists():
            (root / name).symlink_to(REPO / name)
    return config.load(root)


def test_the_guide_adds_points_to_kit(course):
    assert course.points.required[ITEM] == 2


def test_reference_scores_the_new_item(course):
    result = judge_submission(course.assignment_dir("solutions"), config=course, items=[ITEM])
    (test,) = result.tests
    assert (test.name, test.score, test.max_score) == (ITEM, 2.0, 2.0), test.output


def test_stubs_score_nothing_on_it(course):
    result = judge_submission(course.assignment_dir("release"), config=course, items=[ITEM])
    (test,) = result.tests
    assert test.score == 0 and "not implemented" in test.output, test.output


def test_an_overflowing_tanh_gets_the_hint(course, tmp_path):
    sub = tmp_path / "sub"
    shutil.copytree(course.assignment_dir("solutions"), sub, ignore=shutil.ignore_patterns("datasets"))
    layers = sub / "cs231n" / "rnn_layers.py"
    layers.write_text(layers.read_text() + (
        "\n\ndef _tanh(a):\n    return (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))\n\n\n"
        "def rnn_step_forward(x, prev_h, Wx, Wh, b):\n"
        "    next_h = _tanh(x @ Wx + prev_h @ Wh + b)\n"
        "    return next_h, (x, prev_h, Wx, Wh, next_h)\n"))
    result = judge_submission(sub, config=course, items=[ITEM])
    (test,) = result.tests
    assert test.score == 0 and "np.tanh" in test.output, test.output
