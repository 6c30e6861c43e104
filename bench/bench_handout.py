"""The student handout zip: its size and the time from unzip to data ready.

    python bench/bench_handout.py [--runs 3]

Writes the zip (`coursekit handout`), then, in a fresh temporary folder per run, unzips it and
runs `cd cs231n/datasets && bash get_datasets.sh` (offline); prints the median, min and max.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path


def _unzip_to_data_ready(zip_path: Path, top: str) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-handout-") as tmp:
        began = time.perf_counter()
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(tmp)
        done = subprocess.run(["bash", "get_datasets.sh"], cwd=Path(tmp) / top / "cs231n" / "datasets",
                              capture_output=True, text=True)
        seconds = time.perf_counter() - began
        if done.returncode != 0:
            raise SystemExit(f"get_datasets.sh failed: {done.stderr}")
    return seconds


def main() -> int:
    from coursekit import config
    from coursekit.handout import write_handout

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    course = config.load()
    with tempfile.TemporaryDirectory(prefix="bench-handout-zip-") as tmp:
        zip_path = Path(tmp) / "handout.zip"
        report = write_handout(course, zip_path)
        times = [_unzip_to_data_ready(zip_path, course.assignment) for _ in range(args.runs)]
    print("| measure | value |")
    print("|---|---|")
    print(f"| handout zip (`coursekit handout`), {report.files} files | {report.bytes / 1e6:.1f} MB |")
    print(f"| writing the zip | {report.seconds:.1f} s |")
    print(f"| unzip to data ready (unzip + get_datasets.sh), median of {args.runs} | "
          f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
