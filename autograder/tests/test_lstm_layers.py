"""Hidden tests (extra credit): LSTM step and sequence layers, randomized shapes (never the
notebook's), float64 and float32, N=1 and T=1.

Backward checks compare with the reference; when the student's forward is wrong, the backward
is instead checked against a numeric gradient of the student's OWN forward (norm-relative,
coursekit.judge.gradcheck), so a forward bug is not charged twice. lstm_forward/lstm_backward
also run with the reference step functions substituted: they pass if either run passes."""
import numpy as np
import pytest

from coursekit.judge import hints as H
from coursekit.judge import lstm_variants as V
from coursekit.judge.checks import CheckFailed, rel_err
from coursekit.judge.gradcheck import check_against_own_forward
from coursekit.judge.suite import call_fn, check_not_modified, check_outputs, dot_scalar, target

STEP_OUT = ["next_h", "next_c"]
STEP_GRADS = ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]
SEQ_GRADS = ["dx", "dh0", "dWx", "dWh", "db"]
FORWARD_WRONG = 1e-4   # relative error above which the student's forward counts as wrong


def dims(rng, case):
    """Random (N, T, D, H), small (fast), never the notebook's sizes."""
    return (1 if "N=1" in case else int(rng.integers(2, 6)), 1 if "T=1" in case else int(rng.integers(2, 6)),
            int(rng.integers(3, 8)), int(rng.integers(3, 7)))


def lstm_inputs(rng, case, sequence: bool):
    """[x, prev_h, prev_c, Wx, Wh, b] (step) or [x, h0, Wx, Wh, b] (sequence), scaled so that
    no gate saturates."""
    N, T, D, H_ = dims(rng, case)
    dtype = np.float32 if case == "float32" else np.float64
    draw = lambda shape, scale: (rng.standard_normal(shape) * scale).astype(dtype)  # noqa: E731
    x = draw((N, T, D) if sequence else (N, D), 1.0)
    state = [draw((N, H_), 0.7)] + ([] if sequence else [draw((N, H_), 0.8)])
    return [x, *state, draw((D, 4 * H_), 0.5), draw((H_, 4 * H_), 0.5), draw((4 * H_,), 0.3)]


def forward_is_wrong(observed, expected) -> bool:
    """True when the student's forward output is a valid array that differs from the reference."""
    return isinstance(observed, np.ndarray) and observed.shape == np.shape(expected) \
        and np.all(np.isfinite(observed)) and rel_err(observed, expected) > FORWARD_WRONG


def own_forward_check(judge, runner, forward, args, grads, douts, names, what):
    call = lambda *a: runner.call(target(forward), *a, what=forward)  # noqa: E731
    n_out = len(names) + 1
    check_against_own_forward(call, args, range(len(args)), grads, dot_scalar(douts, n_out, names),
                              labels=STEP_GRADS if forward == "lstm_step_forward" else SEQ_GRADS,
                              rng=judge.rng(f"{what}:gradcheck"), what=what, forward_name=forward)
    judge.note(f"your backward matches a numeric gradient of your own {forward} "
               f"(which is wrong; see {forward}).")


# ----------------------------------------------------------------------------- step
def check_step_forward(judge, runner, args):
    h, c, _ = call_fn(runner, "lstm_step_forward", *args, n_out=3)
    exp_h, exp_c, _ = judge.L.lstm_step_forward(*args)
    check_outputs([h, c], [exp_h, exp_c], STEP_OUT, what="lstm_step_forward",
                  variants={k: list(v) for k, v in H.lstm_step_variants(*args).items()})


@pytest.mark.item("lstm_step_forward")
@pytest.mark.parametrize("case", ["random", "N=1", "float32"])
def test_lstm_step_forward(judge, case):
    """next_h and next_c match the reference"""
    args = lstm_inputs(judge.rng(f"lstm_step_forward:{case}"), case, sequence=False)
    check_step_forward(judge, judge.plain, args)


@pytest.mark.item("lstm_step_forward")
def test_lstm_step_forward_inputs_untouched(judge):
    """lstm_step_forward does not modify its inputs"""
    args = lstm_inputs(judge.rng("lstm_step_forward:inplace"), "random", sequence=False)
    check_not_modified(judge.plain, "lstm_step_forward", args, ["x", "prev_h", "prev_c", "Wx", "Wh", "b"],
                       judge.L.lstm_step_forward(*args)[0])


def check_step_backward(judge, runner, args, rng, what):
    h, c, cache = call_fn(runner, "lstm_step_forward", *args, n_out=3)
    N, H_ = args[1].shape
    dnext_h, dnext_c = (rng.standard_normal((N, H_)).astype(args[0].dtype) for _ in range(2))
    grads = call_fn(runner, "lstm_step_backward", dnext_h, dnext_c, cache, n_out=6)
    exp_h, exp_c, ref_cache = judge.L.lstm_step_forward(*args)
    expected = judge.L.lstm_step_backward(dnext_h, dnext_c, ref_cache)
    try:
        check_outputs(grads, expected, STEP_GRADS, what="lstm_step_backward",
                      variants=V.step_backward_variants(*args, dnext_h, dnext_c))
    except CheckFailed:
        if not (forward_is_wrong(h, exp_h) or forward_is_wrong(c, exp_c)):
            raise
        own_forward_check(judge, runner, "lstm_step_forward", args, grads, [dnext_h, dnext_c],
                          STEP_OUT, what)


@pytest.mark.item("lstm_step_backward")
@pytest.mark.parametrize("case", ["random", "N=1", "float32"])
def test_lstm_step_backward(judge, case):
    """all six gradients match the reference (or your own forward, when that one is wrong)"""
    rng = judge.rng(f"lstm_step_backward:{case}")
    check_step_backward(judge, judge.plain, lstm_inputs(rng, case, sequence=False), rng,
                        f"lstm_step_backward:{case}")


@pytest.mark.item("lstm_step_backward")
def test_lstm_step_backward_inputs_untouched(judge):
    """lstm_step_backward does not modify dnext_h or dnext_c"""
    rng = judge.rng("lstm_step_backward:inplace")
    args = lstm_inputs(rng, "random", sequence=False)
    h, c, cache = call_fn(judge.plain, "lstm_step_forward", *args, n_out=3)
    dnext = [rng.standard_normal(args[1].shape) for _ in range(2)]
    exp_h, exp_c, ref_cache = judge.L.lstm_step_forward(*args)
    expected = judge.L.lstm_step_backward(*dnext, ref_cache)[0]
    # a wrong forward gives a different cache: then only the output's shape is checked here
    check_not_modified(judge.plain, "lstm_step_backward", [*dnext, cache], ["dnext_h", "dnext_c", None],
                       expected, shape_only=forward_is_wrong(h, exp_h) or forward_is_wrong(c, exp_c))


# ----------------------------------------------------------------------------- sequence
SEQ_CASES = ["random", "T=1", "N=1", "float32"]


def check_lstm_forward(judge, runner, args):
    h, _ = call_fn(runner, "lstm_forward", *args, n_out=2)
    expected, _ = judge.L.lstm_forward(*args)
    check_outputs([h], [expected], ["h"], what="lstm_forward", variants=V.forward_variants(*args))


@pytest.mark.item("lstm_forward")
@pytest.mark.parametrize("case", SEQ_CASES)
def test_lstm_forward(judge, case):
    """h matches the reference (plain run, or given correct step functions)"""
    args = lstm_inputs(judge.rng(f"lstm_forward:{case}"), case, sequence=True)
    judge.either(lambda r: check_lstm_forward(judge, r, args), lambda r: check_lstm_forward(judge, r, args),
                 given="step functions (see lstm_step_forward)")


@pytest.mark.item("lstm_forward")
def test_lstm_forward_inputs_untouched(judge):
    """lstm_forward does not modify its inputs"""
    args = lstm_inputs(judge.rng("lstm_forward:inplace"), "random", sequence=True)
    expected = judge.L.lstm_forward(*args)[0]
    check = lambda r: check_not_modified(r, "lstm_forward", args, ["x", "h0", "Wx", "Wh", "b"], expected)  # noqa: E731
    judge.either(check, check, given="step functions (see lstm_step_forward)")


def check_lstm_backward(judge, runner, args, dh, what):
    h, cache = call_fn(runner, "lstm_forward", *args, n_out=2)
    grads = call_fn(runner, "lstm_backward", dh, cache, n_out=5)
    exp_h, ref_cache = judge.L.lstm_forward(*args)
    expected = judge.L.lstm_backward(dh, ref_cache)
    try:
        check_outputs(grads, expected, SEQ_GRADS, what="lstm_backward",
                      variants=V.backward_variants(*args, dh))
    except CheckFailed:
        if not forward_is_wrong(h, exp_h):
            raise
        own_forward_check(judge, runner, "lstm_forward", args, grads, [dh], ["h"], what)


@pytest.mark.item("lstm_backward")
@pytest.mark.parametrize("case", SEQ_CASES)
def test_lstm_backward(judge, case):
    """all five gradients match the reference (plain run, or given correct step functions)"""
    rng = judge.rng(f"lstm_backward:{case}")
    args = lstm_inputs(rng, case, sequence=True)
    dh = rng.standard_normal(args[0].shape[:2] + (args[1].shape[1],)).astype(args[0].dtype)
    what = f"lstm_backward:{case}"
    judge.either(lambda r: check_lstm_backward(judge, r, args, dh, what),
                 lambda r: check_lstm_backward(judge, r, args, dh, what),
                 given="step functions (see lstm_step_forward / lstm_step_backward)")


@pytest.mark.item("lstm_backward")
def test_lstm_backward_dh_untouched(judge):
    """lstm_backward does not modify the upstream gradient dh"""
    rng = judge.rng("lstm_backward:inplace")
    args = lstm_inputs(rng, "random", sequence=True)
    dh = rng.standard_normal(args[0].shape[:2] + (args[1].shape[1],))
    expected = judge.L.lstm_backward(dh, judge.L.lstm_forward(*args)[1])[0]

    def check(runner):
        _, cache = call_fn(runner, "lstm_forward", *args, n_out=2)
        check_not_modified(runner, "lstm_backward", [dh, cache], ["dh", None], expected)
    judge.either(check, check, given="step functions (see lstm_step_forward / lstm_step_backward)")
