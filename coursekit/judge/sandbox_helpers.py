"""Helpers copied into the code dir as `ck_judge_helpers.py`; they run INSIDE the sandbox.

They only build objects the boundary cannot carry (dtypes, models) and group calls. They are
student code as far as the judge is concerned: the student's module can replace them, so the
judge never believes what they return -- every verdict is computed judge-side from returned
values it checks itself (docs/SECURITY.md, "Judge-level channels").
"""
import importlib

import numpy as np


def _target(module, name):
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def call_readonly(module, name, args):
    """Call module.name(*args) with every array argument made read-only (numpy then refuses
    an in-place change with "assignment destination is read-only")."""
    for a in args:
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
    return _target(module, name)(*args)


def make_model(word_to_idx, input_dim, wordvec_dim, hidden_dim, cell_type, dtype_name, params=None):
    """A student CaptioningRNN of the given dtype, with the judge's parameters if given."""
    cls = _target("cs231n.classifiers.rnn", "CaptioningRNN")
    model = cls(word_to_idx, input_dim=input_dim, wordvec_dim=wordvec_dim, hidden_dim=hidden_dim,
                cell_type=cell_type, dtype=np.dtype(dtype_name).type)
    if params is not None:
        model.params = {k: np.array(v, copy=True) for k, v in params.items()}
    return model


def call_method(obj, name, *args, **kwargs):
    return getattr(obj, name)(*args, **kwargs)


def loss_with_params(model, params, features, captions):
    """One training step's worth of work: the judge's parameters in, (loss, grads) out."""
    model.params = params
    return model.loss(features, captions)
