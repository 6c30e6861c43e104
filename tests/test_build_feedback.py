"""coursekit.build.feedback.HideHiddenTests: feedback shows no hidden test (nbgrader 0.9.6's
GenerateFeedback alone would)."""
from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from test_build_pipeline import tiny_course  # noqa: F401  (fixture: a one-notebook course in tmp_path)

from coursekit.build.feedback import HideHiddenTests


def _autograded_notebook():
    cell = new_code_cell(
        "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(7) == 49, 'f fails on 7'\n### END HIDDEN TESTS",
        metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "t", "points": 1, "locked": True}})
    cell.outputs = [new_output("error", ename="AssertionError", evalue="f fails on 7",
                               traceback=["Traceback", "----> 3 assert f(7) == 49, 'f fails on 7'"])]
    visible = new_code_cell("print(1)")
    visible.outputs = [new_output("stream", name="stdout", text="1\n")]
    nb = new_notebook(cells=[cell, visible])
    return nb


def test_hidden_regions_and_their_traceback_lines_are_removed(course):
    nb, _ = HideHiddenTests(config=course.nbgrader).preprocess(_autograded_notebook(), {})
    graded, visible = nb.cells
    assert graded.source == "assert f(1) == 2"
    assert graded.outputs[0]["traceback"] == ["AssertionError: f fails on 7"]
    assert "f(7)" not in str(graded)
    assert visible.outputs[0]["text"] == "1\n"  # other cells untouched


def test_without_it_nbgrader_feedback_preprocessors_keep_hidden_tests():
    """Documents why the preprocessor is needed: GenerateFeedback's own list has no such step."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.preprocessors import ClearHiddenTests

    defaults = GenerateFeedback.class_traits()["preprocessors"].default()
    assert defaults and not any(issubclass(p, ClearHiddenTests) for p in defaults)


def _feedback_html(course, root, env, extra_config: str) -> str:
    """Autograde alice's submission of the tiny course, then generate_feedback; the HTML."""
    import subprocess
    import sys

    config_file = root / "course_config.py"
    config_file.write_text(config_file.read_text() + extra_config)
    for verb, flags in (("autograde", ["--create", "--force"]), ("generate_feedback", ["--force"])):
        done = subprocess.run([sys.executable, "-m", "nbgrader", verb, "rnn_captioning", *flags,
                               f"--NbGrader.config_file={config_file}", f"--CourseDirectory.root={root}"],
                              cwd=root, capture_output=True, text=True, env=env, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    return (root / "feedback" / "alice" / "rnn_captioning" / "Tiny.html").read_text()


@pytest.mark.slow
def test_feedback_hides_hidden_tests_that_plain_nbgrader_would_show(tiny_course, tmp_path):
    import os
    import shutil
    import sys

    from coursekit.build import build

    root = tiny_course.root
    (root / "build").mkdir()
    build(tiny_course, root, execute_solutions=False, db_url=tiny_course.nbgrader.CourseDirectory.db_url)
    submitted = root / "submitted" / "alice" / "rnn_captioning"
    shutil.copytree(root / "solutions" / "rnn_captioning", submitted)
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))

    safe = _feedback_html(tiny_course, root, env, "")     # course_config.py as shipped
    assert "hidden check" not in safe
    # nbgrader 0.9.6's own feedback preprocessors leak the hidden test into the feedback
    from nbgrader.converters import GenerateFeedback
    defaults = [f"{p.__module__}.{p.__name__}"
                for p in GenerateFeedback.class_traits()["preprocessors"].default()]
    plain = _feedback_html(tiny_course, root, env, f"\nc.GenerateFeedback.preprocessors = {defaults!r}\n")
    assert "hidden check" in plain
    assert "double" in safe and "ones" in safe  # the visible test is still shown (highlighted HTML)

