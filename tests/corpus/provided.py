"""Changed provided code in a student file (coursekit.judge.provided): each change must be
named, as a note when it changes no graded result, and in the failing tests when it does.

Each case redefines one provided function (appended: robust to any rewrite of the
reference). `items`: the graded items it must lose points on (none: a note only);
`function`: the provided function the feedback must name.
"""
from __future__ import annotations

from .spec import LAYERS, MODEL, Append, Case

AFFINE_DX_FLAT = Append(LAYERS, """
    _ck_affine_backward = affine_backward


    def affine_backward(dout, cache):
        # dx flattened to (N, D): the same for the model's 2-D inputs, not for 3-D or 4-D ones
        dx, dw, db = _ck_affine_backward(dout, cache)
        return dx.reshape(dx.shape[0], -1), dw, db
""")

LENIENT_INIT = Append(MODEL, """
    _ck_init = CaptioningRNN.__init__


    def _ck_lenient_init(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128,
                         cell_type='rnn', dtype=np.float32):
        # any other cell_type is taken as 'rnn' (no ValueError)
        _ck_init(self, word_to_idx, input_dim, wordvec_dim, hidden_dim,
                 cell_type if cell_type in ('rnn', 'lstm') else 'rnn', dtype)
        self.cell_type = cell_type


    CaptioningRNN.__init__ = _ck_lenient_init
""")

EXP_SIGMOID = Append(LAYERS, """
    def sigmoid(x):
        # e^x / (1 + e^x): NaN (inf / inf) once x passes ~88 in float32
        return np.exp(x) / (1 + np.exp(x))
""")

SUMMED_SOFTMAX_LOSS = Append(LAYERS, """
    _ck_softmax_loss = temporal_softmax_loss


    def temporal_softmax_loss(x, y, mask, verbose=False):
        # summed over the minibatch instead of averaged
        loss, dx = _ck_softmax_loss(x, y, mask, verbose)
        return loss * x.shape[0], dx * x.shape[0]
""")

PROVIDED_CHANGES: list[Case] = [
    Case("provided_affine_dx_flat", "affine_backward returns dx flattened to (N, D)", (AFFINE_DX_FLAT,),
         function="affine_forward"),
    Case("provided_init_accepts_unknown_cell_type", "CaptioningRNN.__init__ without the ValueError for "
         "an unknown cell_type", (LENIENT_INIT,), function="CaptioningRNN.__init__"),
    Case("provided_sigmoid_overflows", "sigmoid written as e^x / (1 + e^x) (NaN for large inputs)",
         (EXP_SIGMOID,), items=("lstm_step_forward",), function="sigmoid"),
    Case("provided_softmax_loss_summed", "temporal_softmax_loss summed over the minibatch",
         (SUMMED_SOFTMAX_LOSS,), items=("captioning_loss", "captioning_gradients", "lstm_captioning_loss"),
         function="temporal_softmax_loss"),
]
