"""A correct backward whose forward has a known mistake, judged where that forward computed.

The student's backward runs on the cache of the student's own forward. When that forward has
a mistake of the catalogue, a correct backward returns the reference's gradients at the point
the mistaken forward computed: the reference forward run as the mistake runs it, and the
reference backward on that forward's cache:

- rnn_step_forward: the bias left out (= the bias zero), the tanh left out or replaced by a
  sigmoid (the reference's own code with np.tanh swapped out), prev_h @ Wh.T (the reference's
  cache holding that output);
- rnn_forward: h0 ignored or squashed, every step started from h0 (the reference's rnn_forward
  with its calls of rnn_step_forward rebound); lstm_forward: the cell state started from h0;
- lstm_step_forward: the bias left out; gates read from the wrong column blocks, or g
  squashed by a sigmoid (the mistaken step and the backward formula, judge-side).

A forward that writes into an input its cache holds (`prev_h[...] = ...` after computing a
right next_h) hands its backward a cache of overwritten values. Its backward is judged on
that cache with the overwritten inputs put back as they were given (`credited_on_restored_cache`):
the student's own cache, only arrays the forward itself changed replaced by the judge's
inputs, against the reference's gradients at those inputs, so a correct backward keeps its
points and the overwrite costs points at the forward only (its "inputs untouched" check).
Nothing the worker says is believed: its report of the changed inputs only picks which arrays
of the cache the judge replaces, by values the judge holds, and the gradients must still be
the reference's.

The rule credits the backward only when both hold: the student's forward output equals that
mistake's prediction (the mistake really is that one), and the student's gradients equal the
gradients at that point. The reference is run as written; a prediction that does not apply to
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


def _rebound(fn, names=None, **replaced):
    """`fn` with `np.<name>` resolving to `replaced[name]` and its other globals `names` replaced
    (its module is left untouched)."""
    scope = {**fn.__globals__, **(names or {}), "np": _NumpyWith(**replaced)}
    return types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _no_bias(fn):
    return lambda *args: fn(*args[:-1], np.zeros_like(args[-1]))


def _h0_as(change):
    return lambda fn: (lambda x, h0, *rest: fn(x, change(h0), *rest))


def _every_step_from_h0(fn):
    """rnn_forward whose steps all start from h0 (its calls of rnn_step_forward rebound)."""
    step = fn.__globals__["rnn_step_forward"]

    def run(x, h0, *weights):
        from_h0 = lambda x_t, prev_h, *w: step(x_t, h0, *w)  # noqa: E731
        return _rebound(fn, {"rnn_step_forward": from_h0})(x, h0, *weights)
    return run


def _output_replaced(key):
    """The reference's rnn step whose cache holds the catalogue's prediction `key` of next_h
    in place of its own output (the reference backward reads only the cached output)."""
    from .hints import tanh_step_variants

    def mistaken(fn):
        def run(*args):
            out, cache = fn(*args)
            wrong = tanh_step_variants(*args)[key]()
            if not isinstance(cache, tuple) or not any(c is out for c in cache):
                raise LookupError("the reference does not cache its output")
            return wrong, tuple(wrong if c is out else c for c in cache)
        return run
    return mistaken


# forward -> {catalogue key: the reference forward -> the forward with that mistake}
MISTAKES = {
    "rnn_step_forward": {"no_bias": _no_bias,
                         "no_tanh": lambda fn: _rebound(fn, tanh=lambda a: a),
                         "sigmoid_not_tanh": lambda fn: _rebound(fn, tanh=_sigmoid),
                         "Wh_transposed": _output_replaced("Wh_transposed")},
    "lstm_step_forward": {"no_bias": _no_bias},
    "rnn_forward": {"h0_ignored": _h0_as(np.zeros_like), "h0_tanh": _h0_as(np.tanh),
                    "no_chain_forward": _every_step_from_h0},
    "lstm_forward": {"lstm_c0_h0": lambda fn: _rebound(fn, zeros_like=lambda a, *k, **kw: np.array(a, copy=True))},
}
# LSTM steps whose gates are mixed up: the mistaken step and the correct backward formula of
# its own values, both judge-side (coursekit.judge.lstm_variants)
LSTM_GATE_MISTAKES = {**{f"lstm_gate_order:{order}": {"order": order}
                         for order in ("ifgo", "fiog", "igfo", "gifo", "iofg", "oifg")},
                      "lstm_g_sigmoid": {"g_act": _sigmoid}}


def _predictions(layers, forward, args, douts):
    """(key, predicted outputs, the reference's gradients there) of each known mistake."""
    backward = getattr(layers, forward.replace("_forward", "_backward"))
    for key, mistaken in MISTAKES.get(forward, {}).items():
        try:
            *outs, cache = mistaken(getattr(layers, forward))(*args)
            yield key, outs, lambda cache=cache: backward(*douts, cache)
        except Exception:   # noqa: BLE001 -- a prediction that does not apply to these inputs
            continue
    if forward == "lstm_step_forward":
        from . import lstm_variants as V
        for key, switches in LSTM_GATE_MISTAKES.items():
            *outs, cache = V.mistaken_step(*args, **switches)
            yield key, outs, lambda cache=cache: V.step_backward(*douts, cache)


def expected_at_mistake(layers, forward: str, args, outputs, douts):
    """(key, the reference's gradients at the point of the mistake `key`) for the first
    mistake whose forward predicts `outputs`; None when none does."""
    tol = max(tolerance(*args), 1e-6)
    for key, outs, gradients in _predictions(layers, forward, args, douts):
        if len(outs) == len(outputs) and all(close(o, p, tol) for o, p in zip(outputs, outs)):
            try:
                return key, gradients()
            except Exception:   # noqa: BLE001 -- its backward does not apply either
                return None
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
    what = HINTS[key.partition(":")[0]].rstrip(".")
    judge.note(f"your backward is right for the values your {forward} computed"
               + (f" ({what})" if what else "") + f"; that forward is wrong, which costs points at "
               f"{forward} only.")
    return True


def credited_on_restored_cache(judge, runner, forward: str, args, douts, expected, grad_names) -> bool:
    """True (with a note) when the student's backward, on the student's cache with the inputs
    the forward overwrote put back, returns the reference's gradients `expected`."""
    from .checks import CheckFailed, compare, unpack
    from .session import HELPERS
    from .suite import target
    backward = forward.replace("_forward", "_backward")
    try:
        res = runner.call(f"{HELPERS}:call_with_inputs", target(forward).partition(":")[0], forward,
                          list(args), what=forward)
        result, after = unpack(res, 2, forward)
        cache = unpack(result, len(douts) + 1, forward)[-1]
        changed = [k for k, (a, b) in enumerate(zip(args, after if isinstance(after, (list, tuple)) else ()))
                   if _overwritten(a, b)]
        restored, count = _restore(cache, [(after[k], args[k]) for k in changed])
        if not changed or not count:
            return False
        grads = unpack(runner.call(target(backward), *douts, restored, what=backward), len(grad_names), backward)
        for g, e, name in zip(grads, expected, grad_names):
            compare(g, np.asarray(e), name, tol=tolerance(np.asarray(e), *args))
    except CheckFailed:
        return False
    names = _parameter_names(judge.layers, forward)
    which = ", ".join(names[k] if k < len(names) else f"argument {k + 1}" for k in changed)
    judge.note(f"your backward is right for the inputs your {forward} was given; that forward "
               f"overwrites {which} in place, which its cache holds (this costs points at "
               f"{forward} only: it must not modify its inputs).")
    return True


def _overwritten(given, after) -> bool:
    return isinstance(after, np.ndarray) and isinstance(given, np.ndarray) and after.shape == given.shape \
        and after.dtype == given.dtype and not np.array_equal(after, given)


def _restore(value, swaps, depth=0):
    """`value` with every array equal to a swap's first array replaced by its second; (new
    value, count). Tuples, lists and dicts are walked (a few levels deep)."""
    if isinstance(value, np.ndarray):
        for changed, given in swaps:
            if value.shape == changed.shape and value.dtype == changed.dtype and np.array_equal(value, changed):
                return np.array(given, copy=True), 1
        return value, 0
    if depth > 4 or not isinstance(value, (tuple, list, dict)):
        return value, 0
    items = value.items() if isinstance(value, dict) else enumerate(value)
    out, count = {}, 0
    for key, v in items:
        out[key], n = _restore(v, swaps, depth + 1)
        count += n
    if isinstance(value, dict):
        return out, count
    return type(value)(out[k] for k in range(len(value))), count


def _parameter_names(layers, forward: str) -> list:
    import inspect
    try:
        return list(inspect.signature(getattr(layers, forward)).parameters)
    except (TypeError, ValueError, AttributeError):
        return []
