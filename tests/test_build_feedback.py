"""coursekit.build.feedback.HideHiddenTests: feedback shows no hidden test (nbgrader 0.9.6's
GenerateFeedback alone would)."""
from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook, new_output

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
