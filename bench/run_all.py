"""Run every benchmark of the kit, one after the other, and print their tables.

    python bench/run_all.py            # (also: make bench)

Numbers are only comparable within one run on one machine; run it on a quiet machine.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    ("sandbox start-up", [sys.executable, str(HERE / "bench_startup.py")]),
    ("grading speed", [sys.executable, str(HERE / "bench_grade.py")]),
    ("grading memory", [sys.executable, str(HERE / "bench_memory.py")]),
    ("the gradebook at term scale", [sys.executable, str(HERE / "bench_gradebook.py")]),
    ("judge CPU under callback attacks", [sys.executable, str(HERE / "bench_judge_cpu.py")]),
    ("caption quality (BLEU-1)", [sys.executable, str(HERE / "bench_captions.py")]),
    ("student handout", [sys.executable, str(HERE / "bench_handout.py")]),
    ("self-check and notebooks, BLAS threads", [sys.executable, str(HERE / "bench_selfcheck.py")]),
    ("character- against word-level captioning", [sys.executable, str(HERE / "bench_charword.py")]),
    ("nbgrader autograde vs coursekit grade", [sys.executable, str(HERE / "bench_vs_nbgrader.py")]),
    ("PrairieLearn grader (simulated host)", [sys.executable, str(HERE / "bench_prairielearn.py")]),
    ("code similarity on the calibration set", [sys.executable, str(HERE / "bench_similarity.py")]),
]


def main() -> int:
    failed = 0
    for title, cmd in BENCHES:
        print(f"\n=== {title}: {' '.join(Path(c).name for c in cmd[1:])}", flush=True)
        failed += subprocess.run(cmd).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
