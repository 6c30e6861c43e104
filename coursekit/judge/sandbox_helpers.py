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


# ----------------------------------------------------------------------------- stand-in modules
# A student file that imports a module the grader lacks (`import torch`, never used) is graded
# with a stand-in for it: the import works, and any use of the module raises
# ModuleNotFoundError naming it, so only the functions that use it fail.

class _Missing:
    """A name of a module the grader does not have: calling or using it raises."""

    def __init__(self, module, path):
        self._ck_module, self._ck_path = module, path

    def _ck_fail(self, *args, **kwargs):
        raise ModuleNotFoundError(f"No module named '{self._ck_module}' (the grader does not have "
                                  f"it; your code used {self._ck_path})", name=self._ck_module)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Missing(self._ck_module, f"{self._ck_path}.{name}")

    __call__ = __getitem__ = __iter__ = __len__ = __bool__ = __float__ = __int__ = _ck_fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __matmul__ = __rmatmul__ = _ck_fail
    __truediv__ = __rtruediv__ = __pow__ = __neg__ = __lt__ = __le__ = __gt__ = __ge__ = _ck_fail


class _StandInModule(type(importlib)):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Missing(self.__name__, f"{self.__name__}.{name}")


class _StandInFinder:
    """Serves stand-ins for one missing module and its submodules."""

    def __init__(self, name):
        self.name = name

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name and not fullname.startswith(self.name + "."):
            return None
        import importlib.util
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec):
        module = _StandInModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


def stand_in_module(name):
    """Let `import name` (and its submodules) succeed with a stand-in from now on."""
    import sys
    sys.meta_path.append(_StandInFinder(str(name)))


def call_with_inputs(module, name, args):
    """[module.name(*args), the arguments as they are after the call] (a forward that writes
    into its inputs: the judge then knows what its cache holds)."""
    args = list(args)
    return [_target(module, name)(*args), args]
