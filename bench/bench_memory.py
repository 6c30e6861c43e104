"""Memory of grading, measured in one run; prints a table.

`coursekit grade` runs as a process tree: the CLI, one judge per submission graded at once,
the judge's forked training processes, and the sandboxed workers (bubblewrap + python). This
script samples the whole tree every --every seconds from /proc (as root it can read the
workers' too) and reports, per scenario:

- peak PSS of the whole tree (proportional set size: shared pages such as numpy's, mapped by
  forked processes, are split between them, so the sum is not inflated);
- the largest single process (peak RSS) and the largest sandbox worker (peak RSS) against the
  worker's memory limit (KIT["limits"]["memory_mb"], RLIMIT_AS).

Scenarios: the solutions graded alone (default --jobs: every core), and a batch of N copies
with --jobs 2.

    python bench/bench_memory.py [--batch 4] [--every 0.02]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coursekit.config import load
from coursekit.report.sheets import text_table

WORKER_MARK = "worker.py"      # in every sandbox worker's command line (coursekit/sandbox/worker.py)


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out


def _tree(root: int) -> list[int]:
    seen, todo = [], [root]
    while todo:
        pid = todo.pop()
        seen.append(pid)
        todo += _children(pid)
    return seen


def _kib(path: str, field: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _is_worker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return WORKER_MARK.encode() in fh.read()
    except OSError:
        return False


def sample_run(cmd: list[str], every: float) -> dict:
    """Run cmd; peak tree PSS, largest process RSS, largest worker RSS (MiB), wall seconds."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_tree = peak_proc = peak_worker = 0
    workers = set()
    while proc.poll() is None:
        total = 0
        for pid in _tree(proc.pid):
            pss = _kib(f"/proc/{pid}/smaps_rollup", "Pss:")
            rss = _kib(f"/proc/{pid}/status", "VmRSS:")
            total += pss
            peak_proc = max(peak_proc, rss)
            if _is_worker(pid):
                workers.add(pid)
                peak_worker = max(peak_worker, rss)
        peak_tree = max(peak_tree, total)
        time.sleep(every)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed (exit {proc.returncode})")
    return {"tree": peak_tree / 1024, "process": peak_proc / 1024, "worker": peak_worker / 1024,
            "workers": len(workers), "seconds": time.monotonic() - start}


def _grade_cmd(subs: list[Path], out: Path, jobs: int | None) -> list[str]:
    cmd = [sys.executable, "-m", "coursekit.cli", "grade", *map(str, subs), "--out", str(out), "--force"]
    return cmd + (["--jobs", str(jobs)] if jobs else [])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4, help="submissions in the batch scenario")
    parser.add_argument("--every", type=float, default=0.02, help="sampling period, seconds")
    args = parser.parse_args(argv)
    course = load()
    solved = course.assignment_dir("solutions")
    limit = course.limits.memory_mb
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        tmp = Path(tmp)
        subs = []
        for i in range(max(1, args.batch)):
            dest = tmp / "subs" / f"s{i:02d}"
            shutil.copytree(solved, dest, ignore=shutil.ignore_patterns("__pycache__", "datasets"))
            subs.append(dest)
        scenarios = [("one submission, default --jobs", subs[:1], None),
                     (f"{len(subs)} submissions, --jobs 2", subs, 2)]
        for label, batch, jobs in scenarios:
            m = sample_run(_grade_cmd(batch, tmp / f"out-{len(batch)}", jobs), args.every)
            rows.append((label, m))
    print(f"memory of `coursekit grade` (sampled every {args.every:g} s; root sees the workers: "
          f"{os.geteuid() == 0})")
    table = [("scenario", "tree PSS", "max process", "max worker", "workers", "wall")]
    table += [(label, f"{m['tree']:.0f} MiB", f"{m['process']:.0f} MiB", f"{m['worker']:.0f} MiB",
               m["workers"], f"{m['seconds']:.1f} s") for label, m in rows]
    print(text_table(table))
    print(f"worker memory limit (RLIMIT_AS): {limit} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
