"""Grade many submissions into one output folder, in parallel, resumably, through the gradebook.

The gradebook (coursekit.gradebook, OUT/gradebook.db by default) owns every grade; this module
decides what to grade and records what the judge says:

1. one writer at a time (a second run into the same folder or gradebook stops with a message);
2. what a killed run left behind is removed, TAs' edits of review.csv are recorded (a
   review.csv that cannot be read stops the run before anything is written);
3. each submission gets its name (gradebook.identity: never a silent "-2");
4. an item's stored result is reused only when its key matches (gradekey.item_keys: the
   submission's bytes, suite, reference, provided files, kit version, settings, the item's
   points); `--items` grades those items and keeps the others as stored; `force` regrades;
5. each result is recorded in one transaction, then its submission's files are written;
6. at the end, and when interrupted, every view is rewritten from the gradebook.
"""
from __future__ import annotations

import copy
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import __version__
from ..gradebook import identity, legacy
from ..gradebook.canvas import load_roster, save_roster
from ..gradebook.leftovers import remove_leftovers, remove_partial_writes, work_prefix
from ..gradebook.manual import import_sheet
from ..gradebook.reviewsheet import ReviewSheetError, read_sheet
from ..gradebook.store import Gradebook, RunInfo, sqlite_url
from ..gradebook.views import LAST_WRITTEN, REVIEW_HISTORY, load_term, write_views
from ..report.results import CURVES, GradingResult
from .gradekey import course_digests, item_keys, submission_digest
from .jobs import concurrent_submissions, early_trainings
from .judge_runner import stop_all_judges
from .outputs import private_dir, write_text
from .pipeline import GradeOptions, grade_to_result
from .progress import Progress

GRADEBOOK_FILE = "gradebook.db"
LOCK_FILE = ".coursekit-grade.lock"
sanitise = identity.sanitise



@dataclass
class BatchSummary:
    graded: int
    skipped: int
    crashed: int
    term: object = None                               # gradebook.views.TermView
    warnings: list[str] = field(default_factory=list)
    run_id: int = 0
    remaining: int = 0                                # interrupted: submissions not graded
    gradebook: str = ""

    @property
    def results(self) -> list[GradingResult]:
        return [v.result for v in self.term.submissions] if self.term else []


class BatchInterrupted(Exception):
    """Ctrl-C: what was graded is kept; str(exc) says what and how to resume."""

    def __init__(self, summary: BatchSummary):
        self.summary = summary
        super().__init__(f"interrupted: {summary.graded} submission(s) graded in this run are kept in "
                         f"{summary.gradebook} and every view is up to date; {summary.remaining} not "
                         "graded yet: run the same command again to grade them (stored results are reused)")


def gradebook_url(out: Path, url: str | None = None) -> str:
    return url or sqlite_url(Path(out) / GRADEBOOK_FILE)


def grade_batch(sources: list[Path], out: Path, opts: GradeOptions, *, jobs: int = 1,
                progress: Progress | None = None, force: bool = False,
                questions: list[dict] | None = None, roster: list[dict] | None = None,
                gradebook: str | None = None) -> BatchSummary:
    """`jobs` is the CPU budget: min(jobs, submissions to grade) are graded at once, each
    with max(1, jobs // that number) cores (see jobs.py). `questions` is
    report.answers.question_catalogue (for review.html)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    gb = Gradebook.open(gradebook_url(out, gradebook))
    try:
        with gb.writer([out / LOCK_FILE]):
            return _run(gb, list(dict.fromkeys(sources)), out, opts, jobs=jobs, progress=progress,
                        force=force, questions=questions or [], roster=roster)
    finally:
        gb.close()


def _run(gb, sources, out, opts, *, jobs, progress, force, questions, roster) -> BatchSummary:
    settings = opts.settings
    remove_leftovers()
    remove_partial_writes(out)
    digests = course_digests(settings)
    fingerprint = digests.fingerprint
    info = RunInfo(fingerprint=fingerprint, kit_version=__version__, suite_digest=digests.suite,
                   reference_digest=digests.reference, provided_digest=digests.provided,
                   points=settings.points.items, items=opts.items, command=" ".join(sys.argv))
    if not gb.submission_names() and legacy.is_legacy_folder(out):
        legacy.import_folder(gb, out, replace(info, command="imported from a folder of an older kit"))
    warnings = _record_review_sheet(gb, out, settings, questions, fingerprint)
    if roster is not None:
        save_roster(gb, roster)
    roster = roster if roster is not None else load_roster(gb)
    names = identity.assign_names(sources, settings.assignment,
                                  {r["submission"] for r in roster} if roster else None)
    run_id = gb.begin_run(info)
    stored = {s.name: s for s in gb.current_results(list(names.values()))}
    plan = []
    for src, name in names.items():
        digest = submission_digest(src, settings)
        sid = gb.submission(name, str(src.absolute()), digest, _mtime(src), run_id=run_id)
        keys = item_keys(digest, fingerprint, settings.points.items, opts.items)
        if force or not _reusable(stored.get(name), keys):
            plan.append((src, name, sid, keys))
    skipped = len(names) - len(plan)
    progress = progress or Progress(len(plan))
    concurrent = concurrent_submissions(jobs, len(plan))
    opts = replace(opts, early_trainings=early_trainings(jobs, concurrent))
    graded = crashed = 0
    try:
        with ThreadPoolExecutor(max_workers=max(1, concurrent)) as pool:
            futures = {pool.submit(_grade_one, src, name, out, opts): (name, sid, keys)
                       for src, name, sid, keys in plan}
            try:
                for future in as_completed(futures):
                    name, sid, keys = futures[future]
                    result = future.result()
                    _record(gb, run_id, sid, name, stored.get(name), result, keys, opts.items)
                    graded += 1
                    crashed += result.error is not None
                    progress.advance(name, result.error is not None)
                    one = load_term(gb, settings, questions, fingerprint, names=[name])
                    write_views(gb, out, one, names={name}, batch=False)
            except KeyboardInterrupt:
                for f in futures:
                    f.cancel()
                stop_all_judges()
                raise
    except KeyboardInterrupt:
        gb.finish_run(run_id, "interrupted", graded=graded, reused=skipped)
        summary = _finish(gb, out, settings, questions, fingerprint, roster, warnings, graded, skipped,
                          crashed, run_id)
        summary.remaining = len(plan) - graded
        raise BatchInterrupted(summary) from None
    progress.finish(skipped)
    gb.finish_run(run_id, "complete", graded=graded, reused=skipped)
    return _finish(gb, out, settings, questions, fingerprint, roster, warnings, graded, skipped, crashed, run_id)


def _finish(gb, out, settings, questions, fingerprint, roster, warnings, graded, skipped, crashed, run_id):
    term = load_term(gb, settings, questions, fingerprint, roster)
    warnings = warnings + write_views(gb, out, term)
    from ..gradebook.overview import write_overview
    write_overview(gb, out, term, run_id)
    return BatchSummary(graded=graded, skipped=skipped, crashed=crashed, term=term, warnings=warnings,
                        run_id=run_id, gradebook=gb.where)


def _grade_one(src: Path, name: str, out: Path, opts: GradeOptions) -> GradingResult:
    from .pipeline import INTERNAL_ERROR, JUDGE_LOG
    import traceback

    log_dir = private_dir(out, name)
    work = Path(tempfile.mkdtemp(prefix=work_prefix()))
    try:
        return grade_to_result(src, name, work, log_dir / JUDGE_LOG, opts)
    except Exception as exc:          # a bug on our side must not stop the batch
        write_text(log_dir / INTERNAL_ERROR, traceback.format_exc(), private=True)
        return GradingResult.crashed(name, f"internal grader error ({type(exc).__name__})",
                                     max_score=opts.max_score)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _reusable(stored, keys: dict) -> bool:
    """Every item to grade was stored under the key it would get now."""
    return stored is not None and all(stored.item_keys.get(i) == k for i, k in keys.items())


def _record(gb, run_id, sid, name, stored, result: GradingResult, keys: dict, items) -> None:
    if items and stored is not None and not result.error and not stored.result.error:
        result = merge_items(stored.result, result, items)
        keys = {**stored.item_keys, **keys}
    result.submission = name
    gb.record_result(run_id, sid, result, keys)


def merge_items(stored: GradingResult, new: GradingResult, items: list[str]) -> GradingResult:
    """`stored` with the tests of `items` replaced by `new`'s (a run with --items)."""
    merged = copy.deepcopy(stored)
    chosen = set(items)
    merged.tests = [t for t in merged.tests if t.name not in chosen] + [t for t in new.tests if t.name in chosen]
    order = {t.name: i for i, t in enumerate(stored.tests)}
    merged.tests.sort(key=lambda t: order.get(t.name, len(order)))
    extra = {k: v for k, v in merged.extra_data.items() if not (k in CURVES and k in chosen)}
    extra.update({k: v for k, v in new.extra_data.items() if k not in CURVES or k in chosen})
    merged.extra_data = extra
    merged.import_errors = new.import_errors
    merged.output = new.output
    return merged


def _record_review_sheet(gb, out: Path, settings, questions, fingerprint) -> list[str]:
    """TAs' edits of review.csv into the gradebook (a backup of the file is kept first)."""
    path = out / "review.csv"
    rows = read_sheet(path)        # ReviewSheetError stops the run here, before any write
    if not rows:
        return []
    try:
        if path.read_bytes() != _last_written(out):
            backup = private_dir(out, REVIEW_HISTORY) / time.strftime("review-%Y%m%d-%H%M%S.csv")
            shutil.copyfile(path, backup)
    except OSError:
        pass
    term = load_term(gb, settings, questions, fingerprint)
    answers = {(r.submission, r.question): r.answer_id for r in term.rows}
    _, warnings = import_sheet(gb, rows, dict(settings.points.manual), answers)
    return warnings


def _last_written(out: Path) -> bytes:
    try:
        return (out / "_private" / REVIEW_HISTORY / LAST_WRITTEN).read_bytes()
    except OSError:
        return b""


def _mtime(src: Path) -> float | None:
    try:
        return os.stat(src).st_mtime
    except OSError:
        return None


__all__ = ["grade_batch", "BatchSummary", "BatchInterrupted", "ReviewSheetError", "sanitise", "gradebook_url"]
