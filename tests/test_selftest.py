"""`coursekit selftest` (fast parts): unknown --only names are rejected, the solutions/handout
verdicts are stated in words, progress is printed while the batch runs."""
from __future__ import annotations

import time

from coursekit import cli, selftest
from coursekit.report.results import GradingResult, TestResult as Item


def test_unknown_only_name_is_rejected(capsys):
    assert cli.main(["selftest", "--only", "loops", "no_such_bug"]) == 2
    err = capsys.readouterr().err
    assert "unknown --only name(s): no_such_bug" in err and "loops" not in err.split(":")[-1]


def _result(score):
    return GradingResult(submission="x", tests=[Item(name="a", number="1", score=score, max_score=2)])


def test_verdicts_in_words(capsys):
    points = {"a": 2.0}
    ok = selftest._report([], [], {selftest.SOLUTIONS: _result(2), selftest.RELEASE: _result(0)},
                          points, {"a"})
    out = capsys.readouterr().out
    assert ok == 0
    assert "solutions/: full marks, as expected" in out
    assert "release/ (the handout): 0 points, as expected" in out
    bad = selftest._report([], [], {selftest.SOLUTIONS: _result(1), selftest.RELEASE: _result(1)},
                           points, {"a"})
    out = capsys.readouterr().out
    assert bad == 1 and "NOT full marks" in out and "NOT zero" in out


def test_progress_is_printed_while_grading(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(selftest, "PROGRESS_EVERY", 0.05)

    def grade():
        for i in range(3):
            (tmp_path / f"s{i}").mkdir()
            (tmp_path / f"s{i}" / "results.json").write_text("{}")
            time.sleep(0.2)
        return "done"
    assert selftest._with_progress(grade, tmp_path, ["s0", "s1", "s2"]) == "done"
    lines = [l for l in capsys.readouterr().err.splitlines() if "graded" in l]
    assert len(lines) >= 2 and lines[0].split()[1] in ("0/3", "1/3") and lines[0].startswith("selftest: ")


def test_a_lost_training_catch_is_a_problem(capsys):
    from types import SimpleNamespace
    points = {"a": 2.0, "overfit": 10.0}

    def graded(a, overfit):
        return GradingResult(submission="x", tests=[Item(name="a", number="1", score=a, max_score=2,
                                                         function="a"),
                                                    Item(name="overfit", number="2", score=overfit,
                                                         max_score=10)])
    bug = SimpleNamespace(name="b", items=("a",), function="a", description="")
    base = {selftest.SOLUTIONS: graded(2, 10), selftest.RELEASE: graded(0, 0)}
    catches = {"b": ("overfit",)}
    shared = {"b": "its overfit loss is the point of this test"}
    kept = selftest._report([bug], [], {**base, "bug__b": graded(0, 0)}, points, {"a", "overfit"}, catches,
                            shared=shared)
    assert kept == 0 and "(bugs.TRAINING_CATCHES): 1/1" in capsys.readouterr().out
    lost = selftest._report([bug], [], {**base, "bug__b": graded(0, 10)}, points, {"a", "overfit"}, catches,
                            shared=shared)
    out = capsys.readouterr().out
    assert lost == 1 and "FAIL overfit check no longer catches b: overfit passed" in out


def test_a_bug_charged_at_another_functions_item_is_a_problem(capsys):
    """Charged once, where it lives: a bug of rnn_step_forward that also costs rnn_step_backward
    points fails the selftest, unless bugs.SHARED_COSTS says why."""
    from types import SimpleNamespace
    points = {"rnn_step_forward": 5.0, "rnn_step_backward": 5.0}

    def graded(fwd, bwd):
        return GradingResult(submission="x", tests=[
            Item(name="rnn_step_forward", number="1", score=fwd, max_score=5, function="rnn_step_forward"),
            Item(name="rnn_step_backward", number="2", score=bwd, max_score=5, function="rnn_step_backward")])
    bug = SimpleNamespace(name="b", items=("rnn_step_forward",), function="rnn_step_forward", description="")
    base = {selftest.SOLUTIONS: graded(5, 5), selftest.RELEASE: graded(0, 0)}
    assert selftest._report([bug], [], {**base, "bug__b": graded(0, 5)}, points, set(points)) == 0
    assert "charged only at their own function's items: 1/1" in capsys.readouterr().out
    assert selftest._report([bug], [], {**base, "bug__b": graded(0, 2)}, points, set(points)) == 1
    assert "FAIL bug charged outside rnn_step_forward: b: rnn_step_backward 2/5" in capsys.readouterr().out
    assert selftest._report([bug], [], {**base, "bug__b": graded(0, 2)}, points, set(points),
                            shared={"b": "why"}) == 0
