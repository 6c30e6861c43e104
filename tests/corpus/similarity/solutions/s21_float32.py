"""Student 21 (2017-2020 handout): careful about dtypes (astype, zeros_like everywhere),
np.full for the words, the LSTM's four gates computed in a loop over a gate table."""
LAYOUT = "2018"
VECTORISED = ("    gates = {}\n    for k, name in enumerate('ifog'):\n        block = act[:, k * H:(k + 1) * H]\n        gates[name] = np.tanh(block) if name == 'g' else sigmoid(block)\n",
              "    gates = dict(zip('ifo', np.split(sigmoid(act[:, :3 * H]), 3, axis=1)))\n    gates['g'] = np.tanh(act[:, 3 * H:])\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b).astype(prev_h.dtype)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dcore = (dnext_h * (1 - next_h ** 2)).astype(dnext_h.dtype)
    dx = dcore.dot(Wx.T)
    dprev_h = dcore.dot(Wh.T)
    dWx = x.T.dot(dcore)
    dWh = prev_h.T.dot(dcore)
    db = dcore.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]), dtype=h0.dtype)
    cache = []
    cur = h0
    for t in range(T):
        cur, step_cache = rnn_step_forward(x[:, t, :], cur, Wx, Wh, b)
        h[:, t, :] = cur
        cache.append(step_cache)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]), dtype=dh.dtype)
    dWx = np.zeros_like(cache[0][2], dtype=dh.dtype)
    dWh = np.zeros_like(cache[0][3], dtype=dh.dtype)
    db = np.zeros(H, dtype=dh.dtype)
    dcur = np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        dx[:, t, :], dcur, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + dcur, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dcur


def word_embedding_forward(x, W):
    out = W[x].astype(W.dtype)
    cache = (x, W.shape, W.dtype)


def word_embedding_backward(dout, cache):
    x, shape, dtype = cache
    dW = np.zeros(shape, dtype=dtype)
    np.add.at(dW, x, dout.astype(dtype))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    act = x.dot(Wx) + prev_h.dot(Wh) + b
    gates = {}
    for k, name in enumerate('ifog'):
        block = act[:, k * H:(k + 1) * H]
        gates[name] = np.tanh(block) if name == 'g' else sigmoid(block)
    next_c = gates['f'] * prev_c + gates['i'] * gates['g']
    next_h = gates['o'] * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, gates, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, gates, next_c = cache
    i, f, o, g = gates['i'], gates['f'], gates['o'], gates['g']
    tc = np.tanh(next_c)
    dcell = dnext_c + dnext_h * o * (1 - tc ** 2)
    dact = np.concatenate([dcell * g * i * (1 - i), dcell * prev_c * f * (1 - f),
                           dnext_h * tc * o * (1 - o), dcell * i * (1 - g ** 2)], axis=1)
    dx = dact.dot(Wx.T)
    dprev_h = dact.dot(Wh.T)
    dprev_c = dcell * f
    dWx = x.T.dot(dact)
    dWh = prev_h.T.dot(dact)
    db = dact.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]), dtype=h0.dtype)
    cache = []
    cur, cell = h0, np.zeros_like(h0)
    for t in range(T):
        cur, cell, step_cache = lstm_step_forward(x[:, t, :], cur, cell, Wx, Wh, b)
        h[:, t, :] = cur
        cache.append(step_cache)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]), dtype=dh.dtype)
    dWx = np.zeros_like(cache[0][3], dtype=dh.dtype)
    dWh = np.zeros_like(cache[0][4], dtype=dh.dtype)
    db = np.zeros(4 * H, dtype=dh.dtype)
    dcur, dcell = np.zeros((N, H), dtype=dh.dtype), np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        dx[:, t, :], dcur, dcell, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t, :] + dcur, dcell, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dcur


def loss(self, features, captions):
    h0, cache_h0 = affine_forward(features, W_proj, b_proj)
    emb, cache_emb = word_embedding_forward(captions_in, W_embed)
    run = rnn_forward if self.cell_type == 'rnn' else lstm_forward
    hidden, cache_hidden = run(emb, h0, Wx, Wh, b)
    scores, cache_scores = temporal_affine_forward(hidden, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dhidden, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, cache_scores)
    back = rnn_backward if self.cell_type == 'rnn' else lstm_backward
    demb, dh0, grads['Wx'], grads['Wh'], grads['b'] = back(dhidden, cache_hidden)
    grads['W_embed'] = word_embedding_backward(demb, cache_emb)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, cache_h0)
    grads = {k: v.astype(self.dtype) for k, v in grads.items()}


def sample(self, features, max_length=30):
    cur, _ = affine_forward(features, W_proj, b_proj)
    cell = np.zeros_like(cur)
    words = np.full(N, self._start, dtype=np.int32)
    for t in range(max_length):
        emb = W_embed[words]
        if self.cell_type == 'rnn':
            cur, _ = rnn_step_forward(emb, cur, Wx, Wh, b)
        else:
            cur, cell, _ = lstm_step_forward(emb, cur, cell, Wx, Wh, b)
        scores, _ = affine_forward(cur, W_vocab, b_vocab)
        words = np.argmax(scores, axis=1).astype(np.int32)
        captions[:, t] = words
