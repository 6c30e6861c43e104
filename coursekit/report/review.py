"""Manual grading: review.csv (one row per submission and question, with `points` and `comment`
columns for TAs) and review.html (each question's text and model answer, identical answers
grouped, blank or placeholder answers flagged, a link to each submission's feedback).

The sheet is a view of the gradebook: what TAs type is read back by gradebook.reviewsheet and
recorded by gradebook.manual; the rows here carry the gradebook's state of each manual grade.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field

from .answers import is_blank
from .results import GradingResult
from .sheets import num, safe_cell

COLUMNS = ["submission", "question", "max_points", "points", "comment", "flags", "answer_id", "answer"]
TEMPLATE = "review.html.j2"
CHANGED = "answer changed since it was graded"
UNGRADED = "upload could not be graded"
IN_QUESTION_FLAG = "written in the question cell"


@dataclass
class Question:
    grade_id: str
    notebook: str
    points: float | None = None          # None: not a manual question of KIT (shown, not counted)
    question: str = ""
    placeholder: str = ""
    model_answer: str = ""


@dataclass
class ReviewRow:
    submission: str
    question: str
    max_points: float | None
    answer: str | None
    note: str = ""                        # why there is no answer (notebook missing, broken...)
    points: str = ""                      # as the TA typed it
    comment: str = ""
    flags: list[str] = field(default_factory=list)
    manual_status: str = ""               # graded | pending | rejected | changed (manual questions)

    @property
    def answer_id(self) -> str:
        if self.answer is None:
            return ""
        return hashlib.sha256(self.answer.encode()).hexdigest()[:12]

    @property
    def group_key(self) -> str:
        """Answers with the same key are identical (case and spacing ignored); blank ones and
        missing ones are each their own group."""
        if not self.answer or not self.answer.strip() or "blank" in self.flags:
            return f"\0{self.submission}"
        return " ".join(self.answer.split()).lower()


def questions_from(catalogue: list[dict], results: list[GradingResult]) -> list[Question]:
    """The catalogue's questions, then any other answer cell seen in a submission."""
    questions = [Question(**q) for q in catalogue]
    known = {q.grade_id for q in questions}
    for r in results:
        for nb in r.extra_data.get("answers", []) or []:
            for a in nb.get("answers", []):
                if a["grade_id"] not in known:
                    known.add(a["grade_id"])
                    questions.append(Question(grade_id=a["grade_id"], notebook=nb["notebook"]))
    return questions


def _answers_of(result: GradingResult) -> tuple[dict[str, str], dict[str, str], set[str]]:
    answers, notes, in_question = {}, {}, set()
    for nb in result.extra_data.get("answers", []) or []:
        if nb.get("note"):
            notes[nb["notebook"]] = nb["note"]
        for a in nb.get("answers", []):
            answers[a["grade_id"]] = a["text"]
            if a.get("in_question_cell"):
                in_question.add(a["grade_id"])
    return answers, notes, in_question


def build_rows(results: list[GradingResult], questions: list[Question]) -> list[ReviewRow]:
    rows = []
    for r in sorted(results, key=lambda r: r.submission):
        answers, notes, in_question = _answers_of(r)
        for q in questions:
            answer = answers.get(q.grade_id)
            ungraded = r.error is not None and answer is None
            row = ReviewRow(r.submission, q.grade_id, q.points, answer,
                            note=UNGRADED if ungraded else
                            notes.get(q.notebook, "" if answer is not None else "no answer cell"))
            if ungraded:
                row.flags.append(UNGRADED)
            elif is_blank(answer, q.placeholder):
                row.flags.append("blank")
            if q.grade_id in in_question:
                row.flags.append(IN_QUESTION_FLAG)
            rows.append(row)
    _flag_identical(rows)
    return rows


def _flag_identical(rows: list[ReviewRow]) -> None:
    groups: dict[tuple[str, str], list[ReviewRow]] = {}
    for row in rows:
        groups.setdefault((row.question, row.group_key), []).append(row)
    for same in groups.values():
        if len(same) > 1:
            for row in same:
                row.flags.append(f"identical to {len(same) - 1} other(s)")


def review_csv(rows: list[ReviewRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        answer = row.answer if row.answer is not None else f"({row.note})"
        writer.writerow([safe_cell(row.submission), row.question, num(row.max_points),
                         safe_cell(row.points), safe_cell(row.comment), "; ".join(row.flags),
                         row.answer_id, safe_cell(answer)])
    return buf.getvalue()


def review_html(rows: list[ReviewRow], questions: list[Question], *,
                title: str = "Inline answers: TA review", ungraded: list[str] = ()) -> str:
    """Rendered from templates/review.html.j2 with autoescaping (answers are student text)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("coursekit.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    sections = []
    ungraded = set(ungraded)
    for q in questions:
        q_rows = [r for r in rows if r.question == q.grade_id and r.submission not in ungraded]
        groups: dict[str, list[ReviewRow]] = {}
        for r in q_rows:
            groups.setdefault(r.group_key, []).append(r)
        ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0].submission))
        sections.append({"q": q, "groups": ordered, "blank": sum("blank" in r.flags for r in q_rows),
                         "pending": sum(r.manual_status == "pending" for r in q_rows),
                         "rejected": sum(r.manual_status == "rejected" for r in q_rows),
                         "changed": sum(r.manual_status == "changed" for r in q_rows)})
    submissions = sorted({r.submission for r in rows})
    from .markdown import render_markdown
    return env.get_template(TEMPLATE).render(title=title, sections=sections, submissions=submissions,
                                             num=num, ungraded=sorted(ungraded), md=render_markdown)
