"""Keep hidden tests out of `nbgrader generate_feedback`.

nbgrader 0.9.6 restores each grade cell from the gradebook when autograding (OverwriteCells),
hidden-test regions included, and GenerateFeedback ([GetGrades, CSSHTMLHeaderPreprocessor])
renders that notebook as it is: the student would read the hidden tests in feedback.html, and a
failing hidden assert would also show its source line in the traceback. This preprocessor removes
the hidden regions and, in those cells, reduces error outputs to the error's name and message.
Enable it in course_config.py:

    c.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades",
        "coursekit.build.feedback.HideHiddenTests",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
"""
from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests


class HideHiddenTests(ClearHiddenTests):
    def preprocess_cell(self, cell, resources, cell_index):
        removed = self._remove_hidden_test_region(cell)
        if removed and cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
