"""`coursekit prairielearn`: the question, the image recipe, the timeout, and the entry point
run against a temp /grade with a stand-in judge (failure paths, formats). The real image,
sandbox and judge on a simulated grader host: tests/test_prairielearn_e2e.py."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from helpers_grading import fake_judge, make_zip_submission
from helpers_prairielearn import SCHEMA, check_results, job_folder, parse_dockerfile

from coursekit.cli import main as coursekit
from coursekit.prairielearn import budget
from coursekit.prairielearn.layout import ENTRYPOINT, VENV
from coursekit.prairielearn.results import to_prairielearn
from coursekit.report.results import GradingResult
from coursekit.report.results import TestResult as ItemResult

MEASURED = re.compile(r"measured grading time of ([0-9.]+) s")
NETWORK_TOOLS = ("pip", "curl", "wget", "apt-get", "git", "urllib", "http://", "https://")


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """The command's output folder, the timeout measured by grading the solutions once."""
    out = tmp_path_factory.mktemp("pl") / "out"
    assert coursekit(["prairielearn", "--out", str(out)]) == 0
    return out


def _info(out: Path, course) -> dict:
    return json.loads((out / "questions" / course.assignment / "info.json").read_text())


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def test_info_json_sets_external_grading_with_the_measured_timeout(export, course):
    info = _info(export, course)
    assert {"uuid", "type", "title", "topic"} <= set(info) and info["type"] == "v3"
    assert info["gradingMethod"] == "External"
    options = info["externalGradingOptions"]
    assert options["enabled"] is True and options["enableNetworking"] is False
    timeout = options["timeout"]
    measured = float(MEASURED.search(info["comment"]).group(1))
    assert 0 < measured < timeout
    # the comment rounds the measured time to 0.01 s
    assert budget.question_timeout(measured - 0.005) <= timeout <= budget.question_timeout(measured + 0.005)
    assert budget.MIN_TIMEOUT <= timeout <= budget.MAX_TIMEOUT
    assert options["entrypoint"] == [ENTRYPOINT, "--timeout", str(timeout)]
    for rel in options["serverFilesCourse"]:
        assert (export / "serverFilesCourse" / rel).is_dir(), rel


def test_the_question_holds_the_hidden_suite_and_the_server_files_the_course(export, course):
    qdir = export / "questions" / course.assignment
    from coursekit.judge.seed import SEED_FILE, course_seed
    exported = _files(qdir / "tests" / "autograder")
    assert exported.pop(SEED_FILE) == f"{course_seed(course)}\n".encode()    # the course's seed
    assert exported == {k: v for k, v in _files(course.dir("autograder")).items() if k != SEED_FILE}
    assert (qdir / "tests" / "course_config.py").read_bytes() == course.path.read_bytes()
    shared = export / "serverFilesCourse" / "coursekit" / course.assignment
    assert _files(shared / "release" / course.assignment) == _files(course.assignment_dir("release"))
    reference = course.assignment_dir("source") / "cs231n"
    assert _files(shared / "source" / course.assignment / "cs231n") == _files(reference)
    solutions = _files(course.assignment_dir("solutions"))
    shipped = set(_files(export).values())
    leaked = [rel for rel, data in solutions.items() if rel.endswith(".ipynb") and data in shipped]
    assert not leaked, leaked          # the executed solution notebooks stay home


def test_question_html_offers_the_upload_students_make(export, course):
    html = (export / "questions" / course.assignment / "question.html").read_text()
    collect = (course.assignment_dir("release") / "collect_submission.py").read_text()
    zip_name = re.search(r'^ZIP_NAME = "([^"]+)"', collect, re.M).group(1)
    upload = re.search(r'<pl-file-upload optional-file-names="([^"]+)">', html).group(1)
    names = [n.strip() for n in upload.split(",")]
    assert zip_name in names
    assert {Path(f).name for f in course.student_files} <= set(names)
    assert "<pl-external-grader-results>" in html
    assert "SOLUTION" not in html and "coursekit" not in html.lower()


def test_the_dockerfile_installs_the_wheel_and_the_entry_point_without_network_at_grading(export, course):
    context = export / "image"
    steps = parse_dockerfile((context / "Dockerfile").read_text())
    assert steps[0][0] == "FROM" and steps[0][1].startswith("python:")
    wheels = list(context.glob("coursekit-*.whl"))
    assert len(wheels) == 1
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert {"coursekit/prairielearn/run.py", "coursekit/report/templates/feedback.html.j2"} <= set(names)
    copies = " ".join(args for word, args in steps if word == "COPY")
    runs = [args for word, args in steps if word == "RUN"]
    assert wheels[0].name in copies and "grade" in copies.split()
    assert any(f"{VENV}/bin/python -m pip install" in r and wheels[0].name in r for r in runs)
    assert any("coursekit.cli data" in r for r in runs)            # the dataset, at build time
    assert any("install -m 0755" in r and ENTRYPOINT in r for r in runs)
    assert (context / "course_config.py").read_bytes() == course.path.read_bytes()
    script = context / "grade"
    assert os.access(script, os.X_OK)
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    secret = {**_files(course.dir("autograder")), **_files(course.assignment_dir("source") / "cs231n")}
    secret = {data for rel, data in secret.items()
              if rel.startswith("tests/") or (rel.endswith(".py") and b"SOLUTION" in data)}
    shipped = set(_files(context).values())
    with zipfile.ZipFile(wheels[0]) as wheel:
        shipped |= {wheel.read(n) for n in wheel.namelist()}
    assert secret and not secret & shipped          # the image may be public: no tests, no reference
    cmd = " ".join(args for word, args in steps if word == "CMD")
    for text in (script.read_text(), cmd):
        assert not [tool for tool in NETWORK_TOOLS if tool in text]


def test_a_second_export_keeps_the_uuid_and_takes_a_given_timeout(export, course, tmp_path):
    out = tmp_path / "again"
    shutil.copytree(export, out)
    before = _info(out, course)["uuid"]
    assert coursekit(["prairielearn", "--out", str(out), "--timeout", "100"]) == 0
    info = _info(out, course)
    assert info["uuid"] == before
    assert info["externalGradingOptions"]["timeout"] == 100
    assert info["externalGradingOptions"]["entrypoint"][-1] == "100"


@pytest.mark.parametrize("args, message", [
    (["--timeout", str(budget.MIN_TIMEOUT - 1)], "timeout must be between"),
    (["--timeout", str(budget.MAX_TIMEOUT + 1)], "timeout must be between"),
    (["--image", "My Image"], "not a Docker image name"),
])
def test_bad_options_are_refused_with_a_message(args, message, tmp_path, capsys):
    assert coursekit(["prairielearn", "--out", str(tmp_path / "o"), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_folder_the_command_did_not_write_is_left_alone(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("keep me")
    assert coursekit(["prairielearn", "--out", str(tmp_path), "--timeout", "100"]) == 2
    assert "did not write" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_the_kit_limits_fit_inside_any_timeout_and_the_container(course):
    for timeout in range(budget.MIN_TIMEOUT, budget.MAX_TIMEOUT + 1):
        fitted = budget.fit(course.limits, timeout)
        limits = fitted.limits
        assert limits.wall_seconds + budget.JUDGE_MARGIN <= fitted.judge_seconds
        assert fitted.judge_seconds + budget.REPORT_RESERVE <= timeout
        assert limits.wall_seconds >= budget.MIN_WALL
        assert limits.call_seconds <= limits.wall_seconds >= limits.cpu_seconds
        assert limits.memory_mb * budget.WORKERS_IN_MEMORY <= budget.CONTAINER_MEMORY_MB
    assert budget.fit(course.limits, budget.MAX_TIMEOUT).limits.wall_seconds == course.limits.wall_seconds


def test_the_timeout_grows_with_the_grading_time_up_to_prairielearns_maximum():
    times = [budget.question_timeout(s) for s in (0.1, 3, 10, 30, 1000)]
    assert times == sorted(times) and times[0] == budget.MIN_TIMEOUT
    assert times[-1] == budget.MAX_TIMEOUT
    assert budget.question_timeout(3) >= budget.SLOWDOWN * 3


# ----------------------------------------------------------------------------- entry point
@pytest.fixture
def grade_dir(export, course, tmp_path, monkeypatch):
    """A /grade laid out as PrairieLearn does, with an empty student/ and a stand-in judge."""
    judge = fake_judge(tmp_path, course, monkeypatch)
    monkeypatch.setenv("COURSEKIT_JUDGE_CMD", " ".join(judge))
    question = export / "questions" / course.assignment
    return job_folder(tmp_path / "job", question, export / "serverFilesCourse", [])


def _grade(export, course, grade: Path, python: str = sys.executable) -> dict:
    info = _info(export, course)
    args = info["externalGradingOptions"]["entrypoint"][1:]
    env = {**os.environ, "COURSEKIT_GRADE_DIR": str(grade), "COURSEKIT_PYTHON": python,
           "COURSEKIT_PL_DATASET": str(course.embedded_dataset)}
    env.pop("COURSEKIT_ROOT", None)
    done = subprocess.run(["bash", str(export / "image" / "grade"), *args], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return check_results(grade / "results" / "results.json")


def _loose_files(grade: Path, course, mode: str) -> None:
    for rel in course.student_files:
        text = (course.assignment_dir("solutions") / rel).read_text()
        (grade / "student" / Path(rel).name).write_text(f"# FAKE: {mode}\n" + text)


def test_loose_files_get_the_required_fraction_as_score_and_the_extra_credit_apart(export, course, grade_dir):
    _loose_files(grade_dir, course, "half")
    res = _grade(export, course, grade_dir)
    points = course.points
    required, extra = sum(points.required.values()), sum(points.extra_credit.values())
    assert res["gradable"] is True
    assert res["score"] == pytest.approx(0.5)           # the extra credit is not in it
    assert res["extra_credit"] == {"points": extra, "max_points": extra}
    assert f"Hidden test suite: {required / 2:g} / {required:g}" in res["message"]
    assert f"extra credit {extra:g} / {extra:g}" in res["message"]
    tests = {t["name"]: t for t in res["tests"]}
    assert {f"{n} (extra credit)" for n in points.extra_credit} <= set(tests)
    for name, full in points.required.items():
        assert tests[name]["max_points"] == full and tests[name]["points"] == pytest.approx(full / 2)
    chart = tests["overfit"]["images"][0]
    assert chart["url"].startswith("data:image/svg+xml;base64,")
    assert res["grader"]["isolation"] == "fake"


def test_the_zip_collect_submission_writes_is_graded(export, course, grade_dir):
    make_zip_submission(grade_dir / "student" / "rnn_captioning_submission.zip", course)
    assert _grade(export, course, grade_dir)["score"] == 1.0


@pytest.mark.parametrize("case, reason", [
    ("not_a_zip", "zip"),
    ("no_files", "no assignment files"),
    ("judge_crash", "grader"),
    ("no_server_files", "serverFilesCourse"),
    ("python_broken", "the grader failed"),
])
def test_an_upload_or_grader_problem_is_not_gradable_and_says_why(case, reason, export, course, grade_dir):
    python = sys.executable
    if case == "not_a_zip":
        (grade_dir / "student" / "rnn_captioning_submission.zip").write_bytes(b"my homework\n" * 50)
    elif case == "no_files":
        (grade_dir / "student" / "notes.txt").write_text("oops")
    else:
        _loose_files(grade_dir, course, "crash" if case == "judge_crash" else "full")
    if case == "no_server_files":
        shutil.rmtree(grade_dir / "serverFilesCourse")
    if case == "python_broken":
        python = "/bin/false"
    res = _grade(export, course, grade_dir, python)
    assert res["gradable"] is False and "score" not in res
    assert reason.lower() in " ".join(res["format_errors"]).lower()
    assert "not counted" in res["message"]


def test_a_huge_report_is_cut_below_prairielearns_1_mb(tmp_path, course):
    tests = [ItemResult(name=n, number=str(i), score=0.0, max_score=float(p), output="x" * 300_000,
                        hint="h" * 100_000)
             for i, (n, p) in enumerate(course.points.required.items())]
    result = GradingResult(submission="s", tests=tests, output="y" * 300_000,
                           extra_data={"overfit": {"loss_history": [1.0] * 2000}})
    path = tmp_path / "results.json"
    from coursekit.prairielearn.results import dumps
    path.write_text(dumps(to_prairielearn(result)))
    res = check_results(path)
    assert res["score"] == 0 and len(res["tests"]) == len(tests)
    assert all("cut" in t["output"] for t in res["tests"])


@pytest.mark.parametrize("bad", [
    {"message": "no score"}, {"score": 1.5}, {"gradable": False},
    {"score": 1, "tests": [{"name": "t", "score": 3}]},
    {"score": 1, "images": [{"url": "https://example.com/chart.png"}]},
])
def test_the_schema_rejects_what_prairielearn_would_not_take(bad):
    schema = json.loads(SCHEMA.read_text())
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)


def test_a_question_without_the_courses_seed_is_not_gradable_and_draws_none(export, course, grade_dir,
                                                                             monkeypatch):
    """The container never draws a seed of its own: its regrades would grade other inputs."""
    from coursekit.judge.seed import SEED_ENV, SEED_FILE
    monkeypatch.delenv(SEED_ENV, raising=False)
    seeds = list(grade_dir.rglob(SEED_FILE))
    assert seeds, "the question carries the course's seed"
    for seed in seeds:
        seed.unlink()
    _loose_files(grade_dir, course, "full")
    res = _grade(export, course, grade_dir)
    assert res["gradable"] is False
    assert "without the course's seed" in " ".join(res["format_errors"])
    assert not list(grade_dir.rglob(SEED_FILE))
