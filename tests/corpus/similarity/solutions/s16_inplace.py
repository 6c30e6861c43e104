"""Student 16: in-place updates on the upstream gradients (dnext_c += ..., dh[:, t] += ...),
gradients accumulated in a dict; LSTM included."""
LAYOUT = "2021"
VECTORISED = ("    for n in range(N):\n        np.add.at(dW, x[n], dout[n])\n", "    np.add.at(dW, x, dout)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dnext_h *= 1 - next_h ** 2
    dx = dnext_h.dot(Wx.T)
    dprev_h = dnext_h.dot(Wh.T)
    dWx = x.T.dot(dnext_h)
    dWh = prev_h.T.dot(dnext_h)
    db = dnext_h.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    for t in range(T):
        h[:, t, :], step = rnn_step_forward(x[:, t, :], h0 if t == 0 else h[:, t - 1, :], Wx, Wh, b)
        cache.append(step)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]))
    g = {'Wx': 0, 'Wh': 0, 'b': 0}
    dprev = np.zeros((N, H))
    for t in reversed(range(T)):
        dh[:, t, :] += dprev
        dx[:, t, :], dprev, dwx, dwh, dbb = rnn_step_backward(dh[:, t, :].copy(), cache[t])
        g['Wx'] += dwx
        g['Wh'] += dwh
        g['b'] += dbb
    dh0, dWx, dWh, db = dprev, g['Wx'], g['Wh'], g['b']


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    x, shape = cache
    N = x.shape[0]
    dW = np.zeros(shape)
    for n in range(N):
        np.add.at(dW, x[n], dout[n])


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x.dot(Wx) + prev_h.dot(Wh) + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tc = np.tanh(next_c)
    dnext_c += dnext_h * o * (1 - tc ** 2)
    da = np.hstack((dnext_c * g * i * (1 - i), dnext_c * prev_c * f * (1 - f), dnext_h * tc * o * (1 - o),
                    dnext_c * i * (1 - g ** 2)))
    dx = da.dot(Wx.T)
    dprev_h = da.dot(Wh.T)
    dprev_c = dnext_c * f
    dWx = x.T.dot(da)
    dWh = prev_h.T.dot(da)
    db = da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    c = np.zeros_like(h0)
    cache = []
    for t in range(T):
        h[:, t, :], c, step = lstm_step_forward(x[:, t, :], h0 if t == 0 else h[:, t - 1, :], c, Wx, Wh, b)
        cache.append(step)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]))
    g = {'Wx': 0, 'Wh': 0, 'b': 0}
    dprev, dc = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dh[:, t, :] += dprev
        dx[:, t, :], dprev, dc, dwx, dwh, dbb = lstm_step_backward(dh[:, t, :].copy(), dc.copy(), cache[t])
        g['Wx'] += dwx
        g['Wh'] += dwh
        g['b'] += dbb
    dh0, dWx, dWh, db = dprev, g['Wx'], g['Wh'], g['b']


def loss(self, features, captions):
    h0, c0 = affine_forward(features, W_proj, b_proj)
    xs, c1 = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        hs, c2 = rnn_forward(xs, h0, Wx, Wh, b)
    else:
        hs, c2 = lstm_forward(xs, h0, Wx, Wh, b)
    ys, c3 = temporal_affine_forward(hs, W_vocab, b_vocab)
    loss, dys = temporal_softmax_loss(ys, captions_out, mask)
    dhs, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dys, c3)
    if self.cell_type == 'rnn':
        dxs, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dhs, c2)
    else:
        dxs, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dhs, c2)
    grads['W_embed'] = word_embedding_backward(dxs, c1)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, c0)


def sample(self, features, max_length=30):
    h, _ = affine_forward(features, W_proj, b_proj)
    c = np.zeros_like(h)
    captions[:, 0] = self._start
    word = captions[:, 0].copy()
    for t in range(max_length):
        if self.cell_type == 'rnn':
            h, _ = rnn_step_forward(W_embed[word], h, Wx, Wh, b)
        else:
            h, c, _ = lstm_step_forward(W_embed[word], h, c, Wx, Wh, b)
        word = np.argmax(affine_forward(h, W_vocab, b_vocab)[0], axis=1)
        captions[:, t] = word
