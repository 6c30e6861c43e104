"""Helpers of the hidden suite (autograder/tests): call a student function, validate and
compare its outputs with the reference, diagnose with the hint catalogue, gradient checks."""
from __future__ import annotations

import numpy as np

from .checks import CheckFailed, compare, rel_err, tolerance, unpack, valid_array
from .hints import diagnose, hint

LAYERS = "cs231n.rnn_layers"
HELPERS = "ck_judge_helpers"
NUMGRAD_DIRECTIONS = 2


def target(name: str, module: str = LAYERS) -> str:
    return f"{module}:{name}"


def call_fn(runner, name, *args, n_out: int, module: str = LAYERS):
    """Call a student function that returns a tuple of n_out values (n_out=1: a bare value)."""
    res = runner.call(target(name, module), *args, what=name)
    return (res,) if n_out == 1 else unpack(res, n_out, name)


def check_outputs(observed, expected, names, *, variants=None, what="", extra_tol_arrays=()):
    """Compare each observed output with the reference; on failure, name the known mistake
    whose judge-side variant matches that output (variants: {hint key: list of outputs})."""
    for k, (obs, exp, name) in enumerate(zip(observed, expected, names)):
        exp = np.asarray(exp)
        tol = tolerance(obs, exp, *extra_tol_arrays)
        try:
            compare(obs, exp, name, tol=tol)
        except CheckFailed as failure:
            found = ""
            if variants:
                per_output = {key: (v[k] if isinstance(v, (list, tuple)) else v)
                              for key, v in variants.items()}
                found = diagnose(obs, per_output, max(tol, 1e-6))
            if found:
                found = found.format(name=name)
            raise CheckFailed(f"{what}: {failure}" + (f" Hint: {found}" if found else "")) from None


def check_not_modified(runner, name, args, labels, expected, module: str = LAYERS, *, shape_only=False):
    """Run name(*args) through the in-sandbox helper that returns the inputs after the call;
    the first output must also match `expected` (an unimplemented stub does not pass), or,
    with `shape_only`, be a valid array of its shape."""
    res = runner.call(f"{HELPERS}:call_keep_inputs", module, name, list(args), what=name)
    out, after = unpack(res, 2, name)
    first = out[0] if isinstance(out, (tuple, list)) and out else out
    if shape_only:
        valid_array(first, f"{name}: output", np.shape(expected))
    else:
        check_outputs([first], [expected], ["output"], what=name)
    if not isinstance(after, (list, tuple)) or len(after) != len(args):
        raise CheckFailed(f"{name}: could not read the inputs back after the call.")
    for before, now, label in zip(args, after, labels):
        if isinstance(before, np.ndarray) and label:
            if not isinstance(now, np.ndarray) or now.shape != before.shape or not np.array_equal(now, before):
                raise CheckFailed(f"{name}: {hint('inplace', name=label)}")


def directional_gradcheck(runner, forward, args, inputs, analytic, scalar, *, what, rng):
    """Numeric gradient of the student's own forward along random directions, compared with
    the student's analytic gradients. inputs: indices of args; analytic: matching gradients;
    scalar(result) -> float (validates the result). Returns None or raises CheckFailed."""
    scalar(runner.call(target(forward), *args, what=forward))  # the forward works at all
    for k, grad, label in zip(inputs, analytic, [f"input {i}" for i in inputs]):
        x = np.asarray(args[k])
        f32 = x.dtype == np.float32
        h, tol = (1e-2, 2e-2) if f32 else (1e-3, 1e-3)
        for _ in range(NUMGRAD_DIRECTIONS):
            v = rng.standard_normal(x.shape).astype(x.dtype)
            vals = []
            for sign in (1, -1):
                moved = list(args)
                moved[k] = (x + sign * h * v).astype(x.dtype)
                vals.append(scalar(runner.call(target(forward), *moved, what=forward)))
            num = (vals[0] - vals[1]) / (2 * h)
            ana = float(np.sum(np.asarray(grad, dtype=np.float64) * v))
            scale = max(abs(num) + abs(ana), 1e-3 * float(np.linalg.norm(grad)) * np.sqrt(v.size), 1e-10)
            if abs(num - ana) / scale > tol:
                raise CheckFailed(f"{what}: the gradient of argument {k} disagrees with a numeric gradient "
                                  f"of your own forward (relative error {abs(num - ana) / scale:.1e}).")


def dot_scalar(douts, n_out, names):
    """scalar(result) = sum_k <out_k, dout_k> over the first outputs of a forward call."""
    def scalar(result):
        outs = unpack(result, n_out, names[0]) if n_out > 1 else (result,)
        total = 0.0
        for out, dout, name in zip(outs, douts, names):
            total += float(np.sum(np.asarray(valid_array(out, name, dout.shape), dtype=np.float64) * dout))
        return total
    return scalar


def same_ints(observed, expected, name) -> None:
    obs = valid_array(observed, name, expected.shape, integer=True)
    bad = int(np.sum(obs != expected))
    if bad:
        raise CheckFailed(f"{name}: {bad} of {expected.size} entries differ from the reference.")


__all__ = ["call_fn", "check_outputs", "check_not_modified", "directional_gradcheck", "dot_scalar",
           "same_ints", "rel_err", "CheckFailed", "compare", "valid_array", "unpack", "tolerance"]
