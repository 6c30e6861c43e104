"""Is a calibration solution correct? Its functions against the reference's on random inputs.

The solutions are the kit's own code (not hostile), so this runs them in-process: the
submission's cs231n package is imported under a private name (coursekit.reference), every
function the solution writes is called on the same inputs as the reference's (a backward with
its own forward's cache), and the results must agree to float64 precision.
"""
from __future__ import annotations

import builtins

import numpy as np

from coursekit.reference import load_package, submodule

TOL = 1e-7
N, T, D, H, WORDVEC, V = 3, 5, 4, 6, 7, 9
WORDS = {"<NULL>": 0, "<START>": 1, "<END>": 2, **{f"w{i}": i for i in range(3, V)}}


def _inputs(rng) -> dict:
    r = lambda *shape: rng.standard_normal(shape)        # noqa: E731
    x_seq = r(N, T, D)
    words = rng.integers(0, V, size=(N, T))
    words[0, :2] = words[1, 0]                           # repeated words
    return {
        "rnn_step_forward": (r(N, D), r(N, H), r(D, H), r(H, H), r(H)),
        "rnn_step_backward": r(N, H),
        "rnn_forward": (x_seq, r(N, H), r(D, H), r(H, H), r(H)),
        "rnn_backward": r(N, T, H),
        "word_embedding_forward": (words, r(V, WORDVEC)),
        "word_embedding_backward": r(N, T, WORDVEC),
        "lstm_step_forward": (r(N, D), r(N, H), r(N, H), r(D, 4 * H), r(H, 4 * H), r(4 * H)),
        "lstm_step_backward": (r(N, H), r(N, H)),
        "lstm_forward": (x_seq, r(N, H), r(D, 4 * H), r(H, 4 * H), r(4 * H)),
        "lstm_backward": r(N, T, H),
    }


def _copy(args):
    return tuple(np.array(a, copy=True) for a in args)


def _close(got, want) -> bool:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        return False
    scale = np.maximum(np.abs(want), 1.0)
    return bool(np.all(np.abs(got - want) <= TOL * scale))


def _layers(name: str, mod, inputs) -> list:
    """Forward outputs and backward gradients of the pair `name` (forward + its backward)."""
    fwd, bwd = getattr(mod, f"{name}_forward"), getattr(mod, f"{name}_backward")
    args = _copy(inputs[f"{name}_forward"])
    out = fwd(*args)
    *values, cache = out
    upstream = inputs[f"{name}_backward"]
    upstream = _copy(upstream) if isinstance(upstream, tuple) else (np.array(upstream, copy=True),)
    grads = bwd(*upstream, cache)
    return list(values) + list(grads if isinstance(grads, tuple) else (grads,))


def _model(pkg, cell_type: str, params: dict):
    model = submodule(pkg, "classifiers.rnn").CaptioningRNN(
        WORDS, input_dim=D, wordvec_dim=WORDVEC, hidden_dim=H, cell_type=cell_type, dtype=np.float64)
    model.params = {k: np.array(v, copy=True) for k, v in params.items()}
    return model


def _model_outputs(pkg, cell_type: str, params: dict, features, captions) -> list:
    model = _model(pkg, cell_type, params)
    loss, grads = model.loss(features.copy(), captions.copy())
    sampled = model.sample(features.copy(), max_length=6)
    return [loss] + [grads[k] for k in sorted(params)] + [sampled]


PAIRS = {"rnn_step": ("rnn_step_forward", "rnn_step_backward"), "rnn": ("rnn_forward", "rnn_backward"),
         "word_embedding": ("word_embedding_forward", "word_embedding_backward"),
         "lstm_step": ("lstm_step_forward", "lstm_step_backward"), "lstm": ("lstm_forward", "lstm_backward")}


def problems(submission_dir, reference_dir, written: set[str], alias: str) -> list[str]:
    """What differs from the reference, for the functions in `written` (empty: correct)."""
    builtins.xrange = range          # the Python 2 students' loops
    ref = load_package(reference_dir, "ck_calibration_reference")
    pkg = load_package(submission_dir, alias)
    ref_layers, layers = submodule(ref, "rnn_layers"), submodule(pkg, "rnn_layers")
    rng = np.random.default_rng(231)
    inputs = _inputs(rng)
    found = []
    for pair, names in PAIRS.items():
        if not set(names) <= written:
            continue
        try:
            got, want = _layers(pair, layers, inputs), _layers(pair, ref_layers, inputs)
        except Exception as exc:       # noqa: BLE001 (a wrong solution may raise anything)
            found.append(f"{pair}: {type(exc).__name__}: {exc}")
            continue
        if len(got) != len(want) or not all(_close(g, w) for g, w in zip(got, want)):
            found.append(f"{pair}: results differ from the reference")
    features = rng.standard_normal((N, D))
    captions = rng.integers(0, V, size=(N, T + 1))
    captions[:, 0] = WORDS["<START>"]
    captions[0, -2:] = WORDS["<NULL>"]
    for cell in ("rnn", "lstm") if "lstm_forward" in written else ("rnn",):
        base = submodule(ref, "classifiers.rnn").CaptioningRNN(
            WORDS, input_dim=D, wordvec_dim=WORDVEC, hidden_dim=H, cell_type=cell, dtype=np.float64)
        params = {k: rng.standard_normal(v.shape) for k, v in base.params.items()}
        try:
            got = _model_outputs(pkg, cell, params, features, captions)
        except Exception as exc:       # noqa: BLE001
            found.append(f"model ({cell}): {type(exc).__name__}: {exc}")
            continue
        want = _model_outputs(ref, cell, params, features, captions)
        if not all(_close(g, w) for g, w in zip(got, want)):
            found.append(f"model ({cell}): loss, gradients or samples differ from the reference")
    return found
