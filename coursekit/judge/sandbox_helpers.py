"""Helpers copied into the code dir as `ck_judge_helpers.py`; they run INSIDE the sandbox.

They only build objects the boundary cannot carry (dtypes, models, solvers) and keep
copies of inputs. The judge never trusts what they return: every verdict is computed
judge-side from the returned arrays.
"""
import copy
import importlib

import numpy as np


def _target(module, name):
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def call_keep_inputs(module, name, args):
    """Call module.name(*args); return (result, args as they are after the call)."""
    kept = list(args)
    result = _target(module, name)(*kept)
    return result, [np.array(a, copy=True) if isinstance(a, np.ndarray) else None for a in kept]


def make_model(word_to_idx, input_dim, wordvec_dim, hidden_dim, cell_type, dtype_name, params=None):
    """A student CaptioningRNN of the given dtype, with the judge's parameters if given."""
    cls = _target("cs231n.classifiers.rnn", "CaptioningRNN")
    model = cls(word_to_idx, input_dim=input_dim, wordvec_dim=wordvec_dim, hidden_dim=hidden_dim,
                cell_type=cell_type, dtype=np.dtype(dtype_name).type)
    if params is not None:
        model.params = {k: np.array(v, copy=True) for k, v in params.items()}
    return model


def overfit(rng_state, data, word_to_idx, model_kwargs, solver_kwargs):
    """Train a student model with the provided CaptioningSolver on the judge's arrays."""
    np.random.set_state(tuple(rng_state))
    kwargs = dict(model_kwargs)
    dtype = np.dtype(kwargs.pop("dtype_name")).type
    cls = _target("cs231n.classifiers.rnn", "CaptioningRNN")
    model = cls(word_to_idx, dtype=dtype, **kwargs)
    data = dict(data)
    after_init = np.random.get_state()  # the probe must not change the solver's draws
    probe = model.loss(data["train_features"][data["train_image_idxs"][:2]], data["train_captions"][:2])
    if not isinstance(probe, (tuple, list)) or len(probe) != 2 or not probe[1]:
        return {"not_implemented": True}   # only ever makes the check fail
    np.random.set_state(after_init)
    n_img = data["train_features"].shape[0]
    data["train_urls"] = np.array([""] * n_img)
    solver_cls = _target("cs231n.captioning_solver", "CaptioningSolver")
    solver = solver_cls(model, data, verbose=False, **copy.deepcopy(solver_kwargs))
    solver.train()
    history = [float(v) for v in solver.loss_history]
    params = {k: np.asarray(v) for k, v in model.params.items()}
    return {"loss_history": history, "params": params}


def call_method(obj, name, *args, **kwargs):
    return getattr(obj, name)(*args, **kwargs)


def import_module(name):
    """Import a student module (the judge probes imports right after a worker starts)."""
    importlib.import_module(name)
