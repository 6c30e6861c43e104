"""One submission's grading result; serialises itself to Gradescope's results.json format.

Gradescope's specification: top-level `score`, `execution_time`, `output`, `visibility`,
`tests` (each `name`, `number`, `score`, `max_score`, `status` "passed"/"failed", `output`,
`visibility`) and free-form `extra_data`.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class TestResult:
    name: str                    # test id, a key of KIT["points"] or KIT["extra_credit"]
    number: str                  # e.g. "1.3", ordering in the Gradescope UI
    score: float
    max_score: float             # 0 for extra credit items (score is added on top)
    output: str = ""             # feedback text written by the judge only
    visibility: str = "visible"
    function: str = ""           # the student function this test grades (for catch rates)
    extra_credit: bool = False

    @property
    def status(self) -> str:
        if self.extra_credit:
            return "passed" if self.score > 0 else "failed"
        return "passed" if self.score >= self.max_score else "failed"

    def to_gradescope_dict(self) -> dict:
        return {
            "name": self.name, "number": self.number, "score": round(self.score, 4),
            "max_score": self.max_score, "status": self.status, "output": self.output,
            "visibility": self.visibility,
        }


@dataclass
class GradingResult:
    submission: str
    tests: list[TestResult] = field(default_factory=list)
    execution_time: float = 0.0
    output: str = ""                         # top-level message shown to the student
    error: str | None = None                 # set when the submission could not be graded
    extra_data: dict = field(default_factory=dict)   # isolation level, loss curve, answers...

    @classmethod
    def crashed(cls, submission: str, reason: str, *, execution_time: float = 0.0,
                max_score: float = 0.0, extra_data: dict | None = None) -> "GradingResult":
        """A result for a submission that could not be graded: score 0, the reason shown."""
        return cls(submission=submission, execution_time=execution_time,
                   output=f"Your submission could not be graded: {reason}", error=reason,
                   extra_data={**(extra_data or {}), "max_score": max_score})

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 4)

    @property
    def max_score(self) -> float:
        if self.tests:
            return sum(t.max_score for t in self.tests)
        return float(self.extra_data.get("max_score", 0.0))

    def to_gradescope_dict(self) -> dict:
        return {
            "score": self.score,
            "execution_time": round(self.execution_time, 3),
            "output": self.output,
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [t.to_gradescope_dict() for t in self.tests],
            "extra_data": {**self.extra_data, "submission": self.submission, "error": self.error},
        }

    def to_dict(self) -> dict:
        return {"submission": self.submission, "execution_time": self.execution_time,
                "output": self.output, "error": self.error, "extra_data": self.extra_data,
                "tests": [asdict(t) for t in self.tests]}

    @classmethod
    def from_dict(cls, d: dict) -> "GradingResult":
        return cls(submission=d["submission"], execution_time=d.get("execution_time", 0.0),
                   output=d.get("output", ""), error=d.get("error"),
                   extra_data=d.get("extra_data", {}),
                   tests=[TestResult(**t) for t in d.get("tests", [])])

    def write_json(self, path: Path) -> None:
        """Write Gradescope's results.json atomically (temp file + rename)."""
        write_atomic(Path(path), json.dumps(self.to_gradescope_dict(), indent=2, sort_keys=True))


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
