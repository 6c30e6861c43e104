"""Student 18: code written below the stub's `pass`; the weight gradients computed once from
the stored states after the backward loop; embedding backward with np.bincount."""
LAYOUT = "2021"
KEEP_PASS = True
VECTORISED = ("    for d in range(D):\n        dW[:, d] = np.bincount(flat, weights=grad[:, d], minlength=V)\n",
              "    np.add.at(dW, flat, grad)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(np.dot(prev_h, Wh) + np.dot(x, Wx) + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dtanh = dnext_h * (1 - next_h ** 2)
    dx = dtanh.dot(Wx.T)
    dprev_h = dtanh.dot(Wh.T)
    dWx = x.T.dot(dtanh)
    dWh = prev_h.T.dot(dtanh)
    db = dtanh.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H))
    prev = h0
    for t in range(T):
        prev, _ = rnn_step_forward(x[:, t, :], prev, Wx, Wh, b)
        h[:, t, :] = prev
    cache = (x, h0, Wx, Wh, h)


def rnn_backward(dh, cache):
    x, h0, Wx, Wh, h = cache
    N, T, H = dh.shape
    D = x.shape[2]
    dtanh = np.zeros((N, T, H))
    dnext = np.zeros((N, H))
    for t in reversed(range(T)):
        dtanh[:, t, :] = (dh[:, t, :] + dnext) * (1 - h[:, t, :] ** 2)
        dnext = dtanh[:, t, :].dot(Wh.T)
    h_prev = np.concatenate((h0[:, np.newaxis, :], h[:, :-1, :]), axis=1)
    dx = dtanh.reshape(N * T, H).dot(Wx.T).reshape(N, T, D)
    dWx = x.reshape(N * T, D).T.dot(dtanh.reshape(N * T, H))
    dWh = h_prev.reshape(N * T, H).T.dot(dtanh.reshape(N * T, H))
    db = dtanh.sum(axis=(0, 1))
    dh0 = dnext


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    x, (V, D) = cache
    flat = x.reshape(-1)
    grad = dout.reshape(-1, D)
    dW = np.zeros((V, D))
    for d in range(D):
        dW[:, d] = np.bincount(flat, weights=grad[:, d], minlength=V)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = np.dot(prev_h, Wh) + np.dot(x, Wx) + b
    ifo = sigmoid(a[:, :3 * H])
    i, f, o = ifo[:, :H], ifo[:, H:2 * H], ifo[:, 2 * H:]
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, ifo, g, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, ifo, g, next_c = cache
    H = dnext_h.shape[1]
    i, f, o = ifo[:, :H], ifo[:, H:2 * H], ifo[:, 2 * H:]
    tanh_c = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    difo = np.hstack((dc * g, dc * prev_c, dnext_h * tanh_c)) * ifo * (1 - ifo)
    da = np.hstack((difo, dc * i * (1 - g ** 2)))
    dx = da.dot(Wx.T)
    dprev_h = da.dot(Wh.T)
    dprev_c = dc * f
    dWx = x.T.dot(da)
    dWh = prev_h.T.dot(da)
    db = da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    prev, prev_c = h0, np.zeros_like(h0)
    for t in range(T):
        prev, prev_c, step = lstm_step_forward(x[:, t, :], prev, prev_c, Wx, Wh, b)
        h[:, t, :] = prev
        cache.append(step)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dnext, dnext_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], dnext, dnext_c, a, c, e = lstm_step_backward(dh[:, t, :] + dnext, dnext_c, cache[t])
        dWx += a
        dWh += c
        db += e
    dh0 = dnext


def loss(self, features, captions):
    h0, proj_cache = affine_forward(features, W_proj, b_proj)
    embedded, embed_cache = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        states, states_cache = rnn_forward(embedded, h0, Wx, Wh, b)
    else:
        states, states_cache = lstm_forward(embedded, h0, Wx, Wh, b)
    scores, scores_cache = temporal_affine_forward(states, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dstates, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, scores_cache)
    if self.cell_type == 'rnn':
        dembedded, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dstates, states_cache)
    else:
        dembedded, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dstates, states_cache)
    grads['W_embed'] = word_embedding_backward(dembedded, embed_cache)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, proj_cache)


def sample(self, features, max_length=30):
    h = np.dot(features, W_proj) + b_proj
    c = np.zeros_like(h)
    prev_word = np.ones(N, dtype=np.int32) * self._start
    for t in range(max_length):
        emb = W_embed[prev_word]
        if self.cell_type == 'rnn':
            h, _ = rnn_step_forward(emb, h, Wx, Wh, b)
        else:
            h, c, _ = lstm_step_forward(emb, h, c, Wx, Wh, b)
        prev_word = np.argmax(np.dot(h, W_vocab) + b_vocab, axis=1)
        captions[:, t] = prev_word
