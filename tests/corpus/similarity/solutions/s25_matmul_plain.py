"""Student 25: the docstrings' hints followed closely with `@`: step functions in loops,
np.add.at, affine_forward for the projection; LSTM with slices."""
LAYOUT = "2021"
VECTORISED = ("    for t in range(T):\n        out[:, t] = W[x[:, t]]\n", "    out = W[x]\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dtanh = dnext_h * (1 - next_h ** 2)
    dx = dtanh @ Wx.T
    dprev_h = dtanh @ Wh.T
    dWx = x.T @ dtanh
    dWh = prev_h.T @ dtanh
    db = dtanh.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    cache = []
    h_t = h0
    for t in range(T):
        h_t, cache_t = rnn_step_forward(x[:, t, :], h_t, Wx, Wh, b)
        h[:, t, :] = h_t
        cache.append(cache_t)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dh_t = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dh_t, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + dh_t, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dh_t


def word_embedding_forward(x, W):
    N, T = x.shape
    out = np.zeros((N, T, W.shape[1]))
    for t in range(T):
        out[:, t] = W[x[:, t]]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    x, W_shape = cache
    dW = np.zeros(W_shape)
    np.add.at(dW, x, dout)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tanh_c = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    di = dc * g * i * (1 - i)
    df = dc * prev_c * f * (1 - f)
    do = dnext_h * tanh_c * o * (1 - o)
    dg = dc * i * (1 - g ** 2)
    da = np.concatenate((di, df, do, dg), axis=1)
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dprev_c = dc * f
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    cache = []
    h_t, c_t = h0, np.zeros((N, H))
    for t in range(T):
        h_t, c_t, cache_t = lstm_step_forward(x[:, t, :], h_t, c_t, Wx, Wh, b)
        h[:, t, :] = h_t
        cache.append(cache_t)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, 4 * H))
    dWh = np.zeros((H, 4 * H))
    db = np.zeros(4 * H)
    dh_t = np.zeros((N, H))
    dc_t = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dh_t, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t, :] + dh_t, dc_t, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dh_t


def loss(self, features, captions):
    h0, proj_cache = affine_forward(features, W_proj, b_proj)
    x, embed_cache = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        h, rnn_cache = rnn_forward(x, h0, Wx, Wh, b)
    else:
        h, rnn_cache = lstm_forward(x, h0, Wx, Wh, b)
    scores, scores_cache = temporal_affine_forward(h, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dh, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, scores_cache)
    if self.cell_type == 'rnn':
        dx, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dh, rnn_cache)
    else:
        dx, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dh, rnn_cache)
    grads['W_embed'] = word_embedding_backward(dx, embed_cache)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, proj_cache)


def sample(self, features, max_length=30):
    h, _ = affine_forward(features, W_proj, b_proj)
    c = np.zeros_like(h)
    word = np.full(N, self._start)
    for t in range(max_length):
        x = W_embed[word]
        if self.cell_type == 'rnn':
            h, _ = rnn_step_forward(x, h, Wx, Wh, b)
        else:
            h, c, _ = lstm_step_forward(x, h, c, Wx, Wh, b)
        scores, _ = affine_forward(h, W_vocab, b_vocab)
        word = np.argmax(scores, axis=1)
        captions[:, t] = word
