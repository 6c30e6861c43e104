"""Student 20 (Python 2 handout of 2016): input and hidden state concatenated against stacked
weights in every step; LSTM the same way; xrange loops."""
LAYOUT = "2016"
VECTORISED = ("    dx = np.zeros((N, T, D))\n    for t in xrange(T):\n        dx[:, t, :] = dxs[t]\n",
              "    dx = np.stack(dxs, axis=1)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    xh = np.concatenate((x, prev_h), axis=1)
    W = np.concatenate((Wx, Wh), axis=0)
    next_h = np.tanh(np.dot(xh, W) + b)
    cache = (xh, W, next_h, x.shape[1])


def rnn_step_backward(dnext_h, cache):
    xh, W, next_h, D = cache
    dpre = dnext_h * (1 - next_h * next_h)
    dxh = np.dot(dpre, W.T)
    dW = np.dot(xh.T, dpre)
    dx = dxh[:, :D]
    dprev_h = dxh[:, D:]
    dWx = dW[:D, :]
    dWh = dW[D:, :]
    db = np.sum(dpre, axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    hh = h0
    for t in xrange(T):
        hh, cc = rnn_step_forward(x[:, t, :], hh, Wx, Wh, b)
        h[:, t, :] = hh
        cache.append(cc)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][3]
    dxs = [None] * T
    dWx = np.zeros((D, H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dhh = np.zeros((N, H))
    for t in reversed(xrange(T)):
        dxs[t], dhh, dwx, dwh, dbb = rnn_step_backward(dh[:, t, :] + dhh, cache[t])
        dWx += dwx
        dWh += dwh
        db += dbb
    dx = np.zeros((N, T, D))
    for t in xrange(T):
        dx[:, t, :] = dxs[t]
    dh0 = dhh


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W)


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros(W.shape)
    np.add.at(dW, x, dout)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    xh = np.concatenate((x, prev_h), axis=1)
    W = np.concatenate((Wx, Wh), axis=0)
    a = np.dot(xh, W) + b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (xh, W, prev_c, i, f, o, g, next_c, x.shape[1])


def lstm_step_backward(dnext_h, dnext_c, cache):
    xh, W, prev_c, i, f, o, g, next_c, D = cache
    tc = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - tc * tc)
    da = np.concatenate((dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                         dnext_h * tc * o * (1 - o), dc * i * (1 - g * g)), axis=1)
    dxh = np.dot(da, W.T)
    dW = np.dot(xh.T, da)
    dx, dprev_h = dxh[:, :D], dxh[:, D:]
    dprev_c = dc * f
    dWx, dWh = dW[:D, :], dW[D:, :]
    db = np.sum(da, axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    hh, cc = h0, np.zeros_like(h0)
    for t in xrange(T):
        hh, cc, step = lstm_step_forward(x[:, t, :], hh, cc, Wx, Wh, b)
        h[:, t, :] = hh
        cache.append(step)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][8]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dhh, dcc = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(xrange(T)):
        dx[:, t, :], dhh, dcc, dwx, dwh, dbb = lstm_step_backward(dh[:, t, :] + dhh, dcc, cache[t])
        dWx += dwx
        dWh += dwh
        db += dbb
    dh0 = dhh


def loss(self, features, captions):
    h0, cache_a = affine_forward(features, W_proj, b_proj)
    we, cache_b = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        hs, cache_c = rnn_forward(we, h0, Wx, Wh, b)
    else:
        hs, cache_c = lstm_forward(we, h0, Wx, Wh, b)
    sc, cache_d = temporal_affine_forward(hs, W_vocab, b_vocab)
    loss, dsc = temporal_softmax_loss(sc, captions_out, mask)
    dhs, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dsc, cache_d)
    if self.cell_type == 'rnn':
        dwe, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dhs, cache_c)
    else:
        dwe, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dhs, cache_c)
    grads['W_embed'] = word_embedding_backward(dwe, cache_b)
    dfeat, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, cache_a)


def sample(self, features, max_length=30):
    hh, _ = affine_forward(features, W_proj, b_proj)
    cc = np.zeros_like(hh)
    w = self._start * np.ones(N, dtype=np.int32)
    for t in xrange(max_length):
        we = W_embed[w]
        if self.cell_type == 'rnn':
            hh, _ = rnn_step_forward(we, hh, Wx, Wh, b)
        else:
            hh, cc, _ = lstm_step_forward(we, hh, cc, Wx, Wh, b)
        sc, _ = affine_forward(hh, W_vocab, b_vocab)
        w = np.argmax(sc, axis=1)
        captions[:, t] = w
