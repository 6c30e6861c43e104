"""Realistic student bugs, each a small edit of the reference solution.

Every bug names the graded item(s) it must lose points on and the student function the
feedback of those items must name. Bugs are grouped by the function they live in.
"""
from __future__ import annotations

from .spec import LAYERS, MODEL, Case, Replace

LOSS = "CaptioningRNN.loss"
SAMPLE = "CaptioningRNN.sample"


def _bug(name, function, items, description, *edits):
    return Case(name=name, description=description, edits=tuple(edits), items=tuple(items),
                function=function)


def _layer(name, function, description, old, new, items=None):
    """A one-line bug inside `function` of rnn_layers.py, losing points on that function's test."""
    return _bug(name, function, items or (function,), description,
                Replace(LAYERS, old, new, within=function))


def _model(name, function, items, description, old, new):
    return _bug(name, function, items, description, Replace(MODEL, old, new))


RNN_STEP = [
    _layer("step_fwd_no_tanh", "rnn_step_forward", "forgets the tanh nonlinearity",
           "next_h = np.tanh(x @ Wx + prev_h @ Wh + b)", "next_h = x @ Wx + prev_h @ Wh + b"),
    _layer("step_fwd_no_bias", "rnn_step_forward", "leaves out the bias",
           "next_h = np.tanh(x @ Wx + prev_h @ Wh + b)", "next_h = np.tanh(x @ Wx + prev_h @ Wh)"),
    _layer("step_fwd_weights_swapped", "rnn_step_forward", "multiplies prev_h by Wh.T",
           "prev_h @ Wh + b)", "prev_h @ Wh.T + b)"),
    _layer("step_fwd_inplace_prev_h", "rnn_step_forward",
           "accumulates into the caller's prev_h array in place (right output, input destroyed)",
           "next_h = np.tanh(x @ Wx + prev_h @ Wh + b)",
           "prev_h[...] = x @ Wx + prev_h @ Wh + b\n    next_h = np.tanh(prev_h)"),
    _layer("step_bwd_no_tanh_derivative", "rnn_step_backward", "forgets the tanh derivative",
           "da = dnext_h * (1.0 - next_h ** 2)", "da = dnext_h"),
    _layer("step_bwd_tanh_of_tanh", "rnn_step_backward",
           "applies tanh again to the cached output in the derivative",
           "da = dnext_h * (1.0 - next_h ** 2)", "da = dnext_h * (1.0 - np.tanh(next_h) ** 2)"),
    _layer("step_bwd_dx_uses_Wh", "rnn_step_backward", "dx computed with Wh instead of Wx",
           "dx = da @ Wx.T", "dx = da @ Wh.T"),
    _layer("step_bwd_db_mean", "rnn_step_backward", "db averaged instead of summed over the batch",
           "db = da.sum(axis=0)", "db = da.mean(axis=0)"),
    _layer("step_bwd_dWh_transposed", "rnn_step_backward", "dWh transposed (da.T @ prev_h)",
           "dWh = prev_h.T @ da", "dWh = da.T @ prev_h"),
    _layer("step_bwd_dprev_h_skips_tanh", "rnn_step_backward",
           "dprev_h uses the upstream gradient without the tanh derivative",
           "dprev_h = da @ Wh.T", "dprev_h = dnext_h @ Wh.T"),
    _layer("step_bwd_dWx_skips_tanh", "rnn_step_backward",
           "dWx uses the upstream gradient without the tanh derivative",
           "dWx = x.T @ da", "dWx = x.T @ dnext_h"),
]

RNN_SEQUENCE = [
    _bug("fwd_no_feedback", "rnn_forward", ("rnn_forward",),
         "never feeds the new hidden state back (every step starts from h0)",
         Replace(LAYERS, "prev_h, step_cache = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)",
                 "h_t, step_cache = rnn_step_forward(x[:, t, :], h0, Wx, Wh, b)", within="rnn_forward"),
         Replace(LAYERS, "hs.append(prev_h)", "hs.append(h_t)", within="rnn_forward")),
    _layer("fwd_ignores_h0", "rnn_forward", "starts from zeros instead of h0",
           "prev_h = h0", "prev_h = np.zeros_like(h0)"),
    _layer("fwd_reshape_not_transpose", "rnn_forward",
           "stacks time-major and reshapes to (N, T, H) instead of transposing",
           "h = np.stack(hs, axis=1)", "h = np.stack(hs, axis=0).reshape(x.shape[0], x.shape[1], -1)"),
    _layer("bwd_dWh_not_summed", "rnn_backward", "keeps only one time step's dWh",
           "dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t",
           "dWx, dWh, db = dWx + dWx_t, dWh_t, db + db_t"),
    _layer("bwd_dprev_h_not_chained", "rnn_backward",
           "does not add the gradient flowing back from the next time step",
           "rnn_step_backward(dh[:, t, :] + dprev_h, step_caches[t])",
           "rnn_step_backward(dh[:, t, :], step_caches[t])"),
    _layer("bwd_forward_time_order", "rnn_backward", "walks the time steps forwards",
           "for t in reversed(range(T)):", "for t in range(T):"),
    _layer("bwd_dh0_is_first_upstream", "rnn_backward", "returns dh[:, 0] as dh0",
           "dh0 = dprev_h", "dh0 = dh[:, 0, :]"),
]

EMBEDDING = [
    _layer("embed_fwd_reshape_transposed", "word_embedding_forward",
           "looks up x.T and reshapes instead of transposing",
           "out = W[x]", "out = W[x.T].reshape(x.shape[0], x.shape[1], -1)"),
    _layer("embed_bwd_fancy_index_add", "word_embedding_backward",
           "dW[x] += dout loses repeated word indices",
           "np.add.at(dW, x, dout)", "dW[x] += dout"),
    _layer("embed_bwd_mean_over_batch", "word_embedding_backward",
           "divides the embedding gradient by the batch size",
           "np.add.at(dW, x, dout)", "np.add.at(dW, x, dout / x.shape[0])"),
]

LSTM = [
    _bug("lstm_gates_i_f_swapped", "lstm_step_forward", ("lstm_step_forward",),
         "reads the input and forget gates from each other's columns",
         Replace(LAYERS, "i = sigmoid(a[:, :H])", "i = sigmoid(a[:, H:2 * H])", within="lstm_step_forward"),
         Replace(LAYERS, "f = sigmoid(a[:, H:2 * H])", "f = sigmoid(a[:, :H])", within="lstm_step_forward")),
    _layer("lstm_g_sigmoid", "lstm_step_forward", "block input g through a sigmoid instead of tanh",
           "g = np.tanh(a[:, 3 * H:])", "g = sigmoid(a[:, 3 * H:])"),
    _layer("lstm_next_h_without_tanh", "lstm_step_forward", "next_h = o * next_c (no tanh)",
           "next_h = o * tanh_c", "next_h = o * next_c"),
    _layer("lstm_dprev_c_missing_forget", "lstm_step_backward", "dprev_c forgets the forget gate",
           "dprev_c = dc * f", "dprev_c = dc"),
    _layer("lstm_dc_missing_dnext_c", "lstm_step_backward", "drops the incoming cell gradient",
           "dc = dnext_c + dnext_h * o * (1.0 - tanh_c ** 2)", "dc = dnext_h * o * (1.0 - tanh_c ** 2)"),
    _layer("lstm_fwd_c0_is_h0", "lstm_forward", "starts the cell state from h0 instead of zeros",
           "prev_h, prev_c = h0, np.zeros_like(h0)", "prev_h, prev_c = h0, h0.copy()"),
    _layer("lstm_bwd_dWx_not_accumulated", "lstm_backward", "keeps only one time step's dWx",
           "dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t",
           "dWx, dWh, db = dWx_t, dWh + dWh_t, db + db_t"),
    _layer("lstm_bwd_cell_grad_dropped", "lstm_backward", "passes a zero cell gradient to every step",
           "dh[:, t, :] + dprev_h, dprev_c, step_caches[t])",
           "dh[:, t, :] + dprev_h, np.zeros_like(dprev_c), step_caches[t])"),
]

MODEL_LOSS = [
    _model("captions_out_off_by_one", LOSS, ("captioning_loss",), "targets are the inputs (no shift)",
           "captions_out = captions[:, 1:]", "captions_out = captions[:, :-1]"),
    _model("captions_in_off_by_one", LOSS, ("captioning_loss",), "inputs start at the first word",
           "captions_in = captions[:, :-1]", "captions_in = captions[:, 1:]"),
    _model("mask_from_captions_in", LOSS, ("captioning_loss",), "mask built from captions_in",
           "mask = (captions_out != self._null)", "mask = (captions_in != self._null)"),
    _model("mask_ignored", LOSS, ("captioning_loss",), "loss computed over <NULL> padding too",
           "temporal_softmax_loss(scores, captions_out, mask)",
           "temporal_softmax_loss(scores, captions_out, np.ones_like(mask))"),
    _model("h0_projection_tanh", LOSS, ("captioning_loss",), "tanh applied to the h0 projection",
           "h0, proj_cache = affine_forward(features, W_proj, b_proj)\n",
           "h0, proj_cache = affine_forward(features, W_proj, b_proj)\n        h0 = np.tanh(h0)\n"),
    _model("grads_missing_b_proj", LOSS, ("captioning_gradients",), "grads has no 'b_proj' key",
           "_, grads['W_proj'], grads['b_proj'] = affine_backward(dh0, proj_cache)",
           "_, grads['W_proj'], _ = affine_backward(dh0, proj_cache)"),
    _bug("W_vocab_grad_transposed", LOSS, ("captioning_gradients",), "grads['W_vocab'] transposed",
         Replace(MODEL, "grads['W_embed'] = word_embedding_backward(dwords, embed_cache)",
                 "grads['W_embed'] = word_embedding_backward(dwords, embed_cache)\n"
                 "        grads['W_vocab'] = grads['W_vocab'].T")),
    _model("W_proj_grad_from_first_step", LOSS, ("captioning_gradients",),
           "back-propagates dh[:, 0] instead of dh0 into the projection",
           "affine_backward(dh0, proj_cache)", "affine_backward(dh[:, 0, :], proj_cache)"),
    _model("lstm_loss_runs_rnn", LOSS, ("lstm_captioning_loss",), "always runs the vanilla RNN forward",
           "h, rnn_cache = lstm_forward(words, h0, Wx, Wh, b)",
           "h, rnn_cache = rnn_forward(words, h0, Wx, Wh, b)"),
]

MODEL_SAMPLE = [
    _model("sample_argmax_wrong_axis", SAMPLE, ("sample",), "argmax over the batch axis",
           "word = np.argmax(scores, axis=1)", "word = np.argmax(scores, axis=0)"),
    _bug("sample_no_feedback", SAMPLE, ("sample",), "never feeds the sampled word back (always <START>)",
         Replace(MODEL, "word = np.argmax(scores, axis=1)\n            captions[:, t] = word",
                 "captions[:, t] = np.argmax(scores, axis=1)")),
    _model("sample_starts_from_null", SAMPLE, ("sample",), "first input word is <NULL>, not <START>",
           "word = np.full(N, self._start, dtype=np.int64)", "word = np.full(N, self._null, dtype=np.int64)"),
    _bug("sample_writes_start_in_column_0", SAMPLE, ("sample",),
         "column 0 holds <START>, the generated words are shifted right by one",
         Replace(MODEL, "word = np.full(N, self._start, dtype=np.int64)",
                 "word = np.full(N, self._start, dtype=np.int64)\n        captions[:, 0] = self._start"),
         Replace(MODEL, "captions[:, t] = word",
                 "if t + 1 < max_length:\n                captions[:, t + 1] = word")),
    _model("sample_h0_without_bias", SAMPLE, ("sample",), "leaves b_proj out of the initial state",
           "h = features @ W_proj + b_proj", "h = features @ W_proj"),
    _model("sample_scores_without_bias", SAMPLE, ("sample",), "leaves b_vocab out of the word scores",
           "scores = h @ W_vocab + b_vocab", "scores = h @ W_vocab"),
]

BUGS: list[Case] = RNN_STEP + RNN_SEQUENCE + EMBEDDING + LSTM + MODEL_LOSS + MODEL_SAMPLE


# ----------------------------------------------------------------------------- issue 11 patterns
N1_ONLY = "N=1"      # the only case a squeeze bug may lose points on
SQUEEZE_N1 = _layer("step_bwd_squeeze_breaks_n1", "rnn_step_backward",
                    "np.squeeze(da) in dWx: right for N > 1, a matmul error for a batch of one",
                    "dWx = x.T @ da", "dWx = x.T @ np.squeeze(da)")
# The same habit elsewhere (real-student-code.md: rnn_backward, lstm_backward or sample).
SQUEEZE_LSTM_N1 = _layer("lstm_step_bwd_squeeze_breaks_n1", "lstm_step_backward",
                         "np.squeeze(x) in dWx: right for N > 1, a matmul error for a batch of one",
                         "dWx = x.T @ da", "dWx = np.squeeze(x).T @ da")
SQUEEZE_SAMPLE_N1 = _model("sample_squeeze_breaks_n1", SAMPLE, ("sample", "lstm_sample"),
                           "np.squeeze on the word scores: right for N > 1, an axis error in "
                           "argmax(..., axis=1) for a batch of one",
                           "word = np.argmax(scores, axis=1)", "word = np.argmax(np.squeeze(scores), axis=1)")
SQUEEZE_BUGS = [SQUEEZE_N1, SQUEEZE_LSTM_N1, SQUEEZE_SAMPLE_N1]
BUGS += SQUEEZE_BUGS

# Model files that do not import. Not in BUGS: the Python 2 one does not even compile. Each must
# lose points on every model item ("not graded: <file> does not import"), keep full marks on the
# layer items (rnn_layers.py is fine), and the top-level output names the file.
MODEL_ITEMS = ("captioning_loss", "captioning_gradients", "sample", "lstm_captioning_loss", "lstm_sample")
IMPORT_FAILURES: list[Case] = [
    _bug("model_python2_print", "CaptioningRNN.loss", MODEL_ITEMS,
         "classifiers/rnn.py written for Python 2 (a print statement)",
         Replace(MODEL, "        loss, grads = 0.0, {}\n",
                 "        loss, grads = 0.0, {}\n        print 'captions', captions.shape\n")),
    _bug("model_imports_missing_module", "CaptioningRNN.loss", MODEL_ITEMS,
         "classifiers/rnn.py imports cs231n.fast_layers, which the handout does not have",
         Replace(MODEL, "import numpy as np\n", "import numpy as np\nfrom cs231n.fast_layers import *\n")),
]

# The overfit items each bug must fail too: its training goes wrong (a gradient the judge's
# spot checks refuse, a loss above the threshold, or a loss that raises). Measured with every
# item graded (`coursekit selftest`): the notebook's recipe (hidden 512) failed the same pairs
# but two (step_fwd_no_bias and embed_fwd_reshape_transposed at overfit); the cheaper recipe
# must never lose one of them (tests/test_corpus_bugs.py grades them with the overfit items).
_RNN, _LSTM, _BOTH = ("overfit",), ("lstm_overfit",), ("overfit", "lstm_overfit")
TRAINING_CATCHES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("W_proj_grad_from_first_step", "W_vocab_grad_transposed", "captions_in_off_by_one",
                     "captions_out_off_by_one", "embed_fwd_reshape_transposed", "grads_missing_b_proj",
                     "mask_ignored"), _BOTH),
    **dict.fromkeys(("bwd_dh0_is_first_upstream", "bwd_dprev_h_not_chained", "bwd_forward_time_order",
                     "fwd_ignores_h0", "fwd_no_feedback", "fwd_reshape_not_transpose",
                     "step_bwd_dWh_transposed", "step_bwd_dprev_h_skips_tanh", "step_bwd_dx_uses_Wh",
                     "step_bwd_no_tanh_derivative", "step_bwd_tanh_of_tanh", "step_fwd_inplace_prev_h",
                     "step_fwd_no_bias", "step_fwd_no_tanh", "step_fwd_weights_swapped"), _RNN),
    **dict.fromkeys(("h0_projection_tanh", "lstm_bwd_cell_grad_dropped", "lstm_bwd_dWx_not_accumulated",
                     "lstm_dc_missing_dnext_c", "lstm_dprev_c_missing_forget", "lstm_fwd_c0_is_h0",
                     "lstm_g_sigmoid", "lstm_gates_i_f_swapped", "lstm_loss_runs_rnn",
                     "lstm_next_h_without_tanh"), _LSTM),
}
