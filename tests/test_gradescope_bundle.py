"""The Gradescope bundle: contents, script syntax, and run_autograder against a temp /autograder."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers_grading import fake_judge, make_dir_submission, make_zip_submission

from coursekit.gradescope.bundle import BundleError, build_bundle

PYTHON = sys.executable


def _kit_root(tmp: Path, course) -> Path:
    """A copy of the course tree with what the bundle needs (a stub release/ if not built yet)."""
    root = tmp / "kit"
    root.mkdir()
    for name in ("course_config.py", "pyproject.toml", "README.md"):
        if (course.root / name).is_file():
            shutil.copy(course.root / name, root / name)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(course.root / "coursekit", root / "coursekit", ignore=ignore)
    shutil.copytree(course.root / "autograder", root / "autograder", ignore=ignore)
    ref = course.assignment_dir("source") / "cs231n"
    shutil.copytree(ref, root / "source" / course.assignment / "cs231n", ignore=ignore)
    (root / "solutions" / course.assignment).mkdir(parents=True)
    (root / "solutions" / course.assignment / "SECRET.txt").write_text("solutions")
    release = course.assignment_dir("release")
    if release.is_dir():
        shutil.copytree(release, root / "release" / course.assignment, ignore=ignore)
    else:
        shutil.copytree(ref, root / "release" / course.assignment / "cs231n", ignore=ignore)
    return root


@pytest.fixture
def autograder(tmp_path, course):
    """A temp stand-in for /autograder with the unzipped bundle in source/."""
    bundle = tmp_path / "autograder.zip"
    build_bundle(_kit_root(tmp_path, course), course.assignment, bundle)
    ag = tmp_path / "ag"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(ag / "source")
    return ag


def _run(ag: Path, env: dict) -> dict:
    full_env = {**os.environ, "AUTOGRADER_ROOT": str(ag), "AUTOGRADER_PYTHON": PYTHON, **env}
    full_env.pop("COURSEKIT_ROOT", None)
    proc = subprocess.run(["bash", str(ag / "source" / "run_autograder")], env=full_env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads((ag / "results" / "results.json").read_text())


def test_bundle_contents_and_script_syntax(tmp_path, course):
    bundle = tmp_path / "a.zip"
    build_bundle(_kit_root(tmp_path, course), course.assignment, bundle)
    names = zipfile.ZipFile(bundle).namelist()
    a = course.assignment
    assert {"setup.sh", "run_autograder", "course_config.py", "coursekit/gradescope/run.py"} <= set(names)
    assert any(n.startswith(f"release/{a}/") for n in names)
    assert f"source/{a}/cs231n/rnn_layers.py" in names
    assert not any(n.startswith(("solutions/", "tests/", "datasets/")) or "__pycache__" in n for n in names)
    again = tmp_path / "b.zip"
    build_bundle(tmp_path / "kit", a, again)
    assert again.read_bytes() == bundle.read_bytes()            # reproducible
    with zipfile.ZipFile(bundle) as zf:
        for script in ("setup.sh", "run_autograder"):
            path = tmp_path / script
            path.write_bytes(zf.read(script))
            assert subprocess.run(["bash", "-n", str(path)]).returncode == 0
            assert zf.getinfo(script).external_attr >> 16 & 0o111
        assert b"apt-get install" in zf.read("setup.sh") and b"bubblewrap" in zf.read("setup.sh")


def test_bundle_refuses_without_release(tmp_path, course):
    root = _kit_root(tmp_path, course)
    shutil.rmtree(root / "release")
    with pytest.raises(BundleError, match="release"):
        build_bundle(root, course.assignment, tmp_path / "x.zip")


def test_run_autograder_grades_a_submission(autograder, tmp_path, course, monkeypatch):
    judge = fake_judge(tmp_path, course, monkeypatch)
    make_dir_submission(autograder / "submission", course, "half")
    res = _run(autograder, {"COURSEKIT_JUDGE_CMD": " ".join(judge)})
    assert res["score"] == sum(course.points.required.values()) / 2 + sum(course.points.extra_credit.values())
    assert len(res["tests"]) == len(course.points.required) + len(course.points.extra_credit)
    assert (autograder / "results" / "feedback.html").is_file()
    if os.geteuid() == 0:   # secrets unreadable by the sandbox uids (setuid-perms level)
        for folder in (autograder, autograder / "source", autograder / "results"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_run_autograder_accepts_a_zip_upload(autograder, tmp_path, course, monkeypatch):
    judge = fake_judge(tmp_path, course, monkeypatch)
    (autograder / "submission").mkdir()
    make_zip_submission(autograder / "submission" / "hw.zip", course, top="hw/")
    res = _run(autograder, {"COURSEKIT_JUDGE_CMD": " ".join(judge)})
    assert res["score"] > 0 and not res["extra_data"]["error"]


@pytest.mark.parametrize("case", ["no_files", "judge_crash", "python_broken"])
def test_run_autograder_writes_crashed_results(case, autograder, tmp_path, course, monkeypatch):
    judge = fake_judge(tmp_path, course, monkeypatch)
    env = {"COURSEKIT_JUDGE_CMD": " ".join(judge)}
    if case == "no_files":
        (autograder / "submission").mkdir()
        (autograder / "submission" / "notes.txt").write_text("oops")
    else:
        make_dir_submission(autograder / "submission", course, "crash")
    if case == "python_broken":
        env["AUTOGRADER_PYTHON"] = "/bin/false"
    res = _run(autograder, env)
    assert res["score"] == 0 and res["tests"] == []
    assert "could not be graded" in res["output"]
    assert res["extra_data"]["error"]


def test_run_autograder_without_the_courses_seed_says_so_and_draws_none(autograder, tmp_path, course,
                                                                          monkeypatch):
    """A container never draws a seed of its own (its regrades would grade other inputs)."""
    from coursekit.judge.seed import SEED_ENV, SEED_FILE
    judge = fake_judge(tmp_path, course, monkeypatch)
    monkeypatch.delenv(SEED_ENV, raising=False)
    seed = autograder / "source" / "autograder" / SEED_FILE
    seed.unlink(missing_ok=True)
    make_dir_submission(autograder / "submission", course, "half")
    res = _run(autograder, {"COURSEKIT_JUDGE_CMD": " ".join(judge)})
    assert res["score"] == 0 and res["tests"] == []
    assert "without the course's seed" in res["extra_data"]["error"], res["extra_data"]
    assert not seed.exists()
