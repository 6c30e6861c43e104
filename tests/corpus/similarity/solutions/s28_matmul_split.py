"""Student 28: `@` with np.split for the LSTM gates, the carried gradients added in place
(`dh_cur += dh[:, t]` on a fresh array), sampling that embeds through word_embedding_forward."""
LAYOUT = "2021"
VECTORISED = ("    db = np.zeros(dz.shape[1])\n    for row in range(dz.shape[0]):\n        db += dz[row]\n", "    db = dz.sum(axis=0)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dz = dnext_h * (1 - next_h * next_h)
    dx = dz @ Wx.T
    dprev_h = dz @ Wh.T
    dWx = x.T @ dz
    dWh = prev_h.T @ dz
    db = np.zeros(dz.shape[1])
    for row in range(dz.shape[0]):
        db += dz[row]


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    h_cur = h0
    for t in range(T):
        h_cur, step = rnn_step_forward(x[:, t], h_cur, Wx, Wh, b)
        h[:, t] = h_cur
        cache.append(step)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]))
    dWx = np.zeros_like(cache[0][2])
    dWh = np.zeros_like(cache[0][3])
    db = np.zeros(H)
    dh_cur = np.zeros((N, H))
    for t in reversed(range(T)):
        dh_cur += dh[:, t]
        dx[:, t], dh_cur, dWx_t, dWh_t, db_t = rnn_step_backward(dh_cur, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dh_cur


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    x, shape = cache
    dW = np.zeros(shape)
    np.add.at(dW, x.flatten(), dout.reshape(-1, shape[1]))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    z = x @ Wx + prev_h @ Wh + b
    zi, zf, zo, zg = np.split(z, 4, axis=1)
    i, f, o, g = sigmoid(zi), sigmoid(zf), sigmoid(zo), np.tanh(zg)
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tanh_c = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - tanh_c * tanh_c)
    dz = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dnext_h * tanh_c * o * (1 - o),
                         dc * i * (1 - g * g)], axis=1)
    dx = dz @ Wx.T
    dprev_h = dz @ Wh.T
    dprev_c = dc * f
    dWx = x.T @ dz
    dWh = prev_h.T @ dz
    db = dz.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    h_cur, c_cur = h0, np.zeros_like(h0)
    for t in range(T):
        h_cur, c_cur, step = lstm_step_forward(x[:, t], h_cur, c_cur, Wx, Wh, b)
        h[:, t] = h_cur
        cache.append(step)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]))
    dWx = np.zeros_like(cache[0][3])
    dWh = np.zeros_like(cache[0][4])
    db = np.zeros(4 * H)
    dh_cur, dc_cur = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dh_cur += dh[:, t]
        dx[:, t], dh_cur, dc_cur, dWx_t, dWh_t, db_t = lstm_step_backward(dh_cur, dc_cur, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dh_cur


def loss(self, features, captions):
    h0, c_proj = affine_forward(features, W_proj, b_proj)
    emb, c_emb = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        hs, c_seq = rnn_forward(emb, h0, Wx, Wh, b)
    else:
        hs, c_seq = lstm_forward(emb, h0, Wx, Wh, b)
    scores, c_out = temporal_affine_forward(hs, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dhs, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, c_out)
    if self.cell_type == 'rnn':
        demb, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dhs, c_seq)
    else:
        demb, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dhs, c_seq)
    grads['W_embed'] = word_embedding_backward(demb, c_emb)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, c_proj)


def sample(self, features, max_length=30):
    h = features @ W_proj + b_proj
    c = np.zeros_like(h)
    word = np.full((N, 1), self._start)
    for t in range(max_length):
        emb, _ = word_embedding_forward(word, W_embed)
        if self.cell_type == 'rnn':
            h, _ = rnn_step_forward(emb[:, 0], h, Wx, Wh, b)
        else:
            h, c, _ = lstm_step_forward(emb[:, 0], h, c, Wx, Wh, b)
        captions[:, t] = np.argmax(h @ W_vocab + b_vocab, axis=1)
        word = captions[:, t:t + 1]
