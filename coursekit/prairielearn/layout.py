"""Where things are: in the grader image, in the question, and in the container's /grade.

PrairieLearn copies the question's tests/ to /grade/tests, the listed serverFilesCourse
folders to /grade/serverFilesCourse and the student's files to /grade/student. The kit needs
one course folder (course_config.py, autograder/, release/, source/), so `assemble` lays it
out as /grade/course from those pieces, with a course_config.py that is the question's plus
the limits fitted to this job (budget.py), the image's embedded dataset and this job's uids.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from ..config import CONFIG_NAME, ConfigError, load

IMAGE_PREFIX = "/opt/coursekit"               # everything the Dockerfile installs
VENV = f"{IMAGE_PREFIX}/venv"
IMAGE_DATASET = f"{IMAGE_PREFIX}/datasets/embedded"   # generated when the image is built
ENTRYPOINT = f"{IMAGE_PREFIX}/bin/grade"
GRADE = "/grade"
COURSE = "course"                             # /grade/course: the course folder for grading
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


class LayoutError(Exception):
    """/grade does not hold what the question should have brought (a setup problem)."""


def server_files(assignment: str) -> str:
    """The question's folder under serverFilesCourse (as info.json lists it)."""
    return f"coursekit/{assignment}"


def assemble(grade: Path, budget, uid_pool, dataset: str = IMAGE_DATASET) -> Path:
    """Lay out GRADE/course for grading, with the embedded dataset at `dataset`; returns it.
    Raises LayoutError for missing pieces."""
    grade = Path(grade)
    question_config = grade / "tests" / CONFIG_NAME
    if not question_config.is_file():
        raise LayoutError(f"{question_config} is missing: the question's tests/ folder must hold "
                          "the course_config.py that `coursekit prairielearn` wrote")
    root = grade / COURSE
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(mode=0o700)
    (root / CONFIG_NAME).write_text(question_config.read_text(encoding="utf-8")
                                    + appended_config(budget, uid_pool, dataset), encoding="utf-8")
    assignment = _load(root).assignment
    shared = grade / "serverFilesCourse" / server_files(assignment)
    for rel, src in (("autograder", grade / "tests" / "autograder"),
                     (f"release/{assignment}", shared / "release" / assignment),
                     (f"source/{assignment}/cs231n", shared / "source" / assignment / "cs231n")):
        if not src.is_dir():
            raise LayoutError(f"{src} is missing: copy the question's tests/ and serverFilesCourse/"
                              f"{server_files(assignment)} as `coursekit prairielearn` wrote them, "
                              "and list the latter in info.json's serverFilesCourse")
        shutil.copytree(src, root / rel, ignore=SKIP)
    _load(root)                                   # validated again, with source/ in place
    return root


def appended_config(budget, uid_pool, dataset: str) -> str:
    """What the container appends to the question's course_config.py."""
    return (
        "\n\n# ---- appended in the grader container (coursekit.prairielearn.layout) ----\n"
        f"# Limits fitted inside the question's timeout of {budget.timeout} s, the grader\n"
        "# image's embedded dataset, and this grading job's own sandbox uids.\n"
        f'KIT["limits"] = {{**KIT.get("limits", {{}}), **{budget.kit_limits()!r}}}\n'
        f'KIT["dataset"] = {{**KIT.get("dataset", {{}}), "embedded_dir": {str(dataset)!r}}}\n'
        f'KIT["sandbox_uid_base"] = {uid_pool.uid_base!r}\n'
        f'KIT["sandbox_uid_pool"] = {uid_pool.uid_pool!r}\n')


def _load(root: Path):
    try:
        return load(root)
    except ConfigError as exc:
        raise LayoutError(f"the question's course_config.py: {exc}") from None
