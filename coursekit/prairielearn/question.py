"""The PrairieLearn question and its serverFilesCourse part.

    questions/<assignment>/info.json        external grading options (image, entry point,
                                            timeout, serverFilesCourse, no network)
    questions/<assignment>/question.html    a file upload for the zip or the two files
    questions/<assignment>/tests/           course_config.py and autograder/ (the hidden suite)
    serverFilesCourse/coursekit/<assignment>/
        release/<assignment>/               the handout (provided files come from here)
        source/<assignment>/cs231n/         the reference the judge compares with

Only question.html reaches students: PrairieLearn serves neither tests/ nor serverFilesCourse
to them. The question's uuid is derived from the course and the assignment, so an export
written again updates the same question.
"""
from __future__ import annotations

import json
import shutil
import uuid
from html import escape
from pathlib import Path

from ..config import CONFIG_NAME
from ..fileio import write_atomic
from ..judge.seed import SEED_FILE, write_seed_copy
from .layout import ENTRYPOINT, SKIP, server_files

UUID_NAMESPACE = uuid.UUID("6f1d3c2a-8f57-4c4e-9a59-3d1f0c2b7e11")   # the kit's questions
ZIP_NAME = "{assignment}_submission.zip"          # what the handout's collect_submission.py writes

QUESTION_HTML = """\
<pl-question-panel>
  <p>Upload <code>{zip}</code>, the zip that <code>collect_submission.py</code> writes in your
  assignment folder, or your two files <code>{files}</code> (the notebooks may come along).</p>
  <p>The hidden tests grade each function on its own; the LSTM part is extra credit.</p>
  <pl-file-upload optional-file-names="{names}"></pl-file-upload>
</pl-question-panel>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def write_question(course, out: Path, *, image: str, timeout: int, comment: str) -> Path:
    """Write questions/<assignment>/ and serverFilesCourse/...; returns the question folder."""
    a = course.assignment
    qdir = out / "questions" / a
    qdir.mkdir(parents=True, exist_ok=True)
    write_atomic(qdir / "info.json", json.dumps(info_json(course, image, timeout, comment), indent=2) + "\n")
    write_atomic(qdir / "question.html", question_html(course))
    _replace_tree(qdir / "tests" / "autograder", course.dir("autograder"))
    # the course's secret seed travels with the hidden tests (judge/seed.py)
    write_seed_copy(course, qdir / "tests" / "autograder" / SEED_FILE)
    shutil.copy2(course.path, qdir / "tests" / CONFIG_NAME)
    shared = out / "serverFilesCourse" / server_files(a)
    _replace_tree(shared / "release" / a, course.assignment_dir("release"))
    _replace_tree(shared / "source" / a / "cs231n", course.assignment_dir("source") / "cs231n")
    return qdir


def info_json(course, image: str, timeout: int, comment: str) -> dict:
    a = course.assignment
    return {
        "uuid": str(uuid.uuid5(UUID_NAMESPACE, f"{_course_id(course)}/{a}")),
        "title": f"Image Captioning with RNNs ({a})",
        "topic": "Recurrent neural networks",
        "tags": ["coding", "autograded"],
        "type": "v3",
        "gradingMethod": "External",
        "singleVariant": True,
        "partialCredit": True,
        "comment": comment,
        "externalGradingOptions": {
            "enabled": True,
            "image": image,
            "entrypoint": [ENTRYPOINT, "--timeout", str(timeout)],
            "serverFilesCourse": [server_files(a) + "/"],
            "timeout": timeout,
            "enableNetworking": False,
        },
    }


def question_html(course) -> str:
    zip_name = ZIP_NAME.format(assignment=course.assignment)
    names = [zip_name, *(Path(f).name for f in course.student_files), *course.notebooks]
    files = " and ".join(Path(f).name for f in course.student_files)
    return QUESTION_HTML.format(zip=escape(zip_name), files=escape(files),
                                names=escape(", ".join(names)))


def _course_id(course) -> str:
    directory = getattr(course.nbgrader, "CourseDirectory", None)
    course_id = getattr(directory, "course_id", None) if directory is not None else None
    return course_id if isinstance(course_id, str) and course_id else course.assignment


def _replace_tree(dest: Path, src: Path) -> None:
    if not src.is_dir():
        raise FileNotFoundError(2, "missing (run `coursekit build` first?)", str(src))
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=SKIP)
