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
import zipfile
from pathlib import Path

import pytest

from coursekit.gradescope.bundle import build_bundle

pytestmark = pytest.mark.slow

SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def installed(course, tmp_path_factory):
    """(autograder root, venv): the bundle unzipped into ROOT/source and set up."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.skip("needs the system's python3 (/usr/bin/python3), as on Gradescope's image")
    tmp = tmp_path_factory.mktemp("gradescope")
    bundle = tmp / "autograder.zip"
    build_bundle(course.root, course.assignment, bundle)
    root, venv = tmp / "autograder", tmp / "venv"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        (root / "source" / script).chmod(0o755)
    env = {**_clean_env(tmp), "COURSEKIT_VENV": str(venv), "COURSEKIT_SKIP_APT": "1"}
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, cwd=tmp,
                           capture_output=True, text=True, timeout=1800)
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    version = subprocess.run([str(venv / "bin" / "python"), "-c", "import sys; print(sys.executable)"],
                             capture_output=True, text=True, env=env).stdout
    assert version.strip().startswith(str(venv))
    return root, venv


def _clean_env(tmp: Path) -> dict:
    """The test's environment without anything that points at this checkout or its venv."""
    drop = ("COURSEKIT_ROOT", "COURSEKIT_JUDGE_CMD", "VIRTUAL_ENV", "PYTHONPATH", "PYTEST_ADDOPTS",
            "CS231N_DATA_DIR")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = os.pathsep.join(["/usr/local/bin", "/usr/bin", "/bin"])   # python3: the system's
    env["HOME"] = str(tmp / "home")
    return env


def _grade(root: Path, venv: Path, upload: Path) -> dict:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir(parents=True)
    shutil.copy(upload, submission / upload.name)
    env = _clean_env(root.parent)
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")],
                         env={**env, "AUTOGRADER_ROOT": str(root), "COURSEKIT_VENV": str(venv)},
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


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


def test_the_bundle_grades_the_solutions_with_full_marks(installed, course, tmp_path):
    root, venv = installed
    result = _grade(root, venv, _student_zip(course, tmp_path / "solved", solved=True))
    points = course.points
    assert result["score"] == pytest.approx(sum(points.required.values()) + sum(points.extra_credit.values()))
    tests = {t["name"]: t for t in result["tests"]}
    assert len(tests) == len(points.required) + len(points.extra_credit)
    full = {**points.required, **points.extra_credit}       # extra credit: max_score 0 on Gradescope
    lost = {n: t["score"] for n, t in tests.items() if t["score"] != pytest.approx(full[n])}
    assert not lost, lost
    assert not result["extra_data"].get("error")
    assert (root / "results" / "feedback.html").is_file()


def test_the_bundle_gives_the_untouched_handout_zero(installed, course, tmp_path):
    root, venv = installed
    result = _grade(root, venv, _student_zip(course, tmp_path / "untouched", solved=False))
    assert result["score"] == 0
    assert len(result["tests"]) == len(course.points.required) + len(course.points.extra_credit)
    assert all(t["score"] == 0 for t in result["tests"])
    assert "not implemented yet" in json.dumps(result)
    html = (root / "results" / "feedback.html").read_text(encoding="utf-8")
    assert "rnn_step_forward" in html
