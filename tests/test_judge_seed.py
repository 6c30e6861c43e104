"""The hidden suite's seed is the course's secret (coursekit.judge.seed, issue 19): drawn once
per course, kept with the hidden tests (autograder/secret_seed), never in release/, the
handout zip or the kit's source; the Gradescope bundle and the PrairieLearn question carry it.
Two courses draw two seeds (their hidden inputs differ); a regrade in the same course uses the
same one (identical results)."""
from __future__ import annotations

import stat
import zipfile
from argparse import Namespace
from pathlib import Path

import pytest
from helpers_grading import make_submission, replacing

from coursekit.config import load
from coursekit.judge import JudgeError, judge_submission
from coursekit.judge.seed import SEED_ENV, SEED_FILE, course_seed, seed_path

# a bug whose failure message quotes numbers computed on the hidden inputs
NO_BIAS = ("rnn_layers.py", "next_h = np.tanh(x @ Wx + prev_h @ Wh + b)", "next_h = np.tanh(x @ Wx + prev_h @ Wh)")


@pytest.fixture
def own_seeds(monkeypatch):
    """Courses draw their own seeds (the kit's tests otherwise share tests/test_seed)."""
    monkeypatch.delenv(SEED_ENV, raising=False)


def new_course(tmp_path: Path, course, name: str):
    """A course of its own: the real one's files, its own autograder/ without a seed yet."""
    import shutil

    from coursekit.selftest import load_corpus
    harness = load_corpus(Path(__file__).resolve().parent / "corpus").harness
    root = harness.make_course_root(tmp_path / name, course.root)
    (root / "autograder").unlink()
    shutil.copytree(course.dir("autograder"), root / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__", SEED_FILE))
    return load(root)


def bias_bug_output(course, folder: Path) -> str:
    sub = make_submission(folder, course, replacing(NO_BIAS))
    result = judge_submission(sub, config=course, items=["rnn_step_forward"])
    test, = result.tests
    assert test.score < course.points.required["rnn_step_forward"], test.output
    return test.output


def test_two_courses_draw_two_seeds_and_a_regrade_keeps_its_own(tmp_path, course, own_seeds):
    a, b = new_course(tmp_path, course, "a"), new_course(tmp_path, course, "b")
    assert not seed_path(a).exists()
    seed_a = course_seed(a)
    assert seed_path(a).is_file() and course_seed(a) == seed_a == course_seed(load(a.root))
    assert course_seed(b) != seed_a
    assert stat.S_IMODE(seed_path(a).stat().st_mode) == 0o600      # the judge's only
    # the hidden inputs follow: a regrade repeats every number, another course's differ
    first = bias_bug_output(a, tmp_path / "sub1")
    assert bias_bug_output(a, tmp_path / "sub2") == first
    assert bias_bug_output(b, tmp_path / "sub3") != first


def test_the_seed_is_in_neither_release_nor_the_handout_nor_the_kits_source(tmp_path, course, own_seeds):
    from coursekit.handout import write_handout
    course = new_course(tmp_path, course, "own")       # a drawn seed: 19 digits, not the tests' one
    seed = str(course_seed(course))
    roots = [course.dir("release"), course.root / "coursekit", course.dir("autograder") / "tests"]
    for path in (p for root in roots for p in root.rglob("*") if p.is_file()):
        assert path.name != SEED_FILE, path
        assert seed.encode() not in path.read_bytes(), path
    handout = tmp_path / "handout.zip"
    write_handout(course, handout)
    with zipfile.ZipFile(handout) as archive:
        for info in archive.infolist():
            assert SEED_FILE not in info.filename
            assert seed.encode() not in archive.read(info), info.filename


def test_the_gradescope_bundle_and_the_prairielearn_question_carry_it(tmp_path, course, monkeypatch):
    from coursekit.gradescope.cli import run
    from coursekit.prairielearn.question import write_question
    seed = course_seed(course)
    monkeypatch.chdir(course.root)
    bundle = tmp_path / "autograder.zip"
    assert run(Namespace(out=str(bundle), try_uploads=None, try_dir=tmp_path / "try")) == 0
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read(f"autograder/{SEED_FILE}").decode().strip() == str(seed)
    qdir = write_question(course, tmp_path / "pl", image="x", timeout=60, comment="")
    assert (qdir / "tests" / "autograder" / SEED_FILE).read_text().strip() == str(seed)


def test_a_damaged_seed_file_is_a_grader_error_that_says_what_to_do(tmp_path, course, own_seeds):
    broken = new_course(tmp_path, course, "broken")
    seed_path(broken).write_text("not a number\n")
    with pytest.raises(JudgeError, match="delete it to draw a new one"):
        judge_submission(make_submission(tmp_path / "sub", broken), config=broken, items=["rnn_step_forward"])


def test_the_kits_tests_grade_with_the_public_test_seed_and_write_none(tmp_path, course, monkeypatch):
    """$COURSEKIT_SEED_FILE (tests/conftest.py sets it) names the seed; the course's autograder/
    gets none, and the bundles carry that seed."""
    from coursekit.gradescope.bundle import build_bundle
    test_seed = tmp_path / "seed"
    test_seed.write_text("1234567\n")
    monkeypatch.setenv(SEED_ENV, str(test_seed))
    other = new_course(tmp_path, course, "c")
    assert course_seed(other) == 1234567 and seed_path(other) == test_seed
    assert not (other.dir("autograder") / SEED_FILE).exists()
    bundle = tmp_path / "b.zip"
    build_bundle(course.root, course.assignment, bundle, seed=course_seed(other))
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read(f"autograder/{SEED_FILE}") == b"1234567\n"
