"""Catalogue of common mistakes, and the wrong variants the judge computes to detect them.

`diagnose(observed, candidates)` compares a student's (already validated) output with the
outputs of known-wrong implementations computed judge-side; the first one that matches
names the mistake. Hint texts never contain student data.

Each hint carries a "mistake" text and a "fix" text; the course's feedback policy
(KIT["feedback"]["hints"]: "fix", "mistake" or "off") chooses what students see. A resubmission
window with hints that spell out the fix would turn the grader into an answer key.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from coursekit.settings import HINT_POLICIES as POLICIES, Feedback  # noqa: F401

from .checks import close

DEFAULT_POLICY = Feedback.hints


@dataclass(frozen=True)
class Hint:
    mistake: str            # names the mistake (policy "mistake")
    fix: str = ""           # how to fix it (added under policy "fix")
    always: bool = False    # about the grading contract, not the algorithm: shown even when "off"

    def text(self, policy: str) -> str:
        if policy == "off" and not self.always:
            return ""
        if policy == "fix" and self.fix:
            return f"{self.mistake}: {self.fix}"
        return self.mistake + "."


CATALOGUE = {
    "no_tanh": Hint("the tanh nonlinearity is missing", "next_h = tanh(x Wx + prev_h Wh + b)."),
    "no_bias": Hint("the bias b is not added", "add b to the pre-activation."),
    "sigmoid_not_tanh": Hint("a sigmoid is used where the vanilla RNN uses tanh", "use np.tanh."),
    "Wh_transposed": Hint("prev_h is multiplied by Wh.T", "the hidden-to-hidden term is prev_h @ Wh."),
    "tanh_exp_overflow": Hint("a tanh computed with np.exp overflows in float32 for large "
                              "pre-activations", "use np.tanh, which saturates at +-1 and never overflows."),
    "sigmoid_exp_overflow": Hint("a sigmoid computed with np.exp overflows in float32 for large inputs",
                                 "use the provided sigmoid, which never overflows."),
    "no_tanh_derivative": Hint("the tanh derivative is missing",
                               "multiply the upstream gradient by (1 - next_h**2)."),
    "wrong_tanh_derivative": Hint("the tanh derivative is computed from the wrong value",
                                  "it is 1 - tanh(a)**2 = 1 - next_h**2."),
    "not_summed_over_time": Hint("{name} is about T times too small",
                                 "the gradient is not summed over time steps."),
    "dprev_not_chained": Hint("dprev_h is not chained to the previous step",
                              "add the gradient coming from step t+1 to dh[:, t]."),
    "h0_tanh": Hint("h0 has a tanh", "the first step must use h0 (the projected features) as is."),
    "h0_ignored": Hint("h0 is ignored: the first step starts from zeros", "start from prev_h = h0."),
    "no_chain_forward": Hint("each step uses h0 instead of the previous hidden state",
                             "feed each step the hidden state of the step before."),
    "embed_repeats": Hint("embedding backward loses repeated indices",
                          "use np.add.at, not dW[x] += dout."),
    "off_by_one": Hint("captions_in/captions_out are off by one",
                       "captions_in = captions[:, :-1], captions_out = captions[:, 1:]."),
    "mask_from_in": Hint("the mask is built from captions_in",
                         "it must come from captions_out (mask = captions_out != <NULL>)."),
    "no_mask": Hint("the <NULL> mask is not applied to the loss", "pass mask to the loss."),
    "lstm_gate_order": Hint("LSTM gates in the wrong order",
                            "the 4H columns are i, f, o, g (i, f, o sigmoid; g tanh)."),
    "lstm_h_no_tanh": Hint("next_h is o * next_c", "it must be o * tanh(next_c)."),
    "dprev_c_no_forget": Hint("dprev_c misses the forget gate", "dprev_c = dc * f."),
    "dprev_c_not_chained": Hint("dprev_c is not chained through time",
                                "carry the cell gradient to the previous step."),
    "lstm_g_sigmoid": Hint("g (the last H columns, the block input) uses a sigmoid", "use tanh."),
    "lstm_g_sigmoid_derivative": Hint("the derivative of g = tanh(a_g) is wrong",
                                      "it is 1 - g**2 (g * (1 - g) is the sigmoid's)."),
    "lstm_dc_no_tanh_derivative": Hint("the cell gradient misses the tanh derivative",
                                       "dc = dnext_c + dnext_h * o * (1 - tanh(next_c)**2)."),
    "lstm_dc_no_dnext_c": Hint("the cell gradient ignores dnext_c",
                               "dc = dnext_c + dnext_h * o * (1 - tanh(next_c)**2)."),
    "lstm_c0_h0": Hint("the initial cell state is h0", "it must be zeros."),
    "lstm_c_not_carried": Hint("the cell state is not carried through time",
                               "next_c of step t is prev_c of step t+1."),
    "sample_no_feedback": Hint("sampling never feeds back the sampled word",
                               "embed the word chosen at step t as input of step t+1."),
    "sample_start_in_output": Hint("column 0 of the samples holds <START>",
                                   "it must hold the first generated word."),
    "sample_shifted_null": Hint("the samples start one column late (column 0 stays <NULL>)",
                                "write the word chosen at step t to column t."),
    "sample_start_null": Hint("the first input word of sampling is <NULL>",
                              "feed <START> (self._start) at the first step."),
    "sample_h0_no_bias": Hint("the initial hidden state of sampling leaves out b_proj",
                              "h0 = features @ W_proj + b_proj, as in loss."),
    "sample_scores_no_bias": Hint("the word scores of sampling leave out b_vocab",
                                  "scores = h @ W_vocab + b_vocab."),
    "sample_argmax_axis": Hint("the next word is taken with argmax over the batch axis",
                               "take argmax over the vocabulary (axis=1)."),
    "inplace": Hint("inputs modified in place: {name} changed after the call",
                    "work on copies (e.g. x = x + 1, not x += 1).", always=True),
    "shape_db": Hint("db is not summed over the batch (and time) dimensions",
                     "sum db over them."),
    "not_implemented": Hint("the function still returns None: not implemented yet", always=True),
}


def feedback_policy() -> str:
    """settings.feedback.hints of the course ("fix" when unset, unknown, or unreadable)."""
    global _POLICY
    if _POLICY is None:
        try:
            from coursekit.config import load
            _POLICY = load().feedback.hints
        except Exception:        # no course config: the judge still gives full hints
            _POLICY = DEFAULT_POLICY
        if _POLICY not in POLICIES:
            _POLICY = DEFAULT_POLICY
    return _POLICY


def set_policy(policy: str | None) -> None:
    """Force a policy (None: read the course config again on next use)."""
    global _POLICY
    if policy is not None and policy not in POLICIES:
        raise ValueError(f"unknown hint policy {policy!r}; one of {', '.join(POLICIES)}")
    _POLICY = policy


_POLICY: str | None = None


class _PolicyTexts(Mapping):
    """HINTS[key]: the catalogue's text under the current policy ("" when off)."""

    def __getitem__(self, key: str) -> str:
        return CATALOGUE[key].text(feedback_policy())

    def __iter__(self):
        return iter(CATALOGUE)

    def __len__(self) -> int:
        return len(CATALOGUE)


HINTS = _PolicyTexts()


def hint(key: str, **fmt) -> str:
    return HINTS[key].format(**fmt)


def match(observed, candidates: dict, tol: float) -> str:
    """The key of the first wrong variant matching `observed`, or '' (whatever the policy:
    verdicts may depend on it, feedback text never does)."""
    for key, variant in candidates.items():
        try:
            expected = variant() if callable(variant) else variant
        except Exception:  # a variant that does not apply to these inputs
            continue
        if close(observed, expected, tol):
            return key
    return ""


def diagnose(observed, candidates: dict, tol: float) -> str:
    """The hint of the first wrong variant matching `observed` under the policy, or ''."""
    key = match(observed, candidates, tol)
    if not key:
        return ""
    name, _, _ = key.partition(":")
    return HINTS.get(name, "" if feedback_policy() == "off" else key)
    return ""


# --------------------------------------------------------------------- wrong variants
def tanh_step_variants(x, prev_h, Wx, Wh, b) -> dict:
    a = x @ Wx + prev_h @ Wh
    return {"no_tanh": lambda: a + b, "no_bias": lambda: np.tanh(a),
            "sigmoid_not_tanh": lambda: 1 / (1 + np.exp(-(a + b))),
            "Wh_transposed": lambda: np.tanh(x @ Wx + prev_h @ Wh.T + b)}


def step_backward_variants(x, prev_h, Wx, Wh, b, dnext) -> dict:
    """Variants of (dx, dprev_h, dWx, dWh, db) for the tanh step, keyed by hint id."""
    a = x @ Wx + prev_h @ Wh + b
    nh = np.tanh(a)

    def grads(da):
        return [da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)]
    return {"no_tanh_derivative": grads(dnext),
            "wrong_tanh_derivative": grads(dnext * (1 - np.tanh(nh) ** 2)),
            "wrong_tanh_derivative:a": grads(dnext * (1 - a ** 2))}


def rnn_forward_variants(L, x, h0, Wx, Wh, b) -> dict:
    def run(first, chain=True):
        prev, hs = first, []
        for t in range(x.shape[1]):
            nh = np.tanh(x[:, t] @ Wx + (prev if chain else h0) @ Wh + b)
            hs.append(nh)
            prev = nh
        return np.stack(hs, axis=1)
    return {"h0_tanh": lambda: run(np.tanh(h0)), "no_chain_forward": lambda: run(h0, chain=False)}


def rnn_backward_variants(x, h0, Wx, Wh, b, dh) -> dict:
    """Per-output variants (dx, dh0, dWx, dWh, db) of the usual sequence-backward bugs."""
    N, T, _ = x.shape
    hs, prevs = [], []
    prev = h0
    for t in range(T):
        prevs.append(prev)
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        hs.append(prev)

    def run(chain=True, keep="sum"):
        dx = np.zeros_like(x)
        dprev = np.zeros_like(h0)
        acc = [0.0, 0.0, 0.0]
        for t in reversed(range(T)):
            da = (dh[:, t] + (dprev if chain else 0)) * (1 - hs[t] ** 2)
            dx[:, t] = da @ Wx.T
            dprev = da @ Wh.T
            step = [x[:, t].T @ da, prevs[t].T @ da, da.sum(axis=0)]
            if keep == "sum":
                acc = [p + s for p, s in zip(acc, step)]
            elif keep == "first" and t == 0 or keep == "last" and t == T - 1:
                acc = step
        return [dx, dprev, *acc]
    return {"dprev_not_chained": run(chain=False), "not_summed_over_time": run(keep="first"),
            "not_summed_over_time:last": run(keep="last")}


def embedding_backward_variants(x, dout, V) -> np.ndarray:
    dW = np.zeros((V, dout.shape[-1]), dtype=dout.dtype)
    dW[x] += dout  # buffered: repeated indices keep only one contribution
    return dW


def lstm_step_variants(x, prev_h, prev_c, Wx, Wh, b) -> dict:
    """(next_h, next_c) of gate-order permutations, next_h = o * next_c, g with a sigmoid, no bias."""
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731

    def run(order, h_tanh=True, g_act=np.tanh, bias=True):
        z = a if bias else a - b
        gi, gf, go, gg = (z[:, k * H:(k + 1) * H] for k in (order.index(n) for n in "ifog"))
        i, f, o, g = sig(gi), sig(gf), sig(go), g_act(gg)
        c = f * prev_c + i * g
        return (o * np.tanh(c) if h_tanh else o * c), c
    out = {}
    for order in ("ifgo", "fiog", "igfo", "gifo", "iofg", "oifg"):
        out[f"lstm_gate_order:{order}"] = run(order)
    out["lstm_h_no_tanh"] = run("ifog", h_tanh=False)
    out["lstm_g_sigmoid"] = run("ifog", g_act=sig)
    out["no_bias"] = run("ifog", bias=False)
    return out
