"""Grade many submissions into one output folder, in parallel, resumably.

DIR/manifest.json maps each submission path to its (sanitised, unique) folder name, so a rerun
reuses the same names. A stored result is reused only when its key (gradekey.py: the
submission's bytes, the hidden suite, the points, the feedback settings, the items, the kit
version) is unchanged; anything else is regraded, and `force` regrades everything. So a batch
killed midway and rerun loses and duplicates nothing, and nothing is ever stale. At the end
DIR/grades.csv, DIR/review.csv (TAs' points and comments kept) and DIR/review.html are rebuilt
from all complete results, the manual points of review.csv folded into grades.csv.
"""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..report import review
from ..report.results import GradingResult
from ..report.sheets import grades_csv
from .gradekey import grade_key
from .manual import manual_points
from .outputs import PRIVATE, private_dir, write_text
from .pipeline import GradeOptions, grade_submission, load_complete
from .progress import Progress
from .jobs import concurrent_submissions, early_trainings

MANIFEST = "manifest.json"
BATCH_FILES = {"grades.csv", "review.html", "review.csv", "canvas_grades.csv", MANIFEST, PRIVATE}
MAX_NAME = 80


@dataclass
class BatchSummary:
    graded: int
    skipped: int
    crashed: int
    results: list[GradingResult]
    manual: dict = field(default_factory=dict)      # submission -> {grade id: points}
    warnings: list[str] = field(default_factory=list)


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
    write_text(path, json.dumps(known, indent=1, sort_keys=True))
    return names


def grade_batch(sources: list[Path], out: Path, opts: GradeOptions, *, jobs: int = 1,
                progress: Progress | None = None, force: bool = False,
                questions: list[dict] | None = None) -> BatchSummary:
    """`jobs` is the CPU budget: min(jobs, submissions to grade) are graded at once, each
    with max(1, jobs // that number) cores (see jobs.py). `questions` is
    report.answers.question_catalogue (for review.html)."""
    out.mkdir(parents=True, exist_ok=True)
    names = assign_names(sources, out)
    keys = {src: grade_key(src, opts.settings, opts.fingerprint) for src in dict.fromkeys(sources)}
    todo = [(src, names[src]) for src in keys
            if force or load_complete(out / names[src], keys[src]) is None]
    skipped = len(keys) - len(todo)
    progress = progress or Progress(len(todo))
    concurrent = concurrent_submissions(jobs, len(todo))
    opts = replace(opts, early_trainings=early_trainings(jobs, concurrent))

    def work(item: tuple[Path, str]) -> GradingResult:
        src, name = item
        result = grade_submission(src, name, out / name, opts, log_dir=private_dir(out, name),
                                  key=keys[src])
        progress.advance(name, result.error is not None)
        return result

    with ThreadPoolExecutor(max_workers=concurrent) as pool:
        results = list(pool.map(work, todo))
    progress.finish(skipped)
    all_results, manual, warnings = write_sheets(out, opts.settings, questions or [])
    return BatchSummary(graded=len(results), skipped=skipped,
                        crashed=sum(r.error is not None for r in results), results=all_results,
                        manual=manual, warnings=warnings)


def completed_results(out: Path) -> list[GradingResult]:
    results = []
    for sub in sorted(p for p in out.iterdir() if p.is_dir() and p.name != PRIVATE):
        result = load_complete(sub)
        if result is not None:
            result.submission = sub.name
            results.append(result)
    return results


def write_sheets(out: Path, settings, questions: list[dict] | None = None
                 ) -> tuple[list[GradingResult], dict, list[str]]:
    """Rebuild review.csv (keeping TAs' points and comments), review.html and grades.csv
    (with the manual points); returns (results, manual points, warnings)."""
    results = completed_results(out)
    qs = review.questions_from(questions or [], results)
    rows = review.build_rows(results, qs)
    review.merge_previous(rows, review.read_review_csv(out / "review.csv"))
    manual, warnings = manual_points(rows, settings)
    write_text(out / "review.csv", review.review_csv(rows))
    write_text(out / "review.html", review.review_html(rows, qs))
    write_text(out / "grades.csv", grades_csv(results, settings, manual))
    return results, manual, warnings


def write_canvas(out: Path, settings, roster: list[dict], summary: BatchSummary) -> list[str]:
    """DIR/canvas_grades.csv from the batch's totals; roster names are matched as given or
    sanitised like the output folders. Returns warnings."""
    from ..report.sheets import grades_rows
    from .export import CANVAS_FILE, canvas_csv

    rows = grades_rows(summary.results, settings, summary.manual)
    totals = {r["submission"]: r["total"] for r in rows}
    for student in roster:
        if student["submission"] not in totals and sanitise(student["submission"]) in totals:
            student["submission"] = sanitise(student["submission"])
    total_max = settings.points.max_score + settings.points.manual_max
    text, warnings = canvas_csv(roster, totals, total_max, settings.assignment)
    write_text(out / CANVAS_FILE, text)
    return warnings
