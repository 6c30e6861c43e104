"""Student 27: np.dot throughout, the hints followed, RNN only; the time loop counts down with
range(T - 1, -1, -1) and the carried gradient is called dh_next."""
LAYOUT = "2021"
VECTORISED = ("    for n in range(N):\n        for t in range(T):\n            dW[x[n, t]] += dout[n, t]\n",
              "    np.add.at(dW, x, dout)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(np.dot(x, Wx) + np.dot(prev_h, Wh) + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dtanh = dnext_h * (1 - np.square(next_h))
    dx = np.dot(dtanh, Wx.T)
    dprev_h = np.dot(dtanh, Wh.T)
    dWx = np.dot(x.T, dtanh)
    dWh = np.dot(prev_h.T, dtanh)
    db = np.sum(dtanh, axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    cache = []
    h_prev = h0
    for t in range(T):
        h_prev, step_cache = rnn_step_forward(x[:, t, :], h_prev, Wx, Wh, b)
        h[:, t, :] = h_prev
        cache.append(step_cache)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dh_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx_t, dh_next, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + dh_next, cache[t])
        dx[:, t, :] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dh_next


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W)


def word_embedding_backward(dout, cache):
    x, W = cache
    N, T = x.shape
    dW = np.zeros_like(W)
    for n in range(N):
        for t in range(T):
            dW[x[n, t]] += dout[n, t]


def loss(self, features, captions):
    h0, cache_h0 = affine_forward(features, W_proj, b_proj)
    x, cache_x = word_embedding_forward(captions_in, W_embed)
    h, cache_h = rnn_forward(x, h0, Wx, Wh, b)
    scores, cache_scores = temporal_affine_forward(h, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dh, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, cache_scores)
    dx, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dh, cache_h)
    grads['W_embed'] = word_embedding_backward(dx, cache_x)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, cache_h0)


def sample(self, features, max_length=30):
    h_prev, _ = affine_forward(features, W_proj, b_proj)
    words = self._start * np.ones(N, dtype=np.int32)
    for t in range(max_length):
        x, _ = word_embedding_forward(words, W_embed)
        h_prev, _ = rnn_step_forward(x, h_prev, Wx, Wh, b)
        scores, _ = affine_forward(h_prev, W_vocab, b_vocab)
        words = np.argmax(scores, axis=1)
        captions[:, t] = words
