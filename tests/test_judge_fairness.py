"""Grader fairness rules found by the corpus run (coursekit.judge.gradcheck, .captions):

- Backwards (rnn_step_backward, lstm_step_backward, lstm_backward) earn credit by matching the
  reference, or -- only when the student's forward is wrong -- by being the exact gradient of
  that forward, which must really depend on every input (at least DEPENDENCE of the
  reference's directional derivatives). So a correct backward paired with a buggy forward
  (gates swapped consistently) keeps its points, but a constant/zero/garbage forward never
  lets a trivially "consistent" backward earn anything: a submission whose functions all
  return zeros, or constants, scores 0 on every item.
- Samples are compared up to and including the reference caption's first <END>: a sampler
  that stops there (leaving <NULL>) is as correct as the reference, which keeps generating.

Judge-side rule tests first (no sandbox), then judge_submission end to end (real sandbox)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from helpers_grading import appending, make_submission

from coursekit.judge import judge_submission
from coursekit.judge.seed import course_seed
from coursekit.judge.captions import captions_agree, compared_mask, valid_captions
from coursekit.judge.checks import CheckFailed
from coursekit.judge.context import JudgeContext
from coursekit.judge.gradcheck import DEPENDENCE, check_against_own_forward
from coursekit.judge.model_checks import END, NULL, SAMPLE_DTYPE, START, random_problem
from coursekit.reference import submodule

LABELS = ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]
SWAP_I_F = np.r_[1, 0, 2, 3]   # gate blocks (i, f, o, g) with i and f exchanged


# ----------------------------------------------------------------------------- backward rule
def lstm_problem(seed=5, N=3, D=5, H=4):
    rng = np.random.default_rng(seed)
    shapes = [((N, D), 1.0), ((N, H), 0.7), ((N, H), 0.8), ((D, 4 * H), 0.5), ((H, 4 * H), 0.5),
              ((4 * H,), 0.3)]
    args = [rng.standard_normal(s) * sc for s, sc in shapes]
    dnext = [rng.standard_normal((N, H)) for _ in range(2)]
    return args, dnext, rng


def swap_columns(w, H):
    """Exchange the i and f column blocks (an involution)."""
    return w.reshape(*w.shape[:-1], 4, H)[..., SWAP_I_F, :].reshape(w.shape)


def own_forward_verdict(forward, grads, reference, args, dnext):
    """check_against_own_forward on a judge-side `forward`; None when credited, else the message."""
    def scalar(res):
        return float(np.sum(res[0] * dnext[0]) + np.sum(res[1] * dnext[1]))
    try:
        check_against_own_forward(forward, args, range(6), grads, scalar, labels=LABELS,
                                  rng=np.random.default_rng(0), what="lstm_step_backward",
                                  forward_name="lstm_step_forward", reference=reference)
    except CheckFailed as exc:
        return str(exc)
    return None



def test_consistent_gate_swap_is_credited(L):
    """A correct backward of a buggy forward (i/f swapped in both) is still credited."""
    args, dnext, _ = lstm_problem()
    H = args[1].shape[1]

    def swapped(x, h, c, Wx, Wh, b):
        return L.lstm_step_forward(x, h, c, swap_columns(Wx, H), swap_columns(Wh, H), swap_columns(b, H))
    cache = swapped(*args)[2]
    grads = list(L.lstm_step_backward(*dnext, cache))
    grads[3:] = [swap_columns(g, H) for g in grads[3:]]     # chain rule through the swap
    reference = L.lstm_step_backward(*dnext, L.lstm_step_forward(*args)[2])
    assert max(np.linalg.norm(g - r) for g, r in zip(grads[3:], reference[3:])) > 1e-2  # not the reference
    assert own_forward_verdict(swapped, grads, reference, args, dnext) is None


@pytest.mark.parametrize("value", [0.0, 3.0])
def test_constant_forward_with_zero_backward_is_not_credited(L, value):
    """The hole of the old rule: a constant forward and all-zero gradients are 'consistent'."""
    args, dnext, _ = lstm_problem()
    reference = L.lstm_step_backward(*dnext, L.lstm_step_forward(*args)[2])

    def constant(x, h, c, Wx, Wh, b):
        return np.full(h.shape, value), np.full(h.shape, value), None
    zeros = [np.zeros_like(a) for a in args]
    message = own_forward_verdict(constant, zeros, reference, args, dnext)
    assert message is not None and "barely depends on x" in message, message


def test_barely_dependent_forward_is_not_credited(L):
    """A forward scaled far below DEPENDENCE, with its exact (tiny) gradient, earns nothing."""
    args, dnext, _ = lstm_problem()
    scale = DEPENDENCE / 100
    cache = L.lstm_step_forward(*args)[2]
    grads = [g * scale for g in L.lstm_step_backward(*dnext, cache)]

    def shrunk(*a):
        h, c, cache = L.lstm_step_forward(*a)
        return h * scale, c * scale, cache
    message = own_forward_verdict(shrunk, grads, L.lstm_step_backward(*dnext, cache), args, dnext)
    assert message is not None and "barely depends" in message


def test_inconsistent_backward_of_a_buggy_forward_is_not_credited(L):
    args, dnext, _ = lstm_problem()
    H = args[1].shape[1]

    def swapped(x, h, c, Wx, Wh, b):
        return L.lstm_step_forward(x, h, c, swap_columns(Wx, H), swap_columns(Wh, H), swap_columns(b, H))
    reference = L.lstm_step_backward(*dnext, L.lstm_step_forward(*args)[2])
    message = own_forward_verdict(swapped, list(reference), reference, args, dnext)
    assert message is not None and "disagrees with a numeric gradient" in message


# ----------------------------------------------------------------------------- caption rule
def test_compared_mask_stops_after_the_first_end():
    expected = np.array([[5, END, 4, END], [5, 6, 7, 8], [END, 3, 3, 3]])
    assert compared_mask(expected, END).tolist() == [[True, True, False, False], [True] * 4,
                                                     [True, False, False, False]]
    assert compared_mask(expected, None).all()


def test_captions_agree_ignores_entries_after_end_only():
    expected = np.array([[5, END, 4, 4], [5, 6, 7, 8]])
    stopped = np.array([[5, END, NULL, NULL], [5, 6, 7, 8]])
    assert captions_agree(stopped, expected, END).tolist() == [True, True]
    early = np.array([[5, NULL, NULL, NULL], [5, 6, 7, 9]])   # <END> missing; last word differs
    assert captions_agree(early, expected, END).tolist() == [False, False]


@pytest.mark.parametrize("value, message", [
    (np.zeros((2, 4)), "integers"), (np.zeros((2, 3), dtype=int), "shape"),
    (np.full((2, 4), 9), "not word indices"), (np.full((2, 4), -1), "not word indices"),
    (None, "None")])
def test_valid_captions_rejects_bad_arrays(value, message):
    with pytest.raises(CheckFailed, match=message):
        valid_captions(value, (2, 4), vocab_size=9)


def test_judge_sample_problems_exercise_text_after_end(ref, course):
    """Precondition of the end-to-end sample test below: on the hidden suite's own random
    problems the reference does generate words after <END> (else stopping could not matter)."""
    M = submodule(ref, "classifiers.rnn")
    seeded = SimpleNamespace(base_seed=course_seed(course))
    after_end = 0
    for case in ("random", "N=1"):
        prob = random_problem(JudgeContext.rng(seeded, f"sample:{case}"), "rnn", case, SAMPLE_DTYPE)
        model = M.CaptioningRNN(prob.word_to_idx, cell_type="rnn", dtype=np.dtype(prob.dtype).type, **prob.dims)
        model.params = {k: v.copy() for k, v in prob.params.items()}
        captions = model.sample(prob.features, max_length=prob.max_length)
        after_end += int(np.sum(~compared_mask(captions, END) & (captions != NULL)))
    assert after_end > 0


# ----------------------------------------------------------------------------- end to end
OVERRIDE = '''

# ----- judge fairness test: every function returns {fill} instead of its result -----
def _fill(value):
    if isinstance(value, tuple):
        return tuple(_fill(v) for v in value)
    if isinstance(value, dict):
        return {{k: _fill(v) for k, v in value.items()}}
    if isinstance(value, np.ndarray):
        return np.full_like(value, {fill})
    if isinstance(value, (float, np.floating)):   # np.float32 is no float
        return type(value)({fill})
    return value


def _filled(fn):
    def wrapped(*args, **kwargs):
        return _fill(fn(*args, **kwargs))
    return wrapped


for _name in {functions!r}:
    globals()[_name] = _filled(globals()[_name])
'''
MODEL_OVERRIDE = '''

from ..rnn_layers import _filled
CaptioningRNN.loss = _filled(CaptioningRNN.loss)
CaptioningRNN.sample = _filled(CaptioningRNN.sample)
'''
LAYER_FUNCTIONS = ["rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
                   "word_embedding_forward", "word_embedding_backward", "lstm_step_forward",
                   "lstm_step_backward", "lstm_forward", "lstm_backward"]
STOP_AT_END = '''

_sample_all = CaptioningRNN.sample


def _sample_until_end(self, features, max_length=30):
    captions = _sample_all(self, features, max_length)
    for row in captions:
        ends = np.flatnonzero(row == self._end)
        if ends.size:
            row[ends[0] + {keep}:] = self._null
    return captions


CaptioningRNN.sample = _sample_until_end
'''


@pytest.mark.parametrize("fill", [0, 3])
def test_constant_results_score_zero_everywhere(tmp_path, course, fill):
    """Every layer function, loss and sample returns zeros (or 3s) shaped like the right answer:
    0 on every item, both step backwards included."""
    code = {"rnn_layers.py": OVERRIDE.format(fill=fill, functions=LAYER_FUNCTIONS),
            "rnn.py": MODEL_OVERRIDE}
    result = judge_submission(make_submission(tmp_path / "sub", course, appending(code)), config=course)
    assert "internal_errors" not in result.extra_data, result.extra_data
    earned = {t.name: t.score for t in result.tests if t.score}
    assert earned == {}, {t.name: t.output for t in result.tests if t.score}
    assert len(result.tests) == len(course.points.required) + len(course.points.extra_credit)


@pytest.mark.parametrize("keep, full", [(1, True), (0, False)])
def test_sampler_stopping_at_end(tmp_path, course, keep, full):
    """Stopping after <END> (keep it, <NULL> after) gets full sample marks; dropping the <END>
    itself (keep=0) is wrong and loses them."""
    code = {"rnn.py": STOP_AT_END.format(keep=keep)}
    result = judge_submission(make_submission(tmp_path / "sub", course, appending(code)), config=course,
                              items=["sample"])
    assert "internal_errors" not in result.extra_data, result.extra_data
    (test,) = result.tests
    assert (test.score == course.points.required["sample"]) == full, test.output
    if not full:
        assert "captions differ from the reference's" in test.output, test.output
