"""Student 30: `@`, hidden states gathered in a list and stacked, the backward loop over a
reversed enumerate of the caches, flattened np.add.at; LSTM included."""
LAYOUT = "2021"
VECTORISED = ("    for t in range(x.shape[1]):\n        np.add.at(dW, x[:, t], dout[:, t, :])\n",
              "    np.add.at(dW, x.reshape(-1), dout.reshape(-1, dout.shape[-1]))\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    a = x @ Wx + prev_h @ Wh + b
    next_h = np.tanh(a)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h ** 2)
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = np.sum(da, axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    hs, cache = [], []
    h_t = h0
    for t in range(x.shape[1]):
        h_t, c_t = rnn_step_forward(x[:, t, :], h_t, Wx, Wh, b)
        hs.append(h_t)
        cache.append(c_t)
    h = np.stack(hs, axis=1)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]))
    dWx, dWh, db = 0, 0, 0
    dh_t = np.zeros((N, H))
    for t, c_t in reversed(list(enumerate(cache))):
        dx[:, t, :], dh_t, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + dh_t, c_t)
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    dh0 = dh_t


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    x, shape = cache
    dW = np.zeros(shape)
    for t in range(x.shape[1]):
        np.add.at(dW, x[:, t], dout[:, t, :])


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    tanh_c = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    da = np.hstack((dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dnext_h * tanh_c * o * (1 - o),
                    dc * i * (1 - g ** 2)))
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dprev_c = dc * f
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = np.sum(da, axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    hs, cache = [], []
    h_t, c_t = h0, np.zeros_like(h0)
    for t in range(x.shape[1]):
        h_t, c_t, step = lstm_step_forward(x[:, t, :], h_t, c_t, Wx, Wh, b)
        hs.append(h_t)
        cache.append(step)
    h = np.stack(hs, axis=1)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]))
    dWx, dWh, db = 0, 0, 0
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    for t, step in reversed(list(enumerate(cache))):
        dx[:, t, :], dh_t, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t, :] + dh_t, dc_t, step)
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    dh0 = dh_t


def loss(self, features, captions):
    h0, proj_cache = affine_forward(features, W_proj, b_proj)
    words, words_cache = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        hs, hs_cache = rnn_forward(words, h0, Wx, Wh, b)
    else:
        hs, hs_cache = lstm_forward(words, h0, Wx, Wh, b)
    scores, scores_cache = temporal_affine_forward(hs, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dhs, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, scores_cache)
    if self.cell_type == 'rnn':
        dwords, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dhs, hs_cache)
    else:
        dwords, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dhs, hs_cache)
    grads['W_embed'] = word_embedding_backward(dwords, words_cache)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, proj_cache)


def sample(self, features, max_length=30):
    h_t = features @ W_proj + b_proj
    c_t = np.zeros_like(h_t)
    word = np.full(N, self._start)
    for t in range(max_length):
        if self.cell_type == 'rnn':
            h_t, _ = rnn_step_forward(W_embed[word], h_t, Wx, Wh, b)
        else:
            h_t, c_t, _ = lstm_step_forward(W_embed[word], h_t, c_t, Wx, Wh, b)
        word = np.argmax(h_t @ W_vocab + b_vocab, axis=1)
        captions[:, t] = word
