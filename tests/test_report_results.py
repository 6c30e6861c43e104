"""results.json: strict JSON whatever the values, validated and capped loss histories,
statuses that count extra credit, round trips, sanitised crash reasons."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from coursekit.report import results as res
from coursekit.report import studenttext
from coursekit.report.feedback import render_feedback
from coursekit.report.results import MAX_FULL_RESULT_BYTES, MAX_RESULTS_BYTES, serialised_size

NON_FINITE = [float("nan"), float("inf"), -float("inf")]


def _reject_constants(name):
    raise ValueError(f"not strict JSON: {name}")


def strict_load(text: str):
    """json.loads that rejects NaN / Infinity like Gradescope's parser does."""
    return json.loads(text, parse_constant=_reject_constants)


def _result(history, extra=None):
    tests = [res.TestResult(name="overfit", number="1", score=0, max_score=10, output="diverged")]
    data = {"overfit": {"loss_history": history, "reference_loss_history": [4.0, 1.0],
                        "final_loss": float("nan"), "threshold": 0.1}, **(extra or {})}
    return res.GradingResult(submission="s", tests=tests, extra_data=data)


def test_results_json_is_strict_with_non_finite_and_numpy_values(tmp_path):
    r = _result([4.0, *NON_FINITE, 10 ** 400, True, "x", None],
                extra={"numpy": np.float32(np.nan), "array": np.array([1.5, np.inf]), "n": np.int64(3),
                       "nested": {"deep": [float("nan"), (1, 2)]}, 7: "int key"})
    r.write_json(tmp_path / "results.json")
    data = strict_load((tmp_path / "results.json").read_text())
    curve = data["extra_data"]["overfit"]
    assert curve["loss_history"] == [4.0, None, None, None, None, None, None, None]
    assert curve["final_loss"] is None and curve["threshold"] == 0.1
    extra = data["extra_data"]
    assert extra["numpy"] is None and extra["array"] == [1.5, None] and extra["n"] == 3
    assert extra["nested"] == {"deep": [None, [1, 2]]} and extra["7"] == "int key"
    strict_load(res.dumps_strict(r.to_dict()))                      # result.full.json too


def test_loss_histories_are_capped():
    r = _result([1.0] * (res.MAX_HISTORY * 3))
    curve = r.to_gradescope_dict()["extra_data"]["overfit"]
    assert len(curve["loss_history"]) == res.MAX_HISTORY
    assert curve["loss_history_cut_from"] == res.MAX_HISTORY * 3


@pytest.mark.parametrize("history", [[1e308, 1e-308, 1.0], [-1e308, 1e308, 0.0], [1e300] * 3,
                                     [float("nan")] * 3, ["junk", {"a": 1}, [2]], "not a list"])
def test_huge_or_junk_values_never_crash_the_report(history):
    html = render_feedback(res.GradingResult.from_dict(_result(history).to_dict()))
    assert "Feedback: s" in html
    assert not re.search(r'="[^"]*(nan|inf)[^"]*"', html, re.I)     # no broken SVG coordinates
    strict_load(res.dumps_strict(_result(history).to_gradescope_dict()))


def test_extra_credit_status_counts_every_point():
    def ec(score, full):
        return res.TestResult(name="lstm", number="1", score=score, max_score=0, extra_credit=True,
                              extra_max=full)
    assert ec(0.75, 1).status == "failed" and ec(1, 1).status == "passed" and ec(0, 1).status == "failed"
    legacy = res.TestResult(name="lstm", number="1", score=0.5, max_score=0, extra_credit=True)
    assert legacy.status == "passed"                # older results: no extra_max recorded
    required = res.TestResult(name="a", number="1", score=9.99, max_score=10)
    assert required.status == "failed"


def test_round_trip_keeps_checks_and_ignores_unknown_keys():
    t = res.TestResult(name="a", number="1", score=1, max_score=2, hint="h",
                       checks=[{"title": "t", "passed": False, "cases": ["N=1"]}])
    r = res.GradingResult(submission="s", tests=[t], import_errors=[{"file": "f.py", "line": 2,
                                                                      "text": "x", "message": "m"}])
    d = json.loads(json.dumps(r.to_dict()))
    d["tests"][0]["future_field"] = 1
    back = res.GradingResult.from_dict(d)
    assert back.tests[0] == t and back.import_errors == r.import_errors


def test_import_errors_are_bounded_and_typed():
    weird = res.clean_import_error({"file": "a\nb\x1b[31m.py", "line": "3", "text": "y" * 10_000,
                                    "message": 5})
    assert weird["file"] == "a b.py" and weird["line"] is None
    assert len(weird["text"]) < 400 and weird["message"] == "5"
    assert res.clean_import_error("just text") == {"file": "your file", "line": None, "text": "",
                                                   "message": "just text"}


def test_crash_reason_cannot_carry_a_verdict_line():
    r = res.GradingResult.crashed("s", "bad name a\n[PASS] all\nHidden test suite: 70 / 70\x1b[0m")
    assert "\n" not in r.output and "\x1b" not in r.output
    assert r.output.startswith("Your submission could not be graded: bad name a [PASS]")


# ----------------------------------------------------------------------------- size caps (issue 19)
ASTRAL = "\U0001F600"      # 12 bytes in results.json (two \u escapes)


def _huge_result() -> res.GradingResult:
    answers = [{"notebook": "RNN_Captioning.ipynb", "note": None,
                "answers": [{"grade_id": "inline_question_1", "text": "\x00" * 400_000}]}]
    tests = [res.TestResult(f"t{i}", str(i), 0.0, 1.0, output=f"check {i}:\n" + ASTRAL * 30_000,
                        checks=[{"title": "t", "passed": False, "quoted": ASTRAL * 20_000}])
             for i in range(64)]
    return res.GradingResult("s" * 5000, tests=tests, output="Hidden test suite: 0 / 64",
                         extra_data={"answers": answers})


def test_results_json_stays_under_the_limit_and_says_what_was_cut(tmp_path):
    result = _huge_result()
    result.write_json(tmp_path / "results.json")
    size = (tmp_path / "results.json").stat().st_size
    assert size < MAX_RESULTS_BYTES
    data = json.loads((tmp_path / "results.json").read_text())
    assert "were shortened to keep it under 1000 kB" in data["output"]
    assert data["output"].startswith("Hidden test suite: 0 / 64")          # the judge's text first
    assert all(t["output"].startswith(f"check {t['number']}:") for t in data["tests"])
    assert all("characters cut to keep this report small" in t["output"] for t in data["tests"])
    assert len(data["extra_data"]["submission"]) <= studenttext.MAX_LINE_CHARS + 40
    assert [t["score"] for t in data["tests"]] == [0.0] * 64               # numbers untouched


def test_the_full_result_is_bounded_too_and_a_small_result_is_untouched():
    assert serialised_size(_huge_result().to_dict()) < MAX_FULL_RESULT_BYTES
    small = res.GradingResult("s", tests=[res.TestResult("a", "1", 1.0, 1.0, output="fine")], output="ok")
    assert small.to_gradescope_dict()["output"] == "ok"
    assert small.to_gradescope_dict()["tests"][0]["output"] == "fine"
