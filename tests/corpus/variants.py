"""Correct implementations written differently from the reference: each must get full marks.

Each variant appends replacement definitions to the reference files (a later `def` overrides the
earlier one; methods are replaced on the class), so only the changed functions are stored here.
"""
from __future__ import annotations

from .mutations import Expr, Mutate, SwapCall
from .spec import LAYERS, MODEL, Append, Case, Replace

LOOPS = Append(LAYERS, """
    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        # one sample at a time
        next_h = np.empty(prev_h.shape, dtype=np.result_type(x, prev_h, Wx, Wh, b))
        for n in range(prev_h.shape[0]):
            next_h[n] = np.tanh(np.dot(x[n], Wx) + np.dot(prev_h[n], Wh) + b)
        return next_h, (x, prev_h, Wx, Wh, next_h)


    def rnn_step_backward(dnext_h, cache):
        x, prev_h, Wx, Wh, next_h = cache
        dx, dprev_h = np.zeros_like(x), np.zeros_like(prev_h)
        dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
        db = np.zeros(Wh.shape[0], dtype=dnext_h.dtype)
        for n in range(x.shape[0]):
            da = dnext_h[n] * (1 - next_h[n] * next_h[n])
            dx[n] = Wx.dot(da)
            dprev_h[n] = Wh.dot(da)
            dWx += np.outer(x[n], da)
            dWh += np.outer(prev_h[n], da)
            db += da
        return dx, dprev_h, dWx, dWh, db


    def word_embedding_forward(x, W):
        N, T = x.shape
        out = np.zeros((N, T, W.shape[1]), dtype=W.dtype)
        for n in range(N):
            for t in range(T):
                out[n, t] = W[x[n, t]]
        return out, (x, W.shape[0], W.dtype)


    def word_embedding_backward(dout, cache):
        x, V, dtype = cache
        dW = np.zeros((V, dout.shape[2]), dtype=dtype)
        for n in range(x.shape[0]):
            for t in range(x.shape[1]):
                dW[x[n, t]] += dout[n, t]
        return dW
""")

DICT_CACHE = Append(LAYERS, """
    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        # recompute-from-inputs style: the cache holds the inputs only
        next_h = np.tanh(prev_h.dot(Wh) + x.dot(Wx) + b)
        return next_h, {"x": x, "prev_h": prev_h, "Wx": Wx, "Wh": Wh, "b": b}


    def rnn_step_backward(dnext_h, cache):
        next_h = np.tanh(cache["prev_h"].dot(cache["Wh"]) + cache["x"].dot(cache["Wx"]) + cache["b"])
        dz = (1 - np.square(next_h)) * dnext_h
        return (dz.dot(cache["Wx"].T), dz.dot(cache["Wh"].T), cache["x"].T.dot(dz),
                cache["prev_h"].T.dot(dz), np.sum(dz, axis=0))


    def rnn_forward(x, h0, Wx, Wh, b):
        N, T, _ = x.shape
        h = np.zeros((N, T, h0.shape[1]), dtype=np.result_type(x, h0))
        caches = {}
        prev = h0
        for t in range(T):
            prev, caches[t] = rnn_step_forward(x[:, t], prev, Wx, Wh, b)
            h[:, t] = prev
        return h, {"steps": caches, "D": x.shape[2]}


    def rnn_backward(dh, cache):
        N, T, H = dh.shape
        dx = np.zeros((N, T, cache["D"]), dtype=dh.dtype)
        dWx = dWh = db = None
        carry = np.zeros((N, H), dtype=dh.dtype)
        for t in range(T - 1, -1, -1):
            dx[:, t], carry, gx, gh, gb = rnn_step_backward(dh[:, t] + carry, cache["steps"][t])
            dWx = gx if dWx is None else dWx + gx
            dWh = gh if dWh is None else dWh + gh
            db = gb if db is None else db + gb
        return dx, carry, dWx, dWh, db
""")

UNROLLED = Append(LAYERS, """
    def rnn_forward(x, h0, Wx, Wh, b):
        # no call to rnn_step_forward; the input projection is done for all steps at once
        N, T, D = x.shape
        xw = (x.reshape(N * T, D) @ Wx).reshape(N, T, -1) + b
        h = np.empty(xw.shape, dtype=np.result_type(xw, h0))
        prev = h0
        for t in range(T):
            prev = np.tanh(xw[:, t] + prev @ Wh)
            h[:, t] = prev
        return h, (x, h0, Wx, Wh, h)


    def rnn_backward(dh, cache):
        x, h0, Wx, Wh, h = cache
        N, T, D = x.shape
        hprev = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)
        dpre = np.empty_like(h)
        carry = np.zeros_like(h0)
        for t in reversed(range(T)):
            dpre[:, t] = (dh[:, t] + carry) * (1 - h[:, t] ** 2)
            carry = dpre[:, t] @ Wh.T
        H = h.shape[2]
        flat = dpre.reshape(N * T, H)
        dx = (flat @ Wx.T).reshape(N, T, D)
        dWx = x.reshape(N * T, D).T @ flat
        dWh = hprev.reshape(N * T, H).T @ flat
        return dx, carry, dWx, dWh, flat.sum(axis=0)
""")

ONE_HOT = Append(LAYERS, """
    def word_embedding_forward(x, W):
        onehot = np.eye(W.shape[0], dtype=W.dtype)[x]          # (N, T, V)
        return onehot @ W, (x, W.shape[0])


    def word_embedding_backward(dout, cache):
        x, V = cache
        D = dout.shape[-1]
        flat_x, flat_d = x.reshape(-1), dout.reshape(-1, D)
        if flat_x.size % 2:                                      # both accumulation styles
            onehot = (flat_x[:, None] == np.arange(V)).astype(dout.dtype)
            return onehot.T @ flat_d
        return np.stack([np.bincount(flat_x, weights=flat_d[:, d], minlength=V)
                         for d in range(D)], axis=1).astype(dout.dtype)
""")

FLOAT32_SAMPLE = Append(MODEL, """
    def _sample_float32(self, features, max_length=30):
        # float32 arithmetic internally, whatever the model's dtype
        p = {k: v.astype(np.float32) for k, v in self.params.items()}
        N = features.shape[0]
        out = np.full((N, max_length), self._null, dtype=np.int64)
        h = features.astype(np.float32) @ p['W_proj'] + p['b_proj']
        c = np.zeros_like(h)
        word = np.full(N, self._start)
        for t in range(max_length):
            x = p['W_embed'][word]
            if self.cell_type == 'rnn':
                h = np.tanh(x @ p['Wx'] + h @ p['Wh'] + p['b'])
            else:
                h, c, _ = lstm_step_forward(x, h, c, p['Wx'], p['Wh'], p['b'])
            word = (h @ p['W_vocab'] + p['b_vocab']).argmax(axis=1)
            out[:, t] = word
        return out


    CaptioningRNN.sample = _sample_float32
""")

STOP_AT_END = Append(MODEL, """
    _reference_sample = CaptioningRNN.sample


    def _sample_stops_at_end(self, features, max_length=30):
        # stops generating after <END>: the rest of the caption stays <NULL>
        captions = _reference_sample(self, features, max_length)
        if self._end is None:
            return captions
        ended = np.cumsum(captions == self._end, axis=1) > 0
        after_end = np.concatenate([np.zeros((captions.shape[0], 1), bool), ended[:, :-1]], axis=1)
        captions[after_end] = self._null
        return captions


    CaptioningRNN.sample = _sample_stops_at_end
""")

SLOW = Append(LAYERS, """
    def rnn_step_forward(x, prev_h, Wx, Wh, b):
        # per-sample unoptimised einsum, forward and backward: several times slower
        next_h = np.empty(prev_h.shape, dtype=np.result_type(x, prev_h, Wx))
        for n in range(prev_h.shape[0]):
            next_h[n] = np.tanh(np.einsum('d,dh->h', x[n], Wx) + np.einsum('k,kh->h', prev_h[n], Wh) + b)
        return next_h, (x, prev_h, Wx, Wh, next_h)


    def rnn_step_backward(dnext_h, cache):
        x, prev_h, Wx, Wh, next_h = cache
        da = dnext_h * (1 - next_h ** 2)
        dx = np.stack([np.einsum('h,dh->d', da[n], Wx) for n in range(da.shape[0])])
        dprev_h = np.stack([np.einsum('h,kh->k', da[n], Wh) for n in range(da.shape[0])])
        dWx = sum(np.einsum('d,h->dh', x[n], da[n]) for n in range(da.shape[0]))
        dWh = sum(np.einsum('k,h->kh', prev_h[n], da[n]) for n in range(da.shape[0]))
        return dx, dprev_h, dWx, dWh, da.sum(axis=0)
""")

GATES_SEPARATE = Append(LAYERS, """
    def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
        # four separate products, sigmoid written with tanh
        H = prev_h.shape[1]
        pre = [x @ Wx[:, k * H:(k + 1) * H] + prev_h @ Wh[:, k * H:(k + 1) * H] + b[k * H:(k + 1) * H]
               for k in range(4)]
        i, f, o = (0.5 * (1 + np.tanh(0.5 * p)) for p in pre[:3])
        g = np.tanh(pre[3])
        next_c = prev_c * f + g * i
        next_h = np.tanh(next_c) * o
        return next_h, next_c, dict(x=x, h=prev_h, c=prev_c, Wx=Wx, Wh=Wh, i=i, f=f, o=o, g=g, nc=next_c)


    def lstm_step_backward(dnext_h, dnext_c, cache):
        k = cache
        tc = np.tanh(k['nc'])
        dc = dnext_c + dnext_h * k['o'] * (1 - tc * tc)
        da = np.concatenate([dc * k['g'] * k['i'] * (1 - k['i']), dc * k['c'] * k['f'] * (1 - k['f']),
                             dnext_h * tc * k['o'] * (1 - k['o']), dc * k['i'] * (1 - k['g'] ** 2)], axis=1)
        return (da @ k['Wx'].T, da @ k['Wh'].T, dc * k['f'], k['x'].T @ da, k['h'].T @ da, da.sum(0))
""")

VARIANTS: list[Case] = [
    Case("loops", "per-sample / per-element Python loops in the step and embedding layers", (LOOPS,)),
    Case("dict_cache_recompute", "dict caches; step backward recomputes tanh from the inputs",
         (DICT_CACHE,)),
    Case("unrolled_by_hand", "rnn_forward/backward without the step functions, BPTT by hand",
         (UNROLLED,)),
    Case("one_hot_embedding", "embedding via one-hot matmul; backward via one-hot or bincount",
         (ONE_HOT,)),
    Case("float32_sample", "sampling in float32 arithmetic internally", (FLOAT32_SAMPLE,)),
    Case("sample_stops_at_end", "sampling stops after <END>, the rest stays <NULL>", (STOP_AT_END,)),
    Case("slow_loops", "per-sample einsum in the step forward and backward (several times slower)", (SLOW,)),
    Case("lstm_separate_gates", "LSTM gates as four products, sigmoid via tanh, dict cache",
         (GATES_SEPARATE,)),
]


# ----------------------------------------------------------------------------- issue 11 patterns
# Backward functions that modify their upstream gradient in place: allowed (README fairness
# policy), their gradients are right, so full marks.
# (each defined on the code's structure or behaviour, so it survives a rewrite of the reference)
INPLACE_RNN_STEP_BWD = Append(LAYERS, """
    _ck_rnn_step_backward = rnn_step_backward


    def rnn_step_backward(dnext_h, cache):
        grads = _ck_rnn_step_backward(dnext_h.copy(), cache)
        dnext_h *= 0.5          # in place on the caller's upstream gradient (after use)
        return grads
""")
INPLACE_RNN_BWD = Mutate(LAYERS, "rnn_backward", Expr("dh[:, t, :] + dprev_h", "_acc(dh, t, dprev_h)"))
INPLACE_LSTM_BWD = Mutate(LAYERS, "lstm_backward", Expr("dh[:, t, :] + dprev_h", "_acc(dh, t, dprev_h)"))
ACCUMULATE = Append(LAYERS, """
    def _acc(dh, t, carry):
        # dh[:, t, :] += carry, in place on the caller's upstream gradient
        dh[:, t, :] += carry
        return dh[:, t, :]
""")
INPLACE_LSTM_STEP_BWD = Append(LAYERS, """
    _ck_lstm_step_backward = lstm_step_backward


    def lstm_step_backward(dnext_h, dnext_c, cache):
        grads = _ck_lstm_step_backward(dnext_h, dnext_c.copy(), cache)
        dnext_c += 1.0          # dnext_c += ..., in place on the caller's array (after use)
        return grads
""")
INPLACE_EMBED_BWD = Append(LAYERS, """
    def word_embedding_backward(dout, cache):
        # segment sums: sorts the caller's dout in place by word, then one reduceat
        x, W_shape, W_dtype = cache
        words = x.reshape(-1)
        order = np.argsort(words, kind="stable")
        flat = dout.reshape(-1, dout.shape[-1])
        flat[...] = flat[order]
        sorted_words = words[order]
        starts = np.flatnonzero(np.r_[True, sorted_words[1:] != sorted_words[:-1]])
        dW = np.zeros(W_shape, dtype=W_dtype)
        dW[sorted_words[starts]] = np.add.reduceat(flat, starts, axis=0)
        return dW
""")

STRAY_IMPORT = Replace(LAYERS, "import numpy as np\n", "import os, math\nimport numpy as np\n")
# A module the grader does not have, imported and never used (left over from a PyTorch
# assignment): the file is graded with a stand-in for it (coursekit/judge/imports.py).
MISSING_IMPORT = Replace(LAYERS, "import numpy as np\n", "import numpy as np\nimport torch\n")
# Code written against the 2017-2020 handouts, whose model file starts this way.
OLD_HANDOUT_IMPORT = Replace(MODEL, "from ..rnn_layers import *\n",
                             "from ..rnn_layers import *\nfrom cs231n.layers import *\n")

INPLACE_BACKWARDS: list[Case] = [
    Case("inplace_rnn_step_backward", "rnn_step_backward scales dnext_h in place",
         (INPLACE_RNN_STEP_BWD,)),
    Case("inplace_rnn_backward", "rnn_backward does dh[:, t] += dprev_h", (ACCUMULATE, INPLACE_RNN_BWD)),
    Case("inplace_embedding_backward", "word_embedding_backward sorts dout in place by word",
         (INPLACE_EMBED_BWD,)),
    Case("inplace_lstm_step_backward", "lstm_step_backward does dnext_c += ...", (INPLACE_LSTM_STEP_BWD,)),
    Case("inplace_lstm_backward", "lstm_backward does dh[:, t] += dprev_h", (ACCUMULATE, INPLACE_LSTM_BWD)),
    Case("inplace_every_backward", "every backward modifies its upstream gradient in place",
         (INPLACE_RNN_STEP_BWD, ACCUMULATE, INPLACE_RNN_BWD, INPLACE_EMBED_BWD, INPLACE_LSTM_STEP_BWD,
          INPLACE_LSTM_BWD)),
]
# 2017-2020 handouts: rnn_layers.py has no affine layers (they live in cs231n/layers.py)
NO_AFFINE_IN_LAYERS = Append(LAYERS, "del affine_forward, affine_backward")
IMPORT_VARIANTS: list[Case] = [
    Case("stray_existing_import", "import os, math at the top of rnn_layers.py", (STRAY_IMPORT,)),
    Case("stray_missing_import", "import torch (which the grader does not have) at the top of "
         "rnn_layers.py, never used", (MISSING_IMPORT,)),
    Case("old_handout_layers_import", "from cs231n.layers import * at the top of classifiers/rnn.py "
         "(2017-2020 handouts; needs the handout's cs231n/layers.py)", (OLD_HANDOUT_IMPORT,)),
    Case("old_handout_layout", "rnn_layers.py without the affine layers, classifiers/rnn.py taking "
         "them from cs231n.layers (the 2017-2020 handouts' layout)", (NO_AFFINE_IN_LAYERS, OLD_HANDOUT_IMPORT)),
]
VARIANTS += INPLACE_BACKWARDS + IMPORT_VARIANTS


# ----------------------------------------------------------------------------- real-code habits
# Correct in the notebook, so correct here too (each keeps full marks, trainings included):
# strings compared with `is` (the notebook's literals are interned, and so are the strings the
# grader passes), tanh and sigmoid written with np.exp in forms that saturate instead of
# overflowing, and an O(T^2) backward.
IS_COMPARISONS = (Mutate(MODEL, "CaptioningRNN.loss", Expr("self.cell_type == 'rnn'", "self.cell_type is 'rnn'")),
                  Mutate(MODEL, "CaptioningRNN.sample", Expr("self.cell_type == 'rnn'", "self.cell_type is 'rnn'")))
SATURATING_EXP = Append(LAYERS, """
    def _tanh_by_exp(a):
        # 2 / (1 + e^-2a) - 1: e^-2a overflows to inf for very negative a, giving -1 as it should
        with np.errstate(over='ignore'):
            return 2.0 / (1.0 + np.exp(-2.0 * a)) - 1.0


    def _sigmoid_by_exp(z):
        with np.errstate(over='ignore'):
            return 1.0 / (1.0 + np.exp(-z))
""")
QUADRATIC_BACKWARD = Append(LAYERS, """
    def rnn_forward(x, h0, Wx, Wh, b):
        hs, prev = [], h0
        for t in range(x.shape[1]):
            prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
            hs.append(prev)
        h = np.stack(hs, axis=1)
        return h, (x, h0, Wx, Wh, h)


    def rnn_backward(dh, cache):
        # each time step's upstream gradient carried back to the start on its own: O(T^2)
        x, h0, Wx, Wh, h = cache
        dx, dh0 = np.zeros_like(x), np.zeros_like(h0)
        dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
        db = np.zeros(Wh.shape[0], dtype=dh.dtype)
        for s in range(dh.shape[1]):
            g = dh[:, s]
            for t in range(s, -1, -1):
                prev = h0 if t == 0 else h[:, t - 1]
                da = g * (1 - h[:, t] ** 2)
                dx[:, t] += da @ Wx.T
                dWx += x[:, t].T @ da
                dWh += prev.T @ da
                db += da.sum(axis=0)
                g = da @ Wh.T
            dh0 += g
        return dx, dh0, dWx, dWh, db
""")
HABITS: list[Case] = [
    Case("cell_type_compared_with_is", "if self.cell_type is 'rnn': in loss and sample", IS_COMPARISONS),
    Case("tanh_sigmoid_by_saturating_exp", "tanh as 2 / (1 + e^-2a) - 1 in the RNN and LSTM steps, the "
         "LSTM's sigmoid as 1 / (1 + e^-z)",
         (SATURATING_EXP, Mutate(LAYERS, "rnn_step_forward", SwapCall("np.tanh", "_tanh_by_exp")),
          Mutate(LAYERS, "lstm_step_forward", SwapCall("np.tanh", "_tanh_by_exp")),
          Mutate(LAYERS, "lstm_step_forward", SwapCall("sigmoid", "_sigmoid_by_exp")))),
    Case("quadratic_rnn_backward", "rnn_backward carrying each upstream gradient back on its own (O(T^2))",
         (QUADRATIC_BACKWARD,)),
]
VARIANTS += HABITS


# ----------------------------------------------------------------------------- float32 end to end
# A model that works in float32 whatever dtype it is given: __init__ casts the parameters to
# float32, loss and sample cast the features and parameters they use, so every layer computes
# in float32. The notebook's training and sampling run in float32 anyway (the model's default
# dtype, float32 features): they pass. Its float64 checks of the loss (expected 9.83235591003
# to 1e-10) and of the gradients (numeric, h = 1e-6) fail for it, so the grader may fail the
# items of those checks too (Case.notebook_fails, tested against the notebook itself in
# tests/test_corpus_notebook_regime.py); every other item must keep full marks.
FLOAT32_MODEL = Append(MODEL, """
    _ck_float64_init = CaptioningRNN.__init__


    def _init_float32(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128,
                      cell_type='rnn', dtype=np.float32):
        _ck_float64_init(self, word_to_idx, input_dim, wordvec_dim, hidden_dim, cell_type, dtype)
        self.dtype = np.float32            # float32 end to end, whatever was asked for
        for k, v in self.params.items():
            self.params[k] = v.astype(np.float32)


    def _params32(model):
        return {k: np.asarray(v, dtype=np.float32) for k, v in model.params.items()}


    def _loss_float32(self, features, captions):
        p = _params32(self)
        features = np.asarray(features, dtype=np.float32)
        captions_in, captions_out = captions[:, :-1], captions[:, 1:]
        mask = captions_out != self._null
        h0, proj_cache = affine_forward(features, p['W_proj'], p['b_proj'])
        words, embed_cache = word_embedding_forward(captions_in, p['W_embed'])
        forward, backward = (rnn_forward, rnn_backward) if self.cell_type == 'rnn' else \\
            (lstm_forward, lstm_backward)
        h, rnn_cache = forward(words, h0, p['Wx'], p['Wh'], p['b'])
        scores, vocab_cache = temporal_affine_forward(h, p['W_vocab'], p['b_vocab'])
        loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
        grads = {}
        dh, grads['W_vocab'], grads['b_vocab'] = temporal_affine_backward(dscores, vocab_cache)
        dwords, dh0, grads['Wx'], grads['Wh'], grads['b'] = backward(dh, rnn_cache)
        grads['W_embed'] = word_embedding_backward(dwords, embed_cache)
        _, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, proj_cache)
        return loss, grads


    def _sample_all_float32(self, features, max_length=30):
        p = _params32(self)
        N = features.shape[0]
        captions = np.full((N, max_length), self._null, dtype=np.int32)
        h, _ = affine_forward(np.asarray(features, dtype=np.float32), p['W_proj'], p['b_proj'])
        c = np.zeros_like(h)
        word = np.full(N, self._start)
        for t in range(max_length):
            x, _ = word_embedding_forward(word[:, None], p['W_embed'])
            if self.cell_type == 'rnn':
                h, _ = rnn_step_forward(x[:, 0], h, p['Wx'], p['Wh'], p['b'])
            else:
                h, c, _ = lstm_step_forward(x[:, 0], h, c, p['Wx'], p['Wh'], p['b'])
            scores, _ = affine_forward(h, p['W_vocab'], p['b_vocab'])
            word = np.argmax(scores, axis=1)
            captions[:, t] = word
        return captions


    CaptioningRNN.__init__ = _init_float32
    CaptioningRNN.loss = _loss_float32
    CaptioningRNN.sample = _sample_all_float32
""")
FLOAT32_END_TO_END = Case("float32_end_to_end", "the model casts its parameters and features to float32 "
                          "in __init__, loss and sample: every layer computes in float32", (FLOAT32_MODEL,),
                          notebook_fails=("captioning_loss", "captioning_gradients", "lstm_captioning_loss"))
VARIANTS += [FLOAT32_END_TO_END]


# ----------------------------------------------------------------------------- recording calls
# Not a variant of VARIANTS: the reference with every public function of rnn_layers.py and
# the model's __init__, loss and sample wrapped to record how they are called (positional
# count, keyword names, the kind of each value: dtype and ndim of arrays, numpy scalar or
# Python number, str and whether it is interned, dicts by their keys' and values' kinds).
# tests/test_judge_call_values.py compares what the notebooks pass with what the grader does.
RECORD_LAYERS = Append(LAYERS, """
    import sys as _ck_sys
    import types as _ck_types

    _ck_calls = set()


    def _ck_kind(v):
        if isinstance(v, np.ndarray):
            return 'ndarray[%s,%dd]' % (v.dtype, v.ndim)
        if isinstance(v, np.generic):
            return 'numpy.' + type(v).__name__
        if isinstance(v, str):
            return 'str' if _ck_sys.intern(v) is v else 'str(not interned)'
        if isinstance(v, dict):
            return 'dict{%s}' % ','.join(sorted({_ck_kind(k) + ':' + _ck_kind(x) for k, x in v.items()}))
        if isinstance(v, type):
            return 'type:' + v.__name__
        return type(v).__name__


    def _ck_record(name, fn, skip=0):
        def recorded(*args, **kwargs):
            _ck_calls.add((name, len(args) - skip, tuple(sorted(kwargs)),
                           tuple(_ck_kind(a) for a in args[skip:]),
                           tuple(_ck_kind(kwargs[k]) for k in sorted(kwargs))))
            return fn(*args, **kwargs)
        recorded.__name__, recorded.__doc__ = fn.__name__, fn.__doc__
        return recorded


    def _ck_recorded():
        return sorted([list(c[:2]), list(c[2]), list(c[3]), list(c[4])] for c in _ck_calls)


    for _ck_name, _ck_fn in list(globals().items()):
        if isinstance(_ck_fn, _ck_types.FunctionType) and not _ck_name.startswith('_') \\
                and _ck_fn.__module__ == __name__:
            globals()[_ck_name] = _ck_record(_ck_name, _ck_fn)
""")
RECORD_MODEL = Append(MODEL, """
    from .. import rnn_layers as _ck_layers

    for _ck_name in ('__init__', 'loss', 'sample'):
        setattr(CaptioningRNN, _ck_name, _ck_layers._ck_record('CaptioningRNN.' + _ck_name,
                                                                getattr(CaptioningRNN, _ck_name), skip=1))
""")
RECORDING = Case("recording_calls", "the reference, recording how each student function is called",
                 (RECORD_LAYERS, RECORD_MODEL))
