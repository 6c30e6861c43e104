"""The reference rnn_layers against the original notebook's expected values and numeric gradients.

Expected values, seeds and thresholds: /work/shared/reference/assignment-facts.md.
"""
import numpy as np
import pytest


# Error orders of the original notebooks ("you should see errors on the order of e-8 or less"):
# rel_error must stay below ORDER_OF_MAGNITUDE * order (a wrong gradient is off by far more).
ORDER_OF_MAGNITUDE = 10
STEP_FORWARD_ORDER = 1e-8
RNN_FORWARD_ORDER = 1e-7
RNN_STEP_BACKWARD_ORDER = 1e-8
RNN_BACKWARD_ORDER = 1e-6
EMBED_FORWARD_ORDER = 1e-8
EMBED_BACKWARD_ORDER = 1e-11
TEMPORAL_AFFINE_ORDER = 1e-9
SOFTMAX_DX_ORDER = 1e-7
LSTM_STEP_BACKWARD_ORDER = 1e-7
LSTM_BACKWARD_ORDER = 1e-8
LSTM_BACKWARD_DWH_ORDER = 1e-6
NOTEBOOK_SEED = 231


def rel_error(x, y):
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


def within_order(x, y, order):
    """rel_error(x, y) is on the order of `order` or less."""
    return rel_error(x, y) < ORDER_OF_MAGNITUDE * order


def lin(lo, hi, *shape):
    return np.linspace(lo, hi, num=int(np.prod(shape))).reshape(*shape)




def numeric_grads(gc, f, inputs, dout):
    """Numeric gradient of sum(f(*inputs) * dout) with respect to each input."""
    grads = []
    for k in range(len(inputs)):
        def fk(_, k=k):
            return f(*inputs)
        grads.append(gc.eval_numerical_gradient_array(fk, inputs[k], dout))
    return grads


# ----------------------------------------------------------------------------- vanilla RNN
def test_rnn_step_forward_matches_notebook(L):
    N, D, H = 3, 10, 4
    x, prev_h = lin(-0.4, 0.7, N, D), lin(-0.2, 0.5, N, H)
    Wx, Wh, b = lin(-0.1, 0.9, D, H), lin(-0.3, 0.7, H, H), lin(-0.2, 0.4, H)
    next_h, _ = L.rnn_step_forward(x, prev_h, Wx, Wh, b)
    expected = np.asarray([
        [-0.58172089, -0.50182032, -0.41232771, -0.31410098],
        [0.66854692, 0.79562378, 0.87755553, 0.92795967],
        [0.97934501, 0.99144213, 0.99646691, 0.99854353]])
    assert within_order(expected, next_h, STEP_FORWARD_ORDER)


def test_rnn_step_backward_matches_numeric_gradient(L, gc):
    np.random.seed(NOTEBOOK_SEED)
    N, D, H = 4, 5, 6
    x, h = np.random.randn(N, D), np.random.randn(N, H)
    Wx, Wh, b = np.random.randn(D, H), np.random.randn(H, H), np.random.randn(H)
    out, cache = L.rnn_step_forward(x, h, Wx, Wh, b)
    dnext_h = np.random.randn(*out.shape)
    f = lambda *a: L.rnn_step_forward(*a)[0]
    expected = numeric_grads(gc, f, [x, h, Wx, Wh, b], dnext_h)
    got = L.rnn_step_backward(dnext_h, cache)
    for name, e, g in zip(["dx", "dprev_h", "dWx", "dWh", "db"], expected, got):
        assert g.shape == e.shape, name
        assert within_order(e, g, RNN_STEP_BACKWARD_ORDER), name


def test_rnn_forward_matches_notebook(L):
    N, T, D, H = 2, 3, 4, 5
    x, h0 = lin(-0.1, 0.3, N, T, D), lin(-0.3, 0.1, N, H)
    Wx, Wh, b = lin(-0.2, 0.4, D, H), lin(-0.4, 0.1, H, H), lin(-0.7, 0.1, H)
    h, _ = L.rnn_forward(x, h0, Wx, Wh, b)
    expected = np.asarray([
        [[-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251],
         [-0.39525808, -0.22554661, -0.0409454, 0.14649412, 0.32397316],
         [-0.42305111, -0.24223728, -0.04287027, 0.15997045, 0.35014525]],
        [[-0.55857474, -0.39065825, -0.19198182, 0.02378408, 0.23735671],
         [-0.27150199, -0.07088804, 0.13562939, 0.33099728, 0.50158768],
         [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]]])
    assert h.shape == (N, T, H)
    assert within_order(expected, h, RNN_FORWARD_ORDER)


def test_rnn_backward_matches_numeric_gradient(L, gc):
    np.random.seed(NOTEBOOK_SEED)
    N, D, T, H = 2, 3, 10, 5
    x, h0 = np.random.randn(N, T, D), np.random.randn(N, H)
    Wx, Wh, b = np.random.randn(D, H), np.random.randn(H, H), np.random.randn(H)
    out, cache = L.rnn_forward(x, h0, Wx, Wh, b)
    dout = np.random.randn(*out.shape)
    f = lambda *a: L.rnn_forward(*a)[0]
    expected = numeric_grads(gc, f, [x, h0, Wx, Wh, b], dout)
    got = L.rnn_backward(dout, cache)
    for name, e, g in zip(["dx", "dh0", "dWx", "dWh", "db"], expected, got):
        assert g.shape == e.shape, name
        assert within_order(e, g, RNN_BACKWARD_ORDER), name


def count_calls(monkeypatch, module, name):
    calls = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a: calls.append(name) or real(*a))
    return calls


@pytest.mark.parametrize("cell,mul", [("rnn", 1), ("lstm", 4)])
def test_sequence_functions_use_the_step_functions(L, monkeypatch, cell, mul):
    N, T, D, H = 2, 4, 3, 5
    fwd_calls = count_calls(monkeypatch, L, cell + "_step_forward")
    bwd_calls = count_calls(monkeypatch, L, cell + "_step_backward")
    forward, backward = getattr(L, cell + "_forward"), getattr(L, cell + "_backward")
    h, cache = forward(np.zeros((N, T, D)), np.zeros((N, H)), np.zeros((D, mul * H)),
                       np.zeros((H, mul * H)), np.zeros(mul * H))
    backward(np.ones_like(h), cache)
    assert (len(fwd_calls), len(bwd_calls)) == (T, T)


# ----------------------------------------------------------------------------- embedding
def test_word_embedding_forward_matches_notebook(L):
    V, D = 5, 3
    x = np.asarray([[0, 3, 1, 2], [2, 1, 0, 3]])
    W = lin(0, 1, V, D)
    out, _ = L.word_embedding_forward(x, W)
    expected = np.asarray([
        [[0., 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429],
         [0.21428571, 0.28571429, 0.35714286], [0.42857143, 0.5, 0.57142857]],
        [[0.42857143, 0.5, 0.57142857], [0.21428571, 0.28571429, 0.35714286],
         [0., 0.07142857, 0.14285714], [0.64285714, 0.71428571, 0.78571429]]])
    assert within_order(expected, out, EMBED_FORWARD_ORDER)


def test_word_embedding_backward_matches_numeric_gradient(L, gc):
    np.random.seed(NOTEBOOK_SEED)
    N, T, V, D = 50, 3, 5, 6
    x = np.random.randint(V, size=(N, T))
    W = np.random.randn(V, D)
    out, cache = L.word_embedding_forward(x, W)
    dout = np.random.randn(*out.shape)
    dW = L.word_embedding_backward(dout, cache)
    dW_num = gc.eval_numerical_gradient_array(lambda W: L.word_embedding_forward(x, W)[0], W, dout)
    assert dW.shape == W.shape
    assert within_order(dW, dW_num, EMBED_BACKWARD_ORDER)


def test_word_embedding_backward_accumulates_repeated_words(L):
    x = np.array([[1, 1, 1]])
    W = np.zeros((3, 2))
    _, cache = L.word_embedding_forward(x, W)
    dW = L.word_embedding_backward(np.ones((1, 3, 2)), cache)
    np.testing.assert_array_equal(dW, [[0, 0], [3, 3], [0, 0]])


# ----------------------------------------------------------------------------- provided layers
def test_temporal_affine_backward_matches_numeric_gradient(L, gc):
    np.random.seed(NOTEBOOK_SEED)
    N, T, D, M = 2, 3, 4, 5
    x, w, b = np.random.randn(N, T, D), np.random.randn(D, M), np.random.randn(M)
    out, cache = L.temporal_affine_forward(x, w, b)
    dout = np.random.randn(*out.shape)
    f = lambda *a: L.temporal_affine_forward(*a)[0]
    expected = numeric_grads(gc, f, [x, w, b], dout)
    for e, g in zip(expected, L.temporal_affine_backward(dout, cache)):
        assert within_order(e, g, TEMPORAL_AFFINE_ORDER)


@pytest.mark.parametrize("shape", [(4, 6), (4, 3, 2), (4, 3, 1, 2)])
def test_affine_flattens_each_example_and_dx_has_the_shape_of_x(L, gc, shape):
    """As the original handouts' affine layer: x of shape (N, d_1, ..., d_k) is one vector per
    example; the gradients match a numeric gradient and dx has x's shape."""
    np.random.seed(NOTEBOOK_SEED)
    x, w, b = np.random.randn(*shape), np.random.randn(6, 5), np.random.randn(5)
    out, cache = L.affine_forward(x, w, b)
    assert out.shape == (4, 5)
    dout = np.random.randn(*out.shape)
    expected = numeric_grads(gc, lambda *a: L.affine_forward(*a)[0], [x, w, b], dout)
    grads = L.affine_backward(dout, cache)
    assert grads[0].shape == x.shape
    for e, g in zip(expected, grads):
        assert within_order(e, g, TEMPORAL_AFFINE_ORDER)


@pytest.mark.parametrize("N,T,V,p,lo,hi", [
    (100, 1, 10, 1.0, 2.2, 2.4),     # about 2.3 = log(10)
    (100, 10, 10, 1.0, 22.0, 24.0),  # about 23 = 10 * log(10)
    (5000, 10, 10, 0.1, 2.0, 2.6),   # about 2.2-2.4 (one timestep in ten counts)
])
def test_temporal_softmax_loss_sanity_values(L, N, T, V, p, lo, hi):
    np.random.seed(NOTEBOOK_SEED)
    x = 0.001 * np.random.randn(N, T, V)
    y = np.random.randint(V, size=(N, T))
    mask = np.random.rand(N, T) <= p
    loss, _ = L.temporal_softmax_loss(x, y, mask)
    assert lo < loss < hi


def test_temporal_softmax_loss_gradient(L, gc):
    np.random.seed(NOTEBOOK_SEED)
    N, T, V = 7, 8, 9
    x = np.random.randn(N, T, V)
    y = np.random.randint(V, size=(N, T))
    mask = np.random.rand(N, T) > 0.5
    loss, dx = L.temporal_softmax_loss(x, y, mask, verbose=False)
    dx_num = gc.eval_numerical_gradient(lambda x: L.temporal_softmax_loss(x, y, mask)[0], x, verbose=False)
    assert within_order(dx, dx_num, SOFTMAX_DX_ORDER)


def test_temporal_softmax_loss_ignores_masked_steps(L):
    x = np.random.RandomState(0).randn(2, 3, 4)
    y = np.zeros((2, 3), dtype=int)
    mask = np.array([[True, False, False], [True, True, False]])
    loss, dx = L.temporal_softmax_loss(x, y, mask)
    assert np.all(dx[~mask] == 0)
    x2 = x.copy()
    x2[~mask] += 100.0
    assert L.temporal_softmax_loss(x2, y, mask)[0] == pytest.approx(loss)


def test_sigmoid_is_stable_for_large_inputs(L):
    with np.errstate(over="raise"):
        s = L.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])


# ----------------------------------------------------------------------------- LSTM
def test_lstm_step_forward_matches_notebook(L):
    N, D, H = 3, 4, 5
    x, prev_h, prev_c = lin(-0.4, 1.2, N, D), lin(-0.3, 0.7, N, H), lin(-0.4, 0.9, N, H)
    Wx, Wh, b = lin(-2.1, 1.3, D, 4 * H), lin(-0.7, 2.2, H, 4 * H), lin(0.3, 0.7, 4 * H)
    next_h, next_c, _ = L.lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    expected_h = np.asarray([
        [0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
        [0.49223563, 0.55611431, 0.61507696, 0.66844003, 0.7159181],
        [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.858299]])
    expected_c = np.asarray([
        [0.32986176, 0.39145139, 0.451556, 0.51014116, 0.56717407],
        [0.66382255, 0.76674007, 0.87195994, 0.97902709, 1.08751345],
        [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]])
    assert within_order(expected_h, next_h, STEP_FORWARD_ORDER)
    assert within_order(expected_c, next_c, STEP_FORWARD_ORDER)


def test_lstm_step_backward_matches_numeric_gradient(L, gc):
    np.random.seed(NOTEBOOK_SEED)
    N, D, H = 4, 5, 6
    x, prev_h, prev_c = np.random.randn(N, D), np.random.randn(N, H), np.random.randn(N, H)
    Wx, Wh, b = np.random.randn(D, 4 * H), np.random.randn(H, 4 * H), np.random.randn(4 * H)
    next_h, next_c, cache = L.lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    dnext_h, dnext_c = np.random.randn(*next_h.shape), np.random.randn(*next_c.shape)
    inputs = [x, prev_h, prev_c, Wx, Wh, b]

    def combined(*a):  # sum(h * dnext_h + c * dnext_c) as one array product
        h, c, _ = L.lstm_step_forward(*a)
        return np.stack([h, c])
    expected = numeric_grads(gc, combined, inputs, np.stack([dnext_h, dnext_c]))
    got = L.lstm_step_backward(dnext_h, dnext_c, cache)
    for name, e, g in zip(["dx", "dh", "dc", "dWx", "dWh", "db"], expected, got):
        assert g.shape == e.shape, name
        assert within_order(e, g, LSTM_STEP_BACKWARD_ORDER), name


def test_lstm_forward_matches_notebook(L):
    N, D, H, T = 2, 5, 4, 3
    x, h0 = lin(-0.4, 0.6, N, T, D), lin(-0.4, 0.8, N, H)
    Wx, Wh, b = lin(-0.2, 0.9, D, 4 * H), lin(-0.3, 0.6, H, 4 * H), lin(0.2, 0.7, 4 * H)
    h, _ = L.lstm_forward(x, h0, Wx, Wh, b)
    expected = np.asarray([
        [[0.01764008, 0.01823233, 0.01882671, 0.0194232],
         [0.11287491, 0.12146228, 0.13018446, 0.13902939],
         [0.31358768, 0.33338627, 0.35304453, 0.37250975]],
        [[0.45767879, 0.4761092, 0.4936887, 0.51041945],
         [0.6704845, 0.69350089, 0.71486014, 0.7346449],
         [0.81733511, 0.83677871, 0.85403753, 0.86935314]]])
    assert within_order(expected, h, RNN_FORWARD_ORDER)


def test_lstm_backward_matches_numeric_gradient(L, gc):
    np.random.seed(NOTEBOOK_SEED)
    N, D, T, H = 2, 3, 10, 6
    x, h0 = np.random.randn(N, T, D), np.random.randn(N, H)
    Wx, Wh, b = np.random.randn(D, 4 * H), np.random.randn(H, 4 * H), np.random.randn(4 * H)
    out, cache = L.lstm_forward(x, h0, Wx, Wh, b)
    dout = np.random.randn(*out.shape)
    f = lambda *a: L.lstm_forward(*a)[0]
    expected = numeric_grads(gc, f, [x, h0, Wx, Wh, b], dout)
    got = L.lstm_backward(dout, cache)
    orders = [LSTM_BACKWARD_ORDER, LSTM_BACKWARD_ORDER, LSTM_BACKWARD_ORDER, LSTM_BACKWARD_DWH_ORDER, LSTM_BACKWARD_ORDER]
    for name, e, g, order in zip(["dx", "dh0", "dWx", "dWh", "db"], expected, got, orders):
        assert g.shape == e.shape, name
        assert within_order(e, g, order), name
