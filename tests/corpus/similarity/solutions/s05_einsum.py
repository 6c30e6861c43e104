"""Student 05: np.einsum for the products, outputs collected in lists and stacked, dWh summed
with sum() over the steps; LSTM with einsum too."""
LAYOUT = "2021"
VECTORISED = ("    dWx = sum(dWxs)\n    dWh = sum(dWhs)\n    db = sum(dbs)\n",
              "    dWx, dWh, db = (np.sum(g, axis=0) for g in (dWxs, dWhs, dbs))\n")


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(np.einsum('nd,dh->nh', x, Wx) + np.einsum('nk,kh->nh', prev_h, Wh) + b)
    cache = (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    g = dnext_h * (1 - next_h ** 2)
    dx = np.einsum('nh,dh->nd', g, Wx)
    dprev_h = np.einsum('nh,kh->nk', g, Wh)
    dWx = np.einsum('nd,nh->dh', x, g)
    dWh = np.einsum('nk,nh->kh', prev_h, g)
    db = np.einsum('nh->h', g)


def rnn_forward(x, h0, Wx, Wh, b):
    hidden = [h0]
    steps = []
    for t in range(x.shape[1]):
        nh, st = rnn_step_forward(x[:, t, :], hidden[-1], Wx, Wh, b)
        hidden.append(nh)
        steps.append(st)
    h = np.stack(hidden[1:], axis=1)
    cache = steps


def rnn_backward(dh, cache):
    T = dh.shape[1]
    dh_carry = np.zeros_like(dh[:, 0, :])
    dxs = [None] * T
    dWxs, dWhs, dbs = [], [], []
    for t in range(T - 1, -1, -1):
        dxs[t], dh_carry, a, c, e = rnn_step_backward(dh[:, t, :] + dh_carry, cache[t])
        dWxs.append(a)
        dWhs.append(c)
        dbs.append(e)
    dx = np.stack(dxs, axis=1)
    dh0 = dh_carry
    dWx = sum(dWxs)
    dWh = sum(dWhs)
    db = sum(dbs)


def word_embedding_forward(x, W):
    out = W[x]
    cache = (x, W.shape[0])


def word_embedding_backward(dout, cache):
    x, V = cache
    onehot = np.eye(V)[x.reshape(-1)]
    dW = np.einsum('mv,md->vd', onehot, dout.reshape(-1, dout.shape[2]))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    act = np.einsum('nd,dk->nk', x, Wx) + np.einsum('nh,hk->nk', prev_h, Wh) + b
    i, f, o = sigmoid(act[:, :H]), sigmoid(act[:, H:2 * H]), sigmoid(act[:, 2 * H:3 * H])
    g = np.tanh(act[:, 3 * H:])
    next_c = f * prev_c + i * g
    next_h = o * np.tanh(next_c)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
    th = np.tanh(next_c)
    dc = dnext_c + dnext_h * o * (1 - th ** 2)
    dact = np.concatenate([dc * g * i * (1 - i), dc * prev_c * f * (1 - f),
                           dnext_h * th * o * (1 - o), dc * i * (1 - g ** 2)], axis=1)
    dx = np.einsum('nk,dk->nd', dact, Wx)
    dprev_h = np.einsum('nk,hk->nh', dact, Wh)
    dprev_c = f * dc
    dWx = np.einsum('nd,nk->dk', x, dact)
    dWh = np.einsum('nh,nk->hk', prev_h, dact)
    db = np.einsum('nk->k', dact)


def lstm_forward(x, h0, Wx, Wh, b):
    hidden = [h0]
    cell = np.zeros_like(h0)
    steps = []
    for t in range(x.shape[1]):
        nh, cell, st = lstm_step_forward(x[:, t, :], hidden[-1], cell, Wx, Wh, b)
        hidden.append(nh)
        steps.append(st)
    h = np.stack(hidden[1:], axis=1)
    cache = steps


def lstm_backward(dh, cache):
    T = dh.shape[1]
    dh_carry = np.zeros_like(dh[:, 0, :])
    dc_carry = np.zeros_like(dh_carry)
    dxs = [None] * T
    dWxs, dWhs, dbs = [], [], []
    for t in range(T - 1, -1, -1):
        dxs[t], dh_carry, dc_carry, a, c, e = lstm_step_backward(dh[:, t, :] + dh_carry, dc_carry, cache[t])
        dWxs.append(a)
        dWhs.append(c)
        dbs.append(e)
    dx = np.stack(dxs, axis=1)
    dh0 = dh_carry
    dWx, dWh, db = sum(dWxs), sum(dWhs), sum(dbs)


def loss(self, features, captions):
    h_init, proj_c = affine_forward(features, W_proj, b_proj)
    vecs, emb_c = word_embedding_forward(captions_in, W_embed)
    if self.cell_type == 'lstm':
        states, seq_c = lstm_forward(vecs, h_init, Wx, Wh, b)
    else:
        states, seq_c = rnn_forward(vecs, h_init, Wx, Wh, b)
    out, voc_c = temporal_affine_forward(states, W_vocab, b_vocab)
    loss, dout = temporal_softmax_loss(out, captions_out, mask)
    dstates, dW_vocab, db_vocab = temporal_affine_backward(dout, voc_c)
    if self.cell_type == 'lstm':
        dvecs, dh_init, dWx, dWh, db = lstm_backward(dstates, seq_c)
    else:
        dvecs, dh_init, dWx, dWh, db = rnn_backward(dstates, seq_c)
    _, dW_proj, db_proj = affine_backward(dh_init, proj_c)
    grads.update(W_vocab=dW_vocab, b_vocab=db_vocab, Wx=dWx, Wh=dWh, b=db, W_proj=dW_proj,
                 b_proj=db_proj, W_embed=word_embedding_backward(dvecs, emb_c))


def sample(self, features, max_length=30):
    state = np.einsum('nd,dh->nh', features, W_proj) + b_proj
    cell = np.zeros_like(state)
    last = np.full(N, self._start, dtype=int)
    for t in range(max_length):
        if self.cell_type == 'lstm':
            state, cell, _ = lstm_step_forward(W_embed[last], state, cell, Wx, Wh, b)
        else:
            state, _ = rnn_step_forward(W_embed[last], state, Wx, Wh, b)
        last = np.argmax(np.einsum('nh,hv->nv', state, W_vocab) + b_vocab, axis=1)
        captions[:, t] = last
