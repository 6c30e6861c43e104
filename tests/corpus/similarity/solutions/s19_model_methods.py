"""Student 19: the model split into helper methods of its own (_forward, _backward, _step);
layers with `@` and named tuples of caches written as plain tuples."""
LAYOUT = "2021"
METHODS = ("loss", "sample", "_forward", "_backward", "_step")
VECTORISED = ("    for t in range(T):\n        np.add.at(dW, x[:, t], dout[:, t])\n", "    np.add.at(dW, x, dout)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(prev_h @ Wh + x @ Wx + b)
    cache = (prev_h, x, next_h, Wh, Wx)


def rnn_step_backward(dnext_h, cache):
    prev_h, x, next_h, Wh, Wx = cache
    dtotal = dnext_h * (1 - next_h ** 2)
    dprev_h = dtotal @ Wh.T
    dx = dtotal @ Wx.T
    dWh = prev_h.T @ dtotal
    dWx = x.T @ dtotal
    db = dtotal.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    T = x.shape[1]
    h = np.zeros(x.shape[:2] + h0.shape[1:])
    cache = [None] * T
    state = h0
    for t in range(T):
        state, cache[t] = rnn_step_forward(x[:, t], state, Wx, Wh, b)
        h[:, t] = state


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][1].shape[1]))
    dWx = np.zeros_like(cache[0][4])
    dWh = np.zeros_like(cache[0][3])
    db = np.zeros(H)
    dstate = 0
    for t in range(T - 1, -1, -1):
        dx[:, t], dstate, step_dWx, step_dWh, step_db = rnn_step_backward(dh[:, t] + dstate, cache[t])
        dWx += step_dWx
        dWh += step_dWh
        db += step_db
    dh0 = dstate


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    x, shape = cache
    dW = np.zeros(shape)
    T = x.shape[1]
    for t in range(T):
        np.add.at(dW, x[:, t], dout[:, t])


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = prev_h @ Wh + x @ Wx + b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = i * g + f * prev_c
    next_h = np.tanh(next_c) * o
    cache = (prev_h, prev_c, x, i, f, o, g, next_c, Wh, Wx)


def lstm_step_backward(dnext_h, dnext_c, cache):
    prev_h, prev_c, x, i, f, o, g, next_c, Wh, Wx = cache
    tanh_c = np.tanh(next_c)
    dtotal_c = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    da = np.concatenate([dtotal_c * g * i * (1 - i), dtotal_c * prev_c * f * (1 - f),
                         dnext_h * tanh_c * o * (1 - o), dtotal_c * i * (1 - g ** 2)], axis=1)
    dprev_h = da @ Wh.T
    dx = da @ Wx.T
    dprev_c = dtotal_c * f
    dWh = prev_h.T @ da
    dWx = x.T @ da
    db = da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    T = x.shape[1]
    h = np.zeros(x.shape[:2] + h0.shape[1:])
    cache = [None] * T
    state, cell = h0, np.zeros_like(h0)
    for t in range(T):
        state, cell, cache[t] = lstm_step_forward(x[:, t], state, cell, Wx, Wh, b)
        h[:, t] = state


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][2].shape[1]))
    dWx = np.zeros_like(cache[0][9])
    dWh = np.zeros_like(cache[0][8])
    db = np.zeros(4 * H)
    dstate, dcell = 0, 0
    for t in range(T - 1, -1, -1):
        dx[:, t], dstate, dcell, step_dWx, step_dWh, step_db = lstm_step_backward(dh[:, t] + dstate, dcell,
                                                                                  cache[t])
        dWx += step_dWx
        dWh += step_dWh
        db += step_db
    dh0 = dstate


def _forward(self, features, captions_in):
    p = self.params
    h0, c_proj = affine_forward(features, p['W_proj'], p['b_proj'])
    vectors, c_embed = word_embedding_forward(captions_in, p['W_embed'])
    seq = rnn_forward if self.cell_type == 'rnn' else lstm_forward
    states, c_seq = seq(vectors, h0, p['Wx'], p['Wh'], p['b'])
    scores, c_vocab = temporal_affine_forward(states, p['W_vocab'], p['b_vocab'])
    return scores, (c_proj, c_embed, c_seq, c_vocab)


def _backward(self, dscores, caches):
    c_proj, c_embed, c_seq, c_vocab = caches
    g = {}
    dstates, g['W_vocab'], g['b_vocab'] = temporal_affine_backward(dscores, c_vocab)
    seq = rnn_backward if self.cell_type == 'rnn' else lstm_backward
    dvectors, dh0, g['Wx'], g['Wh'], g['b'] = seq(dstates, c_seq)
    g['W_embed'] = word_embedding_backward(dvectors, c_embed)
    _, g['W_proj'], g['b_proj'] = affine_backward(dh0, c_proj)
    return g


def _step(self, word, state, cell):
    p = self.params
    vec = p['W_embed'][word]
    if self.cell_type == 'rnn':
        state, _ = rnn_step_forward(vec, state, p['Wx'], p['Wh'], p['b'])
    else:
        state, cell, _ = lstm_step_forward(vec, state, cell, p['Wx'], p['Wh'], p['b'])
    return state, cell


def loss(self, features, captions):
    scores, caches = self._forward(features, captions_in)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    grads = self._backward(dscores, caches)


def sample(self, features, max_length=30):
    state = features @ W_proj + b_proj
    cell = np.zeros_like(state)
    word = np.full(N, self._start)
    for t in range(max_length):
        state, cell = self._step(word, state, cell)
        word = np.argmax(state @ W_vocab + b_vocab, axis=1)
        captions[:, t] = word
