"""Student 04 (2016 Python 2 handout): per-sample loops with xrange in the step layers, a loop
embedding, no LSTM (the extra credit left undone)."""
LAYOUT = "2016"
KEEP_PASS = True
VECTORISED = ("    next_h = np.zeros_like(prev_h)\n    for n in xrange(x.shape[0]):\n        next_h[n] = np.tanh(np.dot(x[n], Wx) + np.dot(prev_h[n], Wh) + b)\n",
              "    next_h = np.tanh(np.dot(x, Wx) + np.dot(prev_h, Wh) + b)\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.zeros_like(prev_h)
    for n in xrange(x.shape[0]):
        next_h[n] = np.tanh(np.dot(x[n], Wx) + np.dot(prev_h[n], Wh) + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dx = np.zeros_like(x)
    dprev_h = np.zeros_like(prev_h)
    dWx = np.zeros_like(Wx)
    dWh = np.zeros_like(Wh)
    db = np.zeros(Wh.shape[1])
    for n in xrange(x.shape[0]):
        draw = (1 - next_h[n] ** 2) * dnext_h[n]
        dx[n] = np.dot(Wx, draw)
        dprev_h[n] = np.dot(Wh, draw)
        dWx += np.outer(x[n], draw)
        dWh += np.outer(prev_h[n], draw)
        db += draw


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    hprev = h0
    for t in xrange(T):
        hprev, cache_t = rnn_step_forward(x[:, t, :], hprev, Wx, Wh, b)
        h[:, t, :] = hprev
        cache.append(cache_t)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][2].shape[0]
    dx = np.zeros((N, T, D))
    dWx = np.zeros((D, H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    dhprev = np.zeros((N, H))
    for t in reversed(xrange(T)):
        dxt, dhprev, dWxt, dWht, dbt = rnn_step_backward(dh[:, t, :] + dhprev, cache[t])
        dx[:, t, :] = dxt
        dWx += dWxt
        dWh += dWht
        db += dbt
    dh0 = dhprev


def word_embedding_forward(x, W):
    N, T = x.shape
    out = np.zeros((N, T, W.shape[1]))
    for n in xrange(N):
        for t in xrange(T):
            out[n, t, :] = W[x[n, t], :]
    cache = (x, W)


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    N, T = x.shape
    for n in xrange(N):
        for t in xrange(T):
            dW[x[n, t], :] += dout[n, t, :]


def loss(self, features, captions):
    h0, cache1 = affine_forward(features, W_proj, b_proj)
    wordvecs, cache2 = word_embedding_forward(captions_in, W_embed)
    h, cache3 = rnn_forward(wordvecs, h0, Wx, Wh, b)
    scores, cache4 = temporal_affine_forward(h, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dh, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, cache4)
    dwordvecs, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dh, cache3)
    grads['W_embed'] = word_embedding_backward(dwordvecs, cache2)
    dfeat, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, cache1)


def sample(self, features, max_length=30):
    hidden, _ = affine_forward(features, W_proj, b_proj)
    current = np.ones(N, dtype=np.int32) * self._start
    for i in xrange(max_length):
        wordvec = W_embed[current]
        hidden, _ = rnn_step_forward(wordvec, hidden, Wx, Wh, b)
        scores, _ = affine_forward(hidden, W_vocab, b_vocab)
        current = np.argmax(scores, axis=1)
        captions[:, i] = current
