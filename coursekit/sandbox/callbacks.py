"""Judge functions the worker may call (``Worker.substitute``), bounded.

A callback runs trusted code (e.g. the reference) in the judge on arguments chosen by the
student, so it is the judge's CPU the student spends. Before it runs, its arguments must be
* numpy arrays of the accepted dtypes (float32 / float64 unless the callback says more),
  each with at most ``max_elements`` elements,
* python or numpy scalars (bool, int within 32 bits, float) and None,
* handles: objects of this worker, or judge objects issued to this worker (a reference
  cache it received from an earlier callback),
* lists and tuples of the above (at most MAX_ITEMS items, MAX_DEPTH deep).
Anything else is refused: the worker raises CallbackError with the reason, the callback
does not run. ``check_args(*args, **kwargs)`` may refuse more (shapes) by raising
ValueError or TypeError. A callback runs in a process of its own forked from the judge
(refproc.py), under its own deadline (``seconds``) and the call's: its time counts against
the call that made it, the process is killed at the deadline, and its CPU time counts
against the worker's ``callback_cpu_seconds`` (SandboxLimits; the judge gives each worker
what is left of the submission's budget).

    Worker.start(code, callbacks={"ref:step": Callback(step, seconds=2,
                                                      check_args=shapes_like_x_h)})

A plain function is ``Callback(fn)`` with the limits' defaults.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .protocol import Ref

FLOAT_DTYPES = ("float32", "float64")
MAX_ITEMS = 64
MAX_DEPTH = 4
MAX_INT = 1 << 31


class CallbackRefused(Exception):
    """The arguments of a callback were refused (the text is shown to the worker)."""


class CallbackTimeout(Exception):
    """A callback ran past its deadline (its process is killed, and so is the worker);
    ``cpu``: the CPU seconds it had used."""

    def __init__(self, message, cpu=0.0):
        super().__init__(message)
        self.cpu = cpu


@dataclass(frozen=True)
class Callback:
    fn: Callable
    seconds: float | None = None            # None: limits.callback_seconds
    dtypes: tuple = FLOAT_DTYPES             # array dtypes accepted
    max_elements: int | None = None         # per array; None: limits.callback_max_elements
    check_args: Callable | None = None      # raises ValueError / TypeError to refuse


def as_callback(value) -> Callback:
    if isinstance(value, Callback):
        return value
    if not callable(value):
        raise TypeError(f"a callback must be callable or a Callback, not {type(value).__name__}")
    return Callback(value)


class ArgumentCheck:
    """Checks the arguments of one callback for one worker (see the module's docstring)."""

    def __init__(self, callback, limits, issued):
        self.dtypes = frozenset(np.dtype(d) for d in callback.dtypes)
        self.max_elements = (limits.callback_max_elements if callback.max_elements is None
                             else callback.max_elements)
        self.issued = issued        # obj -> True if the judge issued it to this worker
        self.extra = callback.check_args

    def __call__(self, args, kwargs):
        for i, value in enumerate(args, 1):
            self._value(value, f"argument {i}", 0)
        for key, value in kwargs.items():
            self._value(value, f"argument {key!r}", 0)
        if self.extra is not None:
            try:
                self.extra(*args, **kwargs)
            except (ValueError, TypeError) as exc:
                raise CallbackRefused(str(exc)) from None

    def _value(self, value, where, depth):
        kind = type(value)
        if value is None or kind in (bool, float) or isinstance(value, Ref):
            return
        if kind is int:
            if abs(value) >= MAX_INT:
                raise CallbackRefused(f"{where} is an integer too large ({value:.3g})")
            return
        if kind is np.ndarray:
            return self._array(value, where)
        if isinstance(value, np.generic):
            if value.dtype.kind in "bf" or (value.dtype.kind in "iu" and abs(int(value)) < MAX_INT):
                return
            raise CallbackRefused(f"{where} is a numpy {value.dtype} scalar")
        if kind in (list, tuple):
            if depth >= MAX_DEPTH or len(value) > MAX_ITEMS:
                raise CallbackRefused(f"{where} is a {kind.__name__} nested deeper than "
                                      f"{MAX_DEPTH} or longer than {MAX_ITEMS}")
            for i, item in enumerate(value):
                self._value(item, f"{where}[{i}]", depth + 1)
            return
        if self.issued(value):
            return
        raise CallbackRefused(f"{where} is a {kind.__name__}: only float arrays, numbers, None"
                              " and handles are accepted")

    def _array(self, value, where):
        if value.dtype not in self.dtypes:
            accepted = "/".join(sorted(str(d) for d in self.dtypes))
            raise CallbackRefused(f"{where} is a {value.dtype} array (accepted: {accepted})")
        if value.size > self.max_elements:
            raise CallbackRefused(f"{where} has {value.size} elements (at most "
                                  f"{self.max_elements})")
