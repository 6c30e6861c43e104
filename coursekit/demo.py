"""`coursekit demo`: the main job end to end on the embedded dataset.

data -> build -> three sample submissions -> grade -> score table. The samples are the
reference solution (full marks), the untouched handout (zero, "not implemented" feedback) and
the reference with one realistic bug (partial credit with a hint).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from .config import load as load_config

# A realistic bug for the third sample: dWh accumulated from the last time step only.
BUGGY_SAMPLE = {
    "file": "cs231n/rnn_layers.py",
    "function": "rnn_backward",
    "description": "rnn_backward keeps only one time step's dWh instead of summing over time",
    # (old, new) edits of the reference; the first one that applies is used.
    "edits": [("dWh + dWh_t", "dWh_t"), ("dWh += ", "dWh = ")],
}


def add_arguments(parser):
    parser.add_argument("--out", default="demo-out", help="output folder (default: demo-out)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel grading jobs (default: 2)")
    parser.add_argument("--skip-build", action="store_true",
                        help="use the committed release/ and solutions/ as they are")


def _coursekit(*args: str) -> None:
    cmd = [sys.executable, "-m", "coursekit.cli", *args]
    print("$ coursekit " + " ".join(args), flush=True)
    subprocess.run(cmd, check=True)


def make_buggy_copy(solutions: Path, dest: Path) -> None:
    """Copy the solution and break rnn_backward's dWh accumulation over time steps."""
    shutil.copytree(solutions, dest)
    path = dest / BUGGY_SAMPLE["file"]
    text = path.read_text()
    start = text.index(f"def {BUGGY_SAMPLE['function']}(")
    end = text.index("\ndef ", start + 1)
    body = text[start:end]
    for old, new in BUGGY_SAMPLE["edits"]:
        if old in body:
            path.write_text(text[:start] + body.replace(old, new, 1) + text[end:])
            return
    raise RuntimeError("demo: could not inject the sample bug (dWh accumulation not found)")


def prepare_samples(course, out: Path) -> list[Path]:
    subs = out / "submissions"
    if subs.exists():
        shutil.rmtree(subs)
    subs.mkdir(parents=True)
    release = course.assignment_dir("release")
    solutions = course.assignment_dir("solutions")
    samples = [subs / "reference_solution", subs / "untouched_handout", subs / "buggy_rnn_backward"]
    shutil.copytree(solutions, samples[0])
    shutil.copytree(release, samples[1])
    make_buggy_copy(solutions, samples[2])
    return samples


def score_table(grades: Path, names: list[str]) -> str:
    """Each sample's parts apart (results.json's totals): required, extra credit, manual."""
    rows = [("submission", "score", "extra credit", "manual", "status")]
    for name in names:
        path = grades / name / "results.json"
        if not path.is_file():
            rows.append((name, "-", "-", "-", "no result"))
            continue
        res = json.loads(path.read_text())
        totals = res.get("extra_data", {}).get("totals", {})
        req, extra, manual = (totals.get(k, {}) for k in ("required", "extra_credit", "manual"))
        auto = [t for t in res.get("tests", []) if not t["name"].startswith("Inline question")]
        failed = [t["name"] for t in auto if t.get("status") != "passed"]
        if res.get("extra_data", {}).get("error"):
            status = "could not be graded: " + res["extra_data"]["error"]
        elif not failed:
            status = f"all {len(auto)} tests passed"
        else:
            status = f"{len(failed)} of {len(auto)} tests failed: " + ", ".join(failed)
        if len(status) > 72:
            status = status[:69] + "..."
        shown = (f"to grade ({manual.get('max', 0):g} pts)" if manual.get("pending")
                 else f"{manual.get('score', 0):g}/{manual.get('max', 0):g}")
        rows.append((name, f"{req.get('score', 0):g}/{req.get('max', 0):g}",
                     f"{extra.get('score', 0):g}/{extra.get('max', 0):g}",
                     shown if manual.get("max") else "-", status))
    from .report.sheets import text_table
    return text_table(rows)


def run(args) -> int:
    course = load_config()
    out = (course.root / args.out).resolve()
    _coursekit("data")
    if not args.skip_build:
        _coursekit("build")
    subs = prepare_samples(course, out)
    grades = out / "grades"
    _coursekit("grade", *map(str, subs), "--out", str(grades), "--jobs", str(args.jobs))
    print()
    print("What each sample shows (the reference, the untouched handout, one realistic bug):")
    print(score_table(grades, [p.name for p in subs]))
    print()
    print(f"Reports: {grades}/<submission>/feedback.html and results.json (Gradescope format)")
    print(f"Grade sheet: {grades}/grades.csv   TA review of inline answers: {grades}/review.html")
    return 0
