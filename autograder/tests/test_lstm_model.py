"""Hidden tests (extra credit): CaptioningRNN with cell_type='lstm': loss (value and
gradients) and sample on randomized models with the judge's parameters, compared with the
reference model. Each check passes if either the plain run or the run with the reference
layers granted passes (a bug in the LSTM layers costs points only on the layer items)."""
import pytest

from coursekit.judge.grants import LSTM_MODEL_LAYERS, LSTM_SAMPLE_STEPS
from coursekit.judge.model_checks import check_grads, check_loss, check_sample, random_problem, sample_problem


@pytest.mark.item("lstm_captioning_loss")
@pytest.mark.parametrize("case", ["random", "N=1", "T=1", "all-masked rows", "float32"])
def test_lstm_loss(judge, case):
    """the LSTM model's loss matches the reference model with the same parameters"""
    prob = random_problem(judge.rng(f"lstm_loss:{case}"), "lstm", case)
    judge.either(lambda r: check_loss(judge, r, prob), given=LSTM_MODEL_LAYERS.within(**prob.grant_dims()))


@pytest.mark.item("lstm_captioning_loss")
@pytest.mark.parametrize("case", ["random", "float32"])
def test_lstm_gradients(judge, case):
    """the gradient of every parameter of the LSTM model matches the reference model"""
    prob = random_problem(judge.rng(f"lstm_grads:{case}"), "lstm", case)
    judge.either(lambda r: check_grads(judge, r, prob), given=LSTM_MODEL_LAYERS.within(**prob.grant_dims()))


@pytest.mark.item("lstm_sample")
@pytest.mark.parametrize("case", ["random", "N=1"])
def test_lstm_sample(judge, case):
    """greedy LSTM samples match the reference model's (random model, max_length given)"""
    prob = sample_problem(judge, "lstm", case)
    judge.either(lambda r: check_sample(judge, r, prob), given=LSTM_SAMPLE_STEPS.within(**prob.grant_dims()))
