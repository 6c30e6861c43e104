"""Build the code dir a submission is graded in: the provided cs231n package from release/
plus ONLY the student files (KIT["student_files"]) taken from the submission.

The submission folder is the one coursekit.grading.unpack prepared (the one owner of the
submission's layout): each student file sits at its path relative to the assignment, or is
missing. It is taken as it is; nothing is searched for."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from .sandbox_helpers import __file__ as _HELPERS_FILE

MAX_STUDENT_FILE_BYTES = 2 * 1024 * 1024
HELPERS_MODULE = "ck_judge_helpers.py"
_SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n", re.S | re.M)


def provided_tree(config) -> tuple[Path, bool]:
    """release/<assignment> when built, else source/<assignment> (solutions get stripped)."""
    release = config.assignment_dir("release")
    if (release / "cs231n" / "__init__.py").is_file():
        return release, False
    return config.assignment_dir("source"), True


def strip_solutions(text: str) -> str:
    return _SOLUTION.sub(lambda m: f"{m.group(1)}pass\n", text)


def student_file(submission_dir: Path, rel: str) -> Path | None:
    """`rel` in the prepared submission when it is a regular file within the size limit."""
    path = Path(submission_dir) / rel
    if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_STUDENT_FILE_BYTES:
        return path
    return None


def build_code_dir(submission_dir: Path, dest: Path, config) -> list[str]:
    """Fill `dest` (must not exist) and return the student files the submission lacks."""
    tree, from_source = provided_tree(config)
    shutil.copytree(tree / "cs231n", dest / "cs231n",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    student_files = list(config.student_files)
    if from_source:  # no release yet: the stubs are the source with solution regions removed
        for rel in student_files:
            target = dest / rel
            target.write_text(strip_solutions(target.read_text()))
    missing = []
    for rel in student_files:
        found = student_file(submission_dir, rel)
        if found is None:
            missing.append(rel)
            continue
        shutil.copyfile(found, dest / rel)
    shutil.copyfile(_HELPERS_FILE, dest / HELPERS_MODULE)
    return missing
