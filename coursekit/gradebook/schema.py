"""The gradebook's tables (SQLAlchemy Core), version SCHEMA_VERSION.

One row per thing that happened; nothing is updated in place except the `current` flags and a
run's end. Every grade a view shows is the `current` row of its kind:

- submissions: one per student submission, named once (identity.py) and kept across runs.
- runs: one per `coursekit grade`, with everything that decided its results (kit version,
  digests of the suite, the reference and the provided files, points, items) and how it ended.
- results: one per (submission, run that judged it); `current` marks the one the views show.
  `item_keys` holds, per item, the key the item was graded under (gradekey.py).
- tests: the per-item rows of a result (score, points, status, the checks the page shows).
- manual_grades: what TAs entered, one row per entry (points as typed, the number accepted or
  the reason it was rejected, comment, who, when, the digest of the answer they graded).
- sheet_rows: what the last review.csv showed, so that the next run sees what a TA changed.
- events: the history of every change (scores, manual grades, answers, sources, runs).
"""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text)

SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table("meta", metadata,
             Column("key", String(64), primary_key=True),
             Column("value", Text, nullable=False))

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("source", Text, nullable=False),           # the path last graded from
    Column("student_id", String(200)),                # from the roster, when given
    Column("digest", String(64)),                     # of the files grading takes
    Column("received_at", Float),                     # the upload's modification time
    Column("first_seen", Float, nullable=False))

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("status", String(20), nullable=False),     # running | complete | interrupted | killed
    Column("kit_version", String(40), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("suite_digest", String(64), nullable=False),
    Column("reference_digest", String(64), nullable=False),
    Column("provided_digest", String(64), nullable=False),
    Column("points", Text, nullable=False),           # JSON {item: points}
    Column("items", Text),                            # JSON list, or NULL for every item
    Column("command", Text, nullable=False, default=""),
    Column("graded", Integer, nullable=False, default=0),
    Column("reused", Integer, nullable=False, default=0))

results = Table(
    "results", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("item_keys", Text, nullable=False),        # JSON {item: key}
    Column("score", Float, nullable=False),           # required items only
    Column("extra", Float, nullable=False),           # extra credit items
    Column("error", Text),                            # why it could not be graded
    Column("data", Text, nullable=False),             # the rest of GradingResult.to_dict()
    Column("created_at", Float, nullable=False),
    Column("current", Boolean, nullable=False, default=True),
    Index("ix_results_current", "submission_id", "current"))

tests = Table(
    "tests", metadata,
    Column("id", Integer, primary_key=True),
    Column("result_id", Integer, ForeignKey("results.id"), nullable=False, index=True),
    Column("item", String(100), nullable=False),
    Column("score", Float, nullable=False),
    Column("max_score", Float, nullable=False),
    Column("extra_credit", Boolean, nullable=False),
    Column("status", String(10), nullable=False),
    Column("data", Text, nullable=False))             # the rest of TestResult (checks, output)

manual_grades = Table(
    "manual_grades", metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submissions.id"), nullable=False),
    Column("question", String(100), nullable=False),
    Column("raw_points", Text, nullable=False),       # as the TA typed it
    Column("points", Float),                          # the accepted number (NULL: none)
    Column("rejected", Text),                         # why raw_points could not be used
    Column("comment", Text, nullable=False, default=""),
    Column("grader", String(200), nullable=False),
    Column("entered_at", Float, nullable=False),
    Column("answer_digest", String(64), nullable=False),
    Column("current", Boolean, nullable=False, default=True),
    Index("ix_manual_current", "submission_id", "question", "current"))

sheet_rows = Table(
    "sheet_rows", metadata,
    Column("submission_id", Integer, ForeignKey("submissions.id"), primary_key=True),
    Column("question", String(100), primary_key=True),
    Column("answer_digest", String(64), nullable=False),
    Column("points", Text, nullable=False),
    Column("comment", Text, nullable=False))

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("submission_id", Integer, ForeignKey("submissions.id")),
    Column("kind", String(40), nullable=False),
    Column("detail", Text, nullable=False, default=""))

__all__ = ["SCHEMA_VERSION", "metadata", "meta", "submissions", "runs", "results", "tests",
           "manual_grades", "sheet_rows", "events"]
