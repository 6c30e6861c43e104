"""Student 14: Pythonic loops (enumerate, zip, reversed lists, comprehensions), sum() over
generators for the weight gradients; RNN only."""
LAYOUT = "2021"
VECTORISED = ("    dW = np.zeros_like(W)\n    for word, grad in zip(x.ravel(), dout.reshape(len(x.ravel()), -1)):\n        dW[word] += grad\n",
              "    dW = np.zeros_like(W)\n    np.add.at(dW, x.ravel(), dout.reshape(x.size, -1))\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)
    cache = next_h, prev_h, x, Wx, Wh


def rnn_step_backward(dnext_h, cache):
    next_h, prev_h, x, Wx, Wh = cache
    local = (1 - next_h ** 2) * dnext_h
    dx, dprev_h = local @ Wx.T, local @ Wh.T
    dWx, dWh = x.T @ local, prev_h.T @ local
    db = local.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    states, steps = [], []
    state = h0
    for x_t in np.moveaxis(x, 1, 0):
        state, step = rnn_step_forward(x_t, state, Wx, Wh, b)
        states.append(state)
        steps.append(step)
    h = np.stack(states, axis=1)
    cache = steps


def rnn_backward(dh, cache):
    upstream = np.zeros_like(dh[:, 0, :])
    results = []
    for t, step in reversed(list(enumerate(cache))):
        out = rnn_step_backward(dh[:, t, :] + upstream, step)
        upstream = out[1]
        results.append(out)
    results.reverse()
    dx = np.stack([r[0] for r in results], axis=1)
    dh0 = upstream
    dWx = sum(r[2] for r in results)
    dWh = sum(r[3] for r in results)
    db = sum(r[4] for r in results)


def word_embedding_forward(x, W):
    out = np.array([[W[word] for word in row] for row in x])
    cache = x, W


def word_embedding_backward(dout, cache):
    x, W = cache
    dW = np.zeros_like(W)
    for word, grad in zip(x.ravel(), dout.reshape(len(x.ravel()), -1)):
        dW[word] += grad


def loss(self, features, captions):
    h0, proj_cache = affine_forward(features, W_proj, b_proj)
    inputs, embed_cache = word_embedding_forward(captions_in, W_embed)
    states, rnn_cache = rnn_forward(inputs, h0, Wx, Wh, b)
    scores, vocab_cache = temporal_affine_forward(states, W_vocab, b_vocab)
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dstates, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, vocab_cache)
    dinputs, dh0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(dstates, rnn_cache)
    grads['W_embed'] = word_embedding_backward(dinputs, embed_cache)
    grads['W_proj'], grads['b_proj'] = affine_backward(dh0, proj_cache)[1:]


def sample(self, features, max_length=30):
    state = affine_forward(features, W_proj, b_proj)[0]
    words = [self._start] * N
    for t in range(max_length):
        state, _ = rnn_step_forward(W_embed[words], state, Wx, Wh, b)
        words = list(np.argmax(affine_forward(state, W_vocab, b_vocab)[0], axis=1))
        captions[:, t] = words
