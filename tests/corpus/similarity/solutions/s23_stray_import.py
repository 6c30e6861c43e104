"""Student 23: a stray editor import in the model file, reversed index loops
(range(T - 1, -1, -1)), .argmax on arrays, caches with the step's dimensions."""
LAYOUT = "2021"
MODEL_IMPORT = "import matplotlib.pyplot as plt"
VECTORISED = ("    for t in range(T):\n        for d_i in range(D):\n            dW[:, d_i] += np.bincount(x[:, t], weights=dout[:, t, d_i], minlength=V)\n",
              "    np.add.at(dW, x, dout)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(np.matmul(x, Wx) + np.matmul(prev_h, Wh) + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dz = (1.0 - next_h ** 2) * dnext_h
    dx = np.matmul(dz, Wx.T)
    dprev_h = np.matmul(dz, Wh.T)
    dWx = np.matmul(x.T, dz)
    dWh = np.matmul(prev_h.T, dz)
    db = dz.sum(0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = Wh.shape[0]
    h = np.zeros((N, T, H))
    cache = {'steps': [], 'dims': (N, T, D, H)}
    state = h0
    for t in range(T):
        state, c = rnn_step_forward(x[:, t, :], state, Wx, Wh, b)
        h[:, t, :] = state
        cache['steps'].append(c)


def rnn_backward(dh, cache):
    N, T, D, H = cache['dims']
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dstate = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dxt, dstate, dwx, dwh, dbt = rnn_step_backward(dh[:, t, :] + dstate, cache['steps'][t])
        dx[:, t, :] = dxt
        dWx, dWh, db = dWx + dwx, dWh + dwh, db + dbt
    dh0 = dstate


def word_embedding_forward(x, W):
    out = W[x, :]
    cache = (x, W.shape)


def word_embedding_backward(dout, cache):
    x, (V, D) = cache
    N, T = x.shape
    dW = np.zeros((V, D))
    for t in range(T):
        for d_i in range(D):
            dW[:, d_i] += np.bincount(x[:, t], weights=dout[:, t, d_i], minlength=V)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = Wh.shape[0]
    z = np.matmul(x, Wx) + np.matmul(prev_h, Wh) + b
    i, f, o, g = sigmoid(z[:, :H]), sigmoid(z[:, H:2 * H]), sigmoid(z[:, 2 * H:3 * H]), np.tanh(z[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, (i, f, o, g), next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, (i, f, o, g), next_c = cache
    tn = np.tanh(next_c)
    dc = dnext_h * o * (1.0 - tn ** 2) + dnext_c
    dz = np.hstack([dc * g * i * (1.0 - i), dc * prev_c * f * (1.0 - f), dnext_h * tn * o * (1.0 - o),
                    dc * i * (1.0 - g ** 2)])
    dx = np.matmul(dz, Wx.T)
    dprev_h = np.matmul(dz, Wh.T)
    dprev_c = f * dc
    dWx = np.matmul(x.T, dz)
    dWh = np.matmul(prev_h.T, dz)
    db = dz.sum(0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = Wh.shape[0]
    h = np.zeros((N, T, H))
    cache = {'steps': [], 'dims': (N, T, D, H)}
    state, cell = h0, np.zeros((N, H))
    for t in range(T):
        state, cell, c = lstm_step_forward(x[:, t, :], state, cell, Wx, Wh, b)
        h[:, t, :] = state
        cache['steps'].append(c)


def lstm_backward(dh, cache):
    N, T, D, H = cache['dims']
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)
    dstate, dcell = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dxt, dstate, dcell, dwx, dwh, dbt = lstm_step_backward(dh[:, t, :] + dstate, dcell, cache['steps'][t])
        dx[:, t, :] = dxt
        dWx, dWh, db = dWx + dwx, dWh + dwh, db + dbt
    dh0 = dstate


def loss(self, features, captions):
    h_init, cache_init = affine_forward(features, W_proj, b_proj)
    x_emb, cache_emb = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        h_all, cache_all = rnn_forward(x_emb, h_init, Wx, Wh, b)
    else:
        h_all, cache_all = lstm_forward(x_emb, h_init, Wx, Wh, b)
    out, cache_out = temporal_affine_forward(h_all, W_vocab, b_vocab)
    loss, dout = temporal_softmax_loss(out, captions_out, mask)
    dh_all, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dout, cache_out)
    if self.cell_type == 'rnn':
        dx_emb, dh_init, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dh_all, cache_all)
    else:
        dx_emb, dh_init, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dh_all, cache_all)
    grads['W_embed'] = word_embedding_backward(dx_emb, cache_emb)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh_init, cache_init)


def sample(self, features, max_length=30):
    h_t, _ = affine_forward(features, W_proj, b_proj)
    c_t = np.zeros_like(h_t)
    w_t = np.full(N, self._start)
    for t in range(max_length):
        if self.cell_type == 'rnn':
            h_t, _ = rnn_step_forward(W_embed[w_t, :], h_t, Wx, Wh, b)
        else:
            h_t, c_t, _ = lstm_step_forward(W_embed[w_t, :], h_t, c_t, Wx, Wh, b)
        w_t = affine_forward(h_t, W_vocab, b_vocab)[0].argmax(1)
        captions[:, t] = w_t
