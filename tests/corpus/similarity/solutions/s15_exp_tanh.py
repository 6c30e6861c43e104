"""Student 15 (2017-2020 handout): tanh written out with np.exp, the derivative from the stored
output; cache lists; LSTM with the gates' pre-activations kept in the cache."""
LAYOUT = "2018"
VECTORISED = ("    for n in range(N):\n        for t in range(T):\n            out[n, t] = W[x[n, t]]\n", "    out = W[x]\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    z = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    next_h = (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
    cache = [x, prev_h, Wx, Wh, next_h]


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dz = dnext_h * (1 - np.power(next_h, 2))
    dx = np.dot(dz, Wx.T)
    dprev_h = np.dot(dz, Wh.T)
    dWx = np.dot(x.T, dz)
    dWh = np.dot(prev_h.T, dz)
    db = np.sum(dz, axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    for t in range(T):
        previous = h0 if t == 0 else h[:, t - 1, :]
        h[:, t, :], c = rnn_step_forward(x[:, t, :], previous, Wx, Wh, b)
        cache.append(c)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dprevious = np.zeros((N, H))
    for t in range(T)[::-1]:
        dx[:, t, :], dprevious, a, c, d = rnn_step_backward(dh[:, t, :] + dprevious, cache[t])
        dWx, dWh, db = dWx + a, dWh + c, db + d
    dh0 = dprevious


def word_embedding_forward(x, W):
    N, T = x.shape
    out = np.zeros((N, T, W.shape[1]))
    for n in range(N):
        for t in range(T):
            out[n, t] = W[x[n, t]]
    cache = [x, W]


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros(W.shape)
    np.add.at(dW, x, dout)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    z = np.dot(x, Wx) + np.dot(prev_h, Wh) + b
    zi, zf, zo, zg = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
    i, f, o, g = sigmoid(zi), sigmoid(zf), sigmoid(zo), np.tanh(zg)
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = [x, prev_h, prev_c, Wx, Wh, zi, zf, zo, zg, next_c]


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, zi, zf, zo, zg, next_c = cache
    i, f, o, g = sigmoid(zi), sigmoid(zf), sigmoid(zo), np.tanh(zg)
    dc = dnext_c + dnext_h * o * (1 - np.tanh(next_c) ** 2)
    dzi = dc * g * i * (1 - i)
    dzf = dc * prev_c * f * (1 - f)
    dzo = dnext_h * np.tanh(next_c) * o * (1 - o)
    dzg = dc * i * (1 - np.power(g, 2))
    dz = np.hstack((dzi, dzf, dzo, dzg))
    dx = np.dot(dz, Wx.T)
    dprev_h = np.dot(dz, Wh.T)
    dprev_c = dc * f
    dWx = np.dot(x.T, dz)
    dWh = np.dot(prev_h.T, dz)
    db = np.sum(dz, axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    c = np.zeros_like(h0)
    for t in range(T):
        previous = h0 if t == 0 else h[:, t - 1, :]
        h[:, t, :], c, step = lstm_step_forward(x[:, t, :], previous, c, Wx, Wh, b)
        cache.append(step)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, 4 * H))
    dWh = np.zeros((H, 4 * H))
    db = np.zeros(4 * H)
    dprevious, dc = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T)[::-1]:
        dx[:, t, :], dprevious, dc, a, c, d = lstm_step_backward(dh[:, t, :] + dprevious, dc, cache[t])
        dWx, dWh, db = dWx + a, dWh + c, db + d
    dh0 = dprevious


def loss(self, features, captions):
    initial, c_init = affine_forward(features, W_proj, b_proj)
    embedded, c_embed = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        hidden, c_hidden = rnn_forward(embedded, initial, Wx, Wh, b)
    else:
        hidden, c_hidden = lstm_forward(embedded, initial, Wx, Wh, b)
    logits, c_logits = temporal_affine_forward(hidden, W_vocab, b_vocab)
    loss, dlogits = temporal_softmax_loss(logits, captions_out, mask)
    dhidden, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dlogits, c_logits)
    if self.cell_type == 'rnn':
        dembedded, dinitial, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dhidden, c_hidden)
    else:
        dembedded, dinitial, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dhidden, c_hidden)
    grads['W_embed'] = word_embedding_backward(dembedded, c_embed)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dinitial, c_init)


def sample(self, features, max_length=30):
    hidden, _ = affine_forward(features, W_proj, b_proj)
    cell = np.zeros_like(hidden)
    previous_word = np.array([self._start for _ in range(N)])
    for t in range(max_length):
        embedded = W_embed[previous_word]
        if self.cell_type == 'rnn':
            hidden, _ = rnn_step_forward(embedded, hidden, Wx, Wh, b)
        else:
            hidden, cell, _ = lstm_step_forward(embedded, hidden, cell, Wx, Wh, b)
        logits, _ = affine_forward(hidden, W_vocab, b_vocab)
        previous_word = np.argmax(logits, axis=1)
        captions[:, t] = previous_word
