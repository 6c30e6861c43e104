"""Hidden tests: vanilla RNN step and sequence layers (randomized shapes, never the notebook's).

Composites (rnn_forward, rnn_backward) also run with the reference step functions granted
(coursekit.judge.grants.RNN_STEPS): they pass if either run passes (a step-function bug costs
points only at the step). In-place policy: forwards must not modify their inputs (checked with
read-only inputs); a backward may modify its upstream gradient (a note, never a failure).
rnn_step_backward follows the same rule as lstm_step_backward (coursekit.judge.suite.
check_backward, documented in coursekit.judge.gradcheck). The step functions also run on the
inputs a trained model gives them (coursekit.judge.training.ranges: recorded from the
reference's training, pre-activations far beyond the notebook's), where a tanh written with
np.exp overflows in float32: charged here, named here (coursekit.judge.overflow)."""
import numpy as np
import pytest

from coursekit.judge import hints as H
from coursekit.judge.atpoint import credited_at_mistake
from coursekit.judge.checks import CheckFailed, unpack
from coursekit.judge.grants import RNN_STEPS, sequence_dims
from coursekit.judge.overflow import check_finite, finite
from coursekit.judge.suite import (call_fn, check_backward, check_inputs_untouched, check_outputs,
                                   note_if_upstream_modified)
from coursekit.judge.training.ranges import preactivation, trained_step_inputs

STEP_NAMES = ["next_h"]
GRAD_NAMES = ["dx", "dprev_h", "dWx", "dWh", "db"]
SEQ_GRAD_NAMES = ["dx", "dh0", "dWx", "dWh", "db"]


def dims(rng, *, N=None, T=None):
    """Random (N, T, D, H), small enough to stay fast, never the notebook's sizes."""
    return (N or int(rng.integers(2, 7)), T or int(rng.integers(2, 7)),
            int(rng.integers(3, 9)), int(rng.integers(3, 9)))


def step_inputs(rng, N, D, H, dtype=np.float64):
    return [rng.standard_normal(s).astype(dtype) * sc for s, sc in
            (((N, D), 1.0), ((N, H), 0.7), ((D, H), 0.5), ((H, H), 0.5), ((H,), 0.3))]


def seq_inputs(rng, N, T, D, H, dtype=np.float64):
    x, h0, Wx, Wh, b = step_inputs(rng, N, D, H, dtype)
    return [rng.standard_normal((N, T, D)).astype(dtype), h0, Wx, Wh, b]


def check_step_forward(judge, runner, args):
    (h, _cache) = call_fn(runner, "rnn_step_forward", *args, n_out=2)
    expected, _ = judge.layers.rnn_step_forward(*args)
    check_outputs([h], [expected], STEP_NAMES, what="rnn_step_forward",
                  variants={k: [v] for k, v in H.tanh_step_variants(*args).items()})


@pytest.mark.item("rnn_step_forward")
@pytest.mark.parametrize("case", ["random", "N=1"])
def test_step_forward(judge, case):
    """next_h matches the reference on random inputs (float64)"""
    rng = judge.rng(f"step_forward:{case}")
    N, _, D, H_ = dims(rng, N=1 if case == "N=1" else None)
    check_step_forward(judge, judge.plain, step_inputs(rng, N, D, H_))


@pytest.mark.item("rnn_step_forward")
def test_step_forward_float32(judge):
    """next_h matches the reference on float32 inputs"""
    rng = judge.rng("step_forward:f32")
    N, _, D, H_ = dims(rng)
    check_step_forward(judge, judge.plain, step_inputs(rng, N, D, H_, np.float32))


@pytest.mark.item("rnn_step_forward")
def test_step_forward_inputs_untouched(judge):
    """rnn_step_forward does not modify its inputs"""
    rng = judge.rng("step_forward:inplace")
    N, _, D, H_ = dims(rng)
    args = step_inputs(rng, N, D, H_)
    check_inputs_untouched(judge.plain, "rnn_step_forward", args, judge.layers.rnn_step_forward(*args)[0])


def trained_case(judge, cell):
    """The step inputs of a trained model (float32), with the case said in words."""
    args = trained_step_inputs(judge, cell)
    judge.case("inputs a trained model gives the step (recorded from the reference's training): "
               f"float32, pre-activations up to {float(np.abs(preactivation(args)).max()):.0f} in magnitude")
    return args


@pytest.mark.item("rnn_step_forward")
def test_step_forward_trained_range(judge):
    """next_h matches the reference on the inputs of a trained model (large pre-activations)"""
    args = trained_case(judge, "rnn")
    h, _ = call_fn(judge.plain, "rnn_step_forward", *args, n_out=2)
    expected, _ = judge.layers.rnn_step_forward(*args)
    check_finite("rnn", args, [h], [expected], STEP_NAMES)
    check_outputs([h], [expected], STEP_NAMES, what="rnn_step_forward")


def check_step_backward(judge, runner, args, rng, what):
    """The backward rule shared with lstm_step_backward (coursekit.judge.suite.check_backward):
    the five gradients match the reference; or, only when rnn_step_forward is wrong, they are
    the exact gradient of that forward AND that forward really depends on every input (a
    constant/zero/garbage forward never lets a backward earn credit)."""
    h, cache = call_fn(runner, "rnn_step_forward", *args, n_out=2)
    dnext = rng.standard_normal((args[0].shape[0], args[2].shape[1])).astype(args[0].dtype)
    grads = call_fn(runner, "rnn_step_backward", dnext, cache, n_out=5)
    check_backward(judge, runner, "rnn_step_forward", args, [h], [dnext], grads,
                   names=(STEP_NAMES, GRAD_NAMES), variants=H.step_backward_variants(*args, dnext),
                   forward_variants=H.tanh_step_variants(*args), rng_key=what)
    note_if_upstream_modified(judge, runner, "rnn_step_backward", [dnext],
                              call_fn(runner, "rnn_step_forward", *args, n_out=2)[1])


@pytest.mark.item("rnn_step_backward")
@pytest.mark.parametrize("case", ["random", "N=1"])
def test_step_backward(judge, case):
    """all five gradients match the reference (or your own forward, when that one is wrong)"""
    rng = judge.rng(f"step_backward:{case}")
    N, _, D, H_ = dims(rng, N=1 if case == "N=1" else None)
    check_step_backward(judge, judge.plain, step_inputs(rng, N, D, H_), rng, f"step_backward:{case}")


@pytest.mark.item("rnn_step_backward")
def test_step_backward_float32(judge):
    """all five gradients match the reference on float32 inputs"""
    rng = judge.rng("step_backward:f32")
    N, _, D, H_ = dims(rng)
    check_step_backward(judge, judge.plain, step_inputs(rng, N, D, H_, np.float32), rng,
                        "step_backward:f32")


@pytest.mark.item("rnn_step_backward")
def test_step_backward_trained_range(judge):
    """all five gradients match the reference on the inputs of a trained model"""
    args = trained_case(judge, "rnn")
    if not finite(call_fn(judge.plain, "rnn_step_forward", *args, n_out=2)[:1]):
        judge.note("not judged on these inputs: your rnn_step_forward gives NaN or inf there "
                   "(that costs points at rnn_step_forward only).")
        return
    rng = judge.rng("step_backward:trained")
    check_step_backward(judge, judge.plain, args, rng, "step_backward:trained")


def check_rnn_forward(judge, runner, args):
    h, _ = call_fn(runner, "rnn_forward", *args, n_out=2)
    expected, _ = judge.layers.rnn_forward(*args)
    check_outputs([h], [expected], ["h"], what="rnn_forward",
                  variants={k: [v] for k, v in H.rnn_forward_variants(judge.layers, *args).items()})


def seq_case(judge, name, case, dtype=np.float64):
    rng = judge.rng(f"{name}:{case}")
    N, T, D, H_ = dims(rng, N=1 if "N=1" in case else None, T=1 if "T=1" in case else None)
    return rng, seq_inputs(rng, N, T, D, H_, dtype)


@pytest.mark.item("rnn_forward")
@pytest.mark.parametrize("case", ["random", "T=1", "N=1", "float32"])
def test_rnn_forward(judge, case):
    """h matches the reference"""
    _, args = seq_case(judge, "rnn_forward", case, np.float32 if case == "float32" else np.float64)
    steps = RNN_STEPS.within(**sequence_dims(*args[:2]))    # the test's N, T, D, H
    judge.either(lambda r: check_rnn_forward(judge, r, args), given=steps)


@pytest.mark.item("rnn_forward")
def test_rnn_forward_inputs_untouched(judge):
    """rnn_forward does not modify its inputs"""
    _, args = seq_case(judge, "rnn_forward", "inplace")
    expected = judge.layers.rnn_forward(*args)[0]
    steps = RNN_STEPS.within(**sequence_dims(*args[:2]))    # the test's N, T, D, H
    judge.either(lambda r: check_inputs_untouched(r, "rnn_forward", args, expected), given=steps)


def check_rnn_backward(judge, runner, args, dh):
    _, cache = call_fn(runner, "rnn_forward", *args, n_out=2)
    grads = call_fn(runner, "rnn_backward", dh, cache, n_out=5)
    _, ref_cache = judge.layers.rnn_forward(*args)
    expected = judge.layers.rnn_backward(dh, ref_cache)
    try:
        check_outputs(grads, expected, SEQ_GRAD_NAMES, what="rnn_backward",
                      variants=H.rnn_backward_variants(*args, dh))
    except CheckFailed:
        # a correct backward of an rnn_forward with a known mistake (coursekit.judge.atpoint)
        h, _ = call_fn(runner, "rnn_forward", *args, n_out=2)
        if not credited_at_mistake(judge, "rnn_forward", args, [h], [dh],
                                   unpack(grads, 5, "rnn_backward"), SEQ_GRAD_NAMES):
            raise
    note_if_upstream_modified(judge, runner, "rnn_backward", [dh], cache)


@pytest.mark.item("rnn_backward")
@pytest.mark.parametrize("case", ["random", "T=1", "N=1", "float32"])
def test_rnn_backward(judge, case):
    """all five gradients match the reference (or your own forward, when that one is wrong)"""
    rng, args = seq_case(judge, "rnn_backward", case, np.float32 if case == "float32" else np.float64)
    N, T, _ = args[0].shape
    dh = rng.standard_normal((N, T, args[1].shape[1])).astype(args[0].dtype)
    steps = RNN_STEPS.within(**sequence_dims(*args[:2]))    # the test's N, T, D, H
    judge.either(lambda r: check_rnn_backward(judge, r, args, dh), given=steps)
