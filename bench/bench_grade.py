"""Grading speed on this machine, measured in one run; prints a table.

1. median wall time to grade one submission end to end: `coursekit grade SUB --out DIR` with
   the default --jobs (all cores), the solutions as the submission, >= 5 runs;
2. the bare 100-iteration overfit run of the reference with the notebook's recipe (the seeds':
   50 captions, hidden 512, wordvec 256, Adam 5e-3, batch 25, 50 epochs, lr_decay 0.95; in
   this process, no sandbox), the notebook's own overfit cell, and the ratio of (1) to it
   (target <= 1.3; the judge's own overfit checks use cheaper recipes, judge/training/recipe.py);
3. throughput: N submissions (default 20) with `--jobs 2` against `--jobs 1` (target >= 1.8x).

It waits for a quiet machine first (1-minute load average below 1.0, polled every 30 s for up
to 10 minutes; then it runs anyway and says so in the table).

    python bench/bench_grade.py [--runs 5] [--throughput-n 20] [--no-wait]
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from coursekit import reference  # noqa: E402
from coursekit.config import load  # noqa: E402

OVERFIT = dict(seed=231, max_train=50, hidden_dim=512, wordvec_dim=256, learning_rate=5e-3,
               num_epochs=50, batch_size=25, lr_decay=0.95)
QUIET_LOAD = 1.0
POLL_SECONDS = 30
MAX_WAIT_SECONDS = 600
MIN_RUNS = 5


def load_average() -> float:
    """The 1-minute load average, as `uptime` reports it."""
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout
    return float(out.rsplit("load average:", 1)[1].split(",")[0])


def wait_until_quiet() -> str:
    start = time.monotonic()
    while True:
        load_now = load_average()
        waited = time.monotonic() - start
        if load_now < QUIET_LOAD:
            return f"quiet (load {load_now:.2f}) after waiting {waited:.0f} s"
        if waited >= MAX_WAIT_SECONDS:
            return f"NOT quiet: load {load_now:.2f} after {waited:.0f} s of waiting; ran anyway"
        print(f"load average {load_now:.2f} >= {QUIET_LOAD}: waiting {POLL_SECONDS} s", file=sys.stderr)
        time.sleep(POLL_SECONDS)


def submission_dir(course) -> Path:
    solved = course.assignment_dir("solutions")
    return solved if (solved / "cs231n").is_dir() else course.assignment_dir("source")


def coursekit_grade(subs: list[Path], out: Path, jobs: int | None) -> tuple[float, list[dict]]:
    """Run the `coursekit grade` CLI; (wall seconds, rows of grades.csv)."""
    cmd = [sys.executable, "-m", "coursekit.cli", "grade", *map(str, subs), "--out", str(out)]
    cmd += ["--jobs", str(jobs)] if jobs else []
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    with open(out / "grades.csv", newline="") as fh:
        return elapsed, list(csv.DictReader(fh))


def outcome(rows: list[dict]) -> str:
    bad = [r for r in rows if r["status"] != "graded"]
    scores = sorted({f"{float(r['score']):g}+{float(r['extra_credit']):g}" for r in rows})
    return f"scores {', '.join(scores)}" + (f"; {len(bad)} NOT graded" if bad else "")


def time_one(src: Path, runs: int, tmp: Path) -> tuple[float, list[float], str]:
    times, outcomes = [], set()
    for i in range(runs):
        elapsed, rows = coursekit_grade([src], tmp / f"one{i}", None)
        times.append(elapsed)
        outcomes.add(outcome(rows))
    return statistics.median(times), times, "; ".join(sorted(outcomes))


def bare_overfit(course) -> tuple[float, float]:
    """The seeds' overfit run with the reference, in this process: (seconds, final loss)."""
    import numpy as np
    pkg = reference.reference(course)
    coco = reference.submodule(pkg, "coco_utils")
    rnn = reference.submodule(pkg, "classifiers.rnn")
    solver_mod = reference.submodule(pkg, "captioning_solver")
    p = OVERFIT
    start = time.perf_counter()
    np.random.seed(p["seed"])
    with contextlib.redirect_stdout(io.StringIO()):
        data = coco.load_coco_data(base_dir=str(course.embedded_dataset), max_train=p["max_train"])
        model = rnn.CaptioningRNN(cell_type="rnn", word_to_idx=data["word_to_idx"],
                                  input_dim=data["train_features"].shape[1],
                                  hidden_dim=p["hidden_dim"], wordvec_dim=p["wordvec_dim"])
        solver = solver_mod.CaptioningSolver(
            model, data, update_rule="adam", num_epochs=p["num_epochs"], batch_size=p["batch_size"],
            optim_config={"learning_rate": p["learning_rate"]}, lr_decay=p["lr_decay"],
            verbose=False)
        solver.train()
    return time.perf_counter() - start, float(solver.loss_history[-1])


def throughput(src: Path, n: int, jobs: int, tmp: Path) -> tuple[float, str]:
    subs = []
    for i in range(n):
        dest = tmp / f"subs{jobs}" / f"s{i:02d}"
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "datasets"))
        subs.append(dest)
    elapsed, rows = coursekit_grade(subs, tmp / f"out{jobs}", jobs)
    return elapsed, outcome(rows)


def measure(course, runs: int, n: int) -> list[tuple[str, str, str]]:
    src = submission_dir(course)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        tmp = Path(tmp)
        median, times, how = time_one(src, runs, tmp)
        rows.append(("grade one submission end to end (median)", f"{median:.2f} s",
                     f"coursekit grade, default --jobs ({os.cpu_count()}); runs "
                     f"{', '.join(f'{t:.2f}' for t in times)}; {how}"))
        bare, loss = bare_overfit(course)
        rows.append(("bare overfit run, reference, notebook's recipe", f"{bare:.2f} s",
                     f"final loss {loss:.3f}"))
        rows.append(("ratio end to end / bare overfit", f"{median / bare:.2f}", "target <= 1.3"))
        if n > 0:
            t1, how1 = throughput(src, n, 1, tmp)
            t2, how2 = throughput(src, n, 2, tmp)
            rows.append((f"{n} submissions, --jobs 1", f"{t1:.1f} s", how1))
            rows.append((f"{n} submissions, --jobs 2", f"{t2:.1f} s", how2))
            rows.append(("speed-up --jobs 2 / --jobs 1", f"{t1 / t2:.2f}x", "target >= 1.8x"))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=MIN_RUNS, help="end-to-end runs for the median")
    parser.add_argument("--throughput-n", type=int, default=20, help="submissions per throughput run")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for a quiet machine")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    course = load()
    quiet = "not checked (--no-wait)" if args.no_wait else wait_until_quiet()
    rows = [("machine", f"{os.cpu_count()} cores", quiet)]
    rows += measure(course, args.runs, args.throughput_n)
    rows.append(("load average after the run", f"{load_average():.2f}", ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  notes")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
