"""The Gradescope bundle, for real (slow): built from this course, installed by its own setup.sh
with the system's python3 (as on Gradescope's Ubuntu image; the apt step left out, the machine
has its packages), then run_autograder on uploads made the way students make them, with the
real judge and sandbox:

- the solutions, zipped by the handout's collect_submission.py: full marks plus extra credit;
- the untouched handout: 0, every test present and failed, a readable report.

tests/test_gradescope_bundle.py covers the bundle's contents and run_autograder's failure paths
with a stand-in judge; this one proves that the bundle alone installs and grades.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


pytestmark = pytest.mark.slow

SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def tried(course, tmp_path_factory):
    """The README's one command: `coursekit gradescope --out autograder.zip --try UPLOAD...` on the
    solutions and the untouched handout, each zipped by collect_submission.py; returns
    ({upload stem: results.json}, the printed summary, the autograder root)."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.skip("needs the system's python3 (/usr/bin/python3), as on Gradescope's image")
    tmp = tmp_path_factory.mktemp("gradescope")
    uploads = [_student_zip(course, tmp / "solved", solved=True), _student_zip(course, tmp / "untouched", solved=False)]
    renamed = []
    for up in uploads:            # one name per upload: the kept results are named after it
        target = up.with_name(f"{up.parent.name}.zip")
        up.rename(target)
        renamed.append(target)
    cmd = [sys.executable, "-m", "coursekit.cli", "gradescope", "--out", str(tmp / "autograder.zip"),
           "--try", *map(str, renamed), "--try-dir", str(tmp / "try")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=course.root)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = {p.stem: json.loads(p.read_text()) for p in (tmp / "try" / "results").glob("*.json")}
    return results, done.stdout, tmp / "try" / "autograder"


def _student_zip(course, folder: Path, solved: bool) -> Path:
    """The handout folder (with the solution files when `solved`), zipped by its
    collect_submission.py as a student would."""
    shutil.copytree(course.assignment_dir("release"), folder)
    if solved:
        for rel in [*course.student_files, *course.notebooks]:
            shutil.copyfile(course.assignment_dir("solutions") / rel, folder / rel)
    done = subprocess.run([sys.executable, "collect_submission.py"], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return folder / "rnn_captioning_submission.zip"


def test_the_bundle_grades_the_solutions_with_full_marks(tried, course):
    results, printed, root = tried
    result = results["solved"]
    points = course.points
    assert result["score"] == pytest.approx(sum(points.required.values()) + sum(points.extra_credit.values()))
    tests = {t["name"]: t for t in result["tests"]}
    assert len(tests) == len(points.required) + len(points.extra_credit)
    full = {**points.required, **points.extra_credit}       # extra credit: max_score 0 on Gradescope
    lost = {n: t["score"] for n, t in tests.items() if t["score"] != pytest.approx(full[n])}
    assert not lost, lost
    assert not result["extra_data"].get("error")
    assert (root / "results" / "feedback.html").is_file()
    assert "graded by your course staff" in result["output"]          # the manual question, on Gradescope
    assert f"solved.zip: score {result['score']:g}" in printed


def test_the_bundle_gives_the_untouched_handout_zero(tried, course):
    results, printed, root = tried
    result = results["untouched"]
    assert result["score"] == 0
    assert len(result["tests"]) == len(course.points.required) + len(course.points.extra_credit)
    assert all(t["score"] == 0 for t in result["tests"])
    assert "not implemented yet" in json.dumps(result)
    assert "untouched.zip: score 0" in printed and "rnn_step_forward" in printed
