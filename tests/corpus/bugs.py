"""Realistic student bugs, each a small edit of the reference solution.

Every bug names the graded item(s) it must lose points on and the student function the
feedback of those items must name. Bugs are grouped by the function they live in.
"""
from __future__ import annotations

from .mutations import (AddAtToIndexedAdd, CallArg, DropFactor, DropTerm, Expr, InsertAfter, Mutate, Rename,
                        SwapAssigned, SwapCall, Unwrap)
from .spec import LAYERS, MODEL, Append, Case, Replace

LOSS = "CaptioningRNN.loss"
SAMPLE = "CaptioningRNN.sample"


def _bug(name, function, items, description, *edits):
    return Case(name=name, description=description, edits=tuple(edits), items=tuple(items),
                function=function)


def _layer(name, function, description, rule, items=None):
    """A bug inside `function` of rnn_layers.py (a structural edit), losing points on that
    function's test."""
    return _bug(name, function, items or (function,), description, Mutate(LAYERS, function, rule))


def _model(name, function, items, description, rule):
    return _bug(name, function, items, description, Mutate(MODEL, function, rule))


def _wrapped(name, function, description, code, file=LAYERS, items=None):
    """A bug defined by its behaviour: `function` redefined around the reference's own (kept
    as _ck_<function>), whatever the reference's code looks like."""
    return _bug(name, function, items or (function,), description, Append(file, code))


RNN_STEP = [
    _layer("step_fwd_no_tanh", "rnn_step_forward", "forgets the tanh nonlinearity", Unwrap("np.tanh")),
    _layer("step_fwd_no_bias", "rnn_step_forward", "leaves out the bias", DropTerm("b")),
    _layer("step_fwd_weights_swapped", "rnn_step_forward", "multiplies prev_h by Wh.T",
           Expr("prev_h @ Wh", "prev_h @ Wh.T")),
    _wrapped("step_fwd_inplace_prev_h", "rnn_step_forward",
             "accumulates into the caller's prev_h array in place (right output, input destroyed)", """
        _ck_rnn_step_forward = rnn_step_forward


        def rnn_step_forward(x, prev_h, Wx, Wh, b):
            next_h, cache = _ck_rnn_step_forward(x, prev_h, Wx, Wh, b)
            prev_h[...] = x @ Wx + prev_h @ Wh + b
            return next_h, cache
    """),
    _layer("step_bwd_no_tanh_derivative", "rnn_step_backward", "forgets the tanh derivative",
           Expr("1 - next_h ** 2", "1.0")),
    _layer("step_bwd_tanh_of_tanh", "rnn_step_backward",
           "applies tanh again to the cached output in the derivative",
           Expr("1 - next_h ** 2", "1.0 - np.tanh(next_h) ** 2")),
    _layer("step_bwd_dx_uses_Wh", "rnn_step_backward", "dx computed with Wh instead of Wx",
           Rename("Wx", "Wh", target="dx")),
    _wrapped("step_bwd_db_mean", "rnn_step_backward", "db averaged instead of summed over the batch", """
        _ck_rnn_step_backward = rnn_step_backward


        def rnn_step_backward(dnext_h, cache):
            dx, dprev_h, dWx, dWh, db = _ck_rnn_step_backward(dnext_h, cache)
            return dx, dprev_h, dWx, dWh, db / dnext_h.shape[0]
    """),
    _wrapped("step_bwd_dWh_transposed", "rnn_step_backward", "dWh transposed (da.T @ prev_h)", """
        _ck_rnn_step_backward = rnn_step_backward


        def rnn_step_backward(dnext_h, cache):
            dx, dprev_h, dWx, dWh, db = _ck_rnn_step_backward(dnext_h, cache)
            return dx, dprev_h, dWx, dWh.T, db
    """),
    _layer("step_bwd_dprev_h_skips_tanh", "rnn_step_backward",
           "dprev_h uses the upstream gradient without the tanh derivative",
           Rename("da", "dnext_h", target="dprev_h")),
    _layer("step_bwd_dWx_skips_tanh", "rnn_step_backward",
           "dWx uses the upstream gradient without the tanh derivative",
           Rename("da", "dnext_h", target="dWx")),
]

RNN_SEQUENCE = [
    _layer("fwd_no_feedback", "rnn_forward", "never feeds the new hidden state back (every step starts from h0)",
           CallArg("rnn_step_forward", 1, "h0")),
    _layer("fwd_ignores_h0", "rnn_forward", "starts from zeros instead of h0", Rename("h0", "np.zeros_like(h0)")),
    _wrapped("fwd_reshape_not_transpose", "rnn_forward",
             "stacks time-major and reshapes to (N, T, H) instead of transposing", """
        _ck_rnn_forward = rnn_forward


        def rnn_forward(x, h0, Wx, Wh, b):
            h, cache = _ck_rnn_forward(x, h0, Wx, Wh, b)
            return np.stack([h[:, t] for t in range(h.shape[1])], axis=0).reshape(h.shape), cache
    """),
    _layer("bwd_dWh_not_summed", "rnn_backward", "keeps only one time step's dWh", DropTerm("dWh")),
    _layer("bwd_dprev_h_not_chained", "rnn_backward",
           "does not add the gradient flowing back from the next time step", DropTerm("dprev_h")),
    _layer("bwd_forward_time_order", "rnn_backward", "walks the time steps forwards", Unwrap("reversed")),
    _wrapped("bwd_dh0_is_first_upstream", "rnn_backward", "returns dh[:, 0] as dh0", """
        _ck_rnn_backward = rnn_backward


        def rnn_backward(dh, cache):
            dx, dh0, dWx, dWh, db = _ck_rnn_backward(dh, cache)
            return dx, dh[:, 0, :].copy(), dWx, dWh, db
    """),
]

EMBEDDING = [
    _wrapped("embed_fwd_reshape_transposed", "word_embedding_forward",
             "looks up x.T and reshapes instead of transposing", """
        _ck_word_embedding_forward = word_embedding_forward


        def word_embedding_forward(x, W):
            out, cache = _ck_word_embedding_forward(x, W)
            return W[x.T].reshape(x.shape[0], x.shape[1], -1), cache
    """),
    _layer("embed_bwd_fancy_index_add", "word_embedding_backward",
           "dW[x] += dout loses repeated word indices", AddAtToIndexedAdd()),
    _wrapped("embed_bwd_mean_over_batch", "word_embedding_backward",
             "divides the embedding gradient by the batch size", """
        _ck_word_embedding_backward = word_embedding_backward


        def word_embedding_backward(dout, cache):
            return _ck_word_embedding_backward(dout, cache) / dout.shape[0]
    """),
]

LSTM = [
    _layer("lstm_gates_i_f_swapped", "lstm_step_forward",
           "reads the input and forget gates from each other's columns", SwapAssigned("i", "f")),
    _layer("lstm_g_sigmoid", "lstm_step_forward", "block input g through a sigmoid instead of tanh",
           SwapCall("np.tanh", "sigmoid", target="g")),
    _layer("lstm_next_h_without_tanh", "lstm_step_forward", "next_h = o * next_c (no tanh)",
           Expr("o * tanh_c", "o * next_c")),
    _layer("lstm_dprev_c_missing_forget", "lstm_step_backward", "dprev_c forgets the forget gate",
           DropFactor("f", target="dprev_c")),
    _layer("lstm_dc_missing_dnext_c", "lstm_step_backward", "drops the incoming cell gradient",
           DropTerm("dnext_c", target="dc")),
    _layer("lstm_fwd_c0_is_h0", "lstm_forward", "starts the cell state from h0 instead of zeros",
           Expr("np.zeros_like(h0)", "h0.copy()")),
    _layer("lstm_bwd_dWx_not_accumulated", "lstm_backward", "keeps only one time step's dWx", DropTerm("dWx")),
    _layer("lstm_bwd_cell_grad_dropped", "lstm_backward", "passes a zero cell gradient to every step",
           CallArg("lstm_step_backward", 1, "np.zeros_like(dprev_c)")),
]

MODEL_LOSS = [
    _model("captions_out_off_by_one", LOSS, ("captioning_loss",), "targets are the inputs (no shift)",
           Expr("captions[:, 1:]", "captions[:, :-1]", target="captions_out")),
    _model("captions_in_off_by_one", LOSS, ("captioning_loss",), "inputs start at the first word",
           Expr("captions[:, :-1]", "captions[:, 1:]", target="captions_in")),
    _model("mask_from_captions_in", LOSS, ("captioning_loss",), "mask built from captions_in",
           Rename("captions_out", "captions_in", target="mask")),
    _model("mask_ignored", LOSS, ("captioning_loss",), "loss computed over <NULL> padding too",
           CallArg("temporal_softmax_loss", 2, "np.ones_like(mask)")),
    _model("h0_projection_tanh", LOSS, ("captioning_loss",), "tanh applied to the h0 projection",
           InsertAfter("h0", "h0 = np.tanh(h0)")),
    _wrapped("grads_missing_b_proj", LOSS, "grads has no 'b_proj' key", """
        _ck_loss = CaptioningRNN.loss


        def _ck_loss_without_b_proj(self, features, captions):
            loss, grads = _ck_loss(self, features, captions)
            grads.pop('b_proj', None)
            return loss, grads


        CaptioningRNN.loss = _ck_loss_without_b_proj
    """, file=MODEL, items=("captioning_gradients",)),
    _wrapped("W_vocab_grad_transposed", LOSS, "grads['W_vocab'] transposed", """
        _ck_loss = CaptioningRNN.loss


        def _ck_loss_W_vocab_transposed(self, features, captions):
            loss, grads = _ck_loss(self, features, captions)
            if 'W_vocab' in grads:
                grads['W_vocab'] = grads['W_vocab'].T
            return loss, grads


        CaptioningRNN.loss = _ck_loss_W_vocab_transposed
    """, file=MODEL, items=("captioning_gradients",)),
    _model("W_proj_grad_from_first_step", LOSS, ("captioning_gradients",),
           "back-propagates dh[:, 0] instead of dh0 into the projection", CallArg("affine_backward", 0, "dh[:, 0, :]")),
    _model("lstm_loss_runs_rnn", LOSS, ("lstm_captioning_loss",), "always runs the vanilla RNN forward",
           Rename("lstm_forward", "rnn_forward")),
]

MODEL_SAMPLE = [
    _model("sample_argmax_wrong_axis", SAMPLE, ("sample",), "argmax over the batch axis",
           Expr("np.argmax(scores, axis=1)", "np.argmax(scores, axis=0)")),
    _model("sample_no_feedback", SAMPLE, ("sample",), "never feeds the sampled word back (always <START>)",
           Expr("W_embed[word]", "W_embed[np.full(N, self._start)]")),
    _model("sample_starts_from_null", SAMPLE, ("sample",), "first input word is <NULL>, not <START>",
           Expr("self._start", "self._null", target="word")),
    _wrapped("sample_writes_start_in_column_0", SAMPLE,
             "column 0 holds <START>, the generated words are shifted right by one", """
        _ck_sample = CaptioningRNN.sample


        def _ck_sample_start_first(self, features, max_length=30):
            captions = _ck_sample(self, features, max_length)
            shifted = np.full_like(captions, self._null)
            shifted[:, 0] = self._start
            shifted[:, 1:] = captions[:, :-1]
            return shifted


        CaptioningRNN.sample = _ck_sample_start_first
    """, file=MODEL, items=("sample",)),
    _wrapped("sample_column_0_left_null", SAMPLE,
             "writes from column 1 (a captions[: 0]-style typo): column 0 stays <NULL>, every caption "
             "shifted right by one", """
        _ck_sample = CaptioningRNN.sample


        def _ck_sample_from_column_1(self, features, max_length=30):
            captions = _ck_sample(self, features, max_length)
            shifted = np.full_like(captions, self._null)
            shifted[:, 1:] = captions[:, :-1]
            return shifted


        CaptioningRNN.sample = _ck_sample_from_column_1
    """, file=MODEL, items=("sample",)),
    _model("sample_h0_without_bias", SAMPLE, ("sample",), "leaves b_proj out of the initial state",
           DropTerm("b_proj")),
    _model("sample_scores_without_bias", SAMPLE, ("sample",), "leaves b_vocab out of the word scores",
           DropTerm("b_vocab")),
]

BUGS: list[Case] = RNN_STEP + RNN_SEQUENCE + EMBEDDING + LSTM + MODEL_LOSS + MODEL_SAMPLE


# ----------------------------------------------------------------------------- issue 11 patterns
N1_ONLY = "N=1"      # the only case a squeeze bug may lose points on
SQUEEZE_N1 = _layer("step_bwd_squeeze_breaks_n1", "rnn_step_backward",
                    "np.squeeze(da) in dWx: right for N > 1, a matmul error for a batch of one",
                    Rename("da", "np.squeeze(da)", target="dWx"))
# The same habit elsewhere (real-student-code.md: rnn_backward, lstm_backward or sample).
SQUEEZE_LSTM_N1 = _layer("lstm_step_bwd_squeeze_breaks_n1", "lstm_step_backward",
                         "np.squeeze(x) in dWx: right for N > 1, a matmul error for a batch of one",
                         Rename("x", "np.squeeze(x)", target="dWx"))
SQUEEZE_SAMPLE_N1 = _model("sample_squeeze_breaks_n1", SAMPLE, ("sample", "lstm_sample"),
                           "np.squeeze on the word scores: right for N > 1, an axis error in "
                           "argmax(..., axis=1) for a batch of one",
                           Expr("np.argmax(scores, axis=1)", "np.argmax(np.squeeze(scores), axis=1)"))
SQUEEZE_BUGS = [SQUEEZE_N1, SQUEEZE_LSTM_N1, SQUEEZE_SAMPLE_N1]
BUGS += SQUEEZE_BUGS

# A module the grader does not have, used by one function: only that function's item is lost,
# and its feedback names the module (the file is graded with a stand-in for it).
MISSING_MODULE_BUGS = [
    _bug("sample_uses_missing_module", SAMPLE, ("sample", "lstm_sample"),
         "import torch at the top of classifiers/rnn.py, torch.argmax in sample",
         Replace(MODEL, "import numpy as np\n", "import numpy as np\nimport torch\n"),
         Mutate(MODEL, SAMPLE, SwapCall("np.argmax", "torch.argmax"))),
]
BUGS += MISSING_MODULE_BUGS

# Model files that do not import. Not in BUGS: the Python 2 one does not even compile. Each must
# lose points on every model item ("not graded: <file> does not import"), keep full marks on the
# layer items (rnn_layers.py is fine), and the top-level output names the file.
MODEL_ITEMS = ("captioning_loss", "captioning_gradients", "sample", "lstm_captioning_loss", "lstm_sample")
IMPORT_FAILURES: list[Case] = [
    _bug("model_python2_print", "CaptioningRNN.loss", MODEL_ITEMS,
         "classifiers/rnn.py written for Python 2 (a print statement)",
         Append(MODEL, "print 'captioning model loaded'")),
    _bug("model_imports_missing_module", "CaptioningRNN.loss", MODEL_ITEMS,
         "classifiers/rnn.py imports cs231n.fast_layers, which the handout does not have",
         Replace(MODEL, "import numpy as np\n", "import numpy as np\nfrom cs231n.fast_layers import *\n")),
]

# The overfit items each bug must fail too: the model code itself is wrong (a training that
# fails only because of a layer is run again with the reference layers and keeps its points:
# coursekit.judge.culprits). Measured with every item graded (`coursekit selftest`).
_LSTM, _BOTH = ("lstm_overfit",), ("overfit", "lstm_overfit")
TRAINING_CATCHES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("W_proj_grad_from_first_step", "W_vocab_grad_transposed", "captions_in_off_by_one",
                     "captions_out_off_by_one", "grads_missing_b_proj", "mask_ignored"), _BOTH),
    **dict.fromkeys(("lstm_loss_runs_rnn",), _LSTM),
}
# Not listed: h0_projection_tanh (its backward skips the tanh's derivative). Whether lstm_overfit
# refuses its training depends on the gradient spot checks' iterations, which the course's seed
# draws: refused with tests/test_seed, trained below the threshold with a drawn seed. It is
# charged at captioning_loss, its own item, under every seed.

# Bugs that may also cost points at another function's items (every other bug loses points
# only at its own function's items, `coursekit selftest` checks it), and why.
# None today: a forward that overwrites prev_h, which its cache holds, used to cost
# rnn_step_backward too; its backward is now judged on that cache with prev_h put back
# (coursekit/judge/atpoint.py credited_on_restored_cache).
SHARED_COSTS: dict[str, str] = {}


# ----------------------------------------------------------------------------- numerics
# Real solutions write tanh or the gates' sigmoid with np.exp; these forms overflow to NaN in
# float32 once |a| passes ~44-88, which the notebook never reaches and a trained model does
# (the step tests' trained-range inputs, coursekit.judge.training.ranges). Each costs points at
# its step function only, with the overflow named; the trainings and trained samples keep
# theirs (they retry with the reference's step).
EXP_TANH = Append(LAYERS, """
    def _exp_tanh(a):
        return (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))


    def _exp_tanh_neg2(a):
        return (1 - np.exp(-2 * a)) / (1 + np.exp(-2 * a))


    def _exp_sigmoid(z):
        return np.exp(z) / (1 + np.exp(z))
""")
OVERFLOW_BUGS = [
    _bug("step_fwd_tanh_exp_overflow", "rnn_step_forward", ("rnn_step_forward",),
         "tanh written as (e^a - e^-a) / (e^a + e^-a): NaN in float32 for large pre-activations",
         EXP_TANH, Mutate(LAYERS, "rnn_step_forward", SwapCall("np.tanh", "_exp_tanh"))),
    _bug("lstm_tanh_exp_overflow", "lstm_step_forward", ("lstm_step_forward",),
         "tanh written as (1 - e^-2a) / (1 + e^-2a) in the LSTM step: NaN in float32 for large inputs",
         EXP_TANH, Mutate(LAYERS, "lstm_step_forward", SwapCall("np.tanh", "_exp_tanh_neg2"))),
    _bug("lstm_sigmoid_exp_overflow", "lstm_step_forward", ("lstm_step_forward",),
         "the gates' sigmoid written as e^z / (1 + e^z): NaN in float32 for large pre-activations",
         EXP_TANH, Mutate(LAYERS, "lstm_step_forward", SwapCall("sigmoid", "_exp_sigmoid"))),
]
BUGS += OVERFLOW_BUGS


# The hint (coursekit.judge.hints.CATALOGUE key) each of these bugs' feedback must show; no
# bug may show one of these hints but its own (hints only when true).
HINTED = {
    "sample_argmax_wrong_axis": "sample_argmax_axis", "sample_no_feedback": "sample_no_feedback",
    "sample_starts_from_null": "sample_start_null", "sample_writes_start_in_column_0": "sample_start_in_output",
    "sample_column_0_left_null": "sample_shifted_null", "sample_h0_without_bias": "sample_h0_no_bias",
    "sample_scores_without_bias": "sample_scores_no_bias", "step_fwd_tanh_exp_overflow": "tanh_exp_overflow",
    "lstm_tanh_exp_overflow": "tanh_exp_overflow", "lstm_sigmoid_exp_overflow": "sigmoid_exp_overflow",
    "embed_bwd_fancy_index_add": "embed_repeats",
}
