"""`build()`: source/<assignment>/ -> release/<assignment>/ (student handout) and
solutions/<assignment>/ (instructor solutions), written whole into place."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import execute, files, notebooks
from .errors import BuildError
from .transforms import RELEASE, SOLUTION

OUTPUT_KINDS = ("release", "solutions")


@dataclass
class BuildReport:
    out_root: Path
    files: list[str] = field(default_factory=list)     # relative paths, both trees
    executed: bool = False
    seconds: float = 0.0


def build(course, out_root: Path | None = None, *, execute_solutions: bool = True,
          db_url: str | None = None, progress=None) -> BuildReport:
    """Build both trees under out_root (default: the course root). db_url is the gradebook
    nbgrader records the assignment in (default: a throw-away one in the staging folder).
    `progress(text)` is told each stage as it starts."""
    started = time.monotonic()
    say = progress or (lambda text: None)
    out_root = Path(out_root or course.root)
    if not course.assignment_dir("source").is_dir():
        raise BuildError(f"{course.assignment_dir('source')} does not exist")
    # Staged inside the course (build/ is git-ignored) so that executed outputs which print
    # paths relative to the notebook show the same text on every machine.
    staging_parent = course.root / "build"
    staging_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coursekit-build-", dir=staging_parent) as tmp:
        tmp = Path(tmp)
        staged = {kind: tmp / "out" / kind / course.assignment for kind in OUTPUT_KINDS}
        say("stripping the solution regions of the .py files (release/) and keeping them (solutions/)")
        files.write_files(course, staged["release"], RELEASE)
        files.write_files(course, staged["solutions"], SOLUTION)
        say(f"nbgrader generate_assignment: {len(course.notebooks)} notebook(s), points from KIT")
        solution_nbs = notebooks.generate(course, tmp / "nbgrader", db_url or f"sqlite:///{tmp / 'gradebook.db'}",
                                          staged["release"], staged["solutions"])
        if execute_solutions:
            say(f"executing the {len(solution_nbs)} solution notebook(s) (about half a minute)")
            before = _listing(staged["solutions"])
            execute.execute_all(course, solution_nbs)
            _remove_new_files(staged["solutions"], before)
        report = BuildReport(out_root, executed=execute_solutions)
        say(f"writing release/{course.assignment} and solutions/{course.assignment}")
        for kind in OUTPUT_KINDS:
            _normalise_modes(staged[kind])
            report.files += [f"{kind}/{course.assignment}/{p}" for p in sorted(_listing(staged[kind]))]
            _replace(staged[kind], out_root / kind / course.assignment)
    from .stamp import write_stamp
    write_stamp(course, out_root, report.files)
    report.seconds = time.monotonic() - started
    return report


def _listing(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _remove_new_files(root: Path, keep: set[str]) -> None:
    """Whatever executing the notebooks left behind (caches, saved figures) is not shipped."""
    for rel in sorted(_listing(root) - keep):
        (root / rel).unlink()
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _normalise_modes(root: Path) -> None:
    for path in root.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def _replace(staged: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(staged, dest)
