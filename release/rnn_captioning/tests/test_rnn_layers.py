"""Self-check of cs231n/rnn_layers.py (vanilla RNN and word embedding), as in RNN_Captioning.ipynb.

Run `pytest` in the assignment folder. Passing these checks does not guarantee full marks: the
grader runs more (hidden) tests.
"""
import numpy as np

from cs231n import rnn_layers
from cs231n.gradient_check import eval_numerical_gradient_array
from selfcheck_tools import call, expect_close, fail, expect_gradients, linspace, require_values

RNN_GRADS = ("dx", "dprev_h", "dWx", "dWh", "db")


def test_rnn_step_forward():
    N, D, H = 3, 10, 4
    x, prev_h = linspace(-0.4, 0.7, N, D), linspace(-0.2, 0.5, N, H)
    Wx, Wh, b = linspace(-0.1, 0.9, D, H), linspace(-0.3, 0.7, H, H), linspace(-0.2, 0.4, H)
    result = call("rnn_step_forward", rnn_layers.rnn_step_forward, x, prev_h, Wx, Wh, b)
    require_values("rnn_step_forward", result, ("next_h", "cache"))
    expected = np.asarray([
        [-0.58172089, -0.50182032, -0.41232771, -0.31410098],
        [0.66854692, 0.79562378, 0.87755553, 0.92795967],
        [0.97934501, 0.99144213, 0.99646691, 0.99854353]])
    expect_close("rnn_step_forward", "next_h", result[0], expected, 1e-8)


def _numeric_grads(forward, inputs, dout, labels):
    """Numeric gradient of sum(forward(*inputs) * dout) for every input (labels: their names)."""
    grads = {}
    for i, label in enumerate(labels):
        def f(value, i=i):
            args = list(inputs)
            args[i] = value
            return forward(*args)[0]
        grads[label] = eval_numerical_gradient_array(f, inputs[i], dout)
    return grads


def _check_backward(name, forward_name, backward_name, inputs, labels, threshold):
    forward = getattr(rnn_layers, forward_name)
    backward = getattr(rnn_layers, backward_name)
    out, cache = call(forward_name, forward, *inputs)
    dout = np.random.randn(*np.shape(out)) if out is not None else None
    result = call(name, backward, dout, cache)
    require_values(name, result, labels)
    if out is None:
        fail(f"{name}: needs {forward_name}, which is not implemented yet")
    numeric = _numeric_grads(forward, inputs, dout, labels)
    expect_gradients(name, dict(zip(labels, result)), numeric, threshold)


def test_rnn_step_backward():
    np.random.seed(231)
    N, D, H = 4, 5, 6
    x, h = np.random.randn(N, D), np.random.randn(N, H)
    Wx, Wh, b = np.random.randn(D, H), np.random.randn(H, H), np.random.randn(H)
    _check_backward("rnn_step_backward", "rnn_step_forward", "rnn_step_backward",
                    (x, h, Wx, Wh, b), RNN_GRADS, 1e-8)


def test_rnn_forward():
    N, T, D, H = 2, 3, 4, 5
    x, h0 = linspace(-0.1, 0.3, N, T, D), linspace(-0.3, 0.1, N, H)
    Wx, Wh, b = linspace(-0.2, 0.4, D, H), linspace(-0.4, 0.1, H, H), linspace(-0.7, 0.1, H)
    result = call("rnn_forward", rnn_layers.rnn_forward, x, h0, Wx, Wh, b)
    require_values("rnn_forward", result, ("h", "cache"))
    expected = np.asarray([
        [[-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251],
         [-0.39525808, -0.22554661, -0.0409454, 0.14649412, 0.32397316],
         [-0.42305111, -0.24223728, -0.04287027, 0.15997045, 0.35014525]],
        [[-0.55857474, -0.39065825, -0.19198182, 0.02378408, 0.23735671],
         [-0.27150199, -0.07088804, 0.13562939, 0.33099728, 0.50158768],
         [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]]])
    expect_close("rnn_forward", "h", result[0], expected, 1e-7)


def test_rnn_backward():
    np.random.seed(231)
    N, D, T, H = 2, 3, 10, 5
    x, h0 = np.random.randn(N, T, D), np.random.randn(N, H)
    Wx, Wh, b = np.random.randn(D, H), np.random.randn(H, H), np.random.randn(H)
    _check_backward("rnn_backward", "rnn_forward", "rnn_backward",
                    (x, h0, Wx, Wh, b), ("dx", "dh0", "dWx", "dWh", "db"), 1e-6)


def test_word_embedding_forward():
    V, D = 5, 3
    x = np.asarray([[0, 3, 1, 2], [2, 1, 0, 3]])
    W = linspace(0, 1, V, D)
    result = call("word_embedding_forward", rnn_layers.word_embedding_forward, x, W)
    require_values("word_embedding_forward", result, ("out", "cache"))
    # As in the notebook: values rounded to 8 decimals, hence the threshold 1e-7.
    expected = np.asarray([
        [[0., 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429],
         [0.21428571, 0.28571429, 0.35714286], [0.42857143, 0.5, 0.57142857]],
        [[0.42857143, 0.5, 0.57142857], [0.21428571, 0.28571429, 0.35714286],
         [0., 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429]]])
    expect_close("word_embedding_forward", "out", result[0], expected, 1e-7)


def test_word_embedding_backward():
    np.random.seed(231)
    N, T, V, D = 50, 3, 5, 6
    x = np.random.randint(V, size=(N, T))
    W = np.random.randn(V, D)
    out, cache = call("word_embedding_forward", rnn_layers.word_embedding_forward, x, W)
    dout = np.random.randn(N, T, D)
    dW = call("word_embedding_backward", rnn_layers.word_embedding_backward, dout, cache)
    require_values("word_embedding_backward", None if dW is None else (dW,), ("dW",))
    if out is None:
        fail("word_embedding_backward: needs word_embedding_forward, which is not implemented yet")
    dW_num = eval_numerical_gradient_array(lambda W: rnn_layers.word_embedding_forward(x, W)[0], W, dout)
    expect_gradients("word_embedding_backward", {"dW": dW}, {"dW": dW_num}, 1e-11)
