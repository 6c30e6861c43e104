"""Student 09: the LSTM with one weight slice per gate (Wx[:, k*H:(k+1)*H]) and a list of
gates in the cache; a list of per-step dicts for the sequences."""
LAYOUT = "2021"
VECTORISED = ("    pre = [x.dot(Wx[:, k * H:(k + 1) * H]) + prev_h.dot(Wh[:, k * H:(k + 1) * H]) + b[k * H:(k + 1) * H]\n           for k in range(4)]\n",
              "    full = x.dot(Wx) + prev_h.dot(Wh) + b\n    pre = np.split(full, 4, axis=1)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
    cache = {'x': x, 'prev_h': prev_h, 'Wx': Wx, 'Wh': Wh, 'next_h': next_h}


def rnn_step_backward(dnext_h, cache):
    dpre = dnext_h * (1 - cache['next_h'] ** 2)
    dx = dpre.dot(cache['Wx'].T)
    dprev_h = dpre.dot(cache['Wh'].T)
    dWx = cache['x'].T.dot(dpre)
    dWh = cache['prev_h'].T.dot(dpre)
    db = np.sum(dpre, axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    state = h0
    for t in range(T):
        state, step = rnn_step_forward(x[:, t, :], state, Wx, Wh, b)
        h[:, t, :] = state
        cache.append(step)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0]['x'].shape[1]))
    dWx = np.zeros_like(cache[0]['Wx'])
    dWh = np.zeros_like(cache[0]['Wh'])
    db = np.zeros(H)
    dstate = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dstate, gx, gh, gb = rnn_step_backward(dh[:, t, :] + dstate, cache[t])
        dWx += gx
        dWh += gh
        db += gb
    dh0 = dstate


def word_embedding_forward(x, W):
    out = W[x]
    cache = {'x': x, 'W_shape': W.shape}


def word_embedding_backward(dout, cache):
    dW = np.zeros(cache['W_shape'])
    np.add.at(dW, cache['x'], dout)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    pre = [x.dot(Wx[:, k * H:(k + 1) * H]) + prev_h.dot(Wh[:, k * H:(k + 1) * H]) + b[k * H:(k + 1) * H]
           for k in range(4)]
    i, f, o = [sigmoid(p) for p in pre[:3]]
    g = np.tanh(pre[3])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = {'x': x, 'prev_h': prev_h, 'prev_c': prev_c, 'Wx': Wx, 'Wh': Wh, 'gates': [i, f, o, g],
             'next_c': next_c}


def lstm_step_backward(dnext_h, dnext_c, cache):
    i, f, o, g = cache['gates']
    tanh_c = np.tanh(cache['next_c'])
    dc = dnext_c + dnext_h * o * (1 - tanh_c ** 2)
    dpre = [dc * g * i * (1 - i), dc * cache['prev_c'] * f * (1 - f), dnext_h * tanh_c * o * (1 - o),
            dc * i * (1 - g ** 2)]
    dpre = np.concatenate(dpre, axis=1)
    dx = dpre.dot(cache['Wx'].T)
    dprev_h = dpre.dot(cache['Wh'].T)
    dprev_c = dc * f
    dWx = cache['x'].T.dot(dpre)
    dWh = cache['prev_h'].T.dot(dpre)
    db = np.sum(dpre, axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    state, cell = h0, np.zeros_like(h0)
    for t in range(T):
        state, cell, step = lstm_step_forward(x[:, t, :], state, cell, Wx, Wh, b)
        h[:, t, :] = state
        cache.append(step)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0]['x'].shape[1]))
    dWx = np.zeros_like(cache[0]['Wx'])
    dWh = np.zeros_like(cache[0]['Wh'])
    db = np.zeros(4 * H)
    dstate, dcell = np.zeros((N, H)), np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dx[:, t, :], dstate, dcell, gx, gh, gb = lstm_step_backward(dh[:, t, :] + dstate, dcell, cache[t])
        dWx += gx
        dWh += gh
        db += gb
    dh0 = dstate


def loss(self, features, captions):
    h0, proj = affine_forward(features, W_proj, b_proj)
    words, emb = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        states, seq = rnn_forward(words, h0, Wx, Wh, b)
    else:
        states, seq = lstm_forward(words, h0, Wx, Wh, b)
    scores, voc = temporal_affine_forward(states, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dstates, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, voc)
    if self.cell_type == 'rnn':
        dwords, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dstates, seq)
    else:
        dwords, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dstates, seq)
    grads['W_embed'] = word_embedding_backward(dwords, emb)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, proj)


def sample(self, features, max_length=30):
    state, _ = affine_forward(features, W_proj, b_proj)
    cell = np.zeros_like(state)
    word = np.full(N, self._start, dtype=np.int32)
    for t in range(max_length):
        vec = W_embed[word]
        if self.cell_type == 'rnn':
            state, _ = rnn_step_forward(vec, state, Wx, Wh, b)
        else:
            state, cell, _ = lstm_step_forward(vec, state, cell, Wx, Wh, b)
        scores, _ = affine_forward(state, W_vocab, b_vocab)
        word = scores.argmax(axis=1)
        captions[:, t] = word
