"""Hidden tests (extra credit): CaptioningRNN.loss with cell_type='lstm' (value and gradients)
on randomized models with the judge's parameters, compared with the reference model.

Each check passes if either the plain run or the run with the reference layers substituted
passes (a bug in the LSTM layers costs points only on the layer items)."""
import pytest

from coursekit.judge.model_checks import check_grads, check_loss, random_problem

GIVEN = "layers (see the lstm_* items)"


@pytest.mark.item("lstm_captioning_loss")
@pytest.mark.parametrize("case", ["random", "N=1", "T=1", "all-masked rows", "float32"])
def test_lstm_loss(judge, case):
    """the LSTM model's loss matches the reference model with the same parameters"""
    prob = random_problem(judge.rng(f"lstm_loss:{case}"), "lstm", case)
    judge.either(lambda r: check_loss(judge, r, prob), lambda r: check_loss(judge, r, prob), given=GIVEN)


@pytest.mark.item("lstm_captioning_loss")
@pytest.mark.parametrize("case", ["random", "float32"])
def test_lstm_gradients(judge, case):
    """the gradient of every parameter of the LSTM model matches the reference model"""
    prob = random_problem(judge.rng(f"lstm_grads:{case}"), "lstm", case)
    judge.either(lambda r: check_grads(judge, r, prob), lambda r: check_grads(judge, r, prob), given=GIVEN)
