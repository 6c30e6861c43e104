"""What a granted reference call may be given: shapes of one problem, the running test's.

A granted reference function runs in the judge on arguments the student's code chose, so
they are checked before it runs, element by element, against what the reference forward
functions produce for ONE problem of dimensions N, T, D, H (and V words): every array has the
rank and the axis lengths its position implies, consistent across all arguments (x is
(N, T, D) and Wx is (D, H), so both D agree); a backward's cache is a cache as the
reference forward returns it (arrays in the reference's layout, a sequence cache's x shape
equal to the (N, T, D) its step caches describe, one step cache per time step); word indices
are integer arrays within [0, V); an embedding cache's dtype is the one a granted forward
issued. So the work a call asks for is what its arrays describe (no broadcasting against a
shape tuple, no index array larger than its gradient), and every array is within the
callback's element cap.

And those dimensions are the running test's (`Bounds`, given by the hidden test with its
grant: Grant.within): D, H and V equal the test's (the weights and the vocabulary are the
test's), N and T are at most the test's (a minibatch of its examples, a slice of its time
steps, one word per step of a sample). A call sized for a larger problem than the one the
test poses is refused, so a granted call costs what the test's own problem costs.

    Bounds.of(N=.., T=.., D=.., H=.., V=..)   the running test's dimensions
    check_call(name, args, bounds)            raises CallbackRefused (a ValueError) naming
                                              the argument
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class CallbackRefused(ValueError):
    """A callback's arguments are not what the granted reference function takes."""


MAX_ELEMENTS = 200_000                # numbers per callback (the suite's problems are tiny)
FLOATS = "f"
RNN_STEP_CACHE = ("N D", "N H", "D H", "H H", "N H")
LSTM_STEP_CACHE = ("N D", "N H", "N H", "D 4H", "H 4H", "N H", "N H", "N H", "N H", "N H")
# positional arguments of each granted reference function: a shape spec ("N T D"), or a
# tagged spec for indices and caches
SPECS = {
    "rnn_step_forward": ("N D", "N H", "D H", "H H", "H"),
    "rnn_step_backward": ("N H", ("step_cache", RNN_STEP_CACHE)),
    "rnn_forward": ("N T D", "N H", "D H", "H H", "H"),
    "rnn_backward": ("N T H", ("sequence_cache", RNN_STEP_CACHE)),
    "word_embedding_forward": (("indices", "N T"), "V D"),
    "word_embedding_backward": ("N T D", ("embedding_cache", None)),
    "lstm_step_forward": ("N D", "N H", "N H", "D 4H", "H 4H", "4H"),
    "lstm_step_backward": ("N H", "N H", ("step_cache", LSTM_STEP_CACHE)),
    "lstm_forward": ("N T D", "N H", "D 4H", "H 4H", "4H"),
    "lstm_backward": ("N T H", ("sequence_cache", LSTM_STEP_CACHE)),
}


AT_MOST = ("N", "T")    # a minibatch, a slice of the time steps; every other dimension is exact
SYMBOLS = ("N", "T", "D", "H", "V")


@dataclass(frozen=True)
class Bounds:
    """The running test's dimensions (symbol -> size; a symbol the test does not have is
    absent, and a granted call that has it is refused)."""
    sizes: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, **sizes) -> "Bounds":
        bad = [k for k, v in sizes.items() if k not in SYMBOLS or type(v) is not int or v < 1]
        if bad:
            raise ValueError(f"Bounds: {bad} are not dimensions ({', '.join(SYMBOLS)}) of positive int size")
        return cls(tuple(sorted(sizes.items())))

    def check(self, dims: dict, where: str) -> None:
        """Refuse dimensions `dims` (bound by one call) that this test does not pose."""
        sizes = dict(self.sizes)
        for sym, size in sorted(dims.items()):
            if sym not in sizes:
                raise CallbackRefused(f"{where}: the running test has no dimension {sym}")
            if sym in AT_MOST and size > sizes[sym]:
                raise CallbackRefused(f"{where}: {sym} = {size} is more than the running test's {sizes[sym]}")
            if sym not in AT_MOST and size != sizes[sym]:
                raise CallbackRefused(f"{where}: {sym} = {size}, but the running test's {sym} is {sizes[sym]}")


def check_call(name: str, args, bounds: Bounds | None = None) -> None:
    """Refuse `args` unless they fit SPECS[name] for one set of dimensions, and (`bounds`)
    those of the running test."""
    spec = SPECS.get(name)
    if spec is None:
        raise CallbackRefused(f"{name} is not a function the judge lends")
    if len(args) != len(spec):
        raise CallbackRefused(f"{name} takes {len(spec)} arguments, not {len(args)}")
    dims: dict[str, int] = {}
    order = sorted(range(len(spec)), key=lambda k: not isinstance(spec[k], str))  # indices last: V known
    for k in order:
        value, item, where = args[k], spec[k], f"{name}: argument {k + 1}"
        if isinstance(item, str):
            _array(value, item, dims, where, FLOATS)
        else:
            CHECKS[item[0]](value, item[1], dims, where)
    if bounds is not None:
        bounds.check(dims, name)


def _array(value, spec: str, dims: dict, where: str, kinds: str) -> np.ndarray:
    if type(value) is not np.ndarray or value.dtype.kind not in kinds:
        raise CallbackRefused(f"{where} must be an array of kind {kinds}")
    axes = spec.split()
    if value.ndim != len(axes):
        raise CallbackRefused(f"{where} has {value.ndim} dimensions, not {len(axes)} ({spec})")
    for axis, size in zip(axes, value.shape):
        _bind(dims, axis, int(size), where)
    return value


def _bind(dims: dict, axis: str, size: int, where: str) -> None:
    """`axis` is "N" or "4H" (a multiple of a dimension): bind it, or check it agrees."""
    mult, sym = (int(axis[:-1]), axis[-1]) if axis[:-1].isdigit() else (1, axis)
    if size < 1 or size % mult:
        raise CallbackRefused(f"{where}: axis {axis} cannot be {size}")
    if dims.setdefault(sym, size // mult) != size // mult:
        raise CallbackRefused(f"{where}: axis {axis} is {size}, but {sym} = {dims[sym]} elsewhere")


def _indices(value, spec, dims, where, one_per_caption=True):
    """Word indices (N, T), or (N,): one word per caption, as a sample's step embeds it."""
    if one_per_caption and type(value) is np.ndarray and value.ndim == 1 and spec == "N T":
        spec = "N"
    x = _array(value, spec, dims, where, "iu")
    if "V" in dims and x.size and (int(x.min()) < 0 or int(x.max()) >= dims["V"]):
        raise CallbackRefused(f"{where}: word indices outside [0, {dims['V']})")
    return x


def _step_cache(value, layout, dims, where):
    if type(value) not in (tuple, list) or len(value) != len(layout):
        raise CallbackRefused(f"{where} is not a step cache of {len(layout)} arrays")
    for i, (part, spec) in enumerate(zip(value, layout)):
        _array(part, spec, dims, f"{where}[{i}]", FLOATS)


def _sequence_cache(value, layout, dims, where):
    """(x shape, [step cache for t in range(T)]) as the reference's rnn/lstm_forward return,
    or such a cache kept judge-side by a lent sequence forward (blocks.KeepCaches: made by the
    reference, reached by the worker only as a handle), checked the same way inside."""
    from .blocks import KeptCache
    if type(value) is KeptCache:
        value = value.cache
    if type(value) not in (tuple, list) or len(value) != 2:
        raise CallbackRefused(f"{where} is not a sequence cache (x shape, step caches)")
    shape, steps = value
    if type(shape) not in (tuple, list) or len(shape) != 3 or any(type(n) is not int for n in shape):
        raise CallbackRefused(f"{where}[0] is not the shape (N, T, D) of x")
    for axis, size in zip("NTD", shape):
        _bind(dims, axis, size, f"{where}[0]")
    if type(steps) not in (tuple, list) or len(steps) != dims["T"]:
        raise CallbackRefused(f"{where}[1] must hold one step cache per time step ({dims['T']})")
    for t, step in enumerate(steps):
        _step_cache(step, layout, dims, f"{where}[1][{t}]")


def _embedding_cache(value, _layout, dims, where):
    """(x, W.shape, W.dtype) as the reference's word_embedding_forward returns it."""
    if type(value) not in (tuple, list) or len(value) != 3:
        raise CallbackRefused(f"{where} is not an embedding cache (x, W shape, W dtype)")
    x, shape, dtype = value
    if type(shape) not in (tuple, list) or len(shape) != 2 or any(type(n) is not int for n in shape):
        raise CallbackRefused(f"{where}[1] is not the shape (V, D) of W")
    _bind(dims, "V", shape[0], f"{where}[1]")
    _bind(dims, "D", shape[1], f"{where}[1]")
    if dims["V"] * dims["D"] > MAX_ELEMENTS:
        raise CallbackRefused(f"{where}[1]: W of shape {tuple(shape)} is larger than the cap")
    _indices(x, "N T", dims, f"{where}[0]", one_per_caption=False)   # dout is (N, T, D)
    if not isinstance(dtype, np.dtype) or dtype not in (np.float32, np.float64):
        raise CallbackRefused(f"{where}[2] is not the float dtype a granted forward returned")


CHECKS = {"indices": _indices, "step_cache": _step_cache, "sequence_cache": _sequence_cache,
          "embedding_cache": _embedding_cache}
