"""Helpers of the self-check tests: call your code and turn problems into one clear message."""
import os
import traceback

import numpy as np
import pytest

ASSIGNMENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE_DIR = os.path.join(ASSIGNMENT_DIR, 'cs231n')
EXTRA_CREDIT_NOTE = "extra credit (the LSTM part is optional)"


def rel_error(x, y):
    """The notebooks' relative error: max |x - y| / max(1e-8, |x| + |y|)."""
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


def fail(message):
    pytest.fail(message, pytrace=False)


def not_started(message, extra_credit=False):
    """A function that is not written yet: a failure, or a skip for the extra credit."""
    if extra_credit:
        pytest.skip(f"{EXTRA_CREDIT_NOTE}: {message}")
    fail(message)


def _where(exc):
    """'cs231n/rnn_layers.py:123' for the innermost line of the assignment's code in the
    traceback (else the innermost line)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if os.path.abspath(f.filename).startswith(PACKAGE_DIR + os.sep)]
    frame = (ours or frames)[-1]
    path = os.path.abspath(frame.filename)
    shown = os.path.relpath(path, ASSIGNMENT_DIR) if path.startswith(ASSIGNMENT_DIR + os.sep) else path
    return f"{shown.replace(os.sep, '/')}:{frame.lineno}"


def call(name, function, *args, **kwargs):
    """function(*args), with an exception reported once as '<name> raised ... (at file:line)'."""
    try:
        return function(*args, **kwargs)
    except Exception as exc:  # the student's code failed: say what and where
        message = f"{name} raised {type(exc).__name__}: {exc} (at {_where(exc)})"
    fail(message)  # outside the except block: no "During handling of the above exception"


def require_values(name, values, labels, extra_credit=False):
    """'not implemented yet' when the function returned None (or None values)."""
    if values is None or all(v is None for v in values):
        not_started(f"{name} returned None: it is not implemented yet", extra_credit)
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


def lstm_started():
    """True when lstm_forward returns something (the extra credit has been started)."""
    from cs231n import rnn_layers
    try:
        result = rnn_layers.lstm_forward(np.zeros((1, 1, 1)), np.zeros((1, 1)), np.zeros((1, 4)),
                                         np.zeros((1, 4)), np.zeros(4))
    except Exception:
        return True  # started, but broken: the tests will say where
    return result is not None and not all(v is None for v in result)
