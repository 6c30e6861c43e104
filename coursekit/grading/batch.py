"""Grade many submissions into one output folder, in parallel, resumably.

DIR/manifest.json maps each submission path to its (sanitised, unique) folder name, so a rerun
reuses the same names. A submission whose folder holds a complete result is skipped; anything
else is (re)graded, so a batch killed midway and rerun loses and duplicates nothing. At the end
DIR/grades.csv, DIR/review.html and DIR/review.csv are rebuilt from all complete results.
"""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from ..report.results import GradingResult, write_atomic
from ..report.sheets import grades_csv, review_csv, review_html
from .pipeline import GradeOptions, grade_submission, load_complete
from .progress import Progress
from .slots import SlotPool, cores_per_submission

MANIFEST = "manifest.json"
BATCH_FILES = {"grades.csv", "review.html", "review.csv", MANIFEST}
MAX_NAME = 80


@dataclass
class BatchSummary:
    graded: int
    skipped: int
    crashed: int
    results: list[GradingResult]


def sanitise(raw: str) -> str:
    name = raw[:-4] if raw.lower().endswith(".zip") else raw
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")[:MAX_NAME]
    return name or "submission"


def assign_names(sources: list[Path], out: Path) -> dict[Path, str]:
    """Stable unique folder names, remembered in DIR/manifest.json across runs."""
    path = out / MANIFEST
    try:
        known = json.loads(path.read_text())
        known = {k: v for k, v in known.items() if isinstance(v, str)} if isinstance(known, dict) else {}
    except (OSError, ValueError):
        known = {}
    taken = {v.lower() for v in known.values()} | {f.lower() for f in BATCH_FILES}
    names = {}
    for src in sources:
        key = str(src.absolute())
        if key not in known:
            base = sanitise(src.name)
            name, i = base, 2
            while name.lower() in taken:
                name, i = f"{base}-{i}", i + 1
            known[key] = name
            taken.add(name.lower())
        names[src] = known[key]
    write_atomic(path, json.dumps(known, indent=1, sort_keys=True))
    return names


def grade_batch(sources: list[Path], out: Path, opts: GradeOptions, *, jobs: int = 1,
                progress: Progress | None = None) -> BatchSummary:
    """`jobs` is the CPU budget: min(jobs, submissions to grade) are graded at once, each
    with max(1, jobs // that number) cores (see slots.cores_per_submission)."""
    out.mkdir(parents=True, exist_ok=True)
    names = assign_names(sources, out)
    todo = [(src, names[src]) for src in dict.fromkeys(sources)
            if load_complete(out / names[src]) is None]
    skipped = len(names) - len(todo)
    progress = progress or Progress(len(todo))
    slots = SlotPool()
    concurrent = max(1, min(jobs, len(todo)))
    opts = replace(opts, cores=cores_per_submission(jobs, concurrent))

    def work(item: tuple[Path, str]) -> GradingResult:
        src, name = item
        with slots.claim() as slot:
            result = grade_submission(src, name, out / name, opts, slot=slot)
        progress.advance(name, result.error is not None)
        return result

    with ThreadPoolExecutor(max_workers=concurrent) as pool:
        results = list(pool.map(work, todo))
    progress.finish(skipped)
    all_results = write_sheets(out, opts.kit)
    return BatchSummary(graded=len(results), skipped=skipped,
                        crashed=sum(r.error is not None for r in results), results=all_results)


def completed_results(out: Path) -> list[GradingResult]:
    results = []
    for sub in sorted(p for p in out.iterdir() if p.is_dir()):
        result = load_complete(sub)
        if result is not None:
            result.submission = sub.name
            results.append(result)
    return results


def write_sheets(out: Path, kit: dict) -> list[GradingResult]:
    results = completed_results(out)
    write_atomic(out / "grades.csv", grades_csv(results, kit))
    write_atomic(out / "review.csv", review_csv(results))
    write_atomic(out / "review.html", review_html(results))
    return results
