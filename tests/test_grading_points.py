"""One source of points: KIT's points reach the notebooks' grade cells through the build, and a
grade cell the kit does not know (with points) or a manual question without a cell fails."""
from __future__ import annotations

import dataclasses
import json

import pytest

from coursekit.build.errors import BuildError
from coursekit.build.notebooks import stage_notebooks
from coursekit.build.transforms import SetGradePoints
from coursekit.build.transforms.grade_points import kit_points


def _grade_cells(path):
    nb = json.loads(path.read_text())
    return {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"].get("points")
            for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


def _with_points(course, required=None, manual=None):
    points = dataclasses.replace(course.points, required=required or course.points.required,
                                 manual=manual or course.points.manual)
    return dataclasses.replace(course, points=points)


def _staged(changed, tmp_path):
    folder = stage_notebooks(changed, tmp_path / "staging")
    SetGradePoints(changed)(folder, changed.notebooks)
    return {name: _grade_cells(folder / name) for name in changed.notebooks}


def test_committed_handout_carries_kits_points(course):
    points = kit_points(course)
    seen = {}
    for name in course.notebooks:
        seen.update(_grade_cells(course.assignment_dir("release") / name))
    for gid, value in seen.items():
        assert value == points.get(gid, 0), gid
    assert set(course.points.manual) <= set(seen)


def test_a_change_in_kit_reaches_the_grade_cells(course, tmp_path):
    changed = _with_points(course, required={**course.points.required, "rnn_backward": 12},
                           manual={**course.points.manual, "inline_question_1": 6})
    cells = _staged(changed, tmp_path)
    assert cells["RNN_Captioning.ipynb"]["rnn_backward"] == 12
    assert cells["RNN_Captioning.ipynb"]["inline_question_1"] == 6


def test_unknown_grade_cell_with_points_fails(course, tmp_path):
    required = {k: v for k, v in course.points.required.items() if k != "sample"}
    with pytest.raises(BuildError, match="'sample' has 7 points but course_config.py KIT has no entry"):
        _staged(_with_points(course, required=required), tmp_path)


def test_manual_question_without_a_cell_fails(course, tmp_path):
    changed = _with_points(course, manual={**course.points.manual, "inline_question_9": 2})
    with pytest.raises(BuildError, match="inline_question_9 but no notebook has a grade cell"):
        _staged(changed, tmp_path)
