"""Training for the overfit check, in the judge's own control loop.

The student's code is asked for one thing per iteration: `CaptioningRNN.loss` of the judge's
current parameters on the judge's minibatch, through the sandbox. Everything else happens
judge-side, with the provided code's semantics (CaptioningSolver + optim.adam + the notebook's
np.random draws, mirrored step for step): the initial parameters (the handout's __init__ under
the notebook's seed), the minibatch draws, the Adam updates, the learning-rate decay, and the
verdict -- the loss of the judge's parameters recomputed by the reference model.

So nothing the worker returns is believed: its gradients only move the judge's parameters;
they are validated (every parameter, shape, finite) and spot-checked against the reference's
gradient at iterations the judge draws (cosine >= SPOT_COSINE for every parameter: gradients
that leave layers untrained, e.g. only the output layer fitted, are refused; realistic bugs,
charged at their own items, are not); its loss values
are only drawn in the feedback's chart. Training stops early once the recomputed loss is below
the threshold (checked every `check_every` iterations).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..checks import CheckFailed, valid_array
from ..session import HELPERS
from .data import SmallData
from .recipe import Recipe

SPOT_CHECKS = 4          # iteration 0 and three more drawn by the judge
# Per parameter, student gradient vs reference gradient. Low on purpose: it refuses zero,
# random or sign-flipped gradients (cosine ~0 or below: layers left untrained), but never a
# realistic bug (dWh not summed over time gives ~0.1), which its own item already charges.
SPOT_COSINE = 0.05


@dataclass
class Run:
    history: list = field(default_factory=list)   # the student's reported losses (None: not finite)
    params: dict = field(default_factory=dict)    # the judge's parameters after training
    final: float = float("nan")                   # recomputed by the reference model
    iterations: int = 0


@dataclass
class Start:
    """What a training starts from, prepared in the judge's main thread (global RNG)."""
    params: dict
    rng: np.random.RandomState    # the notebook's draws right after the model's __init__


def prepare(judge, recipe: Recipe, data: SmallData) -> Start:
    """The handout's __init__ under the notebook's seed (via the reference), judge-side."""
    saved = np.random.get_state()
    try:
        np.random.set_state(data.state)
        model = reference_model(judge, recipe, data)
        rng = np.random.RandomState()
        rng.set_state(np.random.get_state())
    finally:
        np.random.set_state(saved)
    return Start({k: v.astype(np.float32) for k, v in model.params.items()}, rng)


def reference_model(judge, recipe: Recipe, data: SmallData, params=None, word_to_idx=None):
    model = judge.model.CaptioningRNN(word_to_idx or data.word_to_idx, input_dim=data.features.shape[1],
                                      cell_type=recipe.cell, dtype=np.float32, **recipe.model_kwargs())
    if params is not None:
        model.params = {k: np.array(v, dtype=np.float32) for k, v in params.items()}
    return model


class Oracle:
    """The reference side of one training, its model built once: the loss it recomputes on
    all 50 captions (the verdict) and the true gradient (the spot checks)."""

    def __init__(self, judge, recipe: Recipe, data: SmallData):
        self.layers, self.recipe, self.data = judge.layers, recipe, data
        self.model = reference_model(judge, recipe, data)

    def loss(self, params) -> float:
        """The reference model's loss, forward only (the reference layers, as its loss uses them)."""
        L, p = self.layers, self._as_float32(params)
        feats, caps = self.data.all()
        caps_in, caps_out = caps[:, :-1], caps[:, 1:]
        h0, _ = L.affine_forward(feats, p["W_proj"], p["b_proj"])
        words, _ = L.word_embedding_forward(caps_in, p["W_embed"])
        forward = L.rnn_forward if self.recipe.cell == "rnn" else L.lstm_forward
        h, _ = forward(words, h0, p["Wx"], p["Wh"], p["b"])
        scores, _ = L.temporal_affine_forward(h, p["W_vocab"], p["b_vocab"])
        loss, _ = L.temporal_softmax_loss(scores, caps_out, caps_out != self.model._null)
        return float(loss)

    def model_loss(self, params, feats, caps) -> tuple[float, dict]:
        """The reference model's (loss, grads) on a minibatch."""
        self.model.params = self._as_float32(params)
        loss, grads = self.model.loss(feats, caps)
        return float(loss), grads

    def gradients(self, params, feats, caps) -> dict:
        return self.model_loss(params, feats, caps)[1]

    @staticmethod
    def _as_float32(params) -> dict:
        return {k: np.asarray(v, dtype=np.float32) for k, v in params.items()}


def train(judge, recipe: Recipe, data: SmallData, start: Start, loss_fn, *, spot_rng=None) -> Run:
    """The solver's loop; loss_fn(params, features, captions) -> (loss, grads) (validated here)."""
    from coursekit.reference import submodule
    adam = submodule(judge.ref, "optim").adam
    params = {k: v.copy() for k, v in start.params.items()}
    configs = {k: {"learning_rate": recipe.learning_rate} for k in params}
    spots = _spot_iterations(recipe, spot_rng)
    oracle = Oracle(judge, recipe, data)
    run = Run()
    n = data.captions.shape[0]
    try:
        for t in range(recipe.iterations):
            feats, caps = data.batch(start.rng.choice(n, recipe.batch_size))
            loss, grads = loss_fn(params, feats, caps)
            run.history.append(loss)
            run.iterations = t + 1
            grads = valid_grads(grads, params, t)
            if t in spots:
                spot_check(oracle.gradients(params, feats, caps), grads, t)
            for k in params:
                params[k], configs[k] = adam(params[k], grads[k], configs[k])
            if (t + 1) % recipe.iterations_per_epoch == 0:
                for c in configs.values():
                    c["learning_rate"] *= recipe.lr_decay
            if (t + 1) % recipe.check_every == 0 and (t + 1) < recipe.iterations:
                if oracle.loss(params) < recipe.threshold:
                    break
    except CheckFailed as exc:
        exc.partial = run           # the history it reached (params and final left out): the chart's
        raise
    run.params = params
    run.final = oracle.loss(params)
    return run


def _spot_iterations(recipe: Recipe, rng) -> set:
    if rng is None:
        return set()
    window = np.arange(1, min(recipe.spot_window, recipe.iterations))   # before any early stop
    later = rng.choice(window, size=SPOT_CHECKS - 1, replace=False)
    return {0, *map(int, later)}


def valid_grads(grads, params, t) -> dict:
    if not isinstance(grads, dict):
        raise CheckFailed(f"CaptioningRNN.loss returned no gradient dict (iteration {t}).")
    out = {}
    for k, w in params.items():
        if k not in grads:
            raise CheckFailed(f"grads['{k}'] is missing (iteration {t}): CaptioningRNN.loss must "
                              "return a gradient for every parameter.")
        try:
            g = valid_array(grads[k], f"grads['{k}']", w.shape)
        except CheckFailed as exc:
            raise CheckFailed(f"{exc} (training iteration {t}: training diverged or broke)") from None
        out[k] = g.astype(w.dtype, copy=False)
    return out


def spot_check(ref, grads, t) -> None:
    """Every parameter's gradient `grads[k]` must have a cosine of at least SPOT_COSINE with
    the true gradient `ref[k]` (skipped where that one is ~0)."""
    for k, r in ref.items():
        r = np.asarray(r, dtype=np.float64)
        g = np.asarray(grads[k], dtype=np.float64)
        norm = float(np.linalg.norm(r))
        if norm < 1e-8:
            continue
        cos = float(np.sum(g * r)) / (norm * max(float(np.linalg.norm(g)), 1e-30))
        if not cos >= SPOT_COSINE:
            raise CheckFailed(f"during training, grads['{k}'] does not follow the gradient of the loss "
                              f"(cosine {cos:.3f} with the true gradient at iteration {t}; at least "
                              f"{SPOT_COSINE} is needed).")


def remote_loss(runner, recipe: Recipe, data: SmallData):
    """loss_fn for `train`: the student's CaptioningRNN.loss in the worker (one model, built
    once; the judge's parameters sent with every call)."""
    model = runner.call(f"{HELPERS}:make_model", data.word_to_idx, data.features.shape[1],
                        recipe.wordvec_dim, recipe.hidden_dim, recipe.cell, "float32", None,
                        what="CaptioningRNN.__init__")

    def loss_fn(params, feats, caps):
        res = runner.call(f"{HELPERS}:loss_with_params", model, params, feats, caps,
                          what="CaptioningRNN.loss")
        if not isinstance(res, (tuple, list)) or len(res) != 2:
            raise CheckFailed("CaptioningRNN.loss must return (loss, grads).")
        if isinstance(res[1], dict) and not res[1]:
            raise CheckFailed("CaptioningRNN.loss returns no gradients: not implemented yet "
                              "(training skipped).")
        return _as_loss(res[0]), res[1]
    return loss_fn


def _as_loss(value):
    try:
        v = float(np.asarray(value, dtype=np.float64).reshape(()))
    except (TypeError, ValueError, OverflowError):
        return None
    return v if np.isfinite(v) else None
