"""The judge against failures that are not wrong answers: a student module that exits while
being imported (the tests that need it score 0 with one clear message, quickly, the others are
graded as usual; never a crashed row), and a
sandbox that cannot start (an infrastructure error: JudgeError, then a crashed row saying so)."""
from __future__ import annotations

import json
import time

import pytest

from helpers_grading import appending, make_submission

from coursekit.config import load
from coursekit.grading.pipeline import GradeOptions, grade_submission
from coursekit.judge import JudgeError, judge_submission
from coursekit.judge import __main__ as judge_main
from coursekit.sandbox import SandboxStartError

STUDENT = list(load().student_files)

EXIT_AT_IMPORT = "\nimport os as _ck_os\n_ck_os._exit(0)\n"
IMPORT_MESSAGE = "exited while importing it"
# far below the time budget a restart per test used to take (~18 s on this machine)
QUICK_SECONDS = 10


@pytest.mark.parametrize("module", STUDENT)
def test_exit_at_import_fails_every_test_quickly(tmp_path, course, module):
    sub = make_submission(tmp_path / "sub", course, appending({module: EXIT_AT_IMPORT}))
    start = time.monotonic()
    result = judge_submission(sub, config=course, early_trainings=1)
    assert time.monotonic() - start < QUICK_SECONDS
    assert result.error is None
    assert "internal_errors" not in result.extra_data
    assert len(result.tests) == len(course.points.required) + len(course.points.extra_credit)
    needing = [t for t in result.tests if module == STUDENT[0] or t.function.startswith("CaptioningRNN")]
    for t in needing:               # every check that needs the module says why it did not run
        assert t.score == 0 and t.output.startswith("[FAIL]"), t.output
        assert f"not graded: {module} does not import" in t.output, t.output
    assert result.output.count("does not import") == 1 and IMPORT_MESSAGE in result.output   # one banner
    others = [t for t in result.tests if t not in needing]
    assert all(t.score == (t.extra_max or t.max_score) for t in others), \
        {t.name: t.output for t in others}     # the layers still import and are graded

def test_exit_at_import_is_a_graded_row_not_a_crash(tmp_path, course):
    sub = make_submission(tmp_path / "sub", course, appending({STUDENT[0]: EXIT_AT_IMPORT}))
    result = grade_submission(sub, "exit", tmp_path / "out", GradeOptions(settings=course, early_trainings=0))
    assert result.error is None and result.score == 0
    assert IMPORT_MESSAGE in result.output
    assert all("does not import" in t.output for t in result.tests)


def _no_sandbox(*args, **kwargs):
    raise SandboxStartError("no greeting within 30 s (start-up time limit)", timed_out=True)


def test_sandbox_start_failure_is_a_judge_error(tmp_path, course, monkeypatch):
    from coursekit.sandbox import Worker
    monkeypatch.setattr(Worker, "start", classmethod(lambda cls, *a, **k: _no_sandbox()))
    sub = make_submission(tmp_path / "sub", course)
    with pytest.raises(JudgeError, match="sandbox could not start"):
        judge_submission(sub, config=course, items=["rnn_step_forward", "overfit"], early_trainings=1)
    out = tmp_path / "result.json"
    assert judge_main.main([str(sub), str(out), "--items", "rnn_step_forward"]) == 0
    data = json.loads(out.read_text())
    assert "sandbox could not start" in data["error"] and not data["tests"]
