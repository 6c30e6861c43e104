"""Grading speed on this machine, measured in one run; prints a table.

1. median wall time to grade one submission end to end (the solutions as the submission);
2. the bare 100-iteration overfit run of the reference (notebook recipe, no sandbox) and the
   ratio of (1) to it (target <= 1.3);
3. throughput of N submissions with --jobs 2 against --jobs 1 (target >= 1.8x).

    python bench/bench_grade.py [--runs 3] [--throughput-n 20]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from coursekit import reference  # noqa: E402
from coursekit.config import load  # noqa: E402
from coursekit.grading.batch import grade_batch  # noqa: E402
from coursekit.grading.pipeline import GradeOptions, grade_submission  # noqa: E402
from coursekit.grading.progress import Progress  # noqa: E402
from coursekit.grading.slots import SlotPool  # noqa: E402

OVERFIT = dict(seed=231, max_train=50, hidden_dim=512, wordvec_dim=256, learning_rate=5e-3,
               num_epochs=50, batch_size=25, lr_decay=0.95)


def submission_dir(course) -> Path:
    solved = course.assignment_dir("solutions")
    return solved if (solved / "cs231n").is_dir() else course.assignment_dir("source")


def time_one(course, src: Path, runs: int, tmp: Path) -> tuple[float, list[float], str]:
    times, errors = [], []
    for i in range(runs):
        with SlotPool().claim() as slot:
            start = time.perf_counter()
            result = grade_submission(src, f"run{i}", tmp / f"one{i}", GradeOptions(kit=course.kit),
                                      slot=slot)
            times.append(time.perf_counter() - start)
        errors.append(result.error or f"{result.score:g}/{result.max_score:g}")
    return statistics.median(times), times, ", ".join(errors)


def bare_overfit(course) -> tuple[float, float]:
    """The notebook's overfit run with the reference, in this process: (seconds, final loss)."""
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


def throughput(course, src: Path, n: int, jobs: int, tmp: Path) -> float:
    subs = []
    for i in range(n):
        dest = tmp / f"subs{jobs}" / f"s{i:02d}"
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "datasets"))
        subs.append(dest)
    start = time.perf_counter()
    summary = grade_batch(subs, tmp / f"out{jobs}", GradeOptions(kit=course.kit), jobs=jobs,
                          progress=Progress(n, enabled=False, stream=io.StringIO()))
    elapsed = time.perf_counter() - start
    if summary.crashed:
        print(f"warning: {summary.crashed} of {n} submissions crashed with --jobs {jobs}", file=sys.stderr)
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="end-to-end runs for the median")
    parser.add_argument("--throughput-n", type=int, default=20, help="submissions per throughput run")
    args = parser.parse_args(argv)
    course = load()
    src = submission_dir(course)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        tmp = Path(tmp)
        median, times, outcome = time_one(course, src, args.runs, tmp)
        rows.append(("grade one submission end to end (median)", f"{median:.2f} s",
                     f"runs {', '.join(f'{t:.1f}' for t in times)}; {outcome}"))
        bare, loss = bare_overfit(course)
        rows.append(("bare overfit run, reference, 100 iterations", f"{bare:.2f} s", f"final loss {loss:.3f}"))
        rows.append(("ratio end-to-end / bare overfit", f"{median / bare:.2f}", "target <= 1.3"))
        if args.throughput_n > 0:
            t1 = throughput(course, src, args.throughput_n, 1, tmp)
            t2 = throughput(course, src, args.throughput_n, 2, tmp)
            rows.append((f"{args.throughput_n} submissions, --jobs 1", f"{t1:.1f} s", ""))
            rows.append((f"{args.throughput_n} submissions, --jobs 2", f"{t2:.1f} s", ""))
            rows.append(("speed-up --jobs 2 / --jobs 1", f"{t1 / t2:.2f}x", "target >= 1.8x"))
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  notes")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
