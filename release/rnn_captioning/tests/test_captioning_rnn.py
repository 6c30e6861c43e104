"""Self-check of CaptioningRNN.loss (cs231n/classifiers/rnn.py), as in the two notebooks
(the rnn loss value and gradient check of RNN_Captioning.ipynb, the lstm loss value of
LSTM_Captioning.ipynb)."""
import numpy as np

from cs231n.classifiers.rnn import CaptioningRNN
from cs231n.gradient_check import eval_numerical_gradient
from selfcheck_tools import call, fail, rel_error

WORD_TO_IDX = {"<NULL>": 0, "cat": 2, "dog": 3}


def _fixed_model(cell_type):
    N, D, W, H, T = 10, 20, 30, 40, 13
    model = CaptioningRNN(WORD_TO_IDX, input_dim=D, wordvec_dim=W, hidden_dim=H,
                          cell_type=cell_type, dtype=np.float64)
    for k, v in model.params.items():
        model.params[k] = np.linspace(-1.4, 1.3, num=v.size).reshape(*v.shape)
    captions = (np.arange(N * T) % len(WORD_TO_IDX)).reshape(N, T)
    return model, captions


def _loss(name, model, features, captions):
    result = call(name, model.loss, features, captions)
    if result is None or result[0] is None:
        fail(f"{name} returned None: it is not implemented yet")
    loss, grads = result
    if not grads and loss == 0:
        fail(f"{name} returned loss 0 and no gradients: it is not implemented yet")
    if np.ndim(loss) != 0:
        fail(f"{name} must return a scalar loss, got shape {np.shape(loss)}")
    return loss, grads


def _check_loss_value(name, cell_type, features, expected):
    model, captions = _fixed_model(cell_type)
    loss, _ = _loss(name, model, features, captions)
    if not abs(loss - expected) < 1e-10:
        fail(f"{name}: loss {loss:.11f} differs from the expected {expected:.11f} "
             f"(difference {abs(loss - expected):.1e} > 1e-10)")


def _check_gradients(name, cell_type):
    np.random.seed(231)
    captions = np.random.randint(len(WORD_TO_IDX), size=(2, 3))
    features = np.random.randn(2, 4)
    model = CaptioningRNN(WORD_TO_IDX, input_dim=4, wordvec_dim=5, hidden_dim=6,
                          cell_type=cell_type, dtype=np.float64)
    _, grads = _loss(name, model, features, captions)
    missing = sorted(set(model.params) - set(grads))
    if missing:
        fail(f"{name}: no gradient for parameter(s) {', '.join(missing)}")
    for param in sorted(grads):
        numeric = eval_numerical_gradient(lambda _: model.loss(features, captions)[0],
                                          model.params[param], verbose=False, h=1e-6)
        err = rel_error(numeric, grads[param])
        if not err < 1e-5:
            fail(f"{name}: the gradient of {param} does not match the numeric gradient "
                 f"(relative error {err:.1e} > 1e-05)")


def test_captioning_rnn_loss():
    name = "CaptioningRNN.loss (rnn)"
    _check_loss_value(name, "rnn", np.linspace(-1.5, 0.3, num=200).reshape(10, 20), 9.83235591003)
    _check_gradients(name, "rnn")


def test_captioning_lstm_loss():
    name = "CaptioningRNN.loss (lstm)"
    _check_loss_value(name, "lstm", np.linspace(-0.5, 1.7, num=200).reshape(10, 20), 9.82445935443)
