"""Judge-side CPU of one submission under every callback attack, measured in one run.

The judge's own work (the hidden suite, the reference) and the granted reference calls a
submission's code asks for (run in processes of their own, measured from /proc and capped by
KIT["limits"]["callback_cpu_seconds"]) are what a submission costs the grader besides its
sandbox. This script grades the reference and the corpus's callback attacks in one
`coursekit grade --jobs 1` batch (every item but the overfit trainings, whose loop is the
same fixed cost for everyone) and prints, per submission, the judge CPU recorded in its
result (extra_data.judge_cpu_seconds: the judge process, and the callbacks' CPU as counted
against the budget, which includes the judge process's handling of them: the sum is an upper
bound) and the wall time.

    python bench/bench_judge_cpu.py
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from coursekit.config import load  # noqa: E402
from coursekit.report.sheets import text_table  # noqa: E402
from coursekit.selftest import load_corpus  # noqa: E402

JUDGE_ATTACKS = ("callback_cpu_legal", "callback_cpu_cache", "stale_handles_bad_callbacks",
                 "proxy_server_callback", "proxy_other_name")
SANDBOX_ATTACKS = ("callback_flood",)


def main() -> int:
    course = load()
    corpus = load_corpus(HERE.parent / "tests" / "corpus")
    aj = __import__(f"{corpus.__name__}.attacks_judge", fromlist=["ATTACKS_JUDGE"])
    at = __import__(f"{corpus.__name__}.attacks", fromlist=["ATTACKS"])
    cases = {c.name: c for c in [*aj.ATTACKS_JUDGE, *at.ATTACKS]}
    cases = {"reference": corpus.spec.Case("reference", "the reference solution"),
             **{n: cases[n] for n in JUDGE_ATTACKS + SANDBOX_ATTACKS}}
    work = Path(tempfile.mkdtemp(prefix="bench-judge-cpu-"))
    try:
        subs = [corpus.spec.materialize(c, course.assignment_dir("source"), work / n)
                for n, c in cases.items()]
        out = work / "out"
        proc = corpus.harness.grade(subs, out, jobs=1, items=corpus.harness.fast_items(course),
                                    timeout=3600)
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
            return 1
        rows = []
        for name, result in sorted(corpus.harness.results_by_source(out).items()):
            cpu = result.extra_data.get("judge_cpu_seconds", {})
            rows.append([Path(name).name, f"{cpu.get('judge', float('nan')):.2f}",
                         f"{cpu.get('callbacks', float('nan')):.2f}",
                         f"{cpu.get('judge', 0) + cpu.get('callbacks', 0):.2f}",
                         f"{result.execution_time:.1f}", f"{result.score:g}"])
        budget = course.limits.callback_cpu_seconds
        print(f"judge CPU per submission (s); callback budget {budget:g} s a submission")
        print(text_table([("submission", "judge", "callbacks", "sum (upper bound)", "wall", "score"), *rows]))
        print(json.dumps({r[0]: float(r[3]) for r in rows}))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
