"""Self-check of the LSTM layers of cs231n/rnn_layers.py (extra credit), as in LSTM_Captioning.ipynb.

A function you have not started is reported as a skipped extra-credit test, not as a failure."""
import numpy as np
import pytest

from cs231n import rnn_layers
from cs231n.gradient_check import eval_numerical_gradient_array
from selfcheck_tools import call, expect_close, expect_gradients, linspace, not_started, require_values

pytestmark = pytest.mark.extra_credit


def test_lstm_step_forward():
    N, D, H = 3, 4, 5
    x, prev_h, prev_c = linspace(-0.4, 1.2, N, D), linspace(-0.3, 0.7, N, H), linspace(-0.4, 0.9, N, H)
    Wx, Wh, b = linspace(-2.1, 1.3, D, 4 * H), linspace(-0.7, 2.2, H, 4 * H), linspace(0.3, 0.7, 4 * H)
    result = call("lstm_step_forward", rnn_layers.lstm_step_forward, x, prev_h, prev_c, Wx, Wh, b)
    require_values("lstm_step_forward", result, ("next_h", "next_c", "cache"), extra_credit=True)
    expected_h = np.asarray([
        [0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
        [0.49223563, 0.55611431, 0.61507696, 0.66844003, 0.7159181],
        [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.858299]])
    expected_c = np.asarray([
        [0.32986176, 0.39145139, 0.451556, 0.51014116, 0.56717407],
        [0.66382255, 0.76674007, 0.87195994, 0.97902709, 1.08751345],
        [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]])
    expect_close("lstm_step_forward", "next_h", result[0], expected_h, 1e-8)
    expect_close("lstm_step_forward", "next_c", result[1], expected_c, 1e-8)


def test_lstm_step_backward():
    np.random.seed(231)
    N, D, H = 4, 5, 6
    inputs = [np.random.randn(N, D), np.random.randn(N, H), np.random.randn(N, H),
              np.random.randn(D, 4 * H), np.random.randn(H, 4 * H), np.random.randn(4 * H)]
    labels = ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db")
    next_h, next_c, cache = call("lstm_step_forward", rnn_layers.lstm_step_forward, *inputs)
    shape = np.shape(next_h) if next_h is not None else (N, H)
    dnext_h, dnext_c = np.random.randn(*shape), np.random.randn(*shape)
    result = call("lstm_step_backward", rnn_layers.lstm_step_backward, dnext_h, dnext_c, cache)
    require_values("lstm_step_backward", result, labels, extra_credit=True)
    if next_h is None:
        not_started("lstm_step_backward: needs lstm_step_forward, which is not implemented yet", extra_credit=True)

    def step():  # the numeric gradient perturbs the arrays of `inputs` in place
        return rnn_layers.lstm_step_forward(*inputs)

    numeric = {label: eval_numerical_gradient_array(lambda _: step()[0], arr, dnext_h)
               + eval_numerical_gradient_array(lambda _: step()[1], arr, dnext_c)
               for label, arr in zip(labels, inputs)}
    expect_gradients("lstm_step_backward", dict(zip(labels, result)), numeric, 1e-7)


def test_lstm_forward():
    N, D, H, T = 2, 5, 4, 3
    x, h0 = linspace(-0.4, 0.6, N, T, D), linspace(-0.4, 0.8, N, H)
    Wx, Wh, b = linspace(-0.2, 0.9, D, 4 * H), linspace(-0.3, 0.6, H, 4 * H), linspace(0.2, 0.7, 4 * H)
    result = call("lstm_forward", rnn_layers.lstm_forward, x, h0, Wx, Wh, b)
    require_values("lstm_forward", result, ("h", "cache"), extra_credit=True)
    expected = np.asarray([
        [[0.01764008, 0.01823233, 0.01882671, 0.0194232],
         [0.11287491, 0.12146228, 0.13018446, 0.13902939],
         [0.31358768, 0.33338627, 0.35304453, 0.37250975]],
        [[0.45767879, 0.4761092, 0.4936887, 0.51041945],
         [0.6704845, 0.69350089, 0.71486014, 0.7346449],
         [0.81733511, 0.83677871, 0.85403753, 0.86935314]]])
    expect_close("lstm_forward", "h", result[0], expected, 1e-7)


def test_lstm_backward():
    np.random.seed(231)
    N, D, T, H = 2, 3, 10, 6
    inputs = [np.random.randn(N, T, D), np.random.randn(N, H), np.random.randn(D, 4 * H),
              np.random.randn(H, 4 * H), np.random.randn(4 * H)]
    labels = ("dx", "dh0", "dWx", "dWh", "db")
    out, cache = call("lstm_forward", rnn_layers.lstm_forward, *inputs)
    dout = np.random.randn(*(np.shape(out) if out is not None else (N, T, H)))
    result = call("lstm_backward", rnn_layers.lstm_backward, dout, cache)
    require_values("lstm_backward", result, labels, extra_credit=True)
    if out is None:
        not_started("lstm_backward: needs lstm_forward, which is not implemented yet", extra_credit=True)
    numeric = {label: eval_numerical_gradient_array(lambda _: rnn_layers.lstm_forward(*inputs)[0], arr, dout)
               for label, arr in zip(labels, inputs)}
    thresholds = {"dx": 1e-7, "dh0": 1e-7, "dWx": 1e-7, "dWh": 1e-5, "db": 1e-7}  # as in the notebook
    expect_gradients("lstm_backward", dict(zip(labels, result)), numeric, thresholds)
