"""The overfit check: train the student's model on the notebook's 50 captions in the judge's
control loop (loop.py) and judge the result by the loss the reference model recomputes.

    run_overfit(judge, cell) -> Run        one training per cell type and submission
    train_with(judge, cell, runner) -> Run the same training on another runner (e.g. one with
                                           reference blocks granted: coursekit.judge.culprits)
    reference_run(judge, cell) -> Run      the reference's training (cached in build/judge/)
    grant_dims(judge, cell)                the training's dimensions, for its grants (Blocks.within)
    sample_grant_dims(judge, cell)         the trained-model sample's
    start_early(judge, count, items)       `count` trainings start at once in forked judge processes
"""
from __future__ import annotations

import os
from dataclasses import replace

import numpy as np

from ..checks import CheckFailed
from .data import small_data
from .loop import Run, prepare, remote_loss, train
from .recipe import RECIPES, Recipe

__all__ = ["RECIPES", "Recipe", "Run", "run_overfit", "train_with", "reference_run", "start_early",
           "grant_dims", "sample_grant_dims"]


def _student_training(judge, recipe: Recipe, runner, data, start) -> Run:
    return train(judge, recipe, data, start, remote_loss(runner, recipe, data),
                 spot_rng=judge.rng(f"overfit:{recipe.cell}:spots"))


def run_overfit(judge, cell: str) -> Run:
    """The student's training (once per cell type); raises CheckFailed when it failed."""
    key = f"overfit:{cell}"
    if key not in judge.shared:
        recipe = RECIPES[cell]
        try:
            early = judge.shared.get(f"early:{cell}")
            if early is not None:
                run = early.result()
            else:
                data = small_data(judge)
                run = _student_training(judge, recipe, judge.plain, data, prepare(judge, recipe, data))
            judge.shared[key] = run
            _record_curve(judge, cell, run, run.final)
        except CheckFailed as exc:
            judge.shared[key] = exc
            partial = getattr(exc, "partial", None)
            if partial is not None and partial.history:
                try:
                    _record_curve(judge, cell, partial, None)   # broke off: no final loss
                except Exception as err:  # noqa: BLE001 -- the chart is optional; the verdict stands
                    judge.record(f"curve_error:{cell}", f"{type(err).__name__}: {err}")
    out = judge.shared[key]
    if isinstance(out, CheckFailed):
        raise CheckFailed(str(out))
    return out


def _record_curve(judge, cell: str, run: Run, final: float | None) -> None:
    """The loss history for the feedback's chart (a training that broke off: up to where it did)."""
    judge.record("overfit" if cell == "rnn" else "lstm_overfit",
                 {"loss_history": run.history, "final_loss": final,
                  "iterations": run.iterations, "threshold": RECIPES[cell].threshold,
                  "reference_loss_history": reference_run(judge, cell).history})


def grant_dims(judge, cell: str) -> dict:
    """The dimensions a granted reference call of the training may have (grant_args.Bounds):
    minibatches of the 50 captions, their length, the recipe's word vectors and hidden state."""
    recipe, data = RECIPES[cell], small_data(judge)
    N, T = (int(n) for n in data.captions.shape)
    return {"N": N, "T": T, "D": recipe.wordvec_dim, "H": recipe.hidden_dim, "V": len(data.word_to_idx)}


def sample_grant_dims(judge, cell: str) -> dict:
    """The same for the trained-model sample: one caption per training image, at most the
    handout's default max_length (+ 1: a sample may embed its whole caption array)."""
    import inspect
    data, dims = small_data(judge), grant_dims(judge, cell)
    default = inspect.signature(judge.model.CaptioningRNN.sample).parameters["max_length"].default
    return {**dims, "N": int(data.features.shape[0]), "T": int(default) + 1}


def train_with(judge, cell: str, runner) -> Run:
    """The training of run_overfit on `runner` (not cached, nothing recorded)."""
    recipe, data = RECIPES[cell], small_data(judge)
    return _student_training(judge, recipe, runner, data, prepare(judge, recipe, data))


class EarlyTraining:
    """One training in a forked judge process of its own (trusted, like the judge), with its
    own sandbox worker. A process, not a thread: judge-side numpy on two threads at once can
    hang OpenBLAS, and forking workers beside a busy thread can deadlock. It is forked before
    the hidden suite starts any thread or worker."""

    def __init__(self, judge, cell: str):
        import multiprocessing
        recipe = RECIPES[cell]
        data = small_data(judge)
        start = prepare(judge, recipe, data)
        ctx = multiprocessing.get_context("fork")
        self._receive, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_train_in_child, args=(judge, recipe, data, start, send),
                                    name=f"overfit-{cell}", daemon=True)
        self._process.start()
        send.close()
        judge.session.on_close(self.close)

    def result(self) -> Run:
        try:
            kind, value = self._receive.recv()
        except EOFError:
            kind, value = "error", RuntimeError("the training process ended without a result")
        self.close()
        if kind == "failed":                       # a CheckFailed, with the history it reached
            message, partial = value
            failure = CheckFailed(message)
            failure.partial = partial
            raise failure
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=5)


def _train_in_child(judge, recipe, data, start, send) -> None:
    runner = judge.session.dedicated_runner()
    try:
        try:
            send.send(("ok", _student_training(judge, recipe, runner, data, start)))
        except CheckFailed as exc:
            partial = getattr(exc, "partial", None)
            send.send(("failed", (str(exc), replace(partial, params={}) if partial else None)))
        except BaseException as exc:  # noqa: BLE001 -- reported to the judge as an internal error
            send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        runner.close()
        send.close()
        os._exit(0)


def start_early(judge, count: int, items=None) -> set[str]:
    """Start up to `count` trainings (most expensive first) now, while
    the other tests run; returns the graded items that use them (run last)."""
    late: set[str] = set()
    cells = [c for c, r in sorted(RECIPES.items(), key=lambda cr: -cr[1].cost)
             if items is None or r.uses & set(items)]
    for cell in cells[:max(0, count)]:
        try:
            reference_run(judge, cell)                  # cached after the first submission
            judge.shared[f"early:{cell}"] = EarlyTraining(judge, cell)
        except Exception:   # e.g. no dataset: the test itself reports it, sequentially
            continue
        late |= RECIPES[cell].uses
    return late


def reference_run(judge, cell: str) -> Run:
    """The reference's full training with the same recipe, data and draws (history for the
    chart, parameters for the trained-model sample checks), cached in build/judge/."""
    key = f"reference:{cell}"
    if key not in judge.shared:
        judge.shared[key] = _cached_reference(judge, RECIPES[cell])
    return judge.shared[key]


def _cached_reference(judge, recipe: Recipe) -> Run:
    import hashlib
    import io
    import json

    from coursekit.fileio import write_atomic
    data = small_data(judge)
    digest = hashlib.sha256(repr(recipe).encode())
    for arr in (data.captions, data.image_idxs, data.features, np.asarray(data.state[1])):
        digest.update(np.ascontiguousarray(arr).tobytes())
    ref_src = judge.config.assignment_dir("source") / "cs231n"
    for name in ("classifiers/rnn.py", "rnn_layers.py", "optim.py"):
        digest.update((ref_src / name).read_bytes())
    path = judge.config.root / "build" / "judge" / f"reference_{recipe.cell}_{digest.hexdigest()[:16]}.npz"
    try:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            params = {k[2:]: f[k] for k in f.files if k.startswith("p_")}
        return Run(history=meta["history"], params=params, final=meta["final"],
                   iterations=meta["iterations"])
    except (OSError, KeyError, ValueError, TypeError):
        pass
    from .loop import Oracle
    start = prepare(judge, recipe, data)
    full = replace(recipe, check_every=recipe.iterations + 1)   # no early stop
    run = train(judge, full, data, start, Oracle(judge, recipe, data).model_loss)   # final: recomputed
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps({"history": run.history, "final": run.final,
                                            "iterations": run.iterations})),
             **{f"p_{k}": v for k, v in run.params.items()})
    try:
        write_atomic(path, buf.getvalue())
    except OSError:
        pass
    return run
