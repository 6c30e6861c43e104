"""A correct backward whose forward has a known mistake, judged where that forward computed.

The student's backward runs on the cache of the student's own forward. When that forward has
a mistake of the catalogue (no bias, no tanh, a sigmoid instead of tanh), a correct backward
returns the reference's gradients at the point the mistaken forward computed: the reference
forward run as the mistake runs it (the bias left out = the bias zero; the tanh left out or
replaced = the reference's own code with np.tanh swapped out), and the reference backward on
that forward's cache. The rule credits the backward only when both hold:

- the student's forward output equals that prediction (the mistake really is that one);
- the student's gradients equal the reference backward's at that point.

The reference is run as written (its own cache layout); a prediction that does not apply to
a rewritten reference simply never matches, and the other rules (gradcheck.py) still apply.
"""
from __future__ import annotations

import types

import numpy as np

from .checks import close, tolerance


class _NumpyWith:
    """numpy with some functions replaced, as seen by one rebound reference function."""

    def __init__(self, **replaced):
        self._replaced = replaced

    def __getattr__(self, name):
        return self._replaced[name] if name in self._replaced else getattr(np, name)


def _rebound(fn, **replaced):
    """`fn` with `np.<name>` resolving to `replaced[name]` (its module is left untouched)."""
    scope = {**fn.__globals__, "np": _NumpyWith(**replaced)}
    return types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _no_bias(fn):
    return lambda *args: fn(*args[:-1], np.zeros_like(args[-1]))


# forward -> {catalogue key: the reference forward -> the forward with that mistake}
MISTAKES = {
    "rnn_step_forward": {"no_bias": _no_bias,
                         "no_tanh": lambda fn: _rebound(fn, tanh=lambda a: a),
                         "sigmoid_not_tanh": lambda fn: _rebound(fn, tanh=_sigmoid)},
    "lstm_step_forward": {"no_bias": _no_bias},
}


def expected_at_mistake(layers, forward: str, args, outputs, douts):
    """(key, the reference's gradients at the point of the mistake `key`) for the first
    mistake whose forward predicts `outputs`; None when none does."""
    backward = getattr(layers, forward.replace("_forward", "_backward"))
    for key, mistaken in MISTAKES.get(forward, {}).items():
        try:
            *outs, cache = mistaken(getattr(layers, forward))(*args)
        except Exception:   # noqa: BLE001 -- a prediction that does not apply to these inputs
            continue
        tol = max(tolerance(*args), 1e-6)
        if len(outs) == len(outputs) and all(close(o, p, tol) for o, p in zip(outputs, outs)):
            return key, backward(*douts, cache)
    return None


def credited_at_mistake(judge, forward: str, args, outputs, douts, grads, grad_names) -> bool:
    """True (with a note) when `grads` are the reference's at the point of the forward's mistake."""
    from .checks import CheckFailed, compare
    from .hints import HINTS
    found = expected_at_mistake(judge.layers, forward, args, outputs, douts)
    if found is None:
        return False
    key, expected = found
    try:
        for g, e, name in zip(grads, expected, grad_names):
            compare(g, np.asarray(e), name, tol=tolerance(g, np.asarray(e), *args))
    except CheckFailed:
        return False
    what = HINTS[key].rstrip(".")
    judge.note(f"your backward is right for the values your {forward} computed"
               + (f" ({what})" if what else "") + f"; that forward is wrong, which costs points at "
               f"{forward} only.")
    return True
