"""Non-finite step outputs on large pre-activations: where they are, and whether a tanh or a
sigmoid written with np.exp explains them.

A hint is given only when the prediction is exactly what was observed: the step computed
judge-side with one of the exp-written forms below (in the inputs' dtype, overflow allowed)
has its NaN / inf entries exactly where the student's output has them.
"""
from __future__ import annotations

import numpy as np

from .checks import CheckFailed
from .hints import HINTS
from .training.ranges import preactivation


def _ratio(num, den):
    with np.errstate(all="ignore"):
        return num / den


def _exp(z):
    with np.errstate(all="ignore"):
        return np.exp(z)


# tanh written with exponentials, as real solutions do (each overflows for large |a|)
TANH_FORMS = {
    "np.tanh": np.tanh,
    "(e^a - e^-a) / (e^a + e^-a)": lambda a: _ratio(_exp(a) - _exp(-a), _exp(a) + _exp(-a)),
    "(e^2a - 1) / (e^2a + 1)": lambda a: _ratio(_exp(2 * a) - 1, _exp(2 * a) + 1),
    "(1 - e^-2a) / (1 + e^-2a)": lambda a: _ratio(1 - _exp(-2 * a), 1 + _exp(-2 * a)),
    "sinh / cosh": lambda a: _ratio(*_sinh_cosh(a)),
}
SIGMOID_FORMS = {
    "stable": lambda z: np.where(z >= 0, 1 / (1 + _exp(-np.abs(z))), _ratio(_exp(-np.abs(z)), 1 + _exp(-np.abs(z)))),
    "e^z / (1 + e^z)": lambda z: _ratio(_exp(z), 1 + _exp(z)),
    "1 / (1 + e^-z)": lambda z: _ratio(1, 1 + _exp(-z)),
}


def _sinh_cosh(a):
    with np.errstate(all="ignore"):
        return np.sinh(a), np.cosh(a)


def rnn_step(args, tanh):
    return tanh(preactivation(args))


def lstm_step(args, tanh, sigmoid):
    prev_c = args[2]
    a = preactivation(args)
    H = prev_c.shape[1]
    i, f, o = (sigmoid(a[:, k * H:(k + 1) * H]) for k in range(3))
    with np.errstate(all="ignore"):
        c = f * prev_c + i * tanh(a[:, 3 * H:])
        return o * tanh(c), c


def predictions(cell: str, args) -> dict:
    """{hint key: outputs (a list)} of the exp-written forms that overflow (never the correct one)."""
    args = list(args)
    if cell == "rnn":
        return {"tanh_exp_overflow": [[rnn_step(args, f)] for name, f in TANH_FORMS.items() if name != "np.tanh"]}
    out: dict = {"tanh_exp_overflow": [], "sigmoid_exp_overflow": []}
    for sname, sig in SIGMOID_FORMS.items():
        for tname, tanh in TANH_FORMS.items():
            if (sname, tname) != ("stable", "np.tanh"):
                key = "sigmoid_exp_overflow" if tname == "np.tanh" else "tanh_exp_overflow"
                out[key].append(list(lstm_step(args, tanh, sig)))
    return out


def finite(observed) -> bool:
    """False when one of the outputs is a float array holding NaN or inf."""
    return not any(isinstance(o, np.ndarray) and o.dtype.kind == "f" and not np.all(np.isfinite(o))
                   for o in observed)


def check_finite(cell: str, args, observed, expected, names) -> None:
    """Raise CheckFailed when an observed output of the expected shape holds NaN or inf: where
    (the pre-activation there) and, when an exp-written form predicts exactly those entries, why."""
    for k, (obs, exp, name) in enumerate(zip(observed, expected, names)):
        if not isinstance(obs, np.ndarray) or obs.shape != np.shape(exp) or finite([obs]):
            continue
        bad = ~np.isfinite(obs)
        n, j = (int(v[0]) for v in np.nonzero(bad))
        a = preactivation(args)
        H = obs.shape[1]
        around = a[n, j::H].flat[int(np.argmax(np.abs(a[n, j::H])))]
        hint = _explain(cell, args, k, bad)
        raise CheckFailed(f"{name} is NaN or infinite for pre-activations around {around:.0f} "
                          "(the range a trained model reaches)." + (f" Hint: {hint}" if hint else ""))


def _explain(cell, args, k, bad) -> str:
    for key, outputs in predictions(cell, args).items():
        for out in outputs:
            pred = np.asarray(out[k])
            if pred.shape == bad.shape and np.array_equal(~np.isfinite(pred), bad):
                return HINTS[key]
    return ""
