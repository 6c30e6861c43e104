"""The course's policy over results: hint texts by feedback policy (fix / mistake / off),
Gradescope visibility per test, scores capped at the current points."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from coursekit.config import ConfigError
from coursekit.grading.policy import apply_course_policy
from coursekit.judge import hints as H
from coursekit.report import results as res


@pytest.fixture
def policy():
    yield H.set_policy
    H.set_policy(None)


def test_every_hint_names_a_mistake_and_the_fix_text_is_only_in_fix(policy):
    for key, entry in H.CATALOGUE.items():
        assert entry.mistake, key
        assert entry.fix or entry.always, f"{key}: a hint needs a fix text"
    policy("fix")
    assert "np.add.at" in H.HINTS["embed_repeats"]
    policy("mistake")
    assert "repeated indices" in H.HINTS["embed_repeats"] and "np.add.at" not in H.HINTS["embed_repeats"]
    policy("off")
    assert H.HINTS["embed_repeats"] == ""
    assert "changed after the call" in H.hint("inplace", name="x")      # the contract stays


def test_diagnose_follows_the_policy(policy):
    observed = np.array([1.0, 2.0])
    candidates = {"no_bias": observed.copy(), "no_tanh": np.zeros(2)}
    policy("fix")
    assert "add b" in H.diagnose(observed, candidates, 1e-8)
    policy("mistake")
    assert H.diagnose(observed, candidates, 1e-8) == "the bias b is not added."
    policy("off")
    assert H.diagnose(observed, candidates, 1e-8) == ""
    with pytest.raises(ValueError, match="unknown hint policy"):
        policy("verbose")


def test_course_config_policy_is_read(course, policy):
    policy(None)
    assert H.feedback_policy() == course.feedback.hints


def _result(kit):
    tests = [res.TestResult(name=n, number=str(i), score=p + 3, max_score=p + 3)
             for i, (n, p) in enumerate(kit.points.required.items())]
    tests.append(res.TestResult(name="gone", number="99", score=5, max_score=5))
    return res.GradingResult(submission="s", tests=tests)


def test_visibility_and_caps(course):
    feedback = dataclasses.replace(course.feedback, visibility="after_due_date",
                                   visibility_per_test={"overfit": "hidden"})
    settings = dataclasses.replace(course, feedback=feedback)
    result = apply_course_policy(_result(settings), settings)
    by = {t.name: t for t in result.tests}
    assert by["overfit"].visibility == "hidden"
    assert by["rnn_forward"].visibility == "after_due_date"
    assert all(by[n].score == p == by[n].max_score for n, p in settings.points.required.items())
    assert by["gone"].score == 0                                   # no longer a test of the course


def test_an_unknown_visibility_or_hint_policy_is_a_config_error(course):
    with pytest.raises(ConfigError, match=r"\['visibility_per_test'\]\['sample'\]"):
        dataclasses.replace(course.feedback, visibility_per_test={"sample": "bogus"})
    with pytest.raises(ConfigError, match=r"KIT\['feedback'\]\['hints'\]"):
        dataclasses.replace(course.feedback, hints="verbose")
