"""The gradebook at term scale: a gradebook of N submissions (default 1,000), each with every
item's result and checks, an inline answer and a manual grade. Times recording a whole run
(one transaction per result, as `coursekit grade` does), loading the term and writing every
view (1,000 results.json / feedback.html / answers.md, grades.csv, review.csv / review.html,
canvas_grades.csv, index.html with its histogram), and the size of the gradebook.

    python bench/bench_gradebook.py [--n 1000] [--postgres URL]

With --postgres (or $COURSEKIT_TEST_POSTGRES) it runs on a fresh PostgreSQL database too.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from coursekit import config
from coursekit.gradebook import Gradebook, RunInfo, sqlite_url
from coursekit.gradebook.canvas import save_roster
from coursekit.gradebook.overview import write_overview
from coursekit.gradebook.views import load_term, write_views
from coursekit.grading.gradekey import course_digests, item_keys
from coursekit.report.results import GradingResult, TestResult
from coursekit.report.sheets import text_table


def fake_result(name: str, settings, i: int) -> GradingResult:
    tests = []
    for n, (item, full) in enumerate(settings.points.items.items(), 1):
        ok = (i + n) % 7 != 0
        extra = item in settings.points.extra_credit
        checks = [{"title": f"check {k} of {item}", "passed": ok or k, "message": "" if ok else
                   "observed 0.37 vs expected 0.41 (relative error 1e-1)", "cases": ["N=1", "T=5"],
                   "notes": []} for k in range(5)]
        tests.append(TestResult(name=item, number=f"1.{n}", score=full if ok else full * 0.6,
                                max_score=0.0 if extra else full, extra_credit=extra,
                                extra_max=full if extra else 0.0, output="[PASS] ..." * 5, checks=checks))
    answer = [{"notebook": "RNN_Captioning.ipynb",
               "answers": [{"grade_id": q, "text": f"Answer {i % 40}: fewer parameters, longer sequences."}
                           for q in settings.points.manual]}]
    return GradingResult(submission=name, tests=tests, execution_time=1.4,
                         extra_data={"isolation": "bwrap", "answers": answer,
                                     "overfit": {"loss_history": [3.0 / (k + 1) for k in range(60)],
                                                 "reference_loss_history": [3.0 / (k + 2) for k in range(60)],
                                                 "final_loss": 0.05, "threshold": 0.1}})


def measure(url: str, n: int, out: Path, settings) -> dict:
    gb = Gradebook.open(url)
    digests = course_digests(settings)
    fp = digests.fingerprint
    start = time.perf_counter()
    run = gb.begin_run(RunInfo(fingerprint=fp, kit_version="bench", suite_digest=digests.suite,
                               reference_digest=digests.reference, provided_digest=digests.provided,
                               points=settings.points.items))
    for i in range(n):
        name = f"student{i:04d}"
        sid = gb.submission(name, f"/uploads/{name}.zip", f"{i:064x}", run_id=run)
        gb.record_result(run, sid, fake_result(name, settings, i), item_keys(f"{i:064x}", fp, settings.points.items))
        if i % 2 == 0:
            gb.enter_manual(sid, next(iter(settings.points.manual)), raw_points="3", points=3.0, rejected=None,
                            comment="ok", grader="bench", answer_digest="", run_id=run)
    gb.finish_run(run, "complete", graded=n, reused=0)
    record = time.perf_counter() - start
    save_roster(gb, [{"submission": f"student{i:04d}", "student_id": str(i), "name": f"S {i}"} for i in range(n)])
    start = time.perf_counter()
    term = load_term(gb, settings, [], fp, roster=None)
    loaded = time.perf_counter() - start
    from coursekit.gradebook.canvas import load_roster
    term.roster = load_roster(gb)
    start = time.perf_counter()
    write_views(gb, out, term)
    write_overview(gb, out, term, run)
    views = time.perf_counter() - start
    start = time.perf_counter()
    write_views(gb, out, term, names={"student0007"}, batch=False)
    one = time.perf_counter() - start
    size = gb.file.stat().st_size if gb.file else None
    gb.close()
    return {"record": record, "load": loaded, "views": views, "one": one, "size": size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--postgres", default=os.environ.get("COURSEKIT_TEST_POSTGRES"))
    args = parser.parse_args()
    settings = config.load()
    rows = [("backend", "submissions", "record a run", "per result", "load term", "write every view",
             "one submission's files", "gradebook size")]
    backends = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    for label, admin in backends:
        with tempfile.TemporaryDirectory(prefix="ck-bench-gb-") as tmp:
            url, cleanup = sqlite_url(Path(tmp) / "gradebook.db"), None
            if admin:
                url, cleanup = _pg_database(admin)
            try:
                m = measure(url, args.n, Path(tmp) / "out", settings)
            finally:
                if cleanup:
                    cleanup()
        rows.append((label, str(args.n), f"{m['record']:.1f} s", f"{1000 * m['record'] / args.n:.1f} ms",
                     f"{m['load']:.1f} s", f"{m['views']:.1f} s", f"{1000 * m['one']:.0f} ms",
                     f"{m['size'] / 1e6:.1f} MB" if m["size"] else "-"))
    print(text_table(rows))
    return 0


def _pg_database(admin: str):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    name = f"ck_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def cleanup():
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False), cleanup


if __name__ == "__main__":
    sys.exit(main())
