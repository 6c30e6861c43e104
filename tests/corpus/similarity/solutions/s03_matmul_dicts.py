"""Student 03: `@`, dict caches, a dispatch table on cell_type, np.take for the embedding."""
LAYOUT = "2021"
VECTORISED = ("    dW = np.zeros((V, dout.shape[-1]), dtype=dout.dtype)\n    flat_words = words.ravel()\n    flat_grad = dout.reshape(-1, dout.shape[-1])\n    for k in range(flat_words.size):\n        dW[flat_words[k]] += flat_grad[k]\n",
              "    dW = np.zeros((V, dout.shape[-1]), dtype=dout.dtype)\n    np.add.at(dW, words.ravel(), dout.reshape(-1, dout.shape[-1]))\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    z = x @ Wx + prev_h @ Wh + b
    next_h = np.tanh(z)
    cache = {"x": x, "h_prev": prev_h, "Wx": Wx, "Wh": Wh, "h": next_h}


def rnn_step_backward(dnext_h, cache):
    dz = dnext_h * (1 - cache["h"] * cache["h"])
    dx = dz @ cache["Wx"].T
    dprev_h = dz @ cache["Wh"].T
    dWx = cache["x"].T @ dz
    dWh = cache["h_prev"].T @ dz
    db = dz.sum(0)


def rnn_forward(x, h0, Wx, Wh, b):
    T = x.shape[1]
    states, steps = [], []
    h_prev = h0
    for t in range(T):
        h_prev, c = rnn_step_forward(x[:, t], h_prev, Wx, Wh, b)
        states.append(h_prev)
        steps.append(c)
    h = np.stack(states, 1)
    cache = {"steps": steps, "D": x.shape[2]}


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache["D"]))
    dWx, dWh, db = 0, 0, 0
    carry = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], carry, gWx, gWh, gb = rnn_step_backward(dh[:, t] + carry, cache["steps"][t])
        dWx, dWh, db = dWx + gWx, dWh + gWh, db + gb
    dh0 = carry


def word_embedding_forward(x, W):
    out = np.take(W, x, axis=0)
    cache = {"words": x, "V": W.shape[0]}


def word_embedding_backward(dout, cache):
    words, V = cache["words"], cache["V"]
    dW = np.zeros((V, dout.shape[-1]), dtype=dout.dtype)
    flat_words = words.ravel()
    flat_grad = dout.reshape(-1, dout.shape[-1])
    for k in range(flat_words.size):
        dW[flat_words[k]] += flat_grad[k]


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    z = x @ Wx + prev_h @ Wh + b
    gates = {"i": sigmoid(z[:, :H]), "f": sigmoid(z[:, H:2 * H]), "o": sigmoid(z[:, 2 * H:3 * H]),
             "g": np.tanh(z[:, 3 * H:])}
    next_c = gates["f"] * prev_c + gates["i"] * gates["g"]
    next_h = gates["o"] * np.tanh(next_c)
    cache = {"x": x, "h_prev": prev_h, "c_prev": prev_c, "Wx": Wx, "Wh": Wh, "c": next_c, **gates}


def lstm_step_backward(dnext_h, dnext_c, cache):
    i, f, o, g = cache["i"], cache["f"], cache["o"], cache["g"]
    tc = np.tanh(cache["c"])
    dc = dnext_c + dnext_h * o * (1 - tc * tc)
    dz = np.concatenate([dc * g * i * (1 - i), dc * cache["c_prev"] * f * (1 - f),
                         dnext_h * tc * o * (1 - o), dc * i * (1 - g * g)], axis=1)
    dx = dz @ cache["Wx"].T
    dprev_h = dz @ cache["Wh"].T
    dprev_c = dc * f
    dWx = cache["x"].T @ dz
    dWh = cache["h_prev"].T @ dz
    db = dz.sum(0)


def lstm_forward(x, h0, Wx, Wh, b):
    T = x.shape[1]
    states, steps = [], []
    h_prev, c_prev = h0, np.zeros_like(h0)
    for t in range(T):
        h_prev, c_prev, c = lstm_step_forward(x[:, t], h_prev, c_prev, Wx, Wh, b)
        states.append(h_prev)
        steps.append(c)
    h = np.stack(states, 1)
    cache = {"steps": steps, "D": x.shape[2]}


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty((N, T, cache["D"]))
    dWx, dWh, db = 0, 0, 0
    carry_h, carry_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t], carry_h, carry_c, gWx, gWh, gb = lstm_step_backward(dh[:, t] + carry_h, carry_c,
                                                                       cache["steps"][t])
        dWx, dWh, db = dWx + gWx, dWh + gWh, db + gb
    dh0 = carry_h


def loss(self, features, captions):
    forward = {"rnn": rnn_forward, "lstm": lstm_forward}[self.cell_type]
    backward = {"rnn": rnn_backward, "lstm": lstm_backward}[self.cell_type]
    h0, c_proj = affine_forward(features, W_proj, b_proj)
    emb, c_emb = word_embedding_forward(captions_in, W_embed)
    hs, c_rnn = forward(emb, h0, Wx, Wh, b)
    logits, c_voc = temporal_affine_forward(hs, W_vocab, b_vocab)
    loss, dlogits = temporal_softmax_loss(logits, captions_out, mask)
    dhs, grads["W_vocab"], grads["b_vocab"] = temporal_affine_backward(dlogits, c_voc)
    demb, dh0, grads["Wx"], grads["Wh"], grads["b"] = backward(dhs, c_rnn)
    grads["W_embed"] = word_embedding_backward(demb, c_emb)
    _, grads["W_proj"], grads["b_proj"] = affine_backward(dh0, c_proj)


def sample(self, features, max_length=30):
    h = features @ W_proj + b_proj
    c = np.zeros_like(h)
    tokens = np.full(N, self._start)
    for t in range(max_length):
        e = np.take(W_embed, tokens, axis=0)
        if self.cell_type == "rnn":
            h, _ = rnn_step_forward(e, h, Wx, Wh, b)
        else:
            h, c, _ = lstm_step_forward(e, h, c, Wx, Wh, b)
        tokens = (h @ W_vocab + b_vocab).argmax(1)
        captions[:, t] = tokens
