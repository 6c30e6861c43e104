"""coursekit.config.load(): one typed, validated, frozen settings object built from KIT; a wrong
value is a ConfigError naming its KIT key."""
from __future__ import annotations

import dataclasses
import shutil

import pytest

from coursekit import config
from coursekit.config import ConfigError

REAL = config.load()


def _course(tmp_path, extra: str):
    """A course root: the real course_config.py plus `extra` lines, and the real source/."""
    (tmp_path / "course_config.py").write_text((REAL.path.read_text()) + "\n" + extra + "\n")
    shutil.copytree(REAL.assignment_dir("source"), tmp_path / "source" / REAL.assignment)
    return tmp_path


def test_typed_and_frozen():
    assert REAL.points.max_score == sum(REAL.points.required.values())
    assert set(REAL.points.items) == set(REAL.points.required) | set(REAL.points.extra_credit)
    assert REAL.limits.wall_seconds > 0 and REAL.feedback.hints in ("fix", "mistake", "off")
    assert REAL.sandbox_spec().limits == REAL.limits
    with pytest.raises(dataclasses.FrozenInstanceError):
        REAL.limits.wall_seconds = 1
    with pytest.raises(TypeError):
        REAL.points.required["sample"] = 99          # the tables are read-only too


@pytest.mark.parametrize("extra, key", [
    ('KIT["limits"]["call_seconds"] = -1', "call_seconds"),
    ('KIT["limits"]["wal_seconds"] = 10', "wal_seconds"),
    ('KIT["points"]["sample"] = "seven"', "['points']['sample']"),
    ('KIT["extra_credit"]["lstm_sample"] = True', "['extra_credit']['lstm_sample']"),
    ('KIT["feedback"]["hints"] = "verbose"', "['feedback']['hints']"),
    ('KIT["student_files"] = KIT["student_files"] + ["cs231n/nope.py"]', "cs231n/nope.py"),
    ('KIT["dataset"]["seed"] = "0"', "['dataset']['seed']"),
    ('KIT["sandbox_uid_base"] = -5', "sandbox_uid_base"),
    ('KIT["pionts"] = {}', "pionts"),
])
def test_an_invalid_value_is_a_config_error_naming_the_key(tmp_path, extra, key):
    with pytest.raises(ConfigError) as info:
        config.load(_course(tmp_path, extra))
    assert key in str(info.value)


def test_defaults_fill_what_kit_leaves_out(tmp_path):
    root = _course(tmp_path, 'del KIT["limits"], KIT["feedback"]')
    course = config.load(root)
    assert course.limits == type(REAL.limits)() and course.feedback == type(REAL.feedback)()


def test_the_sessions_clock_owns_the_submissions_time_limit(tmp_path):
    """Each worker's wall clock is what is left of the submission's (never more), and the judge
    process's timeout is derived from the same limit."""
    import time

    from coursekit.grading.judge_runner import judge_timeout
    from coursekit.judge.session import Session

    session = Session(tmp_path, ref_layers=None, student_files=REAL.student_files,
                      sandbox=REAL.sandbox_spec())
    assert session.worker_spec().limits.wall_seconds <= REAL.limits.wall_seconds
    session.deadline = time.monotonic() + 5
    spec = session.worker_spec()
    assert 0 < spec.limits.wall_seconds <= 5
    assert spec.limits.call_seconds == REAL.limits.call_seconds and spec.uid_base == REAL.sandbox.uid_base
    assert judge_timeout(REAL.limits) > REAL.limits.wall_seconds
