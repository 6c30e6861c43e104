"""The notebooks' own quick checks of the building blocks (the layers of cs231n/rnn_layers.py),
on the same inputs and with the same limits as their check cells.

A check of the whole model (CaptioningRNN.loss, its gradients, the overfit run, sampling) runs
your layers; when it fails because one of them is wrong, notebook_checks.name_failing_blocks
uses these checks to say which layer it is. They draw their random inputs from their own
generator, so they do not change the random state of your notebook.
"""
import numpy as np

from .gradient_check import eval_numerical_gradient_array


def _linspace(lo, hi, *shape):
    return np.linspace(lo, hi, num=int(np.prod(shape))).reshape(*shape)


def _rel_error(x, y):
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


RNN_STEP_H = [[-0.58172089, -0.50182032, -0.41232771, -0.31410098],
              [0.66854692, 0.79562378, 0.87755553, 0.92795967],
              [0.97934501, 0.99144213, 0.99646691, 0.99854353]]
RNN_H = [[[-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251],
          [-0.39525808, -0.22554661, -0.0409454, 0.14649412, 0.32397316],
          [-0.42305111, -0.24223728, -0.04287027, 0.15997045, 0.35014525]],
         [[-0.55857474, -0.39065825, -0.19198182, 0.02378408, 0.23735671],
          [-0.27150199, -0.07088804, 0.13562939, 0.33099728, 0.50158768],
          [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]]]
EMBEDDING_OUT = [[[0., 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429],
                  [0.21428571, 0.28571429, 0.35714286], [0.42857143, 0.5, 0.57142857]],
                 [[0.42857143, 0.5, 0.57142857], [0.21428571, 0.28571429, 0.35714286],
                  [0., 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429]]]
LSTM_STEP_H = [[0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
               [0.49223563, 0.55611431, 0.61507696, 0.66844003, 0.7159181],
               [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.858299]]
LSTM_STEP_C = [[0.32986176, 0.39145139, 0.451556, 0.51014116, 0.56717407],
               [0.66382255, 0.76674007, 0.87195994, 0.97902709, 1.08751345],
               [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]]
LSTM_H = [[[0.01764008, 0.01823233, 0.01882671, 0.0194232],
           [0.11287491, 0.12146228, 0.13018446, 0.13902939],
           [0.31358768, 0.33338627, 0.35304453, 0.37250975]],
          [[0.45767879, 0.4761092, 0.4936887, 0.51041945],
           [0.6704845, 0.69350089, 0.71486014, 0.7346449],
           [0.81733511, 0.83677871, 0.85403753, 0.86935314]]]
NOT_IMPLEMENTED = 'it is not implemented yet (it returned None)'


def _compare(label, got, want, limit):
    """None when got matches want, else what is wrong."""
    want = np.asarray(want)
    if got is None:
        return NOT_IMPLEMENTED
    if np.shape(got) != want.shape:
        return '%s has shape %s, expected %s' % (label, np.shape(got), want.shape)
    err = _rel_error(want, np.asarray(got, dtype=float))
    if not err < limit:
        return '%s differs from the expected values (relative error %.1e)' % (label, err)
    return None


def _forward(forward, inputs):
    """forward(*inputs), or None when it fails or is not written yet (its own check says so)."""
    try:
        result = forward(*inputs)
    except Exception:
        return None
    return None if result is None or result[0] is None else result


def _gradients(forward, inputs, upstream, analytic, labels, limits):
    """Compare the analytic gradients of sum(forward(*inputs)[k] * upstream[k]) with numeric ones."""
    if analytic is None or any(g is None for g in analytic):
        return NOT_IMPLEMENTED
    for i, label in enumerate(labels):
        numeric = sum(eval_numerical_gradient_array(lambda _, k=k: forward(*inputs)[k], inputs[i], up)
                      for k, up in enumerate(upstream))
        problem = _compare(label, analytic[i], numeric, limits.get(label, limits['*']))
        if problem:
            return problem.replace('differs from the expected values', 'does not match the numeric gradient')
    return None


def rnn_step_forward(L):
    x, prev_h = _linspace(-0.4, 0.7, 3, 10), _linspace(-0.2, 0.5, 3, 4)
    Wx, Wh, b = _linspace(-0.1, 0.9, 10, 4), _linspace(-0.3, 0.7, 4, 4), _linspace(-0.2, 0.4, 4)
    return _compare('next_h', L.rnn_step_forward(x, prev_h, Wx, Wh, b)[0], RNN_STEP_H, 1e-8)


def rnn_step_backward(L):
    rng = np.random.RandomState(231)
    inputs = [rng.randn(4, 5), rng.randn(4, 6), rng.randn(5, 6), rng.randn(6, 6), rng.randn(6)]
    result = _forward(L.rnn_step_forward, inputs)
    if result is None:
        return None
    out, cache = result
    dout = rng.randn(*np.shape(out))
    return _gradients(L.rnn_step_forward, inputs, [dout], L.rnn_step_backward(dout, cache),
                      ('dx', 'dprev_h', 'dWx', 'dWh', 'db'), {'*': 1e-8})


def rnn_forward(L):
    x, h0 = _linspace(-0.1, 0.3, 2, 3, 4), _linspace(-0.3, 0.1, 2, 5)
    Wx, Wh, b = _linspace(-0.2, 0.4, 4, 5), _linspace(-0.4, 0.1, 5, 5), _linspace(-0.7, 0.1, 5)
    return _compare('h', L.rnn_forward(x, h0, Wx, Wh, b)[0], RNN_H, 1e-7)


def _sequence_backward(forward, backward, rng, inputs, limits):
    """A sequence layer's backward against the numeric gradient of its forward."""
    result = _forward(forward, inputs)
    if result is None:
        return None
    out, cache = result
    dout = rng.randn(*np.shape(out))
    return _gradients(forward, inputs, [dout], backward(dout, cache),
                      ('dx', 'dh0', 'dWx', 'dWh', 'db'), limits)


def rnn_backward(L):
    rng = np.random.RandomState(231)
    inputs = [rng.randn(2, 10, 3), rng.randn(2, 5), rng.randn(3, 5), rng.randn(5, 5), rng.randn(5)]
    return _sequence_backward(L.rnn_forward, L.rnn_backward, rng, inputs, {'*': 1e-6})


def word_embedding_forward(L):
    out = L.word_embedding_forward(np.asarray([[0, 3, 1, 2], [2, 1, 0, 3]]), _linspace(0, 1, 5, 3))[0]
    return _compare('out', out, EMBEDDING_OUT, 1e-7)


def word_embedding_backward(L):
    rng = np.random.RandomState(231)
    x, W = rng.randint(5, size=(50, 3)), rng.randn(5, 6)
    result = _forward(L.word_embedding_forward, (x, W))
    if result is None:
        return None
    out, cache = result
    dout = rng.randn(*np.shape(out))
    forward = lambda W: L.word_embedding_forward(x, W)
    return _gradients(forward, [W], [dout], [L.word_embedding_backward(dout, cache)], ('dW',),
                      {'*': 1e-11})


def lstm_step_forward(L):
    x, prev_h, prev_c = _linspace(-0.4, 1.2, 3, 4), _linspace(-0.3, 0.7, 3, 5), _linspace(-0.4, 0.9, 3, 5)
    Wx, Wh, b = _linspace(-2.1, 1.3, 4, 20), _linspace(-0.7, 2.2, 5, 20), _linspace(0.3, 0.7, 20)
    next_h, next_c, _ = L.lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    return (_compare('next_h', next_h, LSTM_STEP_H, 1e-8)
            or _compare('next_c', next_c, LSTM_STEP_C, 1e-8))


def lstm_step_backward(L):
    rng = np.random.RandomState(231)
    inputs = [rng.randn(4, 5), rng.randn(4, 6), rng.randn(4, 6), rng.randn(5, 24), rng.randn(6, 24),
              rng.randn(24)]
    result = _forward(L.lstm_step_forward, inputs)
    if result is None:
        return None
    next_h, next_c, cache = result
    upstream = [rng.randn(*np.shape(next_h)), rng.randn(*np.shape(next_c))]
    return _gradients(L.lstm_step_forward, inputs, upstream, L.lstm_step_backward(*upstream, cache),
                      ('dx', 'dh', 'dc', 'dWx', 'dWh', 'db'), {'*': 1e-7})


def lstm_forward(L):
    x, h0 = _linspace(-0.4, 0.6, 2, 3, 5), _linspace(-0.4, 0.8, 2, 4)
    Wx, Wh, b = _linspace(-0.2, 0.9, 5, 16), _linspace(-0.3, 0.6, 4, 16), _linspace(0.2, 0.7, 16)
    return _compare('h', L.lstm_forward(x, h0, Wx, Wh, b)[0], LSTM_H, 1e-7)


def lstm_backward(L):
    rng = np.random.RandomState(231)
    inputs = [rng.randn(2, 10, 3), rng.randn(2, 6), rng.randn(3, 24), rng.randn(6, 24), rng.randn(24)]
    return _sequence_backward(L.lstm_forward, L.lstm_backward, rng, inputs, {'*': 1e-7, 'dWh': 1e-5})


# The layers CaptioningRNN uses, per cell type, in the order the notebooks introduce them.
FORWARD_BLOCKS = {
    'rnn': (rnn_step_forward, rnn_forward, word_embedding_forward),
    'lstm': (lstm_step_forward, lstm_forward, word_embedding_forward),
}
ALL_BLOCKS = {
    'rnn': (rnn_step_forward, rnn_step_backward, rnn_forward, rnn_backward,
            word_embedding_forward, word_embedding_backward),
    'lstm': (lstm_step_forward, lstm_step_backward, lstm_forward, lstm_backward,
             word_embedding_forward, word_embedding_backward),
}


def failing_blocks(cell_type='rnn', backward=True):
    """[(layer name, what is wrong)] for the layers of this cell type failing their own check."""
    from . import rnn_layers   # at call time: your current code (also after %autoreload)
    found = []
    for check in (ALL_BLOCKS if backward else FORWARD_BLOCKS)[cell_type]:
        try:
            problem = check(rnn_layers)
        except Exception as exc:  # your layer raised: that is its problem
            problem = 'it raises %s: %s' % (type(exc).__name__, exc)
        if problem:
            found.append((check.__name__, problem))
    return found
