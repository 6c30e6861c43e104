"""The notebooks, through nbgrader: generate_assignment (student version) and
generate_solution without execution (instructor version), in a staging course folder that
holds only the notebooks, so nbgrader copies no other file (it would copy solutions verbatim)."""
from __future__ import annotations

import contextlib
import copy
import io
import logging
import os
import shutil
import sys
from pathlib import Path

from . import nbio
from .errors import BuildError
from .transforms import AssertNoMarkers, CheckRegions, RemoveMarkerLines, SetGradePoints


def stage_notebooks(course, staging: Path) -> Path:
    """Copy the course's notebooks into staging/source/<assignment>/, with stable cell ids,
    after checking their regions (so a broken region is reported with its cell and line)."""
    src = course.assignment_dir("source")
    dest = staging / "source" / course.assignment
    dest.mkdir(parents=True)
    check = CheckRegions(course.nbgrader)
    for name in course.notebooks:
        path = src / name
        if not path.is_file():
            raise BuildError(f"notebook {path} is missing (listed in KIT['notebooks'])")
        nb = nbio.read(path)
        for index, cell in enumerate(nb.cells):
            check(cell.source, f"{course.assignment}/{name} cell {index}")
        nbio.write(nb, dest / name)
    return dest


def nbgrader_config(course, staging: Path, db_url: str):
    from nbgrader.preprocessors import ClearMarkScheme, ClearOutput, IncludeHeaderFooter, LockCells

    cfg = copy.deepcopy(course.nbgrader)
    cfg.CourseDirectory.root = str(staging)
    cfg.CourseDirectory.db_url = db_url
    cfg.CourseDirectory.assignment_id = course.assignment
    cfg.CourseDirectory.source_directory = "source"
    cfg.CourseDirectory.release_directory = "release"
    cfg.CourseDirectory.solution_directory = "solution"
    cfg.BaseConverter.force = True
    # The kit executes the solutions itself (controlled kernel environment and cwd).
    cfg.GenerateSolution.preprocessors = [IncludeHeaderFooter, LockCells, ClearOutput, ClearMarkScheme]
    return cfg


@contextlib.contextmanager
def _venv_on_path():
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + old
    try:
        yield
    finally:
        os.environ["PATH"] = old


def _run(converter_class, cfg) -> None:
    from nbgrader.coursedir import CourseDirectory

    converter = converter_class(coursedir=CourseDirectory(config=cfg), config=cfg)
    converter.create_assignment = True
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.ERROR)
    converter.log.addHandler(handler)
    converter.log.propagate = False
    try:
        with _venv_on_path():  # nbgrader's gradebook runs the `alembic` script of this venv
            converter.start()
    except Exception as exc:  # nbgrader logs the reason, then raises a generic exception
        details = buffer.getvalue().strip() or str(exc)
        raise BuildError(f"nbgrader {converter_class.__name__} failed:\n{details}") from exc
    finally:
        converter.log.removeHandler(handler)


def generate(course, staging: Path, db_url: str, release_dir: Path, solutions_dir: Path) -> list[Path]:
    """Write the student notebooks into release_dir and the (unexecuted) solution notebooks
    into solutions_dir; returns the solution notebook paths."""
    from nbgrader.converters import GenerateAssignment, GenerateSolution

    SetGradePoints(course)(stage_notebooks(course, staging), course.notebooks)
    cfg = nbgrader_config(course, staging, db_url)
    _run(GenerateAssignment, cfg)
    _run(GenerateSolution, cfg)
    remove_markers = RemoveMarkerLines(course.nbgrader)
    assert_clean = AssertNoMarkers(course.nbgrader)
    written = []
    for name in course.notebooks:
        student = nbio.read(staging / "release" / course.assignment / name)
        for index, cell in enumerate(student.cells):
            assert_clean(cell.source, f"release {name} cell {index}")
        nbio.write(student, release_dir / name)
        solution = nbio.read(staging / "solution" / course.assignment / name)
        for cell in solution.cells:
            cell.source = remove_markers(cell.source, name)
        nbio.write(solution, solutions_dir / name)
        written.append(solutions_dir / name)
    shutil.rmtree(staging / "release", ignore_errors=True)
    return written
