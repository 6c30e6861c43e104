"""Checks of CaptioningRNN (loss, gradients, sample) on randomized problems, judge-side."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import CheckFailed, close, rel_err, tolerance, valid_array, valid_scalar
from .hints import HINTS, diagnose
from .captions import captions_agree, end_index, valid_captions
from .session import HELPERS
from . import sample_variants as SV

PARAM_NAMES = ["W_embed", "W_proj", "b_proj", "Wx", "Wh", "b", "W_vocab", "b_vocab"]
NULL, START, END = 0, 1, 2


@dataclass
class Problem:
    cell: str
    word_to_idx: dict
    dims: dict           # input_dim, wordvec_dim, hidden_dim
    dtype: str
    params: dict
    features: np.ndarray
    captions: np.ndarray
    max_length: int

    def grant_dims(self) -> dict:
        """The dimensions a granted reference call of this problem's test may have
        (grant_args.Bounds): N captions; T up to the captions' length (a loss may embed them
        whole) or a sample's max_length + 1; D the word vectors', H the hidden state's; V words."""
        N, T = (int(n) for n in self.captions.shape)
        return {"N": N, "T": max(T, self.max_length + 1), "D": int(self.dims["wordvec_dim"]),
                "H": int(self.dims["hidden_dim"]), "V": len(self.word_to_idx)}


def random_problem(rng, cell: str, case: str, dtype: str | None = None) -> Problem:
    """A random model and minibatch; float64 unless the case is "float32" or `dtype` says."""
    V = int(rng.integers(6, 12))
    words = ["<NULL>", "<START>", "<END>"] + [f"w{k}" for k in range(V - 3)]
    word_to_idx = {w: i for i, w in enumerate(words)}
    N = 1 if case == "N=1" else int(rng.integers(3, 7))
    T = 1 if case == "T=1" else int(rng.integers(3, 8))
    D, W, H = (int(rng.integers(3, 9)) for _ in range(3))
    mul = 4 if cell == "lstm" else 1
    dtype = dtype or ("float32" if case == "float32" else "float64")
    shapes = {"W_embed": (V, W), "W_proj": (D, H), "b_proj": (H,), "Wx": (W, mul * H),
              "Wh": (H, mul * H), "b": (mul * H,), "W_vocab": (H, V), "b_vocab": (V,)}
    params = {k: (rng.standard_normal(s) * 0.6).astype(dtype) for k, s in shapes.items()}
    captions = rng.integers(3, V, size=(N, T + 1))
    captions[:, 0] = START
    for i in range(N):  # random lengths: <END> then <NULL> padding
        end = int(rng.integers(1, T + 1))
        captions[i, end] = END
        captions[i, end + 1:] = NULL
    if case == "all-masked rows":
        captions[0, 1:] = NULL
    features = (rng.standard_normal((N, D)) * 0.8).astype(dtype)
    return Problem(cell, word_to_idx, {"input_dim": D, "wordvec_dim": W, "hidden_dim": H}, dtype,
                   params, features, captions, int(rng.integers(3, 9)))


def reference_model(judge, prob: Problem):
    model = judge.model.CaptioningRNN(prob.word_to_idx, cell_type=prob.cell,
                                  dtype=np.dtype(prob.dtype).type, **prob.dims)
    model.params = {k: v.copy() for k, v in prob.params.items()}
    return model


def student_model(runner, prob: Problem):
    return runner.call(f"{HELPERS}:make_model", prob.word_to_idx, prob.dims["input_dim"],
                       prob.dims["wordvec_dim"], prob.dims["hidden_dim"], prob.cell, prob.dtype,
                       prob.params, what="CaptioningRNN.__init__")


def student_loss(runner, prob: Problem):
    model = student_model(runner, prob)
    res = runner.call(f"{HELPERS}:call_method", model, "loss", prob.features, prob.captions,
                      what="CaptioningRNN.loss")
    if not isinstance(res, (tuple, list)) or len(res) != 2:
        raise CheckFailed("CaptioningRNN.loss must return (loss, grads).")
    return valid_scalar(res[0], "loss"), res[1]


def variant_losses(judge, prob: Problem) -> dict:
    """Losses of the usual model bugs, computed with the reference layers."""
    L, p, c = judge.layers, prob.params, prob.captions

    def loss(cin, cout, mask, h0_tanh=False):
        h0 = prob.features @ p["W_proj"] + p["b_proj"]
        h0 = np.tanh(h0) if h0_tanh else h0
        x = p["W_embed"][cin]
        fwd = L.rnn_forward if prob.cell == "rnn" else L.lstm_forward
        h, _ = fwd(x, h0, p["Wx"], p["Wh"], p["b"])
        scores, _ = L.temporal_affine_forward(h, p["W_vocab"], p["b_vocab"])
        return L.temporal_softmax_loss(scores, cout, mask)[0]
    cin, cout = c[:, :-1], c[:, 1:]
    return {"off_by_one": lambda: loss(c[:, 1:], c[:, :-1], c[:, :-1] != NULL),
            "mask_from_in": lambda: loss(cin, cout, cin != NULL),
            "no_mask": lambda: loss(cin, cout, np.ones_like(cout, dtype=bool)),
            "h0_tanh": lambda: loss(cin, cout, cout != NULL, h0_tanh=True)}


def check_loss(judge, runner, prob: Problem) -> None:
    loss, grads = student_loss(runner, prob)
    if loss == 0.0 and isinstance(grads, dict) and not grads:
        raise CheckFailed("CaptioningRNN.loss returns loss 0 and no gradients: not implemented yet.")
    expected = float(reference_model(judge, prob).loss(prob.features, prob.captions)[0])
    tol = tolerance(prob.features)
    err = abs(loss - expected) / max(abs(expected), 1e-12)
    if not err <= tol:
        found = diagnose(np.array([loss]), {k: (lambda f=f: np.array([f()]))
                                            for k, f in variant_losses(judge, prob).items()}, tol)
        raise CheckFailed(f"loss: relative error {err:.2e} vs the reference model (tolerance {tol:.0e})."
                          + (f" Hint: {found}" if found else ""))


def check_grads(judge, runner, prob: Problem) -> None:
    _, grads = student_loss(runner, prob)
    if not isinstance(grads, dict):
        raise CheckFailed("grads must be a dict parallel to self.params.")
    if not grads:
        raise CheckFailed("grads is empty: CaptioningRNN.loss is not implemented yet.")
    _, expected = reference_model(judge, prob).loss(prob.features, prob.captions)
    wrong = []
    for name in PARAM_NAMES:
        if name not in grads:
            wrong.append(f"grads['{name}'] is missing")
            continue
        try:
            g = valid_array(grads[name], f"grads['{name}']", expected[name].shape)
        except CheckFailed as exc:
            wrong.append(str(exc).rstrip("."))
            continue
        err = rel_err(g, expected[name])
        if not err <= tolerance(expected[name], prob.features):
            wrong.append(f"grads['{name}'] relative error {err:.2e}")
    if wrong:
        msg = "; ".join(wrong) + "."
        if HINTS["embed_repeats"] and close(grads.get("W_embed"), embedding_repeats_variant(judge, prob),
                                            max(tolerance(prob.features), 1e-6)):
            msg += " Hint: " + HINTS["embed_repeats"]
        raise CheckFailed(msg)


def embedding_repeats_variant(judge, prob: Problem) -> np.ndarray:
    """grads['W_embed'] of the reference model with dW[x] += dout (repeated words lost)."""
    from .hints import embedding_backward_variants
    L, p, c = judge.layers, prob.params, prob.captions
    cin, cout = c[:, :-1], c[:, 1:]
    h0, _ = L.affine_forward(prob.features, p["W_proj"], p["b_proj"])
    x, _ = L.word_embedding_forward(cin, p["W_embed"])
    forward, backward = (L.rnn_forward, L.rnn_backward) if prob.cell == "rnn" else (L.lstm_forward, L.lstm_backward)
    h, cache = forward(x, h0, p["Wx"], p["Wh"], p["b"])
    scores, scores_cache = L.temporal_affine_forward(h, p["W_vocab"], p["b_vocab"])
    _, dscores = L.temporal_softmax_loss(scores, cout, cout != NULL)
    dh, _, _ = L.temporal_affine_backward(dscores, scores_cache)
    return embedding_backward_variants(cin, backward(dh, cache)[0], p["W_embed"].shape[0])


MIN_WORDS = 2      # a sample check needs reference captions of at least this many words on average
MIN_DISTINCT = 3   # and at least this many distinct words in all (never all <NULL>)


def reference_sample(judge, prob: Problem) -> np.ndarray:
    return np.asarray(reference_model(judge, prob).sample(prob.features, max_length=prob.max_length))


def degenerate(captions: np.ndarray, word_to_idx: dict) -> bool:
    """Reference captions that a stub or a constant could match (e.g. all <NULL>)."""
    end = word_to_idx["<END>"]
    lengths = [int(np.argmax(row == end)) if np.any(row == end) else len(row) for row in captions]
    return len(np.unique(captions)) < MIN_DISTINCT or float(np.mean(lengths)) < MIN_WORDS


# The notebooks sample only float32 models (the model's default dtype, the dataset's float32
# features): so do the sample checks (tests/test_judge_call_values.py).
SAMPLE_DTYPE = "float32"


# Random LSTM models with one caption (case N=1) give degenerate captions 91.5% of the time (RNN:
# 64%; 1,000 draws): 50 attempts ran out for 1.2% of seeds (an internal error for every student of
# such a course); 500 fail for 0.915^500 < 1e-19 of them. An attempt costs one reference sample.
SAMPLE_ATTEMPTS = 500


def sample_problem(judge, cell: str, case: str, attempts: int = SAMPLE_ATTEMPTS) -> Problem:
    """A random float32 problem whose reference captions are not degenerate."""
    for k in range(attempts):
        prob = random_problem(judge.rng(f"sample:{cell}:{case}:{k}"), cell, case, SAMPLE_DTYPE)
        if not degenerate(reference_sample(judge, prob), prob.word_to_idx):
            return prob
    raise RuntimeError(f"no non-degenerate sample problem for {cell}/{case}")   # internal error


def check_sample(judge, runner, prob: Problem) -> None:
    """Captions compared up to and including each reference caption's first <END> (captions.py)."""
    model = student_model(runner, prob)
    try:
        got = runner.call(f"{HELPERS}:call_method", model, "sample", prob.features,
                          max_length=prob.max_length, what="CaptioningRNN.sample")
    except CheckFailed as failure:
        raise _with_sample_hint(judge, prob, failure) from None
    expected = reference_sample(judge, prob)
    got = valid_captions(got, expected.shape, len(prob.word_to_idx))
    end = end_index(prob.word_to_idx)
    agree = captions_agree(got, expected, end)
    if np.all(agree):
        return
    found = ""
    if np.all(got == prob.word_to_idx["<NULL>"]):
        found = "every sampled word is <NULL>: not implemented yet."
    else:
        key = SV.mistake(judge.layers, prob.cell, prob.params, prob.features, prob.max_length, got,
                         expected, end)
        found = HINTS[key] if key else ""
    raise CheckFailed(f"captions: {int(np.sum(~agree))} of {len(agree)} captions differ from the reference's "
                      "(compared up to and including the first <END>)." + (f" Hint: {found}" if found else ""))


def _with_sample_hint(judge, prob: Problem, failure: CheckFailed) -> CheckFailed:
    """The student's sample raised: name the mistake that raises exactly that exception."""
    key = SV.raised(judge.layers, prob.cell, prob.params, prob.features, prob.max_length,
                    failure.student_text or "")
    if not key or not HINTS[key]:
        return failure
    return CheckFailed(f"{failure} Hint: {HINTS[key]}", student_text=failure.student_text, where=failure.where)
