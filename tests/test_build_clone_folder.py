"""solutions/ does not depend on the folder the kit is cloned into (issue 10, point 9): a build
in a copy of the course under a longer path gives the committed solutions/ byte for byte,
executed outputs included (`coursekit build --check` ignores outputs, so it cannot see this), except
those of cells tagged nbio.TIMING_TAG, which depend on the machine's speed."""
from __future__ import annotations

import shutil

import pytest

from coursekit import config
from coursekit.build import nbio
from coursekit.build.builder import build

pytestmark = pytest.mark.slow


def test_solutions_are_the_same_in_a_clone_with_a_longer_path(course, tmp_path):
    if not (course.embedded_dataset / "manifest.json").is_file():
        pytest.skip("embedded dataset not generated (coursekit data)")
    clone = tmp_path / "a-clone-folder-with-a-much-longer-name-than-the-original" / "kit"
    clone.mkdir(parents=True)
    shutil.copy(course.root / "course_config.py", clone / "course_config.py")
    shutil.copytree(course.root / "source", clone / "source",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    shutil.copytree(course.embedded_dataset, clone / "datasets" / "embedded")
    copy = config.load(clone)
    build(copy, clone, execute_solutions=True)
    for kind in ("solutions", "release"):
        committed = course.assignment_dir(kind)
        rebuilt = copy.assignment_dir(kind)
        names = sorted(p.relative_to(committed).as_posix() for p in committed.rglob("*") if p.is_file())
        assert names == sorted(p.relative_to(rebuilt).as_posix() for p in rebuilt.rglob("*") if p.is_file())
        for rel in names:
            assert _comparable(rebuilt / rel) == _comparable(committed / rel), f"{kind}/{rel}"


def _comparable(path):
    """The file's bytes; a notebook's without the outputs of its timing-dependent cells."""
    if path.suffix != ".ipynb":
        return path.read_bytes()
    return nbio.dumps(nbio.strip_timing_outputs(nbio.read(path))).encode("utf-8")
