"""Numeric gradients by centred differences, to check analytic backward passes."""
import numpy as np


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """Numeric gradient of a scalar function f at x.

    Inputs:
    - f: A function that takes a single argument (the array x) and returns a scalar
    - x: The point (numpy array) at which to evaluate the gradient. It is perturbed
      in place, one element at a time, and restored afterwards.
    - verbose: If True, print each coordinate and its gradient
    - h: Step size of the centred difference

    Returns:
    - grad: Array of the same shape as x with the numeric gradient
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old_value = x[ix]
        x[ix] = old_value + h
        fxph = f(x)
        x[ix] = old_value - h
        fxmh = f(x)
        x[ix] = old_value
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numeric gradient of sum(f(x) * df) at x, for a function f returning an array.

    Inputs:
    - f: A function that takes the array x and returns an array
    - x: The point (numpy array) at which to evaluate the gradient; perturbed in
      place and restored
    - df: Upstream gradient, of the same shape as f(x)
    - h: Step size of the centred difference

    Returns:
    - grad: Array of the same shape as x
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old_value = x[ix]
        x[ix] = old_value + h
        pos = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old_value - h
        neg = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old_value
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad
