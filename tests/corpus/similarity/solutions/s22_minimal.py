"""Student 22 (Python 2 handout of 2016): minimal code with one-letter names, RNN only, no
helper variables; the model without an LSTM branch."""
LAYOUT = "2016"
VECTORISED = ("    d = np.zeros((N, T, D))\n    for t in xrange(T):\n        for n in xrange(N):\n            d[n, t] = W[x[n, t]]\n    out = d\n",
              "    out = W[x]\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, p, Wx, Wh, n = cache
    a = dnext_h * (1 - n * n)
    dx, dprev_h, dWx, dWh, db = a.dot(Wx.T), a.dot(Wh.T), x.T.dot(a), p.T.dot(a), a.sum(0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    p = h0
    for t in xrange(T):
        p, c = rnn_step_forward(x[:, t], p, Wx, Wh, b)
        h[:, t] = p
        cache.append(c)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.zeros((N, T, cache[0][0].shape[1]))
    dWx, dWh, db = 0, 0, 0
    d = np.zeros((N, H))
    for t in xrange(T - 1, -1, -1):
        dx[:, t], d, a, c, e = rnn_step_backward(dh[:, t] + d, cache[t])
        dWx += a
        dWh += c
        db += e
    dh0 = d


def word_embedding_forward(x, W):
    N, T = x.shape
    D = W.shape[1]
    d = np.zeros((N, T, D))
    for t in xrange(T):
        for n in xrange(N):
            d[n, t] = W[x[n, t]]
    out = d
    cache = (x, W)


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    np.add.at(dW, x, dout)


def loss(self, features, captions):
    h, c1 = affine_forward(features, W_proj, b_proj)
    e, c2 = word_embedding_forward(captions_in, W_embed)
    r, c3 = rnn_forward(e, h, Wx, Wh, b)
    s, c4 = temporal_affine_forward(r, W_vocab, b_vocab)
    loss, d = temporal_softmax_loss(s, captions_out, mask)
    d, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(d, c4)
    d, dh, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(d, c3)
    grads['W_embed'] = word_embedding_backward(d, c2)
    d, grads['W_proj'], grads['b_proj'] = affine_backward(dh, c1)


def sample(self, features, max_length=30):
    h = features.dot(W_proj) + b_proj
    w = np.array([self._start] * N)
    for t in xrange(max_length):
        h, _ = rnn_step_forward(W_embed[w], h, Wx, Wh, b)
        w = (h.dot(W_vocab) + b_vocab).argmax(1)
        captions[:, t] = w
