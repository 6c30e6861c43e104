"""The hidden suite's LSTM extra credit: gradient-check calibration and hint variants (judge-side,
no sandbox), then judge_submission end to end on stubs and injected LSTM bugs (real sandbox).
The reference's full marks (all 16 items) are checked in test_judge_submissions.py."""
from __future__ import annotations

import numpy as np
import pytest

from helpers_grading import make_submission, replacing

from coursekit.judge import hints as H
from coursekit.judge import judge_submission
from coursekit.judge import lstm_variants as V
from coursekit.judge.checks import TOL_FLOAT64, rel_err
from coursekit.judge.gradcheck import GRAD_TOL, gradcheck_errors
from coursekit.reference import submodule

LSTM_LAYER_ITEMS = ["lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
                    "lstm_captioning_loss"]
MARGIN = 100   # thresholds must sit this far above the reference's errors
STEP_LABELS = ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]


def step_args(seed, dtype=np.float64, N=3, D=5, H_=4):
    rng = np.random.default_rng(seed)
    shapes = [((N, D), 1.0), ((N, H_), 0.7), ((N, H_), 0.8), ((D, 4 * H_), 0.5), ((H_, 4 * H_), 0.5),
              ((4 * H_,), 0.3)]
    return [(rng.standard_normal(s) * sc).astype(dtype) for s, sc in shapes], rng


def step_gradcheck(L, backward, seed, dtype):
    """Errors of `backward(dnext_h, dnext_c, ref cache)` against the reference forward."""
    args, rng = step_args(seed, dtype)
    dnext = [rng.standard_normal(args[1].shape).astype(dtype) for _ in range(2)]
    grads = backward(*dnext, L.lstm_step_forward(*args)[2])

    def scalar(res):
        return float(np.sum(res[0] * dnext[0]) + np.sum(res[1] * dnext[1]))
    return gradcheck_errors(L.lstm_step_forward, args, range(6), grads, scalar, labels=STEP_LABELS,
                            rng=np.random.default_rng(seed + 1))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gradcheck_threshold_far_above_the_reference(ref, dtype):
    L = submodule(ref, "rnn_layers")
    worst = max(max(step_gradcheck(L, L.lstm_step_backward, seed, getattr(np, dtype)).values())
                for seed in range(5))
    print(f"reference worst norm-relative error ({dtype}): {worst:.1e}; threshold {GRAD_TOL[dtype]:.0e}")
    assert worst * MARGIN <= GRAD_TOL[dtype]


@pytest.mark.parametrize("switch", [{"forget": False}, {"tanh_derivative": False},
                                    {"g_derivative": "sigmoid"}, {"order": "fiog"}])
def test_gradcheck_catches_wrong_backwards_by_far(ref, switch):
    L = submodule(ref, "rnn_layers")
    errors = step_gradcheck(L, lambda dh, dc, cache: V.step_backward(dh, dc, cache, **switch), 3,
                            np.float64)
    assert max(errors.values()) > MARGIN * GRAD_TOL["float64"], errors


def test_variant_step_matches_the_reference(ref):
    """The judge-side LSTM used for the variants is the reference when no switch is flipped."""
    L = submodule(ref, "rnn_layers")
    args, rng = step_args(11)
    h, c, cache = V.step_forward(*args)
    ref_h, ref_c, ref_cache = L.lstm_step_forward(*args)
    assert rel_err(h, ref_h) < 1e-12 and rel_err(c, ref_c) < 1e-12
    dnext = [rng.standard_normal(h.shape) for _ in range(2)]
    for ours, theirs in zip(V.step_backward(*dnext, cache), L.lstm_step_backward(*dnext, ref_cache)):
        assert rel_err(ours, theirs) < 1e-12
    x = rng.standard_normal((3, 4, 5))
    seq = [x, args[1], *args[3:]]
    assert rel_err(V.forward(*seq)[0], L.lstm_forward(*seq)[0]) < 1e-12
    dh = rng.standard_normal((3, 4, args[1].shape[1]))
    for ours, theirs in zip(V.backward(dh, V.forward(*seq)[1]), L.lstm_backward(dh, L.lstm_forward(*seq)[1])):
        assert rel_err(ours, theirs) < 1e-12


def test_every_variant_is_distinguishable_from_the_reference(ref):
    """Each wrong variant is far outside the grading tolerance (else its hint could never show)."""
    L = submodule(ref, "rnn_layers")
    args, rng = step_args(12)
    ref_out = L.lstm_step_forward(*args)
    for key, (h, c) in H.lstm_step_variants(*args).items():
        assert max(rel_err(h, ref_out[0]), rel_err(c, ref_out[1])) > 1e3 * TOL_FLOAT64, key
    dnext = [rng.standard_normal(ref_out[0].shape) for _ in range(2)]
    expected = L.lstm_step_backward(*dnext, ref_out[2])
    for key, outs in V.step_backward_variants(*args, *dnext).items():
        assert max(rel_err(o(), e) for o, e in zip(outs, expected)) > 1e3 * TOL_FLOAT64, key


# ----------------------------------------------------------------------------- end to end
def grade(tmp_path, course, items, edits=(), strip=False):
    sub = make_submission(tmp_path / "sub", course, replacing(*edits), strip=strip)
    result = judge_submission(sub, config=course, items=items)
    assert "internal_errors" not in result.extra_data, result.extra_data
    full = course.points.extra_credit
    lost = {t.name for t in result.tests if t.score < full[t.name]}
    return result, lost, {t.name: t.output for t in result.tests}


@pytest.mark.slow
def test_stubs_score_zero_on_every_lstm_item(tmp_path, course):
    result, lost, out = grade(tmp_path, course, LSTM_LAYER_ITEMS + ["lstm_overfit", "lstm_sample"], strip=True)
    assert result.score == 0 and lost == set(course.points.extra_credit)
    for name, text in out.items():
        assert "not implemented" in text, (name, text)


LAYERS, MODEL = "rnn_layers.py", "rnn.py"
NO_FORGET = (LAYERS, "    dprev_c = dc * f\n", "    dprev_c = dc\n")
SWAP_I_F = [(LAYERS, "    i = sigmoid(a[:, :H])\n    f = sigmoid(a[:, H:2 * H])\n",
             "    f = sigmoid(a[:, :H])\n    i = sigmoid(a[:, H:2 * H])\n"),
            (LAYERS, "        dc * g * i * (1.0 - i),              # input gate\n"
                     "        dc * prev_c * f * (1.0 - f),         # forget gate\n",
             "        dc * prev_c * f * (1.0 - f),         # forget gate\n"
             "        dc * g * i * (1.0 - i),              # input gate\n")]
C_NOT_CHAINED = (LAYERS, "dh[:, t, :] + dprev_h, dprev_c, step_caches[t])",
                 "dh[:, t, :] + dprev_h, np.zeros_like(dprev_c), step_caches[t])")
LSTM_H0_TANH = (MODEL, "lstm_forward(words, h0, Wx, Wh, b)", "lstm_forward(words, np.tanh(h0), Wx, Wh, b)")


@pytest.mark.slow
def test_step_backward_bug_costs_the_step_backward_only(tmp_path, course):
    _, lost, out = grade(tmp_path, course, LSTM_LAYER_ITEMS, edits=[NO_FORGET])
    assert lost == {"lstm_step_backward"}, out
    assert "dprev_c misses the forget gate" in out["lstm_step_backward"]
    assert "with the reference step functions in place of yours" in out["lstm_backward"].splitlines()[0]
    assert "Note: This check passed only with the reference step functions" in out["lstm_backward"]


@pytest.mark.slow
def test_consistent_gate_swap_costs_the_step_forward_only(tmp_path, course):
    """i and f swapped in the forward and, consistently, in the backward: the backward is the
    exact gradient of the student's own forward, so only lstm_step_forward loses points."""
    _, lost, out = grade(tmp_path, course, LSTM_LAYER_ITEMS, edits=SWAP_I_F)
    assert lost == {"lstm_step_forward"}, out
    assert "gates in the wrong order" in out["lstm_step_forward"]
    assert "numeric gradient of your own lstm_step_forward" in out["lstm_step_backward"]


@pytest.mark.slow
def test_sequence_and_model_bugs_cost_their_items(tmp_path, course):
    _, lost, out = grade(tmp_path, course, LSTM_LAYER_ITEMS, edits=[C_NOT_CHAINED, LSTM_H0_TANH])
    assert lost == {"lstm_backward", "lstm_captioning_loss"}, out
    assert "dprev_c is not chained through time" in out["lstm_backward"]
    assert "h0 has a tanh" in out["lstm_captioning_loss"]
