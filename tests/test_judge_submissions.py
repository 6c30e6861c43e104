"""judge_submission end to end (real sandbox): reference, stubs, injected bugs, a correct
variant, and no student text in substituted runs."""
from __future__ import annotations

import re
import shutil

import pytest

from helpers_grading import make_submission

from coursekit.judge import judge_submission

FAST_ITEMS = ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
              "word_embedding_forward", "word_embedding_backward", "captioning_loss",
              "captioning_gradients"]
# The first sandbox uid tried (the sandbox leases uids machine-wide, so any hint is safe).


def scores(result):
    return {t.name: t.score for t in result.tests}


def replace_once(text, old, new):
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.fixture(scope="module")
def reference_result(tmp_path_factory, course):
    """The reference graded one call at a time (early_trainings=0, the default)."""
    return judge_submission(make_submission(tmp_path_factory.mktemp("ref") / "sub", course), config=course)


def test_reference_full_marks(reference_result, course):
    result = reference_result
    assert "internal_errors" not in result.extra_data
    full = {**course.points.required, **course.points.extra_credit}
    assert scores(result) == {k: float(v) for k, v in full.items()}, \
        {t.name: t.output for t in result.tests if t.score < full[t.name]}
    assert result.score == sum(full.values())   # required + extra credit
    assert result.extra_data["overfit"]["final_loss"] < 0.1
    assert result.extra_data["lstm_overfit"]["final_loss"] < 0.5
    assert result.extra_data["isolation"]
    required, extra = sum(course.points.required.values()), sum(course.points.extra_credit.values())
    assert result.output == (f"Hidden test suite: {required} / {required}, extra credit {extra} / {extra}. "
                             "All tests passed, extra credit included.")


def test_an_early_training_grades_the_reference_the_same(reference_result, tmp_path, course):
    """early_trainings=1: the overfit trainings run early in dedicated workers; same verdicts, same
    trained parameters (the judge-recomputed final losses are identical)."""
    result = judge_submission(make_submission(tmp_path / "sub", course), config=course, early_trainings=1)
    assert "internal_errors" not in result.extra_data
    assert scores(result) == scores(reference_result)
    for key in ("overfit", "lstm_overfit"):
        assert result.extra_data[key]["final_loss"] == reference_result.extra_data[key]["final_loss"]
        assert result.extra_data[key]["loss_history"] == reference_result.extra_data[key]["loss_history"]


def test_stubs_score_zero_with_one_message_each(tmp_path, course):
    result = judge_submission(make_submission(tmp_path / "sub", course, strip=True), config=course, items=FAST_ITEMS)
    assert result.score == 0
    for t in result.tests:
        assert "not implemented" in t.output, t.output


def test_injected_bugs_lose_points_on_their_item_only(tmp_path, course):
    def edit(rel, text):
        if rel.endswith("rnn_layers.py"):  # dWh overwritten instead of summed
            return replace_once(text, "dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t\n    dh0 = dprev_h\n    ### END SOLUTION\n    return dx, dh0, dWx, dWh, db\n\n\ndef word",
                                "dWx, dWh, db = dWx + dWx_t, dWh_t, db + db_t\n    dh0 = dprev_h\n    ### END SOLUTION\n    return dx, dh0, dWx, dWh, db\n\n\ndef word")
        return replace_once(text, "h0, proj_cache = affine_forward(features, W_proj, b_proj)\n",
                            "h0, proj_cache = affine_forward(features, W_proj, b_proj)\n        h0 = np.tanh(h0)\n")
    result = judge_submission(make_submission(tmp_path / "sub", course, edit), config=course, items=FAST_ITEMS)
    got = scores(result)
    lost = {k for k, v in got.items() if v < course.points.required[k]}
    assert lost == {"rnn_backward", "captioning_loss", "captioning_gradients"}, got
    out = {t.name: t.output for t in result.tests}
    assert "not summed over time" in out["rnn_backward"]
    assert "h0 has a tanh" in out["captioning_loss"]
    assert re.search(r"Not yet full marks: rnn_backward \([\d.]+ / 10\), captioning_loss \([\d.]+ / 10\), "
                     r"captioning_gradients \([\d.]+ / 10\)", result.output), result.output


VARIANT_STEP = '''
    xs = x.astype(np.float32); hs = prev_h.astype(np.float32)
    next_h = np.zeros((x.shape[0], Wh.shape[0]), dtype=np.float32)
    for n in range(x.shape[0]):
        next_h[n] = np.tanh(xs[n] @ Wx.astype(np.float32) + hs[n] @ Wh.astype(np.float32) + b.astype(np.float32))
    cache = {"next": next_h, "inputs": [x, prev_h, Wx, Wh]}
'''
VARIANT_STEP_BACK = '''
    x, prev_h, Wx, Wh = cache["inputs"]
    da = (dnext_h * (1.0 - cache["next"] ** 2)).astype(np.float32)
    dx, dprev_h = da @ Wx.T.astype(np.float32), da @ Wh.T.astype(np.float32)
    dWx = x.T.astype(np.float32) @ da
    dWh = prev_h.T.astype(np.float32) @ da
    db = np.sum(da, axis=0)
'''


def test_correct_variant_full_marks(tmp_path, course):
    def edit(rel, text):
        if not rel.endswith("rnn_layers.py"):
            return text
        blocks = list(re.finditer(r"### BEGIN SOLUTION\n.*?    ### END SOLUTION\n", text, re.S))
        text = text[:blocks[1].start()] + "### BEGIN SOLUTION" + VARIANT_STEP_BACK + "    ### END SOLUTION\n" + text[blocks[1].end():]
        return text[:blocks[0].start()] + "### BEGIN SOLUTION" + VARIANT_STEP + "    ### END SOLUTION\n" + text[blocks[0].end():]
    result = judge_submission(make_submission(tmp_path / "sub", course, edit), config=course, items=FAST_ITEMS)
    assert "internal_errors" not in result.extra_data
    assert scores(result) == {k: float(course.points.required[k]) for k in FAST_ITEMS}, \
        {t.name: t.output for t in result.tests if t.score < t.max_score}


def test_substituted_runs_never_show_student_text(tmp_path, course):
    secret = "SUBSTITUTED-SECRET-42"

    def edit(rel, text):
        if not rel.endswith("rnn_layers.py"):
            return text
        text = replace_once(text, "    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)\n",
                            "    next_h = np.tanh(x @ Wx + prev_h @ Wh)\n")  # step bug: no bias
        return replace_once(text, "    hs, step_caches = [], []\n    prev_h = h0\n",
                            "    hs, step_caches = [], []\n    prev_h = h0\n"
                            f"    if type(rnn_step_forward).__name__ != 'function':\n"
                            f"        print('{secret}'); raise ValueError('{secret}')\n")
    result = judge_submission(make_submission(tmp_path / "sub", course, edit), config=course,
                              items=["rnn_step_forward", "rnn_forward"])
    got = scores(result)
    assert got["rnn_step_forward"] == 0 and got["rnn_forward"] < course.points.required["rnn_forward"]
    for t in result.tests:
        assert secret not in t.output
    assert "bias" in {t.name: t.output for t in result.tests}["rnn_step_forward"]
