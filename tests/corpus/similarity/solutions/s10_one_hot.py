"""Student 10 (2017-2020 handout): the embedding as a one-hot product both ways; RNN only; the
per-step gradients of the weights accumulated with np.add."""
LAYOUT = "2018"
KEEP_PASS = True
VECTORISED = ("    states = []\n    for k in range(T):\n        states.append(all_h[:, k, :])\n    h = np.stack(states, axis=1)\n",
              "    h = all_h.copy()\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    activation = x.dot(Wx) + prev_h.dot(Wh) + b
    next_h = np.tanh(activation)
    cache = (x, Wx, prev_h, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, Wx, prev_h, Wh, next_h = cache
    dact = dnext_h * (1 - next_h ** 2)
    dx = dact.dot(Wx.T)
    dWx = x.T.dot(dact)
    dprev_h = dact.dot(Wh.T)
    dWh = prev_h.T.dot(dact)
    db = dact.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    all_h = np.zeros((N, T, h0.shape[1]))
    cache = []
    current = h0
    for k in range(T):
        current, c = rnn_step_forward(x[:, k, :], current, Wx, Wh, b)
        all_h[:, k, :] = current
        cache.append(c)
    states = []
    for k in range(T):
        states.append(all_h[:, k, :])
    h = np.stack(states, axis=1)


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    x0, Wx0 = cache[0][0], cache[0][1]
    dx = np.zeros((N, T, x0.shape[1]))
    dWx = np.zeros(Wx0.shape)
    dWh = np.zeros((H, H))
    db = np.zeros((H,))
    dcurrent = np.zeros((N, H))
    for k in range(T - 1, -1, -1):
        dx_k, dcurrent, dWx_k, dWh_k, db_k = rnn_step_backward(dh[:, k, :] + dcurrent, cache[k])
        dx[:, k, :] = dx_k
        dWx = np.add(dWx, dWx_k)
        dWh = np.add(dWh, dWh_k)
        db = np.add(db, db_k)
    dh0 = dcurrent


def word_embedding_forward(x, W):
    V = W.shape[0]
    one_hot = (x[..., None] == np.arange(V)).astype(W.dtype)
    out = one_hot.dot(W)
    cache = (one_hot, W)


def word_embedding_backward(dout, cache):
    one_hot, W = cache
    V, D = W.shape
    dW = one_hot.reshape(-1, V).T.dot(dout.reshape(-1, D))


def loss(self, features, captions):
    h_0, cache_proj = affine_forward(features, W_proj, b_proj)
    embeddings, cache_emb = word_embedding_forward(captions_in, W_embed)
    states, cache_rnn = rnn_forward(embeddings, h_0, Wx, Wh, b)
    scores, cache_scores = temporal_affine_forward(states, W_vocab, b_vocab)
    loss, d_scores = temporal_softmax_loss(scores, captions_out, mask)
    d_states, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(d_scores, cache_scores)
    d_emb, d_h0, grads['Wx'], grads['Wh'], grads['b'] = rnn_backward(d_states, cache_rnn)
    grads['W_embed'] = word_embedding_backward(d_emb, cache_emb)
    d_features, grads['W_proj'], grads['b_proj'] = affine_backward(d_h0, cache_proj)


def sample(self, features, max_length=30):
    h_t, _ = affine_forward(features, W_proj, b_proj)
    word = self._start * np.ones((N, 1), dtype=np.int32)
    for t in range(max_length):
        emb, _ = word_embedding_forward(word, W_embed)
        h_t, _ = rnn_step_forward(emb[:, 0, :], h_t, Wx, Wh, b)
        scores, _ = affine_forward(h_t, W_vocab, b_vocab)
        captions[:, t] = np.argmax(scores, axis=1)
        word = captions[:, t:t + 1]
