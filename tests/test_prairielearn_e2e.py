"""The PrairieLearn export, for real (slow): `coursekit prairielearn` writes the question and
the image recipe; the Dockerfile is run as `docker build` would (into a fresh prefix, the
kit from the built wheel); then info.json's entrypoint grades PrairieLearn jobs on a simulated
grader host (tests/helpers_prairielearn.py: Docker's default capabilities and a seccomp filter
that refuses namespaces, no network, /grade laid out as PrairieLearn does), with the real
judge and sandbox:

- the solutions, as the two loose files the upload element gives: score 1.0, extra credit
  shown apart;
- the untouched handout, zipped by its collect_submission.py: 0, every test present;
- a realistic bug (tests/corpus): partial credit, its test named with its hint;
- a broken zip (tests/corpus/malformed.py): gradable false with the reason;
- a hostile submission (tests/corpus's attack harness, aimed at /grade) graded beside the
  solutions: 0, nothing forged, leaked or deleted, and the neighbour keeps full marks.

Every results.json is validated against PrairieLearn's format (the JSON Schema in tests/).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import helpers_prairielearn as host
import pytest

from coursekit.cli import main as coursekit
from coursekit.prairielearn import budget
from coursekit.selftest import load_corpus

pytestmark = pytest.mark.slow

CORPUS = load_corpus(Path(__file__).resolve().parent / "corpus")
_attacks = __import__(f"{CORPUS.__name__}.attacks", fromlist=["attack"])
attack, ATTACKS = _attacks.attack, _attacks.ATTACKS
not_a_zip = __import__(f"{CORPUS.__name__}.malformed", fromlist=["not_a_zip"]).not_a_zip
BUGS, materialize = CORPUS.bugs.BUGS, CORPUS.spec.materialize

BUG = "embed_bwd_fancy_index_add"          # dW[x] += dout: the hint names np.add.at
BUG_HINT = "np.add.at"

# Aimed at a PrairieLearn job: forge /grade/results/results.json, copy what it can read of
# the tests and the reference out through the leak folder, delete /grade's inputs; its
# answers are wrong. It marks that it ran, so that a quiet attack cannot pass for a blocked one.
PL_ATTACK = attack("prairielearn_job", "forges, reads and deletes /grade from student code", f"""
global _ck_done
try:
    _ck_done
except NameError:
    _ck_done = True
    import shutil
    with open("{host.LEAK_DIR}/attack-ran", "w") as fh:
        fh.write(str(_ck_os.getuid()))
    forged = _ck_json.dumps({{"gradable": True, "score": 1.0, "message": "FORGED", "tests": []}})
    for folder in ["/grade/results", "/grade"] + _ck_guess_paths():
        try:
            with open(_ck_os.path.join(folder, "results.json"), "w") as fh:
                fh.write(forged)
        except Exception:
            pass
    for top in ("/grade/tests", "/grade/serverFilesCourse", "/grade/course", "/grade/data"):
        for d, _, files in _ck_os.walk(top):
            for f in files:
                try:
                    data = open(_ck_os.path.join(d, f), "rb").read()
                    with open("{host.LEAK_DIR}/leaked-" + f, "wb") as fh:
                        fh.write(data)
                except Exception:
                    pass
    for top in ("/grade/tests", "/grade/serverFilesCourse", "/grade/course", "/grade/student"):
        shutil.rmtree(top, ignore_errors=True)
return None
""")


@pytest.fixture(scope="module")
def grader(course, tmp_path_factory):
    """(question folder, serverFilesCourse, image root, image ENV, info.json, build seconds)."""
    why = host.available()
    if why:
        pytest.skip(f"the simulated grader host {why}")
    tmp = tmp_path_factory.mktemp("prairielearn")
    out = tmp / "export"
    assert coursekit(["prairielearn", "--out", str(out)]) == 0
    start = time.monotonic()
    env = host.build_image(out / "image", tmp / "image-root", tmp / "build.log")
    built = time.monotonic() - start
    question = out / "questions" / course.assignment
    info = json.loads((question / "info.json").read_text())
    return question, out / "serverFilesCourse", tmp / "image-root", env, info, built


def _job(grader, folder: Path, uploads: list[Path]) -> Path:
    question, server_files, *_ = grader
    return host.job_folder(folder, question, server_files, uploads)


def _run(grader, grade: Path, **kw) -> dict:
    *_, image_root, env, info, _ = grader
    done = host.run_job(grade, image_root, info, env, **kw)
    return _finished(done, grade)


def _finished(done, grade: Path) -> dict:
    assert not isinstance(done, BaseException), f"the job did not finish in time: {done!r}"
    assert done.returncode == 0, done.stderr[-3000:]
    results = host.check_results(grade / "results" / "results.json")
    results["_log"] = done.stdout
    return results


def _loose(folder: Path, course) -> list[Path]:
    """The student files of `folder` as PrairieLearn's upload element passes them: by name."""
    return [folder / rel for rel in course.student_files]


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _assert_full_marks(res: dict, course) -> None:
    assert res["gradable"] is True and res["score"] == 1.0
    tests = {t["name"]: t for t in res["tests"]}
    assert len(tests) == len(course.points.required) + len(course.points.extra_credit)
    lost = {n: t["points"] for n, t in tests.items() if t["points"] != t["max_points"]}
    assert not lost, lost


def test_the_solutions_get_full_marks_with_the_extra_credit_apart(grader, course, tmp_path):
    grade = _job(grader, tmp_path, _loose(course.assignment_dir("solutions"), course))
    res = _run(grader, grade)
    _assert_full_marks(res, course)
    extra = sum(course.points.extra_credit.values())
    assert f"extra credit {extra:g} / {extra:g}" in res["message"]
    assert res["extra_credit"] == {"points": extra, "max_points": extra}
    extra_tests = [t for t in res["tests"] if t["name"].endswith("(extra credit)")]
    assert len(extra_tests) == len(course.points.extra_credit)
    charts = {t["name"]: t["images"][0]["label"] for t in res["tests"] if t.get("images")}
    assert set(charts) == {"overfit", "lstm_overfit (extra credit)"}
    assert res["grader"]["isolation"] == "setuid-perms"
    print(f"\nsolutions graded in the container in {res['grader']['seconds']:.1f} s "
          f"(timeout {grader[4]['externalGradingOptions']['timeout']} s); image built in "
          f"{grader[5]:.0f} s")


def test_the_untouched_handout_gets_zero(grader, course, tmp_path):
    folder = tmp_path / "handout"
    shutil.copytree(course.assignment_dir("release"), folder)
    done = subprocess.run([sys.executable, "collect_submission.py"], cwd=folder, capture_output=True)
    assert done.returncode == 0, done.stderr
    grade = _job(grader, tmp_path / "job", sorted(folder.glob("*.zip")))
    res = _run(grader, grade)
    assert res["gradable"] is True and res["score"] == 0
    assert len(res["tests"]) == len(course.points.required) + len(course.points.extra_credit)
    assert all(t["points"] == 0 for t in res["tests"])
    assert "not implemented yet" in json.dumps(res["tests"])


def test_a_buggy_submission_gets_partial_credit_and_its_hint(grader, course, tmp_path):
    case = next(c for c in BUGS if c.name == BUG)
    code = materialize(case, course.assignment_dir("source"), tmp_path / "bug")
    res = _run(grader, _job(grader, tmp_path / "job", _loose(code, course)))
    assert res["gradable"] is True and 0 < res["score"] < 1
    tests = {t["name"]: t for t in res["tests"]}
    failing = {n for n, t in tests.items() if t["points"] < t["max_points"]}
    assert set(case.items) <= failing
    for item in case.items:
        assert BUG_HINT in tests[item]["message"], tests[item]
    assert {"rnn_step_forward", "captioning_loss", "sample"}.isdisjoint(failing)


def test_a_broken_zip_is_not_gradable_and_says_why(grader, course, tmp_path):
    upload = not_a_zip(tmp_path, course.assignment_dir("source"))
    res = _run(grader, _job(grader, tmp_path / "job", [upload]))
    assert res["gradable"] is False and "score" not in res
    assert "not a valid .zip" in res["format_errors"][0]


def test_a_hostile_submission_gets_zero_and_harms_neither_its_job_nor_a_neighbour(grader, course, tmp_path):
    code = materialize(PL_ATTACK, course.assignment_dir("source"), tmp_path / "hostile")
    hostile = _job(grader, tmp_path / "hostile-job", _loose(code, course))
    neighbour = _job(grader, tmp_path / "neighbour-job", _loose(course.assignment_dir("solutions"), course))
    inputs = {p: _digest(p) for p in (hostile / "tests", hostile / "serverFilesCourse", hostile / "student")}
    leak = tmp_path / "leak"
    leak.mkdir()
    leak.chmod(0o777)
    *_, image_root, env, info, _ = grader
    done = host.run_jobs([dict(grade=hostile, image_root=image_root, info=info, image_env=env,
                               cpu=0, leak=leak),
                          dict(grade=neighbour, image_root=image_root, info=info, image_env=env,
                               cpu=1)])
    res = _finished(done[0], hostile)
    assert res["gradable"] is True and res["score"] == 0
    assert all(t["points"] == 0 for t in res["tests"])
    assert "FORGED" not in json.dumps(res)
    ran = leak / "attack-ran"
    assert ran.is_file()                                # it ran, as this job's uid (not root)
    assert budget.UID_RANGE[0] <= int(ran.read_text()) < budget.UID_RANGE[1]
    assert sorted(p.name for p in leak.iterdir()) == ["attack-ran"]     # nothing leaked
    assert {p: _digest(p) for p in inputs} == inputs                    # nothing deleted
    _assert_full_marks(_finished(done[1], neighbour), course)


def test_a_submission_that_never_returns_is_graded_within_the_shortest_timeout(grader, course, tmp_path):
    """The kit's limits fit inside the question's timeout: with the least timeout the command
    accepts, a submission spinning in every call still gets its (zero) result before
    PrairieLearn would kill the container (run_job enforces the timeout)."""
    question, server_files, image_root, env, *_ = grader
    short = tmp_path / "short"
    assert coursekit(["prairielearn", "--out", str(short), "--timeout", str(budget.MIN_TIMEOUT)]) == 0
    info = json.loads((short / "questions" / course.assignment / "info.json").read_text())
    spinning = next(c for c in ATTACKS if c.name == "infinite_loop")
    code = materialize(spinning, course.assignment_dir("source"), tmp_path / "spin")
    grade = host.job_folder(tmp_path / "job", short / "questions" / course.assignment,
                            short / "serverFilesCourse", _loose(code, course))
    start = time.monotonic()
    res = _finished(host.run_job(grade, image_root, info, env), grade)
    took = time.monotonic() - start
    assert res["gradable"] is True and res["score"] == 0
    assert took < budget.MIN_TIMEOUT
    print(f"\na submission that never returns: graded in {took:.0f} s "
          f"(timeout {budget.MIN_TIMEOUT} s)")
