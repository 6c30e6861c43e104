"""Granted reference calls are bounded by the work they ask for (issue 19, point 2): every
argument is checked judge-side against one problem's dimensions before the reference runs
(coursekit.judge.grant_args, through grants.argument_check).

What the reference's own forwards return is accepted, for random dimensions and both
dtypes; forged caches are refused: the issue's embedding cache whose shapes disagree with
dout (np.add.at broadcast over 1e10 updates), shape tuples that disagree with the step
caches, out-of-range word indices, a step cache per time step missing, a W of 10^12 numbers,
3-d arrays where a matrix belongs. And the dimensions are the running test's
(grant_args.Bounds): its own calls, minibatches and slices are accepted, a call one larger
along N, T, D, H or V is refused; end to end, a lent step asked for one example more than
the test has fails that check only."""
from __future__ import annotations

import numpy as np
import pytest

from coursekit.judge.blocks import TRAINING, KeptCache
from coursekit.judge.grants import (LSTM_MODEL_LAYERS, LSTM_STEPS, RNN_MODEL_LAYERS, RNN_STEPS, Bounds,
                                    CallbackRefused, argument_check)

GRANTED = sorted({n for g in (RNN_STEPS, LSTM_STEPS, RNN_MODEL_LAYERS, LSTM_MODEL_LAYERS) for n in g.names})


def check(L, name, *args, **kwargs):
    argument_check(name, getattr(L, name))(*args, **kwargs)


def problem(seed, dtype, dims=None):
    rng = np.random.default_rng(seed)
    N, T, D, H, V = dims or (int(rng.integers(1, 7)) for _ in range(5))
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


# ----------------------------------------------------------------------------- the running test's
# dimensions (grant_args.Bounds): exact D, H, V; at most N, T
def bounds_of(p, **changes):
    return Bounds.of(**{**{k: p[k] for k in "NTDHV"}, **changes})


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_running_tests_own_calls_and_minibatches_are_accepted(L, dtype):
    p = problem(3, dtype)
    bounds, f, N, T = bounds_of(p), p["f"], p["N"], p["T"]
    x, h, words = p["x"], p["h"], p["words"]
    for n, t in {(N, T), (1, T), (N, 1), (max(N - 1, 1), max(T - 1, 1))}:   # minibatches, slices
        args = (x[:n, :t], h[:n], p["Wx"], p["Wh"], p["b"])
        argument_check("rnn_forward", L.rnn_forward, bounds)(*args)
        argument_check("rnn_backward", L.rnn_backward, bounds)(f(n, t, p["H"]), L.rnn_forward(*args)[1])
        argument_check("rnn_step_forward", L.rnn_step_forward, bounds)(x[:n, 0], h[:n], *args[2:])
        _, cache = L.word_embedding_forward(words[:n, :t], p["W"])
        argument_check("word_embedding_backward", L.word_embedding_backward, bounds)(f(n, t, p["D"]), cache)
    # a sample embeds one word per caption: (N,) indices
    argument_check("word_embedding_forward", L.word_embedding_forward, bounds)(words[:, 0], p["W"])


def test_calls_sized_for_a_larger_problem_than_the_running_tests_are_refused(L):
    p = problem(3, np.float64, dims=(3, 4, 5, 6, 7))
    N, T, D, H = (p[k] for k in "NTDH")
    calls = {"N": ("rnn_step_forward", p["xs"], p["h"], p["Wx"], p["Wh"], p["b"]),
             "T": ("rnn_forward", p["x"], p["h"], p["Wx"], p["Wh"], p["b"]),
             "D": ("lstm_step_forward", p["xs"], p["h"], p["c"], p["Wx4"], p["Wh4"], p["b4"]),
             "H": ("lstm_forward", p["x"], p["h"], p["Wx4"], p["Wh4"], p["b4"]),
             "V": ("word_embedding_forward", p["words"], p["W"])}
    for sym, (name, *args) in calls.items():
        smaller = bounds_of(p, **{sym: p[sym] - 1})    # the running test is one smaller along sym
        with pytest.raises(CallbackRefused, match=f"{sym} = {p[sym]}"):
            argument_check(name, getattr(L, name), smaller)(*args)
            pytest.fail(f"accepted {name} with {sym} = {p[sym]} in a test of {dict(smaller.sizes)}")
        argument_check(name, getattr(L, name), bounds_of(p))(*args)      # the test's own size: accepted
    # a kept sequence cache of a longer sequence than the test's; a dimension the test lacks
    _, seq = L.rnn_forward(p["x"], p["h"], p["Wx"], p["Wh"], p["b"])
    with pytest.raises(CallbackRefused, match=f"T = {T}"):
        argument_check("rnn_backward", L.rnn_backward, bounds_of(p, T=T - 1))(np.ones((N, T, H)), KeptCache(seq))
    with pytest.raises(CallbackRefused, match="no dimension V"):
        argument_check("word_embedding_forward", L.word_embedding_forward, Bounds.of(N=N, T=T, D=D, H=H))(
            p["words"], p["W"])


def test_a_grant_without_the_tests_dimensions_lends_nothing(L):
    with pytest.raises(ValueError, match="within"):
        RNN_STEPS.callbacks(L)
    assert set(RNN_STEPS.within(N=2, T=3, D=4, H=5).callbacks(L)) == {f"ref:{n}" for n in RNN_STEPS.names}
    kept = TRAINING["rnn"].within(N=2, T=3, D=4, H=5, V=9)
    assert kept.everything().bounds == kept.put_back(["rnn_step_forward"]).bounds == kept.bounds
    with pytest.raises(ValueError):
        Bounds.of(N=0)


# ----------------------------------------------------------------------------- end to end
BROKEN_STEP = ("rnn_layers.py", "next_h = np.tanh(x @ Wx + prev_h @ Wh + b)", "next_h = np.tanh(x @ Wx + prev_h @ Wh)")
STEP_CALL = "prev_h, step_cache = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)"
# the same rnn_forward, but each lent step is asked for one example more than the test has
PADDED_STEP_CALL = ("rnn_layers.py", STEP_CALL,
                    "prev_h, step_cache = rnn_step_forward(np.concatenate([x[:, t, :], x[:1, t, :]]), "
                    "np.concatenate([prev_h, prev_h[:1]]), Wx, Wh, b)\n        prev_h = prev_h[:-1]")


def test_a_granted_call_sized_for_a_larger_problem_fails_that_check_only(tmp_path, course):
    """rnn_forward is graded with the reference step functions lent (its own step has no bias):
    the honest rnn_forward keeps its points; the one that asks the lent step for one example
    more than the test has is refused there: its checks fail, nothing is an internal error,
    and rnn_step_forward (the bias bug) is charged the same in both."""
    from helpers_grading import make_submission, replacing

    from coursekit.judge import judge_submission
    items = ["rnn_step_forward", "rnn_forward"]
    results = {name: judge_submission(make_submission(tmp_path / name, course, replacing(*edits)),
                                      config=course, items=items)
               for name, edits in {"honest": [BROKEN_STEP], "padded": [BROKEN_STEP, PADDED_STEP_CALL]}.items()}
    points = {t.name: t.score for t in results["honest"].tests}
    assert points["rnn_forward"] == course.points.required["rnn_forward"], results["honest"].tests
    padded = {t.name: t for t in results["padded"].tests}
    assert padded["rnn_forward"].score == 0, padded["rnn_forward"].output
    assert padded["rnn_step_forward"].score == points["rnn_step_forward"] < course.points.required["rnn_step_forward"]
    for result in results.values():
        assert "internal_errors" not in result.extra_data, result.extra_data["internal_errors"]
