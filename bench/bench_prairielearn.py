"""The PrairieLearn export on this machine, in one run; prints a table.

1. what `coursekit prairielearn` measures to set the question's timeout (the solutions graded
   one call at a time, the faster of two runs; median of --runs), and the timeout that gives;
2. the grader image, built from the generated Dockerfile on the simulated grader host of
   tests/helpers_prairielearn.py (bubblewrap; needs root), in seconds;
3. grading jobs in that simulated container (one CPU, Docker's default capabilities, no
   namespaces): the solutions (median of --runs), a realistic bug, the untouched handout, and
   a submission spinning in every call under the shortest timeout the command accepts.

    python bench/bench_prairielearn.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import helpers_prairielearn as host  # noqa: E402

from coursekit.cli import main as coursekit  # noqa: E402
from coursekit.config import load  # noqa: E402
from coursekit.prairielearn import budget  # noqa: E402
from coursekit.prairielearn.measure import grading_seconds  # noqa: E402
from coursekit.selftest import load_corpus  # noqa: E402

BUG = "embed_bwd_fancy_index_add"


def _job(course, question: Path, server_files: Path, image: Path, env: dict, folder: Path,
         uploads: list[Path]) -> tuple[float, dict]:
    info = json.loads((question / "info.json").read_text())
    grade = host.job_folder(folder, question, server_files, uploads)
    start = time.monotonic()
    done = host.run_job(grade, image, info, env)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"the entry point failed: {done.stderr[-2000:]}")
    return seconds, json.loads((grade / "results" / "results.json").read_text())


def _loose(folder: Path, course) -> list[Path]:
    return [folder / rel for rel in course.student_files]


def _handout_zip(course, folder: Path) -> list[Path]:
    shutil.copytree(course.assignment_dir("release"), folder)
    subprocess.run([sys.executable, "collect_submission.py"], cwd=folder, check=True,
                   capture_output=True)
    return sorted(folder.glob("*.zip"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    why = host.available()
    if why:
        print(f"skipped: the simulated grader host {why}")
        return 0
    course = load()
    corpus = load_corpus(HERE.parent / "tests" / "corpus")
    attacks = __import__(f"{corpus.__name__}.attacks", fromlist=["ATTACKS"]).ATTACKS
    rows = []
    measured = statistics.median(grading_seconds(course) for _ in range(args.runs))
    rows.append(("the command's measured grading time (median of %d)" % args.runs,
                 f"{measured:.1f} s", f"timeout {budget.question_timeout(measured)} s"))
    with tempfile.TemporaryDirectory(prefix="bench-pl-") as tmp:
        tmp = Path(tmp)
        for name, timeout in (("out", None), ("short", budget.MIN_TIMEOUT)):
            extra = ["--timeout", str(timeout or budget.question_timeout(measured))]
            if coursekit(["prairielearn", "--out", str(tmp / name), *extra]) != 0:
                return 1
        start = time.monotonic()
        env = host.build_image(tmp / "out" / "image", tmp / "image", tmp / "build.log")
        rows.append(("grader image built (simulated docker build)",
                     f"{time.monotonic() - start:.0f} s", ""))
        for label, out, uploads, runs in (
                ("solutions (median of %d)" % args.runs, "out",
                 _loose(course.assignment_dir("solutions"), course), args.runs),
                (f"bug {BUG}", "out", _loose(corpus.spec.materialize(
                    next(c for c in corpus.bugs.BUGS if c.name == BUG),
                    course.assignment_dir("source"), tmp / "bug"), course), 1),
                ("untouched handout (zip)", "out", _handout_zip(course, tmp / "handout"), 1),
                (f"spinning in every call, timeout {budget.MIN_TIMEOUT} s", "short",
                 _loose(corpus.spec.materialize(
                     next(c for c in attacks if c.name == "infinite_loop"),
                     course.assignment_dir("source"), tmp / "spin"), course), 1)):
            question = tmp / out / "questions" / course.assignment
            info = json.loads((question / "info.json").read_text())
            results = [_job(course, question, tmp / out / "serverFilesCourse", tmp / "image", env,
                            tmp / f"job-{len(rows)}-{i}", uploads) for i in range(runs)]
            seconds = statistics.median(s for s, _ in results)
            res = results[0][1]
            rows.append((f"job: {label}", f"{seconds:.1f} s",
                         f"score {res.get('score')}, {res.get('grader', {}).get('isolation')}, "
                         f"timeout {info['externalGradingOptions']['timeout']} s"))
    print("| measure | time | note |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
