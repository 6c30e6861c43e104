"""Student 13 (2017-2020 handout): shapes unpacked everywhere, dtype-aware zeros, embedding
backward on flattened arrays; the sample loop keeps the previous word in a column."""
LAYOUT = "2018"
VECTORISED = ("    for t in range(T):\n        for n in range(N):\n            h_stack[n, t] = h[t][n]\n",
              "    h_stack[:] = np.stack(h, axis=1)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    N, D = x.shape
    H = prev_h.shape[1]
    raw = x.dot(Wx) + prev_h.dot(Wh) + b.reshape(1, H)
    next_h = np.tanh(raw)
    cache = (x, prev_h, Wx, Wh, raw, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, raw, next_h = cache
    N, H = dnext_h.shape
    draw = dnext_h * (1 - next_h ** 2)
    dx = draw.dot(Wx.T)
    dprev_h = draw.dot(Wh.T)
    dWx = x.T.dot(draw)
    dWh = prev_h.T.dot(draw)
    db = draw.sum(axis=0).reshape(H)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    N, H = h0.shape
    h = []
    cache = []
    h_prev = h0
    for t in range(T):
        h_next, step_cache = rnn_step_forward(x[:, t, :], h_prev, Wx, Wh, b)
        h.append(h_next)
        cache.append(step_cache)
        h_prev = h_next
    h_stack = np.zeros((N, T, H), dtype=h0.dtype)
    for t in range(T):
        for n in range(N):
            h_stack[n, t] = h[t][n]
    h = h_stack


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=dh.dtype)
    dWx = np.zeros((D, H), dtype=dh.dtype)
    dWh = np.zeros((H, H), dtype=dh.dtype)
    db = np.zeros((H,), dtype=dh.dtype)
    dh_prev = np.zeros((N, H), dtype=dh.dtype)
    for t in range(T - 1, -1, -1):
        dh_current = dh[:, t, :] + dh_prev
        dx_t, dh_prev, dWx_t, dWh_t, db_t = rnn_step_backward(dh_current, cache[t])
        dx[:, t, :] += dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dh_prev


def word_embedding_forward(x, W):
    N, T = x.shape
    V, D = W.shape
    out = W[x.reshape(N * T)].reshape(N, T, D)
    cache = (x, V, D)


def word_embedding_backward(dout, cache):
    x, V, D = cache
    N, T = x.shape
    dW = np.zeros((V, D), dtype=dout.dtype)
    np.add.at(dW, x.reshape(N * T), dout.reshape(N * T, D))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    N, H = prev_h.shape
    raw = x.dot(Wx) + prev_h.dot(Wh) + b.reshape(1, 4 * H)
    i = sigmoid(raw[:, 0 * H:1 * H])
    f = sigmoid(raw[:, 1 * H:2 * H])
    o = sigmoid(raw[:, 2 * H:3 * H])
    g = np.tanh(raw[:, 3 * H:4 * H])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    N, H = dnext_h.shape
    tanh_c = np.tanh(next_c)
    dc_total = dnext_c + dnext_h * o * (1 - tanh_c * tanh_c)
    draw = np.zeros((N, 4 * H), dtype=dnext_h.dtype)
    draw[:, 0 * H:1 * H] = dc_total * g * i * (1 - i)
    draw[:, 1 * H:2 * H] = dc_total * prev_c * f * (1 - f)
    draw[:, 2 * H:3 * H] = dnext_h * tanh_c * o * (1 - o)
    draw[:, 3 * H:4 * H] = dc_total * i * (1 - g * g)
    dx = draw.dot(Wx.T)
    dprev_h = draw.dot(Wh.T)
    dprev_c = dc_total * f
    dWx = x.T.dot(draw)
    dWh = prev_h.T.dot(draw)
    db = draw.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    N, H = h0.shape
    h = np.zeros((N, T, H), dtype=h0.dtype)
    cache = []
    h_prev, c_prev = h0, np.zeros((N, H), dtype=h0.dtype)
    for t in range(T):
        h_prev, c_prev, step_cache = lstm_step_forward(x[:, t, :], h_prev, c_prev, Wx, Wh, b)
        h[:, t, :] = h_prev
        cache.append(step_cache)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=dh.dtype)
    dWx = np.zeros((D, 4 * H), dtype=dh.dtype)
    dWh = np.zeros((H, 4 * H), dtype=dh.dtype)
    db = np.zeros((4 * H,), dtype=dh.dtype)
    dh_prev = np.zeros((N, H), dtype=dh.dtype)
    dc_prev = np.zeros((N, H), dtype=dh.dtype)
    for t in range(T - 1, -1, -1):
        dx_t, dh_prev, dc_prev, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t, :] + dh_prev, dc_prev, cache[t])
        dx[:, t, :] += dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dh_prev


def loss(self, features, captions):
    N, D = features.shape
    h0, cache_affine = affine_forward(features, W_proj, b_proj)
    wordvecs, cache_embedding = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        hidden, cache_recurrent = rnn_forward(wordvecs, h0, Wx, Wh, b)
    else:
        hidden, cache_recurrent = lstm_forward(wordvecs, h0, Wx, Wh, b)
    scores, cache_temporal = temporal_affine_forward(hidden, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dhidden, dW_vocab, db_vocab = temporal_affine_backward(dscores, cache_temporal)
    if self.cell_type == 'rnn':
        dwordvecs, dh0, dWx, dWh, db = rnn_backward(dhidden, cache_recurrent)
    else:
        dwordvecs, dh0, dWx, dWh, db = lstm_backward(dhidden, cache_recurrent)
    dW_embed = word_embedding_backward(dwordvecs, cache_embedding)
    _, dW_proj, db_proj = affine_backward(dh0, cache_affine)
    grads = dict(W_proj=dW_proj, b_proj=db_proj, W_embed=dW_embed, Wx=dWx, Wh=dWh, b=db,
                 W_vocab=dW_vocab, b_vocab=db_vocab)


def sample(self, features, max_length=30):
    h_prev, _ = affine_forward(features, W_proj, b_proj)
    c_prev = np.zeros_like(h_prev)
    prev_words = self._start * np.ones((N, 1), dtype=np.int32)
    for t in range(max_length):
        wordvecs, _ = word_embedding_forward(prev_words, W_embed)
        if self.cell_type == 'rnn':
            h_prev, _ = rnn_step_forward(wordvecs[:, 0, :], h_prev, Wx, Wh, b)
        else:
            h_prev, c_prev, _ = lstm_step_forward(wordvecs[:, 0, :], h_prev, c_prev, Wx, Wh, b)
        scores, _ = affine_forward(h_prev, W_vocab, b_vocab)
        best = np.argmax(scores, axis=1)
        captions[:, t] = best
        prev_words = best.reshape(N, 1)
