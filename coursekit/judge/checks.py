"""Judge-side comparisons: validate what came back from the worker, then compare it.

Every failure raises `CheckFailed` with a message written by the judge only: what was
checked, observed vs expected as summary numbers (shapes, relative errors), and a hint.
Student values are never echoed (no raw arrays), so substituted runs stay clean.
"""
from __future__ import annotations

import numpy as np

# Relative error (norm based, see rel_err) accepted for float64 and float32 arithmetic.
# Loose enough for float32 accumulation over a sequence, tight enough for every bug in the
# hint catalogue (those give errors above 1e-2 on the randomized inputs of the suite).
TOL_FLOAT64 = 1e-6
TOL_FLOAT32 = 2e-4


class CheckFailed(AssertionError):
    """A check of the hidden suite failed; the message is shown to the student.
    `student_text`: the student's own exception text (shown quoted, never as a verdict);
    `where`: {"file", "line", "text"} of the student's line that raised."""

    def __init__(self, message="", *, student_text=None, where=None):
        super().__init__(message)
        self.student_text, self.where = student_text, where


class JudgeCpuExceeded(CheckFailed):
    """The reference building blocks a granted run called used up the judge CPU the
    submission may spend on them: shown as it is (never replaced by the plain run's failure)."""


def rel_err(observed: np.ndarray, expected: np.ndarray) -> float:
    """||observed - expected|| / max(||observed|| + ||expected||, tiny), in float64."""
    o = np.asarray(observed, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    denom = max(float(np.linalg.norm(o) + np.linalg.norm(e)), 1e-12)
    return float(np.linalg.norm(o - e)) / denom


def tolerance(*arrays) -> float:
    """The float32 tolerance as soon as one of the CASE's arrays (the reference's expected
    output, the judge's inputs) is float32 (or lower). Never pass the student's output: a
    float32 answer to a float64 case does not buy the float32 tolerance."""
    for a in arrays:
        dt = getattr(a, "dtype", None)
        if dt is not None and dt.kind == "f" and dt.itemsize < 8:
            return TOL_FLOAT32
    return TOL_FLOAT64


def describe(value) -> str:
    """A short, safe description of a value's type (never its content)."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None"
    return f"a value of type {type(value).__name__}"


def unpack(result, n: int, what: str) -> tuple:
    """`result` must be a tuple/list of length n (the function's documented return)."""
    if not isinstance(result, (tuple, list)) or len(result) != n:
        got = f"a {type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list)) \
            else describe(result)
        raise CheckFailed(f"{what} must return a tuple of {n} values; it returned {got}.")
    return tuple(result)


def valid_array(value, name: str, shape: tuple, *, integer: bool = False) -> np.ndarray:
    """Type, shape, dtype and finiteness of a returned array; returns it."""
    if not isinstance(value, np.ndarray):
        if value is None:
            raise CheckFailed(f"{name} is None: not implemented yet (or not returned).")
        raise CheckFailed(f"{name} should be a numpy array of shape {shape}; got {describe(value)}.")
    if value.shape != tuple(shape):
        raise CheckFailed(f"{name} has shape {value.shape}; expected {tuple(shape)}.")
    kind = value.dtype.kind
    if integer:
        if kind not in "iu":
            raise CheckFailed(f"{name} should hold integers (word indices); got dtype {value.dtype}.")
        return value
    if kind not in "fiu":
        raise CheckFailed(f"{name} has dtype {value.dtype}; expected a floating point array.")
    if not np.all(np.isfinite(value)):
        raise CheckFailed(f"{name} contains NaN or infinite values.")
    return value


def valid_scalar(value, name: str) -> float:
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise CheckFailed(f"{name} should be a number; got {describe(value)}.")
    try:
        value = float(value)
    except OverflowError:           # a Python int beyond any float
        raise CheckFailed(f"{name} is too large to be a loss ({describe(value)}).") from None
    if not np.isfinite(value):
        raise CheckFailed(f"{name} is NaN or infinite.")
    return value


def compare(observed, expected: np.ndarray, name: str, *, tol: float | None = None,
            hint: str = "") -> float:
    """Validate `observed` and compare it with the judge's `expected`; returns the error."""
    obs = valid_array(observed, name, expected.shape)
    tol = tol if tol is not None else tolerance(expected)
    err = rel_err(obs, expected)
    if not err <= tol:
        msg = f"{name}: relative error {err:.2e} vs the reference (tolerance {tol:.0e})."
        raise CheckFailed(msg + (f" Hint: {hint}" if hint else ""))
    return err


def close(observed, expected, tol: float) -> bool:
    """True when a validated array matches `expected` within tol (for hint detection)."""
    try:
        return isinstance(observed, np.ndarray) and observed.shape == np.shape(expected) \
            and rel_err(observed, expected) <= tol
    except (TypeError, ValueError):
        return False
