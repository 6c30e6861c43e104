"""Helpers of the self-check tests: call your code and turn problems into one clear message."""
import traceback

import numpy as np
import pytest


def rel_error(x, y):
    """The notebooks' relative error: max |x - y| / max(1e-8, |x| + |y|)."""
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


def fail(message):
    pytest.fail(message, pytrace=False)


def call(name, function, *args, **kwargs):
    """function(*args), with an exception reported as '<name> raised ...' and where."""
    try:
        return function(*args, **kwargs)
    except Exception as exc:  # the student's code failed: say what and where
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        fail(f"{name} raised {type(exc).__name__}: {exc} "
             f"(at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})")


def require_values(name, values, labels):
    """Fail with 'not implemented yet' when the function returned None (or None values)."""
    if values is None or all(v is None for v in values):
        fail(f"{name} returned None: it is not implemented yet")
    missing = [label for label, v in zip(labels, values) if v is None]
    if missing:
        fail(f"{name} returned None for {', '.join(missing)}: it is not fully implemented yet")


def expect_close(name, label, got, want, threshold):
    if np.shape(got) != np.shape(want):
        fail(f"{name}: {label} has shape {np.shape(got)}, expected {np.shape(want)}")
    err = rel_error(np.asarray(want, dtype=float), np.asarray(got, dtype=float))
    if not err < threshold:
        fail(f"{name}: {label} differs from the expected values (relative error {err:.1e} > {threshold:.0e})")


def expect_gradients(name, analytic, numeric, thresholds):
    """analytic, numeric: dicts label -> array; thresholds: a number or dict label -> number."""
    for label, want in numeric.items():
        limit = thresholds[label] if isinstance(thresholds, dict) else thresholds
        got = analytic[label]
        if np.shape(got) != np.shape(want):
            fail(f"{name}: {label} has shape {np.shape(got)}, expected {np.shape(want)}")
        err = rel_error(want, np.asarray(got, dtype=float))
        if not err < limit:
            fail(f"{name}: {label} does not match the numeric gradient "
                 f"(relative error {err:.1e} > {limit:.0e})")


def linspace(lo, hi, *shape):
    """The notebooks' test inputs: np.linspace(lo, hi, num=size).reshape(shape)."""
    return np.linspace(lo, hi, num=int(np.prod(shape))).reshape(*shape)
