"""Hidden tests: CaptioningRNN.loss (value, gradients) and sample, on randomized models.

Parameters are the judge's (set on a student model built in the sandbox); the verdict is
the comparison with the reference model holding the same parameters. Each check passes if
either the plain run or the run with the reference layers substituted passes. Samples are
compared up to and including the reference caption's first <END> (coursekit.judge.captions)."""
import numpy as np
import pytest

from coursekit.judge import hints as H
from coursekit.judge.model_checks import (PARAM_NAMES, check_loss, check_grads, check_sample,
                                          random_problem)


@pytest.mark.item("captioning_loss")
@pytest.mark.parametrize("case", ["random", "N=1", "T=1", "all-masked rows", "float32"])
def test_loss(judge, case):
    """the loss matches the reference model with the same parameters"""
    prob = random_problem(judge.rng(f"loss:{case}"), "rnn", case)
    judge.either(lambda r: check_loss(judge, r, prob), lambda r: check_loss(judge, r, prob),
                 given="layers (see the rnn_layers items)")


@pytest.mark.item("captioning_gradients")
@pytest.mark.parametrize("case", ["random", "all-masked rows", "float32"])
def test_gradients(judge, case):
    """the gradient of every parameter matches the reference model"""
    prob = random_problem(judge.rng(f"grads:{case}"), "rnn", case)
    judge.either(lambda r: check_grads(judge, r, prob), lambda r: check_grads(judge, r, prob),
                 given="layers (see the rnn_layers items)")


@pytest.mark.item("sample")
@pytest.mark.parametrize("case", ["random", "N=1"])
def test_sample(judge, case):
    """greedy samples match the reference model's (random model, max_length given)"""
    prob = random_problem(judge.rng(f"sample:{case}"), "rnn", case)
    judge.either(lambda r: check_sample(judge, r, prob), lambda r: check_sample(judge, r, prob),
                 given="step functions (see rnn_step_forward)")
