"""Student 07 (2017-2020 handout): compact code, one-line returns where the stub allows, tuple
unpacking in one line, np.hstack in the LSTM; the old handout's affine layers from layers.py."""
LAYOUT = "2018"
VECTORISED = ("    dW = np.zeros_like(W)\n    for i, w in enumerate(x.flat):\n        dW[w] += dout.reshape(-1, dout.shape[-1])[i]\n",
              "    dW = np.zeros_like(W)\n    np.add.at(dW, x.flatten(), dout.reshape(-1, dout.shape[-1]))\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(prev_h.dot(Wh) + x.dot(Wx) + b)
    cache = x, prev_h, next_h, Wx, Wh


def rnn_step_backward(dnext_h, cache):
    x, prev_h, next_h, Wx, Wh = cache
    d = (1 - next_h ** 2) * dnext_h
    dx, dprev_h, dWx, dWh, db = d.dot(Wx.T), d.dot(Wh.T), x.T.dot(d), prev_h.T.dot(d), d.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    h, cache, ht = [], [], h0
    for t in range(x.shape[1]):
        ht, c = rnn_step_forward(x[:, t], ht, Wx, Wh, b)
        h.append(ht)
        cache.append(c)
    h = np.array(h).transpose(1, 0, 2)


def rnn_backward(dh, cache):
    dx, dht = [], 0
    dWx = dWh = db = 0
    for t in reversed(range(dh.shape[1])):
        dxt, dht, dwx, dwh, dbt = rnn_step_backward(dh[:, t] + dht, cache[t])
        dx.insert(0, dxt)
        dWx, dWh, db = dWx + dwx, dWh + dwh, db + dbt
    dx, dh0 = np.array(dx).transpose(1, 0, 2), dht


def word_embedding_forward(x, W):
    out, cache = W[x], (x, W)


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    for i, w in enumerate(x.flat):
        dW[w] += dout.reshape(-1, dout.shape[-1])[i]


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = prev_h.dot(Wh) + x.dot(Wx) + b
    i, f, o, g = sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), sigmoid(a[:, 2*H:3*H]), np.tanh(a[:, 3*H:])
    next_c = prev_c * f + i * g
    next_h = np.tanh(next_c) * o
    cache = x, prev_h, prev_c, next_c, i, f, o, g, Wx, Wh


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, next_c, i, f, o, g, Wx, Wh = cache
    t = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - t ** 2)
    d = np.hstack([dc * g * i * (1 - i), dc * prev_c * f * (1 - f), dnext_h * t * o * (1 - o), dc * i * (1 - g ** 2)])
    dx, dprev_h, dprev_c = d.dot(Wx.T), d.dot(Wh.T), dc * f
    dWx, dWh, db = x.T.dot(d), prev_h.T.dot(d), d.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    h, cache, ht, ct = [], [], h0, np.zeros_like(h0)
    for t in range(x.shape[1]):
        ht, ct, c = lstm_step_forward(x[:, t], ht, ct, Wx, Wh, b)
        h.append(ht)
        cache.append(c)
    h = np.array(h).transpose(1, 0, 2)


def lstm_backward(dh, cache):
    dx, dht, dct = [], 0, 0
    dWx = dWh = db = 0
    for t in reversed(range(dh.shape[1])):
        dxt, dht, dct, dwx, dwh, dbt = lstm_step_backward(dh[:, t] + dht, dct, cache[t])
        dx.insert(0, dxt)
        dWx, dWh, db = dWx + dwx, dWh + dwh, db + dbt
    dx, dh0 = np.array(dx).transpose(1, 0, 2), dht


def loss(self, features, captions):
    fwd, bwd = (rnn_forward, rnn_backward) if self.cell_type == 'rnn' else (lstm_forward, lstm_backward)
    h0, c0 = affine_forward(features, W_proj, b_proj)
    e, c1 = word_embedding_forward(captions_in, W_embed)
    h, c2 = fwd(e, h0, Wx, Wh, b)
    s, c3 = temporal_affine_forward(h, W_vocab, b_vocab)
    loss, ds = temporal_softmax_loss(s, captions_out, mask)
    dh, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(ds, c3)
    de, dh0, grads['Wx'], grads['Wh'], grads['b'] = bwd(dh, c2)
    grads['W_embed'] = word_embedding_backward(de, c1)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, c0)


def sample(self, features, max_length=30):
    h, _ = affine_forward(features, W_proj, b_proj)
    c, w = np.zeros_like(h), np.full(N, self._start)
    for t in range(max_length):
        if self.cell_type == 'rnn':
            h, _ = rnn_step_forward(W_embed[w], h, Wx, Wh, b)
        else:
            h, c, _ = lstm_step_forward(W_embed[w], h, c, Wx, Wh, b)
        w = captions[:, t] = affine_forward(h, W_vocab, b_vocab)[0].argmax(axis=1)
