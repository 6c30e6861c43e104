"""Student 29 (Python 2 handout of 2016): `.dot`, dict caches with short keys, xrange loops,
the LSTM gates' derivatives through a local helper dict."""
LAYOUT = "2016"
KEEP_PASS = True
VECTORISED = ("    for i in xrange(N):\n        for j in xrange(T):\n            out[i, j, :] = W[x[i, j], :]\n",
              "    out = W[x, :]\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
    cache = {'x': x, 'h': prev_h, 'Wx': Wx, 'Wh': Wh, 'out': next_h}


def rnn_step_backward(dnext_h, cache):
    d = dnext_h * (1 - cache['out'] ** 2)
    dx = d.dot(cache['Wx'].T)
    dprev_h = d.dot(cache['Wh'].T)
    dWx = cache['x'].T.dot(d)
    dWh = cache['h'].T.dot(d)
    db = d.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = {}
    prev = h0
    for t in xrange(T):
        prev, cache[t] = rnn_step_forward(x[:, t, :], prev, Wx, Wh, b)
        h[:, t, :] = prev


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0]['x'].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dprev = np.zeros((N, H))
    for t in reversed(xrange(T)):
        dx[:, t, :], dprev, gx, gh, gb = rnn_step_backward(dh[:, t, :] + dprev, cache[t])
        dWx += gx
        dWh += gh
        db += gb
    dh0 = dprev


def word_embedding_forward(x, W):
    N, T = x.shape
    out = np.zeros((N, T, W.shape[1]))
    for i in xrange(N):
        for j in xrange(T):
            out[i, j, :] = W[x[i, j], :]
    cache = {'x': x, 'W': W}


def word_embedding_backward(dout, cache):
    dW = np.zeros_like(cache['W'])
    np.add.at(dW, cache['x'], dout)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    a = x.dot(Wx) + prev_h.dot(Wh) + b
    gate = {'i': sigmoid(a[:, :H]), 'f': sigmoid(a[:, H:2 * H]), 'o': sigmoid(a[:, 2 * H:3 * H]),
            'g': np.tanh(a[:, 3 * H:])}
    next_c = gate['f'] * prev_c + gate['i'] * gate['g']
    next_h = gate['o'] * np.tanh(next_c)
    cache = {'x': x, 'h': prev_h, 'c': prev_c, 'Wx': Wx, 'Wh': Wh, 'gate': gate, 'next_c': next_c}


def lstm_step_backward(dnext_h, dnext_c, cache):
    gate = cache['gate']
    tc = np.tanh(cache['next_c'])
    dc = dnext_c + dnext_h * gate['o'] * (1 - tc ** 2)
    dgate = {'i': dc * gate['g'], 'f': dc * cache['c'], 'o': dnext_h * tc, 'g': dc * gate['i']}
    da = np.hstack([dgate[k] * gate[k] * (1 - gate[k]) for k in 'ifo'] + [dgate['g'] * (1 - gate['g'] ** 2)])
    dx = da.dot(cache['Wx'].T)
    dprev_h = da.dot(cache['Wh'].T)
    dprev_c = dc * gate['f']
    dWx = cache['x'].T.dot(da)
    dWh = cache['h'].T.dot(da)
    db = da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = {}
    prev, prev_c = h0, np.zeros_like(h0)
    for t in xrange(T):
        prev, prev_c, cache[t] = lstm_step_forward(x[:, t, :], prev, prev_c, Wx, Wh, b)
        h[:, t, :] = prev


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0]['x'].shape[1]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, 4 * H))
    dWh = np.zeros((H, 4 * H))
    db = np.zeros(4 * H)
    dprev, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(xrange(T)):
        dx[:, t, :], dprev, dprev_c, gx, gh, gb = lstm_step_backward(dh[:, t, :] + dprev, dprev_c, cache[t])
        dWx += gx
        dWh += gh
        db += gb
    dh0 = dprev


def loss(self, features, captions):
    h0, c0 = affine_forward(features, W_proj, b_proj)
    we, c1 = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'rnn':
        hidden, c2 = rnn_forward(we, h0, Wx, Wh, b)
    else:
        hidden, c2 = lstm_forward(we, h0, Wx, Wh, b)
    scores, c3 = temporal_affine_forward(hidden, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dhidden, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, c3)
    if self.cell_type == 'rnn':
        dwe, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dhidden, c2)
    else:
        dwe, dh0, grads['Wx'], grads['Wh'], grads['b'] = lstm_backward(dhidden, c2)
    grads['W_embed'] = word_embedding_backward(dwe, c1)
    _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, c0)


def sample(self, features, max_length=30):
    prev, _ = affine_forward(features, W_proj, b_proj)
    prev_c = np.zeros_like(prev)
    word = np.array([self._start] * N)
    for t in xrange(max_length):
        we = W_embed[word, :]
        if self.cell_type == 'rnn':
            prev, _ = rnn_step_forward(we, prev, Wx, Wh, b)
        else:
            prev, prev_c, _ = lstm_step_forward(we, prev, prev_c, Wx, Wh, b)
        scores, _ = affine_forward(prev, W_vocab, b_vocab)
        word = scores.argmax(axis=1)
        captions[:, t] = word
