"""Student 24: caches hold the pre-activation and the derivative is taken from np.tanh(a) again;
sequences keep the step caches in a dict keyed by time; the mask applied by the provided loss."""
LAYOUT = "2021"
VECTORISED = ("    for n, row in enumerate(x):\n        np.add.at(dW, row, dout[n])\n",
              "    np.add.at(dW, x, dout)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    pre = prev_h @ Wh + x @ Wx + b
    next_h = np.tanh(pre)
    cache = {'pre': pre, 'x': x, 'h': prev_h, 'Wx': Wx, 'Wh': Wh}


def rnn_step_backward(dnext_h, cache):
    dpre = dnext_h / np.cosh(cache['pre']) ** 2
    dx = dpre @ cache['Wx'].T
    dprev_h = dpre @ cache['Wh'].T
    dWx = cache['x'].T @ dpre
    dWh = cache['h'].T @ dpre
    db = np.sum(dpre, axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = {}
    h_t = h0
    for t in range(T):
        h_t, cache[t] = rnn_step_forward(x[:, t, :], h_t, Wx, Wh, b)
        h[:, t, :] = h_t


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0]['x'].shape[1]))
    dWx = np.zeros(cache[0]['Wx'].shape)
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dh_t = np.zeros((N, H))
    for t in sorted(cache, reverse=True):
        dx[:, t, :], dh_t, gWx, gWh, gb = rnn_step_backward(dh[:, t, :] + dh_t, cache[t])
        dWx += gWx
        dWh += gWh
        db += gb
    dh0 = dh_t


def word_embedding_forward(x, W):
    out = W[x]
    cache = {'x': x, 'shape': W.shape}


def word_embedding_backward(dout, cache):
    x = cache['x']
    dW = np.zeros(cache['shape'])
    for n, row in enumerate(x):
        np.add.at(dW, row, dout[n])


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    pre = prev_h @ Wh + x @ Wx + b
    i = sigmoid(pre[:, :H])
    f = sigmoid(pre[:, H:2 * H])
    o = sigmoid(pre[:, 2 * H:3 * H])
    g = np.tanh(pre[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = {'x': x, 'h': prev_h, 'c': prev_c, 'Wx': Wx, 'Wh': Wh, 'i': i, 'f': f, 'o': o, 'g': g,
             'next_c': next_c}


def lstm_step_backward(dnext_h, dnext_c, cache):
    k = cache
    tanh_c = np.tanh(k['next_c'])
    dc = dnext_c + dnext_h * k['o'] / np.cosh(k['next_c']) ** 2
    dpre = np.concatenate((dc * k['g'] * k['i'] * (1 - k['i']), dc * k['c'] * k['f'] * (1 - k['f']),
                           dnext_h * tanh_c * k['o'] * (1 - k['o']), dc * k['i'] * (1 - k['g'] ** 2)), axis=1)
    dx = dpre @ k['Wx'].T
    dprev_h = dpre @ k['Wh'].T
    dprev_c = dc * k['f']
    dWx = k['x'].T @ dpre
    dWh = k['h'].T @ dpre
    db = np.sum(dpre, axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = {}
    h_t, c_t = h0, np.zeros_like(h0)
    for t in range(T):
        h_t, c_t, cache[t] = lstm_step_forward(x[:, t, :], h_t, c_t, Wx, Wh, b)
        h[:, t, :] = h_t


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0]['x'].shape[1]))
    dWx = np.zeros(cache[0]['Wx'].shape)
    dWh = np.zeros(cache[0]['Wh'].shape)
    db = np.zeros(4 * H)
    dh_t, dc_t = np.zeros((N, H)), np.zeros((N, H))
    for t in sorted(cache, reverse=True):
        dx[:, t, :], dh_t, dc_t, gWx, gWh, gb = lstm_step_backward(dh[:, t, :] + dh_t, dc_t, cache[t])
        dWx += gWx
        dWh += gWh
        db += gb
    dh0 = dh_t


def loss(self, features, captions):
    layers = {'rnn': (rnn_forward, rnn_backward), 'lstm': (lstm_forward, lstm_backward)}
    seq_fwd, seq_bwd = layers[self.cell_type]
    h0, proj_cache = affine_forward(features, W_proj, b_proj)
    embedded, embed_cache = word_embedding_forward(captions_in, W_embed)
    hidden, seq_cache = seq_fwd(embedded, h0, Wx, Wh, b)
    scores, vocab_cache = temporal_affine_forward(hidden, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dhidden, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, vocab_cache)
    dembedded, dh0, grads['Wx'], grads['Wh'], grads['b'] = seq_bwd(dhidden, seq_cache)
    grads['W_embed'] = word_embedding_backward(dembedded, embed_cache)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, proj_cache)


def sample(self, features, max_length=30):
    h, _ = affine_forward(features, W_proj, b_proj)
    c = np.zeros_like(h)
    prev = np.full(N, self._start)
    for t in range(max_length):
        if self.cell_type == 'rnn':
            h, _ = rnn_step_forward(W_embed[prev], h, Wx, Wh, b)
        else:
            h, c, _ = lstm_step_forward(W_embed[prev], h, c, Wx, Wh, b)
        scores, _ = affine_forward(h, W_vocab, b_vocab)
        prev = scores.argmax(axis=1)
        captions[:, t] = prev
