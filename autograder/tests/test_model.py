"""Hidden tests: CaptioningRNN.loss (value, gradients) and sample, on randomized models.

Parameters are the judge's (set on a student model built in the sandbox); the verdict is
the comparison with the reference model holding the same parameters. Each check passes if
either the plain run or the run with the reference layers granted passes (coursekit.judge.
grants). Samples are compared up to and including the reference caption's first <END>
(coursekit.judge.captions), and only on problems whose reference captions are not degenerate
(never all <NULL>: a stub cannot match them)."""
import pytest

from coursekit.judge.grants import RNN_MODEL_LAYERS, RNN_SAMPLE_STEPS
from coursekit.judge.model_checks import check_grads, check_loss, check_sample, random_problem, sample_problem


@pytest.mark.item("captioning_loss")
@pytest.mark.parametrize("case", ["random", "N=1", "T=1", "all-masked rows", "float32"])
def test_loss(judge, case):
    """the loss matches the reference model with the same parameters"""
    prob = random_problem(judge.rng(f"loss:{case}"), "rnn", case)
    judge.either(lambda r: check_loss(judge, r, prob), given=RNN_MODEL_LAYERS.within(**prob.grant_dims()))


@pytest.mark.item("captioning_gradients")
@pytest.mark.parametrize("case", ["random", "all-masked rows", "float32"])
def test_gradients(judge, case):
    """the gradient of every parameter matches the reference model"""
    prob = random_problem(judge.rng(f"grads:{case}"), "rnn", case)
    judge.either(lambda r: check_grads(judge, r, prob), given=RNN_MODEL_LAYERS.within(**prob.grant_dims()))


@pytest.mark.item("sample")
@pytest.mark.parametrize("case", ["random", "N=1"])
def test_sample(judge, case):
    """greedy samples match the reference model's (random model, max_length given)"""
    prob = sample_problem(judge, "rnn", case)
    judge.either(lambda r: check_sample(judge, r, prob), given=RNN_SAMPLE_STEPS.within(**prob.grant_dims()))
