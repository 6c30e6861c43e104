"""Student 12: small helper functions of their own (tanh and sigmoid derivatives, a step
selector), used by the layers and the model."""
LAYOUT = "2021"
MODEL_HELPERS = ("_step_functions",)
VECTORISED = ("    for t in range(T):\n        out[:, t, :] = W[x[:, t]]\n", "    out[:] = W[x]\n")


def _dtanh(y):
    return 1.0 - y * y


def _dsigmoid(s):
    return s * (1.0 - s)


def _step_functions(cell_type):
    if cell_type == 'rnn':
        return rnn_forward, rnn_backward
    return lstm_forward, lstm_backward


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dz = dnext_h * _dtanh(next_h)
    dx = dz @ Wx.T
    dprev_h = dz @ Wh.T
    dWx = x.T @ dz
    dWh = prev_h.T @ dz
    db = dz.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    cache = []
    ht = h0
    for t in range(T):
        ht, ct = rnn_step_forward(x[:, t, :], ht, Wx, Wh, b)
        h[:, t, :] = ht
        cache.append(ct)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dWx = np.zeros_like(cache[0][2])
    dWh = np.zeros_like(cache[0][3])
    db = np.zeros(H)
    dht = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dht, dwx, dwh, dbt = rnn_step_backward(dh[:, t, :] + dht, cache[t])
        dWx += dwx
        dWh += dwh
        db += dbt
    dh0 = dht


def word_embedding_forward(x, W):
    N, T = x.shape
    out = np.empty((N, T, W.shape[1]))
    for t in range(T):
        out[:, t, :] = W[x[:, t]]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    x, shape = cache
    dW = np.zeros(shape)
    np.add.at(dW, x, dout)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    z = x @ Wx + prev_h @ Wh + b
    i = sigmoid(z[:, :H])
    f = sigmoid(z[:, H:2 * H])
    o = sigmoid(z[:, 2 * H:3 * H])
    g = np.tanh(z[:, 3 * H:])
    next_c = f * prev_c + i * g
    tc = np.tanh(next_c)
    next_h = o * tc
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc = cache
    dc = dnext_c + dnext_h * o * _dtanh(tc)
    dz = np.hstack([dc * g * _dsigmoid(i), dc * prev_c * _dsigmoid(f), dnext_h * tc * _dsigmoid(o),
                    dc * i * _dtanh(g)])
    dx = dz @ Wx.T
    dprev_h = dz @ Wh.T
    dprev_c = dc * f
    dWx = x.T @ dz
    dWh = prev_h.T @ dz
    db = dz.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    cache = []
    ht, ct = h0, np.zeros_like(h0)
    for t in range(T):
        ht, ct, step = lstm_step_forward(x[:, t, :], ht, ct, Wx, Wh, b)
        h[:, t, :] = ht
        cache.append(step)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache[0][0].shape[1]))
    dWx = np.zeros_like(cache[0][3])
    dWh = np.zeros_like(cache[0][4])
    db = np.zeros(4 * H)
    dht, dct = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dht, dct, dwx, dwh, dbt = lstm_step_backward(dh[:, t, :] + dht, dct, cache[t])
        dWx += dwx
        dWh += dwh
        db += dbt
    dh0 = dht


def loss(self, features, captions):
    seq_forward, seq_backward = _step_functions(self.cell_type)
    h0, c_proj = affine_forward(features, W_proj, b_proj)
    x, c_emb = word_embedding_forward(captions_in, W_embed)
    h, c_seq = seq_forward(x, h0, Wx, Wh, b)
    scores, c_voc = temporal_affine_forward(h, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dh, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, c_voc)
    dx, dh0, grads['Wx'], grads['Wh'], grads['b'] = seq_backward(dh, c_seq)
    grads['W_embed'] = word_embedding_backward(dx, c_emb)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, c_proj)


def sample(self, features, max_length=30):
    h = features @ W_proj + b_proj
    c = np.zeros_like(h)
    words = np.full(N, self._start)
    for t in range(max_length):
        x = W_embed[words]
        if self.cell_type == 'rnn':
            h, _ = rnn_step_forward(x, h, Wx, Wh, b)
        else:
            h, c, _ = lstm_step_forward(x, h, c, Wx, Wh, b)
        words = np.argmax(h @ W_vocab + b_vocab, axis=1)
        captions[:, t] = words
