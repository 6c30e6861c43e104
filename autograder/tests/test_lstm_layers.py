"""Hidden tests (extra credit): LSTM step and sequence layers, randomized shapes (never the
notebook's), float64 and float32, N=1 and T=1.

Backward checks compare with the reference; when the student's forward is wrong, the backward
is instead checked against a numeric gradient of the student's OWN forward (norm-relative),
so a forward bug is not charged twice -- but only if that forward really depends on every
input (a constant, zero or garbage forward never lets a "consistent" backward earn credit).
The same rule grades rnn_step_backward: coursekit.judge.suite.check_backward, documented in
coursekit.judge.gradcheck. lstm_forward/lstm_backward also run with the reference step functions
granted (coursekit.judge.grants.LSTM_STEPS): they pass if either run passes. Forwards must not
modify their inputs; a backward may modify its upstream gradient (a note only). The step
functions also run on the inputs a trained model gives them (coursekit.judge.training.ranges),
where a tanh or sigmoid written with np.exp overflows in float32 (coursekit.judge.overflow)."""
import numpy as np
import pytest

from coursekit.judge import hints as H
from coursekit.judge import lstm_variants as V
from coursekit.judge.grants import LSTM_STEPS, sequence_dims
from coursekit.judge.overflow import check_finite, finite
from coursekit.judge.suite import (call_fn, check_backward, check_inputs_untouched, check_outputs,
                                   note_if_upstream_modified)
from coursekit.judge.training.ranges import preactivation, trained_step_inputs

STEP_OUT = ["next_h", "next_c"]
STEP_GRADS = ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]
SEQ_GRADS = ["dx", "dh0", "dWx", "dWh", "db"]


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


# ----------------------------------------------------------------------------- step
def check_step_forward(judge, runner, args):
    h, c, _ = call_fn(runner, "lstm_step_forward", *args, n_out=3)
    exp_h, exp_c, _ = judge.layers.lstm_step_forward(*args)
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
    check_inputs_untouched(judge.plain, "lstm_step_forward", args, judge.layers.lstm_step_forward(*args)[0],
                           n_out=3)


def trained_case(judge):
    """The step inputs of a trained LSTM (float32), with the case said in words."""
    args = trained_step_inputs(judge, "lstm")
    judge.case("inputs a trained model gives the step (recorded from the reference's training): "
               f"float32, pre-activations up to {float(np.abs(preactivation(args)).max()):.0f} in magnitude")
    return args


@pytest.mark.item("lstm_step_forward")
def test_lstm_step_forward_trained_range(judge):
    """next_h and next_c match the reference on the inputs of a trained model (large pre-activations)"""
    args = trained_case(judge)
    h, c, _ = call_fn(judge.plain, "lstm_step_forward", *args, n_out=3)
    exp_h, exp_c, _ = judge.layers.lstm_step_forward(*args)
    check_finite("lstm", args, [h, c], [exp_h, exp_c], STEP_OUT)
    check_outputs([h, c], [exp_h, exp_c], STEP_OUT, what="lstm_step_forward")


def verify_step_backward(judge, runner, args, outs, dnext, grads, what):
    check_backward(judge, runner, "lstm_step_forward", args, outs, dnext, grads,
                   names=(STEP_OUT, STEP_GRADS), variants=V.step_backward_variants(*args, *dnext),
                   forward_variants={k: v[0] for k, v in H.lstm_step_variants(*args).items()},
                   rng_key=what)


def check_step_backward(judge, runner, args, rng, what):
    h, c, cache = call_fn(runner, "lstm_step_forward", *args, n_out=3)
    dnext = [rng.standard_normal(args[1].shape).astype(args[0].dtype) for _ in range(2)]
    grads = call_fn(runner, "lstm_step_backward", *dnext, cache, n_out=6)
    verify_step_backward(judge, runner, args, [h, c], dnext, grads, what)
    note_if_upstream_modified(judge, runner, "lstm_step_backward", dnext,
                              call_fn(runner, "lstm_step_forward", *args, n_out=3)[2])


@pytest.mark.item("lstm_step_backward")
@pytest.mark.parametrize("case", ["random", "N=1", "float32"])
def test_lstm_step_backward(judge, case):
    """all six gradients match the reference (or your own forward, when that one is wrong)"""
    rng = judge.rng(f"lstm_step_backward:{case}")
    check_step_backward(judge, judge.plain, lstm_inputs(rng, case, sequence=False), rng,
                        f"lstm_step_backward:{case}")


@pytest.mark.item("lstm_step_backward")
def test_lstm_step_backward_trained_range(judge):
    """all six gradients match the reference on the inputs of a trained model"""
    args = trained_case(judge)
    if not finite(call_fn(judge.plain, "lstm_step_forward", *args, n_out=3)[:2]):
        judge.note("not judged on these inputs: your lstm_step_forward gives NaN or inf there "
                   "(that costs points at lstm_step_forward only).")
        return
    rng = judge.rng("lstm_step_backward:trained")
    check_step_backward(judge, judge.plain, args, rng, "lstm_step_backward:trained")


# ----------------------------------------------------------------------------- sequence
SEQ_CASES = ["random", "T=1", "N=1", "float32"]


def check_lstm_forward(judge, runner, args):
    h, _ = call_fn(runner, "lstm_forward", *args, n_out=2)
    expected, _ = judge.layers.lstm_forward(*args)
    check_outputs([h], [expected], ["h"], what="lstm_forward", variants=V.forward_variants(*args))


@pytest.mark.item("lstm_forward")
@pytest.mark.parametrize("case", SEQ_CASES)
def test_lstm_forward(judge, case):
    """h matches the reference"""
    args = lstm_inputs(judge.rng(f"lstm_forward:{case}"), case, sequence=True)
    steps = LSTM_STEPS.within(**sequence_dims(*args[:2]))    # the test's N, T, D, H
    judge.either(lambda r: check_lstm_forward(judge, r, args), given=steps)


@pytest.mark.item("lstm_forward")
def test_lstm_forward_inputs_untouched(judge):
    """lstm_forward does not modify its inputs"""
    args = lstm_inputs(judge.rng("lstm_forward:inplace"), "random", sequence=True)
    expected = judge.layers.lstm_forward(*args)[0]
    steps = LSTM_STEPS.within(**sequence_dims(*args[:2]))    # the test's N, T, D, H
    judge.either(lambda r: check_inputs_untouched(r, "lstm_forward", args, expected), given=steps)


def check_lstm_backward(judge, runner, args, dh, what):
    h, cache = call_fn(runner, "lstm_forward", *args, n_out=2)
    grads = call_fn(runner, "lstm_backward", dh, cache, n_out=5)
    check_backward(judge, runner, "lstm_forward", args, [h], [dh], grads, names=(["h"], SEQ_GRADS),
                   variants=V.backward_variants(*args, dh), forward_variants=V.forward_variants(*args),
                   rng_key=what)
    note_if_upstream_modified(judge, runner, "lstm_backward", [dh], cache)


@pytest.mark.item("lstm_backward")
@pytest.mark.parametrize("case", SEQ_CASES)
def test_lstm_backward(judge, case):
    """all five gradients match the reference (or your own forward, when that one is wrong)"""
    rng = judge.rng(f"lstm_backward:{case}")
    args = lstm_inputs(rng, case, sequence=True)
    dh = rng.standard_normal(args[0].shape[:2] + (args[1].shape[1],)).astype(args[0].dtype)
    what = f"lstm_backward:{case}"
    steps = LSTM_STEPS.within(**sequence_dims(*args[:2]))    # the test's N, T, D, H
    judge.either(lambda r: check_lstm_backward(judge, r, args, dh, what), given=steps)
