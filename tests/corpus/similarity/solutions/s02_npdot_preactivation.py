"""Student 02 (2017-2020 handout): np.dot, caches keep the pre-activation, derivative from
np.tanh(a); lists of step caches; np.split for the LSTM gates; the projection written by hand."""
LAYOUT = "2018"
VECTORISED = ("    for t in range(T):\n        dW_embed_rows = dout[:, t, :]\n        np.add.at(dW, x[:, t], dW_embed_rows)\n",
              "    np.add.at(dW, x, dout)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    a = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    next_h = np.tanh(a)
    cache = (a, x, prev_h, Wx, Wh)


def rnn_step_backward(dnext_h, cache):
    a, x, prev_h, Wx, Wh = cache
    da = dnext_h * (1.0 - np.tanh(a) ** 2)
    dx = np.dot(da, Wx.T)
    dWx = np.dot(x.T, da)
    dprev_h = np.dot(da, Wh.T)
    dWh = np.dot(prev_h.T, da)
    db = da.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    hs = []
    caches = []
    h_t = h0
    for t in range(T):
        h_t, c = rnn_step_forward(x[:, t, :], h_t, Wx, Wh, b)
        hs.append(h_t)
        caches.append(c)
    h = np.stack(hs, axis=1)
    cache = caches


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    a0, x0, _, Wx0, _ = cache[0]
    dx = np.zeros((N, T, x0.shape[1]))
    dWx = np.zeros_like(Wx0)
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dh_t = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_t, dWx_step, dWh_step, db_step = rnn_step_backward(dh[:, t, :] + dh_t, cache[t])
        dWx = dWx + dWx_step
        dWh = dWh + dWh_step
        db = db + db_step
    dh0 = dh_t


def word_embedding_forward(x, W):
    out = W[x, :]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    x, shape = cache
    dW = np.zeros(shape)
    T = x.shape[1]
    for t in range(T):
        dW_embed_rows = dout[:, t, :]
        np.add.at(dW, x[:, t], dW_embed_rows)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    a = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    ai, af, ao, ag = np.split(a, 4, axis=1)
    i = sigmoid(ai)
    f = sigmoid(af)
    o = sigmoid(ao)
    g = np.tanh(ag)
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c, next_h)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c, next_h = cache
    dnext_c = dnext_c + dnext_h * o * (1 - np.tanh(next_c) ** 2)
    dai = dnext_c * g * i * (1 - i)
    daf = dnext_c * prev_c * f * (1 - f)
    dao = dnext_h * np.tanh(next_c) * o * (1 - o)
    dag = dnext_c * i * (1 - g * g)
    da = np.concatenate((dai, daf, dao, dag), axis=1)
    dx = np.dot(da, Wx.T)
    dprev_h = np.dot(da, Wh.T)
    dprev_c = dnext_c * f
    dWx = np.dot(x.T, da)
    dWh = np.dot(prev_h.T, da)
    db = da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    hs = []
    caches = []
    h_t = h0
    c_t = np.zeros_like(h0)
    for t in range(T):
        h_t, c_t, c = lstm_step_forward(x[:, t, :], h_t, c_t, Wx, Wh, b)
        hs.append(h_t)
        caches.append(c)
    h = np.stack(hs, axis=1)
    cache = caches


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    x0 = cache[0][0]
    dx = np.zeros((N, T, x0.shape[1]))
    dWx = np.zeros((x0.shape[1], 4 * H))
    dWh = np.zeros((H, 4 * H))
    db = np.zeros(4 * H)
    dh_t = np.zeros((N, H))
    dc_t = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dh_t, dc_t, dWx_step, dWh_step, db_step = lstm_step_backward(dh[:, t, :] + dh_t, dc_t, cache[t])
        dWx = dWx + dWx_step
        dWh = dWh + dWh_step
        db = db + db_step
    dh0 = dh_t


def loss(self, features, captions):
    h0 = np.dot(features, W_proj) + b_proj
    embedded, embed_cache = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        hidden, rnn_cache = rnn_forward(embedded, h0, Wx, Wh, b)
    elif self.cell_type == 'lstm':
        hidden, rnn_cache = lstm_forward(embedded, h0, Wx, Wh, b)
    scores, affine_cache = temporal_affine_forward(hidden, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask, verbose=False)

    dhidden, dW_vocab, db_vocab = temporal_affine_backward(dscores, affine_cache)
    if self.cell_type == 'rnn':
        dembedded, dh0, dWx, dWh, db = rnn_backward(dhidden, rnn_cache)
    elif self.cell_type == 'lstm':
        dembedded, dh0, dWx, dWh, db = lstm_backward(dhidden, rnn_cache)
    dW_embed = word_embedding_backward(dembedded, embed_cache)
    dW_proj = np.dot(features.T, dh0)
    db_proj = np.sum(dh0, axis=0)
    grads = {'W_proj': dW_proj, 'b_proj': db_proj, 'W_embed': dW_embed, 'Wx': dWx, 'Wh': dWh,
             'b': db, 'W_vocab': dW_vocab, 'b_vocab': db_vocab}


def sample(self, features, max_length=30):
    h = np.dot(features, W_proj) + b_proj
    c = np.zeros(h.shape)
    prev_word = np.repeat(self._start, N)
    for t in range(max_length):
        x = W_embed[prev_word, :]
        if self.cell_type == 'rnn':
            h, _ = rnn_step_forward(x, h, Wx, Wh, b)
        elif self.cell_type == 'lstm':
            h, c, _ = lstm_step_forward(x, h, c, Wx, Wh, b)
        scores = np.dot(h, W_vocab) + b_vocab
        prev_word = np.argmax(scores, axis=1)
        captions[:, t] = prev_word
