"""The student's self-check and both notebooks with the BLAS default (one thread per core) and
with the handout's one BLAS thread, on an idle machine and on a loaded one.

    python bench/bench_selfcheck.py [--runs 1]

Writes the handout zip (`coursekit handout`), unzips it into a temporary folder, drops the
solution files in (a finished assignment), gets the data offline (`get_datasets.sh`), then
times, for each load and thread setting: `python -m pytest` in the folder (the self-check) and
the execution of RNN_Captioning.ipynb and LSTM_Captioning.ipynb (`jupyter nbconvert --execute`).

- before: OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = MKL_NUM_THREADS = the number of cores, the
  BLAS default (the handout keeps a student's own setting, so this turns its change off);
- after: none of them set, as a student's shell: the handout sets one thread itself.
- loaded: the script starts one busy-loop process per core for the run, then stops them.

The RNN notebook's optional character-level section trains two models for a fixed wall-clock
budget each: its time does not depend on the BLAS, so the table also gives the notebook without
that section ("graded part", the sum of the other cells' times nbconvert records).
Times are wall clock, medians over --runs; on a shared machine they are noisy.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime
from pathlib import Path

BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
NOTEBOOKS = ("RNN_Captioning.ipynb", "LSTM_Captioning.ipynb")
OPTIONAL_SECTION_PREFIX = "charword-"   # cell ids of the RNN notebook's ungraded section
CELL_TIMEOUT_SECONDS = 900
THREADS_PROBE = ("import cs231n, numpy; from threadpoolctl import threadpool_info; "
                 "print(max(p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'))")


def _env(mode: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in BLAS_VARIABLES + ("CS231N_DATA_DIR", "PYTHONPATH", "PYTEST_ADDOPTS")}
    env.update(MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    if mode == "before":
        env.update({name: str(os.cpu_count()) for name in BLAS_VARIABLES})
    return env


def _solved_handout(course, tmp: Path) -> Path:
    from coursekit.handout import write_handout

    zip_path = tmp / "handout.zip"
    write_handout(course, zip_path)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(tmp / "student")
    folder = tmp / "student" / course.assignment
    for rel in course.student_files:
        shutil.copyfile(course.assignment_dir("solutions") / rel, folder / rel)
    data = subprocess.run(["bash", "get_datasets.sh"], cwd=folder / "cs231n" / "datasets",
                          capture_output=True, text=True, env=_env("after"))
    if data.returncode != 0:
        raise SystemExit(f"get_datasets.sh failed: {data.stderr}")
    return folder


@contextlib.contextmanager
def _load(kind: str):
    """One busy-loop process per core while kind == 'loaded'."""
    procs = []
    if kind == "loaded":
        procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count())]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def _run(args: list[str], folder: Path, env: dict, timeout: int = 3600) -> float:
    began = time.perf_counter()
    done = subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def _graded_seconds(executed: Path) -> float:
    """The sum of the cell times nbconvert recorded, the optional section's cells left out."""
    total = 0.0
    for cell in json.loads(executed.read_text())["cells"]:
        timing = cell.get("metadata", {}).get("execution", {})
        if cell.get("cell_type") != "code" or str(cell.get("id", "")).startswith(OPTIONAL_SECTION_PREFIX):
            continue
        start, end = timing.get("iopub.status.busy"), timing.get("shell.execute_reply")
        if start and end:
            total += (datetime.fromisoformat(end.replace("Z", "+00:00"))
                      - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
    return total


def _measure(folder: Path, mode: str) -> dict:
    env = _env(mode)
    probe = subprocess.run([sys.executable, "-c", THREADS_PROBE], cwd=folder, env=env,
                           capture_output=True, text=True)
    times = {"threads": probe.stdout.strip() or "?", "load average": os.getloadavg()[0],
             "pytest": _run([sys.executable, "-m", "pytest"], folder, env)}
    for name in NOTEBOOKS:
        executed = f"executed_{name}"
        times[name] = _run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
                            f"--ExecutePreprocessor.timeout={CELL_TIMEOUT_SECONDS}",
                            "--ExecutePreprocessor.kernel_name=python3", "--output", executed, name],
                           folder, env)
        times[name + " graded"] = _graded_seconds(folder / executed)
    return times


COLUMNS = [("pytest", "self-check (pytest)"), ("RNN_Captioning.ipynb graded", "RNN notebook, graded part"),
           ("RNN_Captioning.ipynb", "RNN notebook, whole"), ("LSTM_Captioning.ipynb", "LSTM notebook")]


def main() -> int:
    from coursekit import config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    course = config.load()
    results: dict[tuple, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-selfcheck-") as tmp:
        folder = _solved_handout(course, Path(tmp))
        for _ in range(args.runs):
            for load in ("idle", "loaded"):
                with _load(load):
                    for mode in ("before", "after"):
                        results.setdefault((load, mode), []).append(_measure(folder, mode))
    print(f"{os.cpu_count()} cores; medians of {args.runs} run(s), wall clock, seconds; the load "
          "average is the machine's (1 min) as each measurement began")
    print("| load | load average | BLAS threads | " + " | ".join(title for _, title in COLUMNS) + " |")
    print("|---|---|---|" + "---|" * len(COLUMNS))
    for (load, mode), runs in results.items():
        label = f"{mode}: {runs[0]['threads']}"
        loads = f"{statistics.median(r['load average'] for r in runs):.1f}"
        cells = [f"{statistics.median(r[key] for r in runs):.1f}" for key, _ in COLUMNS]
        print(f"| {load} | {loads} | {label} | " + " | ".join(cells) + " |")
    for load in ("idle", "loaded"):
        before, after = results[(load, "before")], results[(load, "after")]
        ratios = [statistics.median(r[key] for r in before) / statistics.median(r[key] for r in after)
                  for key, _ in COLUMNS]
        print(f"| {load} | | before / after | " + " | ".join(f"{x:.1f}x" for x in ratios) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
