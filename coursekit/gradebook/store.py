"""`Gradebook`: the one owner of a course's grades. Every command that grades or exports
reads and writes through it; every file a student or TA reads is a view of it (views.py).

    gb = Gradebook.open("sqlite:///grades/gradebook.db")     # or postgresql://...
    with gb.writer(lock_files):                              # one writer at a time
        run = gb.begin_run(RunInfo(...))
        sid = gb.submission(name, source, digest, received_at)
        gb.record_result(run, sid, result, item_keys)        # one transaction each
        gb.finish_run(run, "complete", graded=1, reused=0)
    gb.current_results(); gb.manual_current(); gb.history(name)

A killed run leaves every committed result whole (each is one transaction) and its run row
"running"; the next writer marks it "killed".
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event, insert, select, text, update

from ..report.results import GradingResult
from . import schema as S
from .lock import FileLock, GradebookBusy, WriterLock  # noqa: F401 (GradebookBusy re-exported)
from .migrate import upgrade

ADVISORY_KEY = 0x636B6762          # "ckgb": the PostgreSQL advisory lock of a gradebook


class GradebookError(Exception):
    """The gradebook cannot be opened or used; str(exc) says why and what to do."""


@dataclass
class RunInfo:
    fingerprint: str
    kit_version: str
    suite_digest: str
    reference_digest: str
    provided_digest: str
    points: dict
    items: list | None = None
    command: str = ""


@dataclass
class StoredResult:
    name: str
    submission_id: int
    result: GradingResult
    item_keys: dict
    run_id: int
    created_at: float
    source: str = ""
    student_id: str | None = None
    previous: tuple | None = None        # (score, extra) of the result this one replaced


@dataclass
class ManualGrade:
    name: str
    question: str
    raw_points: str
    points: float | None
    rejected: str | None
    comment: str
    grader: str
    entered_at: float
    answer_digest: str
    history: list = field(default_factory=list)     # older entries, newest first


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).absolute()}"


class Gradebook:
    def __init__(self, url: str):
        self.url = url
        try:
            self.engine = create_engine(url)
        except Exception as exc:        # a malformed URL or a missing driver
            raise GradebookError(f"cannot use the gradebook {url!r}: {exc}") from None
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._lock_conn = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, url: str) -> "Gradebook":
        """Open (creating or upgrading) the gradebook at `url`."""
        gb = cls(url)
        if gb.is_sqlite and gb.file:
            gb.file.parent.mkdir(parents=True, exist_ok=True)
        try:
            with gb.engine.begin() as conn:
                upgrade(conn)
        except GradebookError:
            raise
        except Exception as exc:
            raise GradebookError(f"cannot open the gradebook {gb.where}: {type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
        return gb

    @property
    def file(self) -> Path | None:
        db = self.engine.url.database
        return Path(db) if self.is_sqlite and db and db != ":memory:" else None

    @property
    def where(self) -> str:
        return str(self.file) if self.file else self.engine.url.render_as_string(hide_password=True)

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(S.meta.c.value).where(S.meta.c.key == "schema_version")).scalar())

    def close(self) -> None:
        self._release_advisory()
        self.engine.dispose()

    # ------------------------------------------------------------------ one writer
    def writer(self, extra_lock_files: list[Path] = ()) -> WriterLock:
        locks = [FileLock(p, f"the output folder {Path(p).parent}") for p in extra_lock_files]
        if self.file:
            locks.append(FileLock(self.file.with_name(self.file.name + ".lock"), f"the gradebook {self.file}"))
        else:
            locks.append(_Advisory(self))
        return WriterLock(locks)

    def _release_advisory(self) -> None:
        if self._lock_conn is not None:
            try:
                self._lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                self._lock_conn.close()
            except Exception:
                pass
            self._lock_conn = None

    # ------------------------------------------------------------------ runs
    def begin_run(self, info: RunInfo) -> int:
        now = time.time()
        with self.engine.begin() as conn:
            dead = conn.execute(select(S.runs.c.id).where(S.runs.c.status == "running")).scalars().all()
            for run_id in dead:        # we hold the writer lock: whoever ran these is gone
                conn.execute(update(S.runs).where(S.runs.c.id == run_id).values(status="killed"))
                _event(conn, "run killed", run_id=run_id, detail="found unfinished by the next run")
            run_id = conn.execute(insert(S.runs).values(
                started_at=now, status="running", kit_version=info.kit_version,
                fingerprint=info.fingerprint, suite_digest=info.suite_digest,
                reference_digest=info.reference_digest, provided_digest=info.provided_digest,
                points=json.dumps(info.points, sort_keys=True),
                items=json.dumps(info.items) if info.items else None, command=info.command,
                graded=0, reused=0)).inserted_primary_key[0]
            _event(conn, "run started", run_id=run_id, detail=info.command)
        return run_id

    def finish_run(self, run_id: int, status: str, *, graded: int, reused: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(S.runs).where(S.runs.c.id == run_id).values(
                status=status, finished_at=time.time(), graded=graded, reused=reused))
            _event(conn, f"run {status}", run_id=run_id, detail=f"{graded} graded, {reused} reused")

    def runs(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(S.runs).order_by(S.runs.c.id))]

    # ------------------------------------------------------------------ submissions
    def submission(self, name: str, source: str, digest: str | None = None,
                   received_at: float | None = None, run_id: int | None = None) -> int:
        """The id of submission `name`, created or updated (source, digest); changes are events."""
        with self.engine.begin() as conn:
            row = conn.execute(select(S.submissions).where(S.submissions.c.name == name)).first()
            if row is None:
                return conn.execute(insert(S.submissions).values(
                    name=name, source=source, digest=digest, received_at=received_at,
                    first_seen=time.time())).inserted_primary_key[0]
            changes = {}
            if row.source != source:
                changes["source"] = source
                _event(conn, "source changed", run_id=run_id, submission_id=row.id,
                       detail=f"{row.source} -> {source}")
            if digest is not None and row.digest != digest:
                changes["digest"] = digest
                if row.digest is not None:
                    _event(conn, "files changed", run_id=run_id, submission_id=row.id)
            if received_at is not None and row.received_at != received_at:
                changes["received_at"] = received_at
            if changes:
                conn.execute(update(S.submissions).where(S.submissions.c.id == row.id).values(**changes))
            return row.id

    def set_student_ids(self, ids: dict[str, str]) -> None:
        with self.engine.begin() as conn:
            for name, student_id in ids.items():
                conn.execute(update(S.submissions).where(S.submissions.c.name == name)
                             .values(student_id=student_id))

    def submission_rows(self) -> dict[str, tuple[int, str | None]]:
        """{name: (id, digest of the files last graded)} of every submission."""
        with self.engine.connect() as conn:
            return {r.name: (r.id, r.digest) for r in
                    conn.execute(select(S.submissions.c.name, S.submissions.c.id, S.submissions.c.digest))}

    def submission_names(self) -> dict[str, str]:
        """{name: source} of every submission ever recorded."""
        with self.engine.connect() as conn:
            return {r.name: r.source for r in conn.execute(select(S.submissions.c.name, S.submissions.c.source))}

    # ------------------------------------------------------------------ results
    def record_result(self, run_id: int, submission_id: int, result: GradingResult,
                      item_keys: dict) -> None:
        """Store `result` as the submission's current one, in one transaction."""
        data = result.to_dict()
        test_rows = data.pop("tests")
        with self.engine.begin() as conn:
            old = conn.execute(select(S.results.c.id, S.results.c.score, S.results.c.extra)
                               .where(S.results.c.submission_id == submission_id, S.results.c.current)).first()
            if old is not None:
                conn.execute(update(S.results).where(S.results.c.id == old.id).values(current=False))
            rid = conn.execute(insert(S.results).values(
                submission_id=submission_id, run_id=run_id, item_keys=json.dumps(item_keys, sort_keys=True),
                score=result.required_score, extra=result.extra_score, error=result.error,
                data=json.dumps(data, sort_keys=True), created_at=time.time(),
                current=True)).inserted_primary_key[0]
            if test_rows:
                conn.execute(insert(S.tests), [
                    {"result_id": rid, "item": t.name, "score": float(t.score), "max_score": float(t.max_score),
                     "extra_credit": bool(t.extra_credit), "status": t.status,
                     "data": json.dumps(d, sort_keys=True)}
                    for t, d in zip(result.tests, test_rows)])
            before = (old.score, old.extra) if old is not None else None
            after = (result.required_score, result.extra_score)
            if before != after:
                _event(conn, "score changed" if before else "first graded", run_id=run_id,
                       submission_id=submission_id,
                       detail=(f"{_pair(before)} -> " if before else "") + _pair(after)
                       + (f" ({result.error})" if result.error else ""))

    def current_results(self, names: list[str] | None = None) -> list[StoredResult]:
        """Every submission's current result (sorted by name), with its previous score."""
        with self.engine.connect() as conn:
            query = (select(S.results, S.submissions.c.name, S.submissions.c.source,
                            S.submissions.c.student_id)
                     .join(S.submissions, S.submissions.c.id == S.results.c.submission_id)
                     .where(S.results.c.current).order_by(S.submissions.c.name))
            if names is not None:
                query = query.where(S.submissions.c.name.in_(names))
            rows = conn.execute(query).all()
            tests_query = (select(S.tests.c.result_id, S.tests.c.data)
                           .join(S.results, S.results.c.id == S.tests.c.result_id)
                           .where(S.results.c.current).order_by(S.tests.c.id))
            if names is not None:
                tests_query = tests_query.where(S.results.c.id.in_([r.id for r in rows]))
            tests_by = _group(conn.execute(tests_query).all())
            previous = self._previous_scores(conn, [r.submission_id for r in rows] if names is not None else None)
        out = []
        for r in rows:
            data = json.loads(r.data)
            data["tests"] = [json.loads(d) for d in tests_by.get(r.id, [])]
            result = GradingResult.from_dict(data)
            result.submission = r.name
            out.append(StoredResult(r.name, r.submission_id, result, json.loads(r.item_keys), r.run_id,
                                    r.created_at, r.source, r.student_id, previous.get(r.submission_id)))
        return out

    def _previous_scores(self, conn, ids: list[int] | None = None) -> dict[int, tuple]:
        """submission id -> (score, extra) of the result the current one replaced."""
        query = select(S.results.c.submission_id, S.results.c.score, S.results.c.extra,
                       S.results.c.current).order_by(S.results.c.submission_id, S.results.c.id)
        if ids is not None:
            query = query.where(S.results.c.submission_id.in_(ids))
        rows = conn.execute(query).all()
        last: dict[int, tuple] = {}
        prev: dict[int, tuple] = {}
        for r in rows:
            if r.submission_id in last:
                prev[r.submission_id] = last[r.submission_id]
            last[r.submission_id] = (r.score, r.extra)
        return prev

    def result_history(self, name: str) -> list[dict]:
        with self.engine.connect() as conn:
            q = (select(S.results.c.run_id, S.results.c.score, S.results.c.extra, S.results.c.error,
                        S.results.c.created_at, S.results.c.current)
                 .join(S.submissions, S.submissions.c.id == S.results.c.submission_id)
                 .where(S.submissions.c.name == name).order_by(S.results.c.id))
            return [dict(r._mapping) for r in conn.execute(q)]

    # ------------------------------------------------------------------ manual grades
    def enter_manual(self, submission_id: int, question: str, *, raw_points: str, points: float | None,
                     rejected: str | None, comment: str, grader: str, answer_digest: str,
                     run_id: int | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(S.manual_grades).where(
                S.manual_grades.c.submission_id == submission_id, S.manual_grades.c.question == question,
                S.manual_grades.c.current).values(current=False))
            conn.execute(insert(S.manual_grades).values(
                submission_id=submission_id, question=question, raw_points=raw_points, points=points,
                rejected=rejected, comment=comment, grader=grader, entered_at=time.time(),
                answer_digest=answer_digest, current=True))
            what = (f"rejected {raw_points!r}: {rejected}" if rejected else
                    f"points {raw_points}" if raw_points else "points cleared")
            _event(conn, "manual grade", run_id=run_id, submission_id=submission_id,
                   detail=f"{question}: {what}" + (f"; comment {comment!r}" if comment else "") + f" by {grader}")

    def manual_current(self, names: list[str] | None = None) -> dict[tuple[str, str], ManualGrade]:
        """(submission name, question) -> its current manual grade, with the older ones."""
        query = (select(S.manual_grades, S.submissions.c.name)
                 .join(S.submissions, S.submissions.c.id == S.manual_grades.c.submission_id)
                 .order_by(S.manual_grades.c.id.desc()))
        if names is not None:
            query = query.where(S.submissions.c.name.in_(names))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        out: dict[tuple[str, str], ManualGrade] = {}
        for r in rows:
            grade = ManualGrade(r.name, r.question, r.raw_points, r.points, r.rejected, r.comment,
                                r.grader, r.entered_at, r.answer_digest)
            key = (r.name, r.question)
            if key not in out:
                out[key] = grade
            else:
                out[key].history.append(grade)
        return out

    def sheet_rows(self) -> dict[tuple[str, str], dict]:
        """What the last review.csv showed: (name, question) -> {answer_digest, points, comment}."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.sheet_rows, S.submissions.c.name)
                                .join(S.submissions, S.submissions.c.id == S.sheet_rows.c.submission_id)).all()
        return {(r.name, r.question): {"answer_digest": r.answer_digest, "points": r.points,
                                       "comment": r.comment} for r in rows}

    def save_sheet_rows(self, rows: list[dict]) -> None:
        """Replace the record of what review.csv shows (rows: submission_id, question, ...)."""
        with self.engine.begin() as conn:
            conn.execute(S.sheet_rows.delete())
            if rows:
                conn.execute(insert(S.sheet_rows), rows)

    # ------------------------------------------------------------------ history
    def events(self, since_run: int | None = None) -> list[dict]:
        with self.engine.connect() as conn:
            q = (select(S.events, S.submissions.c.name)
                 .join(S.submissions, S.submissions.c.id == S.events.c.submission_id, isouter=True)
                 .order_by(S.events.c.id))
            if since_run is not None:
                q = q.where(S.events.c.run_id >= since_run)
            return [dict(r._mapping) for r in conn.execute(q)]

    def log_event(self, kind: str, detail: str = "", *, run_id=None, submission_id=None) -> None:
        with self.engine.begin() as conn:
            _event(conn, kind, run_id=run_id, submission_id=submission_id, detail=detail)


class _Advisory:
    """PostgreSQL's session advisory lock, held on a connection of its own."""

    def __init__(self, gb: Gradebook):
        self.gb = gb

    def acquire(self) -> None:
        if self.gb.engine.dialect.name != "postgresql":
            return
        conn = self.gb.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
        conn.commit()
        if not got:
            conn.close()
            raise GradebookBusy(f"the gradebook {self.gb.where} is being written by another grading "
                                "run; wait for it to finish, or stop it, then run this again")
        self.gb._lock_conn = conn

    def release(self) -> None:
        self.gb._release_advisory()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # WAL: a killed writer leaves the file consistent; NORMAL syncs at checkpoints, not at
    # every commit (a power cut may lose the last results, never corrupt the gradebook)
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _event(conn, kind: str, *, run_id=None, submission_id=None, detail: str = "") -> None:
    conn.execute(insert(S.events).values(at=time.time(), run_id=run_id, submission_id=submission_id,
                                         kind=kind, detail=detail))


def _pair(scores) -> str:
    score, extra = scores
    return f"{round(score, 4):g}" + (f" + {round(extra, 4):g} extra credit" if extra else "")


def _group(rows) -> dict[int, list]:
    out: dict[int, list] = {}
    for rid, data in rows:
        out.setdefault(rid, []).append(data)
    return out


__all__ = ["Gradebook", "GradebookError", "GradebookBusy", "RunInfo", "StoredResult", "ManualGrade",
           "sqlite_url"]
