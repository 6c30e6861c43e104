"""Student 08: time-major arrays (x.transpose(1, 0, 2)), caches without the weights (they are
passed again through the sequence cache), `dtanh` from the stored output."""
LAYOUT = "2021"
VECTORISED = ("    for n in range(dnext_h.shape[0]):\n        db += dtanh[n]\n",
              "    db += dtanh.sum(axis=0)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    out = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    next_h = np.tanh(out)
    cache = (x, prev_h, next_h, Wx, Wh)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, next_h, Wx, Wh = cache
    dtanh = (1 - next_h * next_h) * dnext_h
    dx = np.dot(dtanh, Wx.T)
    dprev_h = np.dot(dtanh, Wh.T)
    dWx = np.dot(x.T, dtanh)
    dWh = np.dot(prev_h.T, dtanh)
    db = np.zeros(dnext_h.shape[1])
    for n in range(dnext_h.shape[0]):
        db += dtanh[n]


def rnn_forward(x, h0, Wx, Wh, b):
    xs = x.transpose(1, 0, 2)
    hs = np.zeros((xs.shape[0], h0.shape[0], h0.shape[1]))
    cache = []
    h_t = h0
    for t, x_t in enumerate(xs):
        h_t, step = rnn_step_forward(x_t, h_t, Wx, Wh, b)
        hs[t] = h_t
        cache.append(step)
    h = hs.transpose(1, 0, 2)


def rnn_backward(dh, cache):
    dhs = dh.transpose(1, 0, 2)
    T, N, H = dhs.shape
    dxs = []
    dWx = np.zeros_like(cache[0][3])
    dWh = np.zeros_like(cache[0][4])
    db = np.zeros(H)
    dh_t = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx_t, dh_t, dWx_t, dWh_t, db_t = rnn_step_backward(dhs[t] + dh_t, cache[t])
        dxs.append(dx_t)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dx = np.array(dxs[::-1]).transpose(1, 0, 2)
    dh0 = dh_t


def word_embedding_forward(x, W):
    out = W[x, :]
    cache = (x, W)


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros(W.shape)
    np.add.at(dW, x, dout)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    ai = a[:, 0:H]
    af = a[:, H:2 * H]
    ao = a[:, 2 * H:3 * H]
    ag = a[:, 3 * H:4 * H]
    i = sigmoid(ai)
    f = sigmoid(af)
    o = sigmoid(ao)
    g = np.tanh(ag)
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, i, f, o, g, next_c, Wx, Wh)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, i, f, o, g, next_c, Wx, Wh = cache
    H = dnext_h.shape[1]
    do = dnext_h * np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - np.tanh(next_c) ** 2)
    df = dc * prev_c
    di = dc * g
    dg = dc * i
    dprev_c = dc * f
    da = np.zeros((x.shape[0], 4 * H))
    da[:, 0:H] = di * i * (1 - i)
    da[:, H:2 * H] = df * f * (1 - f)
    da[:, 2 * H:3 * H] = do * o * (1 - o)
    da[:, 3 * H:4 * H] = dg * (1 - g ** 2)
    dx = np.dot(da, Wx.T)
    dprev_h = np.dot(da, Wh.T)
    dWx = np.dot(x.T, da)
    dWh = np.dot(prev_h.T, da)
    db = np.sum(da, axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    xs = x.transpose(1, 0, 2)
    hs = np.zeros((xs.shape[0], h0.shape[0], h0.shape[1]))
    cache = []
    h_t = h0
    c_t = np.zeros(h0.shape)
    for t, x_t in enumerate(xs):
        h_t, c_t, step = lstm_step_forward(x_t, h_t, c_t, Wx, Wh, b)
        hs[t] = h_t
        cache.append(step)
    h = hs.transpose(1, 0, 2)


def lstm_backward(dh, cache):
    dhs = dh.transpose(1, 0, 2)
    T, N, H = dhs.shape
    dxs = []
    dWx = np.zeros_like(cache[0][8])
    dWh = np.zeros_like(cache[0][9])
    db = np.zeros(4 * H)
    dh_t = np.zeros((N, H))
    dc_t = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx_t, dh_t, dc_t, dWx_t, dWh_t, db_t = lstm_step_backward(dhs[t] + dh_t, dc_t, cache[t])
        dxs.append(dx_t)
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dx = np.array(dxs[::-1]).transpose(1, 0, 2)
    dh0 = dh_t


def loss(self, features, captions):
    h0, cache_h0 = affine_forward(features, W_proj, b_proj)
    x, cache_x = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        h, cache_h = rnn_forward(x, h0, Wx, Wh, b)
    if self.cell_type == 'lstm':
        h, cache_h = lstm_forward(x, h0, Wx, Wh, b)
    out, cache_out = temporal_affine_forward(h, W_vocab, b_vocab)
    loss, dout = temporal_softmax_loss(out, captions_out, mask)
    dh, dW_vocab, db_vocab = temporal_affine_backward(dout, cache_out)
    if self.cell_type == 'rnn':
        dx, dh0, dWx, dWh, db = rnn_backward(dh, cache_h)
    if self.cell_type == 'lstm':
        dx, dh0, dWx, dWh, db = lstm_backward(dh, cache_h)
    dW_embed = word_embedding_backward(dx, cache_x)
    dfeatures, dW_proj, db_proj = affine_backward(dh0, cache_h0)
    grads['W_proj'] = dW_proj
    grads['b_proj'] = db_proj
    grads['W_embed'] = dW_embed
    grads['Wx'] = dWx
    grads['Wh'] = dWh
    grads['b'] = db
    grads['W_vocab'] = dW_vocab
    grads['b_vocab'] = db_vocab


def sample(self, features, max_length=30):
    h, _ = affine_forward(features, W_proj, b_proj)
    c = np.zeros(h.shape)
    x = np.array([self._start] * N)
    for t in range(max_length):
        x_embed, _ = word_embedding_forward(x, W_embed)
        if self.cell_type == 'rnn':
            h, _ = rnn_step_forward(x_embed, h, Wx, Wh, b)
        if self.cell_type == 'lstm':
            h, c, _ = lstm_step_forward(x_embed, h, c, Wx, Wh, b)
        out, _ = affine_forward(h, W_vocab, b_vocab)
        x = np.argmax(out, axis=1)
        captions[:, t] = x
