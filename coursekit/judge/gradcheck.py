"""Numeric gradient check of a student's backward against the student's OWN forward, with
norm-relative errors (element-wise relative errors of tiny LSTM gradients are dominated by
rounding: some entries are ~1e-7 relative even for the reference).

For each input the judge draws K random directions v_1..v_K and compares the K numeric
directional derivatives (f(x + h v) - f(x - h v)) / 2h, each from two calls of the
student's forward, with the K analytic values <grad, v_k>, by ||num - ana|| / (||num|| +
||ana|| + floor). The forward always runs in float64 (float32 inputs are converted), so
only the analytic side carries float32 rounding.

Calibration (tests/test_judge_lstm.py, printed by its calibration test): on the reference
LSTM the errors are at most ~1e-9 with float64 inputs and ~1e-6 with float32 ones; the
wrong backwards of the hint catalogue give 1e-2 or more. Thresholds: GRAD_TOL below.
"""
from __future__ import annotations

import numpy as np

from .checks import CheckFailed, valid_array

DIRECTIONS = 3          # random directions per input
STEP = 1e-5             # central-difference step (float64 forward)
GRAD_TOL = {"float64": 1e-6, "float32": 1e-3}
FLOOR = 1e-4            # absolute floor of the denominator, times max(1, |f(x)|)


def _as64(a):
    return np.asarray(a, dtype=np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a


def gradcheck_errors(call_forward, args, inputs, analytic, scalar, *, labels, rng) -> dict:
    """{label: norm-relative error} for each input index in `inputs`; call_forward(*args)
    returns the forward's result, scalar(result) -> float (validates it)."""
    base = [_as64(a) for a in args]
    f0 = scalar(call_forward(*base))
    floor = FLOOR * max(1.0, abs(f0))
    errors = {}
    for k, grad, label in zip(inputs, analytic, labels):
        x = base[k]
        g = np.asarray(valid_array(grad, label, x.shape), dtype=np.float64)
        num, ana = [], []
        for _ in range(DIRECTIONS):
            v = rng.standard_normal(x.shape)
            vals = []
            for sign in (1.0, -1.0):
                moved = list(base)
                moved[k] = x + sign * STEP * v
                vals.append(scalar(call_forward(*moved)))
            num.append((vals[0] - vals[1]) / (2 * STEP))
            ana.append(float(np.sum(g * v)))
        num, ana = np.array(num), np.array(ana)
        errors[label] = float(np.linalg.norm(num - ana)) / (
            float(np.linalg.norm(num) + np.linalg.norm(ana)) + floor)
    return errors


def check_against_own_forward(call_forward, args, inputs, analytic, scalar, *, labels, rng,
                              what: str, forward_name: str) -> dict:
    """Raise CheckFailed naming the first gradient that disagrees with a numeric gradient of
    the student's own forward; returns the errors when all agree."""
    dtype = "float32" if any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args) else "float64"
    tol = GRAD_TOL[dtype]
    errors = gradcheck_errors(call_forward, args, inputs, analytic, scalar, labels=labels, rng=rng)
    for label, err in errors.items():
        if not err <= tol:
            raise CheckFailed(f"{what}: {label} disagrees with a numeric gradient of your own "
                              f"{forward_name} (norm-relative error {err:.1e}, tolerance {tol:.0e}).")
    return errors


__all__ = ["gradcheck_errors", "check_against_own_forward", "GRAD_TOL"]
