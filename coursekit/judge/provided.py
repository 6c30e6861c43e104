"""Provided functions that live in student files: did the student change them?

The handout's student files also hold provided code (the affine and temporal layers, the
softmax loss, sigmoid, CaptioningRNN.__init__). Grading always uses the student's file as a
whole, so a changed provided function changes the results of the tests that use it, like any
bug. This module finds such changes by behaviour (the student's version in the worker, the
handout's judge-side, on the judge's random inputs) so that the feedback can name them:

- a failing test of an item that uses a changed function gets "the provided X was changed:
  ..." appended to its message;
- otherwise the change is a note only (it altered no graded result).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import CheckFailed, rel_err, unpack, valid_scalar
from .grants import LAYERS
from .session import HELPERS

TOL = 1e-6
LARGE = 200.0     # sigmoid inputs of a trained LSTM (coursekit.judge.training.ranges: up to ~190)
_MODEL = {"captioning_loss", "captioning_gradients", "overfit", "sample",
          "lstm_captioning_loss", "lstm_overfit", "lstm_sample"}
# provided function (each probe checks a forward with its backward) -> graded items whose
# results it can change
USERS = {
    "affine_forward": _MODEL,
    "temporal_affine_forward": _MODEL,
    "temporal_softmax_loss": _MODEL - {"sample", "lstm_sample"},
    "sigmoid": {"lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
                "lstm_captioning_loss", "lstm_overfit", "lstm_sample"},
    "CaptioningRNN.__init__": _MODEL - {"overfit", "lstm_overfit"},
    "CaptioningRNN.__init__ (cell_type)": set(),
}


@dataclass
class Change:
    function: str
    detail: str
    probe: str = ""       # the PROBES key (USERS), when it is not the function's name

    def text(self) -> str:
        return f"the provided {self.function} was changed: {self.detail}"


def find_changes(judge) -> list[Change]:
    """Every provided function whose behaviour differs from the handout's (never raises)."""
    rng = judge.rng("provided")
    changes = []
    for name, probe in PROBES.items():
        try:
            detail = probe(judge, rng)
        except CheckFailed as exc:
            if (exc.student_text or "").startswith("AttributeError"):
                continue   # not in the student's file (older handouts keep it in cs231n/layers.py)
            detail = f"calling it failed ({str(exc).splitlines()[0]})"
        except Exception as exc:   # noqa: BLE001 -- the reference side: never the student's fault
            detail = ""
            judge.record("provided_probe_error", f"{name}: {type(exc).__name__}: {exc}")
        if detail:
            changes.append(Change(name.split(" (")[0], detail, name))
    return changes


def _differs(got, expected, what) -> str:
    if not isinstance(got, np.ndarray) or got.shape != np.shape(expected):
        return f"{what} has another shape or type than the handout's"
    err = rel_err(got, expected)
    return "" if err <= TOL else f"{what} differs from the handout's by relative error {err:.1e}"


def _call(judge, name, *args, n_out: int | None = None):
    """The student's version of provided `name`; a tuple of n_out values when n_out is given
    (validated before it is unpacked)."""
    what = f"the provided {name}"
    out = judge.plain.call(f"{LAYERS}:{name}", *args, what=what)
    return out if n_out is None else unpack(out, n_out, what)


def _pair(judge, rng, forward, backward, args, dout_shape):
    out, cache = _call(judge, forward, *args, n_out=2)
    ref_out, ref_cache = getattr(judge.layers, forward)(*args)
    found = _differs(out, ref_out, "its output")
    if found:
        return found
    dout = rng.standard_normal(dout_shape)
    grads = _call(judge, backward, dout, cache, n_out=len(args))
    ref_grads = getattr(judge.layers, backward)(dout, ref_cache)
    for k, (g, r) in enumerate(zip(grads, ref_grads)):
        found = _differs(g, r, f"{backward}'s gradient {k + 1}")
        if found:
            return found
    return ""


def _affine(judge, rng):
    """2-D inputs (the model's), and the 3-D and 4-D ones of the handouts' affine layer (x is
    flattened per example, dx has x's shape)."""
    for shape in ((4, 6), (4, 3, 2), (4, 3, 1, 2)):
        x, w, b = rng.standard_normal(shape), rng.standard_normal((6, 5)), rng.standard_normal(5)
        found = _pair(judge, rng, "affine_forward", "affine_backward", [x, w, b], (4, 5))
        if found:
            return found + ("" if len(shape) == 2 else f" for an input x of shape {shape}")
    return ""


def _temporal_affine(judge, rng):
    x, w, b = rng.standard_normal((3, 4, 5)), rng.standard_normal((5, 6)), rng.standard_normal(6)
    return _pair(judge, rng, "temporal_affine_forward", "temporal_affine_backward", [x, w, b], (3, 4, 6))


def _softmax_loss(judge, rng):
    x = rng.standard_normal((3, 5, 7))
    y = rng.integers(0, 7, size=(3, 5))
    mask = rng.random((3, 5)) > 0.3
    loss, dx = _call(judge, "temporal_softmax_loss", x, y, mask, n_out=2)
    ref_loss, ref_dx = judge.layers.temporal_softmax_loss(x, y, mask)
    try:
        loss = np.asarray(valid_scalar(loss, "its loss"))
    except CheckFailed:
        return "its loss is not a finite number"
    return _differs(loss, np.asarray(ref_loss), "its loss") or \
        _differs(dx, ref_dx, "its dx")


def _sigmoid(judge, rng):
    """Moderate inputs, then the large ones of a trained LSTM's gates (float32, |x| up to
    LARGE: where 1 / (1 + e^-x) or e^x / (1 + e^x) overflow)."""
    x = rng.standard_normal((4, 6)) * 5
    found = _differs(_call(judge, "sigmoid", x), judge.layers.sigmoid(x), "its output")
    if found:
        return found
    big = np.linspace(-LARGE, LARGE, 25, dtype=np.float32).reshape(5, 5)
    got = _call(judge, "sigmoid", big)
    if isinstance(got, np.ndarray) and got.shape == big.shape and got.dtype.kind == "f" \
            and not np.all(np.isfinite(got)):
        return f"its output is NaN or infinite for large inputs (float32, |x| up to {LARGE:g})"
    found = _differs(got, judge.layers.sigmoid(big), "its output")
    return found + f" for large inputs (float32, |x| up to {LARGE:g})" if found else ""


def _init(judge, rng):
    words = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "b": 4}
    model = judge.plain.call(f"{HELPERS}:make_model", words, 7, 5, 6, "rnn", "float32", None,
                             what="CaptioningRNN.__init__")
    params = judge.plain.getattr(model, "params", what="CaptioningRNN.__init__")
    ref = judge.model.CaptioningRNN(words, input_dim=7, wordvec_dim=5, hidden_dim=6, cell_type="rnn",
                                    dtype=np.float32).params
    if not isinstance(params, dict) or set(params) != set(ref):
        return "its parameters are not the handout's (names)"
    for k, v in ref.items():
        p = params[k]
        if not isinstance(p, np.ndarray) or p.shape != v.shape or p.dtype != v.dtype:
            return f"params['{k}'] has another shape or dtype than the handout's"
    return ""


def _unknown_cell_type(judge, rng):
    """The handout's __init__ refuses a cell_type other than 'rnn' and 'lstm' (ValueError)."""
    words = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3}
    try:
        judge.plain.call(f"{HELPERS}:make_model", words, 7, 5, 6, "gru", "float32", None,
                         what="CaptioningRNN.__init__")
    except CheckFailed as exc:
        raised = (exc.student_text or "").partition(":")[0]
        return "" if raised == "ValueError" else f"it raises {raised or 'an error'} for cell_type='gru', not ValueError"
    return "it accepts an unknown cell_type ('gru') instead of raising ValueError"


PROBES = {"affine_forward": _affine, "temporal_affine_forward": _temporal_affine,
          "temporal_softmax_loss": _softmax_loss, "sigmoid": _sigmoid,
          "CaptioningRNN.__init__": _init, "CaptioningRNN.__init__ (cell_type)": _unknown_cell_type}


def apply(changes: list[Change], outcomes) -> list[str]:
    """Name the changes in the failing outcomes they may explain; returns the notes for
    changes that explain no failure."""
    if not changes:
        return []
    notes = []
    for change in changes:
        users = USERS.get(change.probe or change.function, set())
        hit = False
        for o in outcomes:
            if not o.passed and o.item in users and not o.message.startswith("not graded"):
                o.message += f"\n(Note: {change.text()}; this may be why.)"
                hit = True
        if not hit:
            notes.append(f"Note: {change.text()}. It changed no graded result.")
    return notes
