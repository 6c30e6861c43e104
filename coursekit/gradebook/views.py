"""Every file a student, TA or instructor reads is a view of the gradebook, written from it
atomically (temp file + rename) at the end of every run, and per submission as soon as its
result is recorded:

- OUT/<name>/results.json, feedback.html, answers.md: the submission's current result under the
  current points, items not graded yet shown as such, the manual questions with their state;
- OUT/grades.csv, review.csv, review.html, canvas_grades.csv (with a roster), index.html.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..grading.gradekey import item_keys
from ..grading.outputs import write_text as _write_text
from ..grading.policy import apply_course_policy
from ..report import review
from ..report.answers import answers_markdown
from ..report.feedback import render_feedback
from ..report.results import GradingResult, TestResult
from .manual import ManualState, state
from .store import Gradebook, StoredResult

REVIEW_HISTORY = "_review-history"     # OUT/_private/_review-history: review.csv as TAs saved it
LAST_WRITTEN = "last-written.csv"      # ... and as the last run wrote it
NOT_GRADED = "not graded yet (graded by a run with --items that did not include it); run coursekit grade to grade it"
STALE = "graded before the course changed (reference, provided files, suite or points); run coursekit grade to update it"


@dataclass
class SubmissionView:
    name: str
    result: GradingResult                       # as the student sees it
    stored: StoredResult
    not_graded: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    manual: dict[str, ManualState] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.result.error:
            return f"error: {self.result.error}"
        parts = []
        if self.not_graded:
            parts.append("not graded yet: " + ", ".join(self.not_graded))
        if self.stale:
            parts.append("stale: " + ", ".join(self.stale))
        return "; ".join(parts) or "graded"


@dataclass
class TermView:
    settings: object
    submissions: list[SubmissionView]
    rows: list[review.ReviewRow]
    questions: list[review.Question]
    roster: list[dict] | None = None


def submission_view(stored: StoredResult, settings, fingerprint: str, digest: str | None,
                    manual: dict[str, ManualState], questions: list[review.Question]) -> SubmissionView:
    result = stored.result          # loaded fresh from the gradebook for this view
    result.submission = stored.name
    points = settings.points.items
    have = {t.name for t in result.tests}
    view = SubmissionView(stored.name, result, stored, manual=manual)
    if not result.error:
        for i, item in enumerate(points, 1):
            if item not in have:
                view.not_graded.append(item)
                result.tests.append(TestResult(name=item, number=f"8.{i}", score=0.0, max_score=points[item],
                                               output=NOT_GRADED, extra_credit=item in settings.points.extra_credit,
                                               extra_max=points[item] if item in settings.points.extra_credit else 0.0))
        expected = item_keys(digest or "", fingerprint, points) if digest else {}
        view.stale = [i for i in points if i in have and expected and stored.item_keys.get(i) != expected.get(i)]
    apply_course_policy(result, settings)
    for t in result.tests:
        if t.extra_credit and t.name in settings.points.extra_credit:
            t.extra_max = float(settings.points.extra_credit[t.name])
    result.manual = [{"grade_id": q, "title": f"Inline question {n}", "max_points": float(p),
                      "points": manual[q].points if q in manual else None,
                      "comment": manual[q].comment if q in manual and manual[q].status == "graded" else "",
                      "status": manual[q].status if q in manual else "pending",
                      "visibility": settings.feedback.visibility_of(q), "staff": "kit"}
                     for n, (q, p) in enumerate(settings.points.manual.items(), 1)]
    return view


def load_term(gb: Gradebook, settings, questions_catalogue: list[dict], fingerprint: str,
              roster: list[dict] | None = None, names: list[str] | None = None) -> TermView:
    """The term as the views show it (only the submissions `names`, when given)."""
    stored = gb.current_results(names)
    questions = review.questions_from(questions_catalogue, [s.result for s in stored])
    rows = review.build_rows([_named(s) for s in stored], questions)
    grades = gb.manual_current(names)
    digests = {name: digest for name, (_, digest) in gb.submission_rows().items()}
    states: dict[str, dict[str, ManualState]] = {}
    for row in rows:
        if row.question not in settings.points.manual:
            continue
        st = state(grades.get((row.submission, row.question)), row.answer_id)
        states.setdefault(row.submission, {})[row.question] = st
        row.points, row.comment = st.shown_points, st.comment
        if st.status == "changed":
            row.flags.append(st.reason)
        elif st.status == "rejected":
            row.flags.append(st.reason)
        row.manual_status = st.status
    subs = [submission_view(s, settings, fingerprint, digests.get(s.name), states.get(s.name, {}), questions)
            for s in stored]
    return TermView(settings, subs, rows, questions, roster)


def _named(s: StoredResult) -> GradingResult:
    s.result.submission = s.name
    return s.result


# ---------------------------------------------------------------------- writing
def write_text(path: Path, text: str, *, private: bool = False) -> None:
    """Atomically, and only when the file does not already hold exactly `text` (a rerun that
    changes nothing rewrites nothing)."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    _write_text(path, text, private=private)


def write_submission_files(view: SubmissionView, out: Path) -> None:
    folder = out / view.name
    folder.mkdir(parents=True, exist_ok=True)
    result = view.result
    try:
        html = render_feedback(result)
    except Exception as exc:          # keep the result even if the report cannot be drawn
        html = f"<p>feedback unavailable ({type(exc).__name__}); see results.json</p>"
    write_text(folder / "feedback.html", html)
    write_text(folder / "answers.md", answers_markdown(view.name, result.extra_data.get("answers", [])))
    write_text(folder / "results.json", json.dumps(result.to_gradescope_dict(), indent=2, sort_keys=True))


def write_views(gb: Gradebook, out: Path, term: TermView, *, names: set[str] | None = None,
                batch: bool = True) -> list[str]:
    """Write the submissions' files (only `names`, when given) and, with `batch`, the batch
    views; returns warnings (the Canvas export's)."""
    from . import sheets

    for view in term.submissions:
        if names is None or view.name in names:
            write_submission_files(view, out)
    if not batch:
        return []
    write_text(out / "grades.csv", sheets.grades_csv(term))
    sheet = review.review_csv(term.rows)
    write_text(out / "review.csv", sheet)
    from ..grading.outputs import private_dir
    write_text(private_dir(out, REVIEW_HISTORY) / LAST_WRITTEN, sheet, private=True)
    write_text(out / "review.html", review.review_html(term.rows, term.questions,
                                                      ungraded=[v.name for v in term.submissions if v.result.error]))
    gb.save_sheet_rows(_sheet_record(gb, term.rows))
    warnings = []
    if term.roster is not None:
        from .canvas import write_canvas
        warnings += write_canvas(out, term)
    return warnings


def _sheet_record(gb: Gradebook, rows: list[review.ReviewRow]) -> list[dict]:
    ids = {name: sid for name, (sid, _) in gb.submission_rows().items()}
    return [{"submission_id": ids[r.submission], "question": r.question, "answer_digest": r.answer_id,
             "points": r.points, "comment": r.comment} for r in rows if r.submission in ids]


def term_from_results(results: list[GradingResult], settings, questions_catalogue: list[dict] = ()) -> TermView:
    """A term view of plain results, without a gradebook (no manual grades): for one-off reports."""
    questions = review.questions_from(list(questions_catalogue), results)
    rows = review.build_rows(results, questions)
    subs = [submission_view(StoredResult(r.submission, 0, r, {}, 0, 0.0), settings, "", None, {}, questions)
            for r in sorted(results, key=lambda r: r.submission)]
    return TermView(settings, subs, rows, questions)
