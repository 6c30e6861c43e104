"""Worker start-up time: median of N starts vs a raw bwrap + python + numpy run.

    python bench/bench_startup.py [--starts 10] [--isolation bwrap]

The code folder is a private copy of the provided cs231n package (what the judge grades in).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coursekit import config
from coursekit.sandbox import SandboxSpec, Worker, course_hide
from coursekit.sandbox import isolation as iso


def _code_dir(tmp: Path) -> Path:
    course = config.load()
    code = tmp / "code"
    tree = course.assignment_dir("release")
    if not (tree / "cs231n").is_dir():
        tree = course.assignment_dir("source")
    shutil.copytree(tree / "cs231n", code / "cs231n",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return code


def _time(fn, starts):
    times = []
    for _ in range(starts):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), min(times), max(times)


def _raw_bwrap(code: Path):
    bwrap = shutil.which("bwrap")
    cmd = iso.bwrap_command(bwrap, str(Path(__file__).parent), str(code),
                            [sys.executable, "-I", "-B", "-c", "import numpy"])
    subprocess.run(cmd, check=True, env=iso.sandbox_env("/tmp", "/tmp"))


def _worker_start(code: Path, isolation, hint):
    spec = SandboxSpec(hide=course_hide(config.load().root))     # as the judge starts them

    def run():
        with Worker.start(code, spec, slot=hint, isolation=isolation) as w:
            assert w.ping()
    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--isolation", default=None)
    parser.add_argument("--slot", type=int, default=9, help="uid hint")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ck-bench-") as tmp:
        code = _code_dir(Path(tmp))
        rows = []
        if shutil.which("bwrap"):
            rows.append(("raw bwrap+python+numpy", _time(lambda: _raw_bwrap(code), args.starts)))
        label = f"Worker.start+ping+close ({args.isolation or 'auto'})"
        rows.append((label, _time(_worker_start(code, args.isolation, args.slot), args.starts)))
    print(f"{'what':45s} {'median':>8s} {'min':>8s} {'max':>8s}   (s, {args.starts} runs)")
    for name, (med, lo, hi) in rows:
        print(f"{name:45s} {med:8.3f} {lo:8.3f} {hi:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
