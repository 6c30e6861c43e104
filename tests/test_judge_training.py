"""The overfit check's judge-side training loop (coursekit.judge.training), without a sandbox:
the reference plays the student, in this process.

- The oracle's forward-only loss (the verdict) is the reference model's loss, exactly.
- The spot checks refuse gradients that are zero, noise or flipped, and accept the true one.
- The recipes' calibration: the reference passes each threshold early, but never before the
  spot-check window has ended (or a student's spot checks could fall after the early stop)."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from coursekit.judge.seed import course_seed
from coursekit.judge.checks import CheckFailed
from coursekit.judge.context import JudgeContext
from coursekit.judge.training import RECIPES
from coursekit.judge.training.data import small_data
from coursekit.judge.training.loop import (SPOT_CHECKS, Oracle, _spot_iterations, prepare,
                                           reference_model, spot_check, train)
from coursekit.reference import reference


@pytest.fixture(scope="module")
def judge(course):
    return JudgeContext(session=SimpleNamespace(plain=None), ref=reference(course), config=course,
                        base_seed=course_seed(course), missing_files=[])


def _random_params(judge, recipe, data, seed):
    rng = np.random.default_rng(seed)
    model = reference_model(judge, recipe, data)
    return {k: (rng.standard_normal(v.shape) * 0.1).astype(np.float32) for k, v in model.params.items()}


@pytest.mark.parametrize("cell", sorted(RECIPES))
def test_oracle_loss_is_the_reference_models_loss(judge, cell):
    recipe, data = RECIPES[cell], small_data(judge)
    oracle = Oracle(judge, recipe, data)
    for seed in (0, 1):
        params = _random_params(judge, recipe, data, seed)
        feats, caps = data.all()
        expected = reference_model(judge, recipe, data, params).loss(feats, caps)[0]
        assert oracle.loss(params) == float(expected)


@pytest.mark.parametrize("cell", sorted(RECIPES))
def test_spot_check_refuses_gradients_that_do_not_train(judge, cell):
    recipe, data = RECIPES[cell], small_data(judge)
    params = _random_params(judge, recipe, data, 2)
    feats, caps = data.batch(np.arange(10))
    true = Oracle(judge, recipe, data).gradients(params, feats, caps)
    spot_check(true, {k: v.copy() for k, v in true.items()}, 0)          # accepted
    rng = np.random.default_rng(3)
    doctored = {
        "zero": lambda g: np.zeros_like(g),
        "noise": lambda g: rng.standard_normal(g.shape).astype(g.dtype) * float(np.linalg.norm(g)),
        "flipped": lambda g: -g,
    }
    for how, change in doctored.items():
        grads = {k: (change(v) if k == "Wx" else v) for k, v in true.items()}
        with pytest.raises(CheckFailed, match=r"grads\['Wx'\] does not follow"):
            spot_check(true, grads, 7)


@pytest.mark.parametrize("cell", sorted(RECIPES))
def test_spot_iterations_fall_in_the_window(judge, cell):
    recipe = RECIPES[cell]
    for k in range(20):
        spots = _spot_iterations(recipe, np.random.default_rng(k))
        assert len(spots) == SPOT_CHECKS and 0 in spots
        assert max(spots) < recipe.spot_window


@pytest.mark.parametrize("cell", sorted(RECIPES))
def test_reference_passes_early_but_after_the_spot_window(judge, cell):
    recipe, data = RECIPES[cell], small_data(judge)
    start = prepare(judge, recipe, data)
    oracle = Oracle(judge, recipe, data)
    run = train(judge, recipe, data, start,
                lambda p, f, c: (0.0, oracle.gradients(p, f, c)),
                spot_rng=np.random.default_rng(0))
    assert run.final < recipe.threshold
    assert run.iterations < recipe.iterations, "the early stop never fired"
    assert run.iterations % recipe.check_every == 0
    assert run.iterations >= recipe.spot_window, "spot checks could fall after the stop"


def test_a_failing_training_names_its_failing_prerequisites():
    from coursekit.judge.items import name_failing_prerequisites
    from coursekit.judge.plugin import Outcome

    def outcome(item, passed, message=""):
        return Outcome(item, f"tests/x.py::{item}", item, passed, message)
    outcomes = [outcome("rnn_step_forward", False, "next_h differs"),
                outcome("rnn_step_backward", False, "dx differs"),
                outcome("rnn_step_backward", True),
                outcome("captioning_loss", False, "loss differs"),
                outcome("captioning_gradients", False, "grads differ"),
                outcome("lstm_step_forward", False, "next_h differs"),
                outcome("overfit", False, "after training, the loss is 3.2"),
                outcome("lstm_overfit", False, "not graded: cs231n/classifiers/rnn.py does not import"),
                outcome("sample", False, "captions differ")]
    name_failing_prerequisites(outcomes)
    overfit = outcomes[6].message
    assert overfit.startswith("after training, the loss is 3.2\n")
    assert ("runs your rnn_step_forward, rnn_step_backward, CaptioningRNN.loss, whose own tests on this "
            "page fail too: fix them first." in overfit)
    assert "lstm" not in overfit
    assert outcomes[7].message == "not graded: cs231n/classifiers/rnn.py does not import"
    assert outcomes[8].message == "captions differ"           # not a training: unchanged
    passing = [outcome("overfit", False, "loss 3.2"), outcome("rnn_step_forward", True)]
    name_failing_prerequisites(passing)
    assert passing[0].message == "loss 3.2"                    # nothing fails: nothing named
