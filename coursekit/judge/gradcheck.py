"""Backward items when the student's forward is wrong: the backward is checked against a
numeric gradient of the student's OWN forward, so that a forward bug is not charged twice.
One rule for every backward that has this fallback (rnn_step_backward, lstm_step_backward,
lstm_backward):

1. The backward first has to match the reference's gradients on the same inputs.
2. Only if it does not, and the student's forward output is a valid finite array that
   FAILS the forward's own check (`forward_is_wrong`: outside the very tolerance the forward
   test passes, so "passes" and "wrong but credible" never overlap; a forward that passes is
   right, and its backward is judged against the reference alone) but is credible -- within
   CREDIBLE of the reference, or exactly a known mistake of the hint catalogue -- the
   fallback runs. It runs the student's forward in a FRESH worker (nothing it saw during the
   backward's run; every worker imports the student's modules with the same calls, so it
   cannot tell which worker it is in), in a shuffled order, with the base point asked twice.
   The forward it differentiates must be shown to be the one judged credible: both base
   answers in the fresh worker must be bitwise identical to the earlier worker's answer for
   the same inputs (`anchor`; a forward that answers otherwise in the probing worker, or
   keeps state between calls, is refused). It credits the backward only when BOTH hold, for
   every input:
   a. the student's forward really depends on that input: along the judge's random
      directions, the numeric directional derivatives of the student's forward have at least
      DEPENDENCE times the norm of the reference's ones (a constant, zero or garbage forward
      fails here, so a trivially "consistent" backward -- zeros for a constant forward --
      never earns credit);
   b. the student's gradient agrees with those numeric derivatives (norm-relative error
      within GRAD_TOL), i.e. the backward is the exact derivative of the student's forward.
   A backward that is the exact gradient of a forward that ignores an input (e.g. a forward
   without the bias, paired with db = 0) is not credited: that is the price of never
   rewarding a degenerate pair.

Numerics: for each input the judge draws K random directions v_1..v_K and compares the K
numeric directional derivatives (f(x + h v) - f(x - h v)) / 2h, each from two calls of the
student's forward, with the K analytic values <grad, v_k>, by ||num - ana|| / (||num|| +
||ana|| + floor). The forward always runs in float64 (float32 inputs are converted), so only
the analytic side carries float32 rounding. The reference's directional derivatives are
<reference grad, v_k> (exact, judge-side).

Calibration (tests/test_judge_lstm.py, printed by its calibration test): on the reference
LSTM the errors are at most ~1e-9 with float64 inputs and ~1e-6 with float32 ones; the
wrong backwards of the hint catalogue give 1e-2 or more. Thresholds: GRAD_TOL below.
"""
from __future__ import annotations

import numpy as np

from .checks import CheckFailed, rel_err, tolerance, valid_array

DIRECTIONS = 3          # random directions per input
STEP = 1e-5             # central-difference step (float64 forward)
GRAD_TOL = {"float64": 1e-6, "float32": 1e-3}
FLOOR = 1e-4            # absolute floor of the denominator, times max(1, |f(x)|)
CREDIBLE = 0.1          # a wrong forward this close to the reference may still earn the fallback
DEPENDENCE = 0.1        # the student's forward must vary at least this much as the reference's


def _as64(a):
    return np.asarray(a, dtype=np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a


def _valid(observed, expected) -> bool:
    return isinstance(observed, np.ndarray) and observed.dtype.kind in "fiu" \
        and observed.shape == np.shape(expected) and bool(np.all(np.isfinite(observed)))


def forward_is_wrong(observed, expected) -> bool:
    """True when the student's forward output is a valid finite array that fails the
    forward's own check (the tolerance of checks.tolerance for the case, exactly as the
    forward test compares it): the only case where the own-forward fallback is considered."""
    return _valid(observed, expected) and not rel_err(observed, expected) <= tolerance(np.asarray(expected))


def probe_point(args) -> list:
    """The base point of the probes: the inputs in float64 (the forward is probed in float64)."""
    return [_as64(a) for a in args]


def identical(outputs, anchor) -> bool:
    """Bitwise the same arrays (dtype, shape and bytes)."""
    return len(outputs) == len(anchor) and all(
        isinstance(o, np.ndarray) and isinstance(a, np.ndarray) and o.dtype == a.dtype
        and o.shape == a.shape and o.tobytes() == a.tobytes() for o, a in zip(outputs, anchor))


def gradcheck_report(call_forward, args, inputs, analytic, scalar, *, labels, rng,
                     reference=None, anchor=None, outputs_of=None) -> dict:
    """{label: {"error": norm-relative error, "dependence": ||numeric|| / ||reference||}} for
    each input index in `inputs`; call_forward(*args) returns the forward's result,
    scalar(result) -> float (validates it); `reference`: the reference's gradients (the
    dependence is inf without them, or where the reference's derivatives are 0).

    The calls (the base point twice, then two per direction) run in an order shuffled by
    `rng`, and the two base calls must agree exactly: a forward that keeps state between
    calls, or answers differently when asked again, is not a function to differentiate.
    With `anchor` (the earlier worker's outputs at the same base point), each base call's
    outputs_of(result) must be bitwise identical to it: the function differentiated is the
    one judged credible."""
    base = probe_point(args)
    plan = [("base", None, 0.0), ("base", None, 0.0)]
    directions = {}
    for k in inputs:
        for d in range(DIRECTIONS):
            directions[(k, d)] = rng.standard_normal(base[k].shape)
            plan += [("nudge", (k, d), 1.0), ("nudge", (k, d), -1.0)]
    values = [None] * len(plan)
    for i in rng.permutation(len(plan)):
        _, key, sign = plan[i]
        moved = list(base)
        if key is not None:
            moved[key[0]] = base[key[0]] + sign * STEP * directions[key]
        result = call_forward(*moved)
        if key is None and anchor is not None and not identical(outputs_of(result), anchor):
            raise CheckFailed("your forward answered the same inputs differently here than in the "
                              "run judged before, so its gradient cannot stand for that forward's.")
        values[i] = scalar(result)
    if values[0] != values[1]:
        raise CheckFailed("your forward gave two different results for the same inputs "
                          "(it keeps state between calls), so no gradient of it can be checked.")
    f0 = values[0]
    floor = FLOOR * max(1.0, abs(f0))
    at = {(plan[i][1], plan[i][2]): values[i] for i in range(2, len(plan))}
    reference = reference if reference is not None else [None] * len(analytic)
    report = {}
    for k, grad, ref_grad, label in zip(inputs, analytic, reference, labels):
        g = np.asarray(valid_array(grad, label, base[k].shape), dtype=np.float64)
        num, ana, ref = [], [], []
        for d in range(DIRECTIONS):
            v = directions[(k, d)]
            num.append((at[((k, d), 1.0)] - at[((k, d), -1.0)]) / (2 * STEP))
            ana.append(float(np.sum(g * v)))
            if ref_grad is not None:
                ref.append(float(np.sum(np.asarray(ref_grad, dtype=np.float64) * v)))
        num, ana = np.array(num), np.array(ana)
        ref_norm = float(np.linalg.norm(ref)) if ref else 0.0
        report[label] = {
            "error": float(np.linalg.norm(num - ana)) / (float(np.linalg.norm(num) + np.linalg.norm(ana)) + floor),
            "dependence": float(np.linalg.norm(num)) / ref_norm if ref_norm > 0 else float("inf")}
    return report


def gradcheck_errors(call_forward, args, inputs, analytic, scalar, *, labels, rng) -> dict:
    """{label: norm-relative error} (see gradcheck_report)."""
    report = gradcheck_report(call_forward, args, inputs, analytic, scalar, labels=labels, rng=rng)
    return {label: r["error"] for label, r in report.items()}


def check_against_own_forward(call_forward, args, inputs, analytic, scalar, *, labels, rng,
                              what: str, forward_name: str, reference, anchor=None,
                              outputs_of=None) -> dict:
    """The fallback rule of the module docstring: raise CheckFailed naming the first input
    the student's forward barely depends on, or the first gradient that disagrees with the
    numeric gradient of that forward; returns the report when the backward is credited."""
    dtype = "float32" if any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args) else "float64"
    tol = GRAD_TOL[dtype]
    report = gradcheck_report(call_forward, args, inputs, analytic, scalar, labels=labels, rng=rng,
                              reference=reference, anchor=anchor, outputs_of=outputs_of)
    for label, r in report.items():
        if not r["dependence"] >= DEPENDENCE:
            raise CheckFailed(
                f"{what}: not credited as the gradient of your own {forward_name} (which is wrong): "
                f"that forward barely depends on {label[1:]} (its derivative is {r['dependence']:.0%} "
                f"of the reference's; at least {DEPENDENCE:.0%} is needed).")
    for label, r in report.items():
        if not r["error"] <= tol:
            raise CheckFailed(f"{what}: {label} disagrees with a numeric gradient of your own "
                              f"{forward_name} (norm-relative error {r['error']:.1e}, tolerance {tol:.0e}).")
    return report


def forward_is_credible(observed, expected, variants) -> bool:
    """A wrong forward that is close to the reference or a known catalogue mistake."""
    from .hints import match
    if not _valid(observed, expected):
        return False
    if rel_err(observed, expected) <= CREDIBLE:
        return True
    return bool(variants) and bool(match(observed, variants, 1e-6))


__all__ = ["forward_is_credible", "gradcheck_report", "gradcheck_errors", "check_against_own_forward", "forward_is_wrong",
           "identical", "probe_point", "GRAD_TOL", "DEPENDENCE"]
