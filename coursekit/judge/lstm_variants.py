"""Known-wrong LSTM implementations computed judge-side, to name a student's mistake
(hint keys of hints.HINTS; see hints.lstm_step_variants for the step forward).

One small LSTM with switches reproduces each mistake; every variant differs from the
correct computation in exactly one place.
"""
from __future__ import annotations

import numpy as np

GATES = "ifog"   # column blocks of Wx, Wh, b


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """Correct step in float64: (next_h, next_c, cache)."""
    H = prev_h.shape[1]
    a = np.asarray(x, float) @ Wx + np.asarray(prev_h, float) @ Wh + b
    i, f, o = (_sig(a[:, k * H:(k + 1) * H]) for k in range(3))
    g = np.tanh(a[:, 3 * H:])
    c = f * prev_c + i * g
    tc = np.tanh(c)
    return o * tc, c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc)


def mistaken_step(x, prev_h, prev_c, Wx, Wh, b, *, order=GATES, g_act=np.tanh):
    """A step that reads its gates from the column blocks in `order` (i, f, o, g named by
    their letters) or squashes g with `g_act`: (next_h, next_c, cache as step_forward's)."""
    H = prev_h.shape[1]
    a = np.asarray(x, float) @ Wx + np.asarray(prev_h, float) @ Wh + b
    block = {name: a[:, k * H:(k + 1) * H] for k, name in enumerate(order)}
    i, f, o = (_sig(block[name]) for name in "ifo")
    g = g_act(block["g"])
    c = f * prev_c + i * g
    tc = np.tanh(c)
    return o * tc, c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc)


def step_backward(dnext_h, dnext_c, cache, *, order=GATES, forget=True, tanh_derivative=True,
                  use_dnext_c=True, g_derivative="tanh"):
    """Step backward with one switch flipped: (dx, dprev_h, dprev_c, dWx, dWh, db)."""
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tc = cache
    dh_c = dnext_h * o * ((1 - tc ** 2) if tanh_derivative else 1.0)
    dc = (dnext_c if use_dnext_c else 0.0) + dh_c
    dg = g * (1 - g) if g_derivative == "sigmoid" else 1 - g ** 2
    grads = {"i": dc * g * i * (1 - i), "f": dc * prev_c * f * (1 - f),
             "o": dnext_h * tc * o * (1 - o), "g": dc * i * dg}
    da = np.hstack([grads[name] for name in order])
    return [da @ Wx.T, da @ Wh.T, dc * f if forget else dc, x.T @ da, prev_h.T @ da, da.sum(axis=0)]


def step_backward_variants(x, prev_h, prev_c, Wx, Wh, b, dnext_h, dnext_c) -> dict:
    """Per-output variants (dx, dprev_h, dprev_c, dWx, dWh, db), keyed by hint id."""
    cache = step_forward(x, prev_h, prev_c, Wx, Wh, b)[2]

    def run(**switch):
        return lambda: step_backward(dnext_h, dnext_c, cache, **switch)
    out = {"dprev_c_no_forget": run(forget=False),
           "lstm_dc_no_tanh_derivative": run(tanh_derivative=False),
           "lstm_dc_no_dnext_c": run(use_dnext_c=False),
           "lstm_g_sigmoid_derivative": run(g_derivative="sigmoid")}
    for order in ("fiog", "ifgo", "igfo", "gifo", "iofg", "oifg"):
        out[f"lstm_gate_order:{order}"] = run(order=order)
    return _per_output(out, 6)


def _per_output(variants: dict, n: int) -> dict:
    """{key: thunk -> list} -> {key: [thunk -> output k]} with one evaluation per key."""
    out = {}
    for key, thunk in variants.items():
        memo = {}

        def get(k, thunk=thunk, memo=memo):
            if "v" not in memo:
                memo["v"] = thunk()
            return memo["v"][k]
        out[key] = [(lambda k=k, get=get: get(k)) for k in range(n)]
    return out


def forward(x, h0, Wx, Wh, b, *, c0_h0=False, chain_h=True, carry_c=True):
    """lstm_forward with one switch flipped: (h, step caches)."""
    prev_h, prev_c = h0, (h0 if c0_h0 else np.zeros_like(h0, dtype=float))
    hs, caches = [], []
    for t in range(x.shape[1]):
        nh, nc, cache = step_forward(x[:, t], prev_h if chain_h else h0,
                                     prev_c if carry_c else np.zeros_like(prev_c), Wx, Wh, b)
        hs.append(nh)
        caches.append(cache)
        prev_h, prev_c = nh, nc
    return np.stack(hs, axis=1), caches


def forward_variants(x, h0, Wx, Wh, b) -> dict:
    return {"lstm_c0_h0": [lambda: forward(x, h0, Wx, Wh, b, c0_h0=True)[0]],
            "no_chain_forward": [lambda: forward(x, h0, Wx, Wh, b, chain_h=False)[0]],
            "lstm_c_not_carried": [lambda: forward(x, h0, Wx, Wh, b, carry_c=False)[0]]}


def backward(dh, caches, *, chain_h=True, chain_c=True, keep="sum"):
    """lstm_backward with one switch flipped: (dx, dh0, dWx, dWh, db)."""
    N, T, H = dh.shape
    dx = np.zeros((N, T, caches[0][0].shape[1]))
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    acc = [0.0, 0.0, 0.0]
    for t in reversed(range(T)):
        dx_t, dph, dpc, dWx, dWh, db = step_backward(dh[:, t] + (dprev_h if chain_h else 0.0),
                                                     dprev_c if chain_c else np.zeros((N, H)), caches[t])
        dx[:, t], dprev_h, dprev_c = dx_t, dph, dpc
        step = [dWx, dWh, db]
        if keep == "sum":
            acc = [p + s for p, s in zip(acc, step)]
        elif keep == "first" and t == 0 or keep == "last" and t == T - 1:
            acc = step
    return [dx, dprev_h, *acc]


def backward_variants(x, h0, Wx, Wh, b, dh) -> dict:
    """Per-output variants (dx, dh0, dWx, dWh, db) of the usual sequence-backward bugs."""
    caches = forward(x, h0, Wx, Wh, b)[1]

    def run(**switch):
        return lambda: backward(dh, caches, **switch)
    return _per_output({"dprev_not_chained": run(chain_h=False),
                        "dprev_c_not_chained": run(chain_c=False),
                        "not_summed_over_time": run(keep="first"),
                        "not_summed_over_time:last": run(keep="last")}, 5)
