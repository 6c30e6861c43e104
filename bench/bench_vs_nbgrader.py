"""`nbgrader autograde` against `coursekit grade` on the same submission; prints a table.

The submission is the instructor's solution: both solution notebooks and both student files
in a copy of the handout. nbgrader executes the notebooks (its grade cells are the tests);
coursekit runs the hidden suite in the sandbox. Each is timed end to end as a fresh process
(median of --runs runs; coursekit with --force so that nothing is reused). The ratio is
nbgrader's time over coursekit's (the issue's goal: at least 10x).

    python bench/bench_vs_nbgrader.py [--runs 3] [--jobs N]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from coursekit import config as ck_config  # noqa: E402
from coursekit.build import build  # noqa: E402

STUDENT = "bench_student"
TIMEOUT = 1800


def make_course(course, root: Path) -> ck_config.CourseConfig:
    """A throw-away nbgrader course (source, built release, gradebook) under root."""
    shutil.copytree(course.assignment_dir("source"), root / "source" / course.assignment,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(course.path, root / "course_config.py")
    tmp_course = ck_config.load(root)
    (root / "build").mkdir()
    build(tmp_course, root, execute_solutions=False, db_url=tmp_course.nbgrader.CourseDirectory.db_url)
    return tmp_course


def make_submission(course, root: Path) -> Path:
    """submitted/<student>/<assignment>: the handout with the solution notebooks and files."""
    sub = root / "submitted" / STUDENT / course.assignment
    shutil.copytree(root / "release" / course.assignment, sub)
    solved = root / "solutions" / course.assignment
    for rel in [*course.notebooks, *course.student_files]:
        shutil.copyfile(solved / rel, sub / rel)
    return sub


def _timed(cmd: list[str], **kw) -> float:
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, **kw)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def time_nbgrader(course, root: Path) -> float:
    env = dict(os.environ, CS231N_DATA_DIR=str(course.embedded_dataset),
               PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    shutil.rmtree(root / "autograded", ignore_errors=True)
    return _timed([sys.executable, "-m", "nbgrader", "autograde", course.assignment, "--create", "--force",
                   f"--NbGrader.config_file={root / 'course_config.py'}", f"--CourseDirectory.root={root}"],
                  cwd=root, env=env)


def time_coursekit(course, sub: Path, out: Path, jobs: int) -> float:
    env = dict(os.environ, COURSEKIT_ROOT=str(course.root))
    return _timed([sys.executable, "-m", "coursekit.cli", "grade", str(sub), "--out", str(out),
                   "--force", "--jobs", str(jobs)], env=env)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="coursekit grade --jobs (default: all cores)")
    args = parser.parse_args(argv)
    course = ck_config.load()
    with tempfile.TemporaryDirectory(prefix="bench-vs-nbgrader-") as tmp:
        root = Path(tmp) / "course"
        make_course(course, root)
        sub = make_submission(course, root)
        nb_times, ck_times = [], []
        for _ in range(max(1, args.runs)):
            nb_times.append(time_nbgrader(course, root))
            ck_times.append(time_coursekit(course, sub, Path(tmp) / "graded", args.jobs))
    nb, ck = statistics.median(nb_times), statistics.median(ck_times)
    print(f"{'grader':<22}{'median s':>10}  runs")
    print(f"{'nbgrader autograde':<22}{nb:>10.1f}  {', '.join(f'{t:.1f}' for t in nb_times)}")
    print(f"{'coursekit grade':<22}{ck:>10.1f}  {', '.join(f'{t:.1f}' for t in ck_times)}"
          f"  (--jobs {args.jobs})")
    print(f"ratio nbgrader / coursekit: {nb / ck:.1f}x (goal: >= 10x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
