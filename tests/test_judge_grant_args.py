"""Granted reference calls are bounded by the work they ask for (issue 19, point 2): every
argument is checked judge-side against one problem's dimensions before the reference runs
(coursekit.judge.grant_args, through grants.argument_check).

What the reference's own forwards return is accepted, for random dimensions and both
dtypes; forged caches are refused: the issue's embedding cache whose shapes disagree with
dout (np.add.at broadcast over 1e10 updates), shape tuples that disagree with the step
caches, out-of-range word indices, a step cache per time step missing, a W of 10^12 numbers,
3-d arrays where a matrix belongs."""
from __future__ import annotations

import numpy as np
import pytest

from coursekit.judge.grants import (LSTM_MODEL_LAYERS, LSTM_STEPS, RNN_MODEL_LAYERS, RNN_STEPS,
                                    CallbackRefused, argument_check)

GRANTED = sorted({n for g in (RNN_STEPS, LSTM_STEPS, RNN_MODEL_LAYERS, LSTM_MODEL_LAYERS) for n in g.names})


def check(L, name, *args, **kwargs):
    argument_check(name, getattr(L, name))(*args, **kwargs)


def problem(seed, dtype):
    rng = np.random.default_rng(seed)
    N, T, D, H, V = (int(rng.integers(1, 7)) for _ in range(5))
    f = lambda *s: rng.standard_normal(s).astype(dtype)  # noqa: E731
    return dict(N=N, T=T, D=D, H=H, V=V, x=f(N, T, D), xs=f(N, D), h=f(N, H), c=f(N, H), Wx=f(D, H),
                Wh=f(H, H), b=f(H), Wx4=f(D, 4 * H), Wh4=f(H, 4 * H), b4=f(4 * H),
                words=rng.integers(0, V, size=(N, T)), W=f(V, D), f=f)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_what_the_reference_forwards_return_is_accepted(L, seed, dtype):
    p = problem(seed, dtype)
    f = p["f"]
    calls = {
        "rnn_step_forward": (p["xs"], p["h"], p["Wx"], p["Wh"], p["b"]),
        "rnn_forward": (p["x"], p["h"], p["Wx"], p["Wh"], p["b"]),
        "lstm_step_forward": (p["xs"], p["h"], p["c"], p["Wx4"], p["Wh4"], p["b4"]),
        "lstm_forward": (p["x"], p["h"], p["Wx4"], p["Wh4"], p["b4"]),
        "word_embedding_forward": (p["words"], p["W"]),
    }
    upstream = {"rnn_step_forward": (f(p["N"], p["H"]),), "rnn_forward": (f(p["N"], p["T"], p["H"]),),
                "lstm_step_forward": (f(p["N"], p["H"]), f(p["N"], p["H"])),
                "lstm_forward": (f(p["N"], p["T"], p["H"]),),
                "word_embedding_forward": (f(p["N"], p["T"], p["D"]),)}
    for forward, args in calls.items():
        check(L, forward, *args)
        cache = getattr(L, forward)(*args)[-1]
        check(L, forward.replace("forward", "backward"), *upstream[forward], cache)
    check(L, "rnn_step_forward", x=p["xs"], prev_h=p["h"], Wx=p["Wx"], Wh=p["Wh"], b=p["b"])


def test_every_granted_function_has_its_checks(L):
    for name in GRANTED:
        argument_check(name, getattr(L, name))      # raises for a function without a spec


def test_forged_caches_and_inconsistent_shapes_are_refused(L):
    p = problem(1, np.float64)
    _, real = L.word_embedding_forward(p["words"], p["W"])
    x = np.zeros((400, 400), dtype=np.int64)
    _, step = L.rnn_step_forward(p["xs"], p["h"], p["Wx"], p["Wh"], p["b"])
    _, seq = L.rnn_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])
    N, T, D, H = p["N"], p["T"], p["D"], p["H"]
    forged = {
        "dout broadcast over a forged embedding cache": ("word_embedding_backward", np.ones((1, 1, 60000)),
                                                        (x, (1, 60000), real[2])),
        "an embedding cache without its dtype": ("word_embedding_backward", np.ones((400, 400, 1)), (x, (1, 1))),
        "a W of 10^12 numbers": ("word_embedding_backward", np.ones((1, 10, 10 ** 6)),
                                 (np.zeros((1, 10), np.int64), (10 ** 6, 10 ** 6), real[2])),
        "word indices out of range": ("word_embedding_forward", p["words"] + p["V"], p["W"]),
        "negative word indices": ("word_embedding_forward", p["words"] - p["V"] - 1, p["W"]),
        "a dtype the judge never issued": ("word_embedding_backward", np.ones((N, T, D)),
                                           (p["words"], (p["V"], D), "float64")),
        "a shape tuple that disagrees with the step caches": ("rnn_backward", np.ones((N, T, H)),
                                                             ((N, T + 1000, D), seq[1])),
        "a step cache missing": ("rnn_backward", np.ones((N, T, H)), ((N, T, D), seq[1][:-1])),
        "a step cache with a 3-d x": ("rnn_step_backward", np.ones((N, H)), (np.ones((N, 9, D)), *step[1:])),
        "dnext of another size than the cache": ("rnn_step_backward", np.ones((N + 1, H)), step),
        "a matrix product broadcast over a batch": ("rnn_step_forward", np.ones((200, N, D)), p["h"],
                                                    p["Wx"], p["Wh"], p["b"]),
        "Wx that disagrees with x": ("rnn_step_forward", p["xs"], p["h"], np.ones((D + 1, H)), p["Wh"], p["b"]),
        "an LSTM bias of the wrong size": ("lstm_step_forward", p["xs"], p["h"], p["c"], p["Wx4"], p["Wh4"],
                                           np.ones(3 * H)),
        "too many arguments": ("rnn_step_forward", p["xs"], p["h"], p["Wx"], p["Wh"], p["b"], p["b"]),
    }
    for why, (name, *args) in forged.items():
        with pytest.raises(CallbackRefused):
            check(L, name, *args)
            pytest.fail(f"accepted: {why}")
