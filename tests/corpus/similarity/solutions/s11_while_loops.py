"""Student 11: while loops over time, np.multiply / np.subtract spelled out, the cell state
threaded through the cache; LSTM with np.split."""
LAYOUT = "2021"
VECTORISED = ("    dW = np.zeros(W_shape)\n    n = 0\n    while n < x.shape[0]:\n        np.add.at(dW, x[n], dout[n])\n        n += 1\n",
              "    dW = np.zeros(W_shape)\n    np.add.at(dW, x, dout)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(np.add(np.add(np.dot(x, Wx), np.dot(prev_h, Wh)), b))
    cache = (next_h, x, prev_h, Wx, Wh)


def rnn_step_backward(dnext_h, cache):
    next_h, x, prev_h, Wx, Wh = cache
    grad = np.multiply(dnext_h, np.subtract(1, np.multiply(next_h, next_h)))
    dx = np.dot(grad, Wx.T)
    dprev_h = np.dot(grad, Wh.T)
    dWx = np.dot(x.T, grad)
    dWh = np.dot(prev_h.T, grad)
    db = np.sum(grad, axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    t = 0
    prev = h0
    while t < T:
        prev, step_cache = rnn_step_forward(x[:, t, :], prev, Wx, Wh, b)
        h[:, t, :] = prev
        cache.append(step_cache)
        t += 1


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][1].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dprev = np.zeros((N, H))
    t = T - 1
    while t >= 0:
        dx[:, t, :], dprev, dWx_t, dWh_t, db_t = rnn_step_backward(np.add(dh[:, t, :], dprev), cache[t])
        dWx, dWh, db = np.add(dWx, dWx_t), np.add(dWh, dWh_t), np.add(db, db_t)
        t -= 1
    dh0 = dprev


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    x, W_shape = cache
    dW = np.zeros(W_shape)
    n = 0
    while n < x.shape[0]:
        np.add.at(dW, x[n], dout[n])
        n += 1


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    a = np.add(np.add(np.dot(x, Wx), np.dot(prev_h, Wh)), b)
    a_i, a_f, a_o, a_g = np.split(a, 4, axis=1)
    i, f, o, g = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o), np.tanh(a_g)
    next_c = np.add(np.multiply(f, prev_c), np.multiply(i, g))
    next_h = np.multiply(o, np.tanh(next_c))
    cache = (next_c, x, prev_h, prev_c, Wx, Wh, i, f, o, g)


def lstm_step_backward(dnext_h, dnext_c, cache):
    next_c, x, prev_h, prev_c, Wx, Wh, i, f, o, g = cache
    tanh_next_c = np.tanh(next_c)
    dc = np.add(dnext_c, np.multiply(np.multiply(dnext_h, o), np.subtract(1, tanh_next_c ** 2)))
    d_i = np.multiply(np.multiply(dc, g), np.multiply(i, np.subtract(1, i)))
    d_f = np.multiply(np.multiply(dc, prev_c), np.multiply(f, np.subtract(1, f)))
    d_o = np.multiply(np.multiply(dnext_h, tanh_next_c), np.multiply(o, np.subtract(1, o)))
    d_g = np.multiply(np.multiply(dc, i), np.subtract(1, g ** 2))
    grad = np.concatenate((d_i, d_f, d_o, d_g), axis=1)
    dx = np.dot(grad, Wx.T)
    dprev_h = np.dot(grad, Wh.T)
    dprev_c = np.multiply(dc, f)
    dWx = np.dot(x.T, grad)
    dWh = np.dot(prev_h.T, grad)
    db = np.sum(grad, axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    t = 0
    prev, prev_c = h0, np.zeros_like(h0)
    while t < T:
        prev, prev_c, step_cache = lstm_step_forward(x[:, t, :], prev, prev_c, Wx, Wh, b)
        h[:, t, :] = prev
        cache.append(step_cache)
        t += 1


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][1].shape[1]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dprev, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    t = T - 1
    while t >= 0:
        dx[:, t, :], dprev, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(np.add(dh[:, t, :], dprev), dprev_c,
                                                                             cache[t])
        dWx, dWh, db = np.add(dWx, dWx_t), np.add(dWh, dWh_t), np.add(db, db_t)
        t -= 1
    dh0 = dprev


def loss(self, features, captions):
    h0, aff_cache = affine_forward(features, W_proj, b_proj)
    emb, emb_cache = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        hid, hid_cache = rnn_forward(emb, h0, Wx, Wh, b)
    else:
        hid, hid_cache = lstm_forward(emb, h0, Wx, Wh, b)
    sc, sc_cache = temporal_affine_forward(hid, W_vocab, b_vocab)
    loss, dsc = temporal_softmax_loss(sc, captions_out, mask)
    dhid, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dsc, sc_cache)
    if self.cell_type == 'rnn':
        demb, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dhid, hid_cache)
    else:
        demb, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dhid, hid_cache)
    grads['W_embed'] = word_embedding_backward(demb, emb_cache)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, aff_cache)


def sample(self, features, max_length=30):
    prev, _ = affine_forward(features, W_proj, b_proj)
    prev_c = np.zeros_like(prev)
    current = np.full((N,), self._start, dtype=np.int32)
    t = 0
    while t < max_length:
        emb = W_embed[current]
        if self.cell_type == 'rnn':
            prev, _ = rnn_step_forward(emb, prev, Wx, Wh, b)
        else:
            prev, prev_c, _ = lstm_step_forward(emb, prev, prev_c, Wx, Wh, b)
        sc, _ = affine_forward(prev, W_vocab, b_vocab)
        current = np.argmax(sc, axis=1)
        captions[:, t] = current
        t += 1
