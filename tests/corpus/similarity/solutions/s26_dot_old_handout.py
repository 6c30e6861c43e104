"""Student 26 (2017-2020 handout): `.dot` and the hints followed closely, zeros_like for the
accumulators, the step caches in a list; LSTM with np.hstack."""
LAYOUT = "2018"
VECTORISED = None        # no loop that could be vectorised


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(prev_h.dot(Wh) + x.dot(Wx) + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dz = (1 - next_h ** 2) * dnext_h
    dx = dz.dot(Wx.T)
    dprev_h = dz.dot(Wh.T)
    dWx = x.T.dot(dz)
    dWh = prev_h.T.dot(dz)
    db = np.sum(dz, axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    _, H = h0.shape
    h = np.zeros((N, T, H))
    cache = []
    prev_h = h0
    for t in range(T):
        next_h, c = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)
        h[:, t, :] = next_h
        cache.append(c)
        prev_h = next_h


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    x, _, Wx, Wh, _ = cache[0]
    dx = np.zeros((N, T, x.shape[1]))
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros((H,))
    dprev_h = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx_t, dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + dprev_h, cache[t])
        dx[:, t, :] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dprev_h


def word_embedding_forward(x, W):
    out = W[x, :]
    cache = (x, W)


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    np.add.at(dW, x, dout)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    _, H = prev_h.shape
    a = x.dot(Wx) + prev_h.dot(Wh) + b
    i = sigmoid(a[:, 0:H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:4 * H])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    dnext_c = dnext_c + dnext_h * o * (1 - np.tanh(next_c) ** 2)
    di = dnext_c * g
    df = dnext_c * prev_c
    do = dnext_h * np.tanh(next_c)
    dg = dnext_c * i
    da = np.hstack((i * (1 - i) * di, f * (1 - f) * df, o * (1 - o) * do, (1 - g ** 2) * dg))
    dx = da.dot(Wx.T)
    dprev_h = da.dot(Wh.T)
    dprev_c = dnext_c * f
    dWx = x.T.dot(da)
    dWh = prev_h.T.dot(da)
    db = np.sum(da, axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    _, H = h0.shape
    h = np.zeros((N, T, H))
    cache = []
    prev_h = h0
    prev_c = np.zeros_like(h0)
    for t in range(T):
        next_h, next_c, c = lstm_step_forward(x[:, t, :], prev_h, prev_c, Wx, Wh, b)
        h[:, t, :] = next_h
        cache.append(c)
        prev_h, prev_c = next_h, next_c


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    x, _, _, Wx, Wh = cache[0][:5]
    dx = np.zeros((N, T, x.shape[1]))
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros((4 * H,))
    dprev_h = np.zeros((N, H))
    dprev_c = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx_t, dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t, :] + dprev_h, dprev_c, cache[t])
        dx[:, t, :] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dprev_h


def loss(self, features, captions):
    h0, cache_proj = affine_forward(features, W_proj, b_proj)
    word_in, cache_word = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        h, cache_h = rnn_forward(word_in, h0, Wx, Wh, b)
    elif self.cell_type == 'lstm':
        h, cache_h = lstm_forward(word_in, h0, Wx, Wh, b)
    out, cache_out = temporal_affine_forward(h, W_vocab, b_vocab)
    loss, dout = temporal_softmax_loss(out, captions_out, mask, verbose=False)
    dh, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dout, cache_out)
    if self.cell_type == 'rnn':
        dword_in, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dh, cache_h)
    elif self.cell_type == 'lstm':
        dword_in, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dh, cache_h)
    grads['W_embed'] = word_embedding_backward(dword_in, cache_word)
    dfeatures, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, cache_proj)


def sample(self, features, max_length=30):
    prev_h, _ = affine_forward(features, W_proj, b_proj)
    prev_c = np.zeros_like(prev_h)
    prev_word = self._start * np.ones(N, dtype=np.int32)
    for t in range(max_length):
        word_embed, _ = word_embedding_forward(prev_word, W_embed)
        if self.cell_type == 'rnn':
            prev_h, _ = rnn_step_forward(word_embed, prev_h, Wx, Wh, b)
        elif self.cell_type == 'lstm':
            prev_h, prev_c, _ = lstm_step_forward(word_embed, prev_h, prev_c, Wx, Wh, b)
        scores, _ = affine_forward(prev_h, W_vocab, b_vocab)
        prev_word = np.argmax(scores, axis=1)
        captions[:, t] = prev_word
