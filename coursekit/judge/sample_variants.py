"""Known-wrong samplers computed judge-side, to name a sampling mistake only when it is true.

`run(...)` is the greedy sampler of the handout (RNN or LSTM step, the reference's layers)
with one switch flipped per mistake. A hint is given only when the student's captions are
exactly the mistake's prediction (`predicted`): equal on every entry compared for the
prediction or the reference (each up to and including its first <END>), and the prediction
itself differs from the reference (a mistake that changes nothing here proves nothing), and
no other mistake predicts the same captions.
A mistake that makes the sampler raise (argmax over the batch axis) is predicted by the
exception it raises: the same type and message as the student's (`raised`).
"""
from __future__ import annotations

import numpy as np

from .captions import captions_agree, compared_mask

NULL, START = 0, 1
MISTAKES = {
    "sample_no_feedback": {"feed_back": False},
    "sample_start_in_output": {"shift_in": START},
    "sample_shifted_null": {"shift_in": NULL},
    "sample_start_null": {"first": NULL},
    "sample_h0_no_bias": {"h0_bias": False},
    "sample_scores_no_bias": {"scores_bias": False},
    "sample_argmax_axis": {"axis": 0},     # when the batch and vocabulary sizes agree
}
RAISING = {"sample_argmax_axis": {"axis": 0}}


def run(layers, cell, p, features, max_length, *, feed_back=True, shift_in=None, first=START,
        h0_bias=True, scores_bias=True, axis=1):
    """Greedy captions (N, max_length) of the handout's sampler with the given switches."""
    N = features.shape[0]
    h = features @ p["W_proj"] + (p["b_proj"] if h0_bias else 0)
    c = np.zeros_like(h)
    out = np.full((N, max_length), NULL, dtype=np.int64)
    word = np.full(N, first)
    for t in range(max_length):
        x = p["W_embed"][word if feed_back else np.full(N, first)]
        if cell == "rnn":
            h, _ = layers.rnn_step_forward(x, h, p["Wx"], p["Wh"], p["b"])
        else:
            h, c, _ = layers.lstm_step_forward(x, h, c, p["Wx"], p["Wh"], p["b"])
        word = np.argmax(h @ p["W_vocab"] + (p["b_vocab"] if scores_bias else 0), axis=axis)
        out[:, t] = word
    if shift_in is not None:      # written one column late, `shift_in` in column 0
        out = np.concatenate([np.full((N, 1), shift_in), out[:, :-1]], axis=1)
    return out


def predicted(got, prediction, expected, end) -> bool:
    """True when `got` is exactly `prediction` (see the module docstring)."""
    prediction, expected = np.asarray(prediction), np.asarray(expected)
    if got.shape != prediction.shape or np.all(captions_agree(prediction, expected, end)):
        return False
    mask = compared_mask(prediction, end) | compared_mask(expected, end)
    return bool(np.all((got == prediction) | ~mask))


def mistake(layers, cell, p, features, max_length, got, expected, end) -> str:
    """The key of the one sampling mistake whose prediction `got` is, or '' (none, or several:
    on small problems two mistakes can predict the same captions, and then neither is named)."""
    found = []
    for key, switches in MISTAKES.items():
        try:
            prediction = run(layers, cell, p, features, max_length, **switches)
        except Exception:   # noqa: BLE001 -- the mistake does not apply to this problem
            continue
        if predicted(got, prediction, expected, end):
            found.append(key)
    return found[0] if len(found) == 1 else ""


def raised(layers, cell, p, features, max_length, student_text: str) -> str:
    """The key of the mistake whose sampler raises exactly the student's exception, or ''."""
    for key, switches in RAISING.items():
        try:
            run(layers, cell, p, features, max_length, **switches)
        except Exception as exc:   # noqa: BLE001 -- the predicted exception
            if student_text.strip() == f"{type(exc).__name__}: {exc}".strip():
                return key
    return ""
