"""Student 17: an O(T^2) rnn_backward (each step's gradient carried back to the start on its
own), stacked weight matrices; RNN only, the LSTM branches of the model written anyway."""
LAYOUT = "2021"
VECTORISED = ("    db = np.zeros(weights.shape[1])\n    for row in dpre:\n        db += row\n", "    db = dpre.sum(axis=0)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    stacked = np.hstack([x, prev_h])
    weights = np.vstack([Wx, Wh])
    next_h = np.tanh(stacked.dot(weights) + b)
    cache = (stacked, weights, next_h, x.shape[1])


def rnn_step_backward(dnext_h, cache):
    stacked, weights, next_h, D = cache
    dpre = dnext_h * (1 - next_h ** 2)
    dstacked = dpre.dot(weights.T)
    dweights = stacked.T.dot(dpre)
    dx, dprev_h = dstacked[:, :D], dstacked[:, D:]
    dWx, dWh = dweights[:D], dweights[D:]
    db = np.zeros(weights.shape[1])
    for row in dpre:
        db += row


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    state = h0
    for t in range(T):
        state, step = rnn_step_forward(x[:, t], state, Wx, Wh, b)
        h[:, t] = state
        cache.append(step)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][3]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dh0 = np.zeros((N, H))
    for k in range(T):
        grad = dh[:, k]
        for t in range(k, -1, -1):
            dx_t, grad, dWx_t, dWh_t, db_t = rnn_step_backward(grad, cache[t])
            dx[:, t] += dx_t
            dWx += dWx_t
            dWh += dWh_t
            db += db_t
        dh0 += grad


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W.shape[0])


def word_embedding_backward(dout, cache):
    x, V = cache
    dW = np.zeros((V, dout.shape[2]))
    np.add.at(dW, x, dout)


def loss(self, features, captions):
    h0, proj_cache = affine_forward(features, W_proj, b_proj)
    wv, wv_cache = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        hs, seq_cache = rnn_forward(wv, h0, Wx, Wh, b)
    else:
        hs, seq_cache = lstm_forward(wv, h0, Wx, Wh, b)
    scores, out_cache = temporal_affine_forward(hs, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dhs, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, out_cache)
    if self.cell_type == 'rnn':
        dwv, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dhs, seq_cache)
    else:
        dwv, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dhs, seq_cache)
    grads['W_embed'] = word_embedding_backward(dwv, wv_cache)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, proj_cache)


def sample(self, features, max_length=30):
    h, _ = affine_forward(features, W_proj, b_proj)
    c = np.zeros_like(h)
    token = np.full(N, self._start)
    for t in range(max_length):
        wv = W_embed[token]
        if self.cell_type == 'rnn':
            h, _ = rnn_step_forward(wv, h, Wx, Wh, b)
        else:
            h, c, _ = lstm_step_forward(wv, h, c, Wx, Wh, b)
        token = (h.dot(W_vocab) + b_vocab).argmax(axis=1)
        captions[:, t] = token
