"""Grants: which reference building blocks a test lends the student's code.

No double jeopardy: a composite (rnn_forward, CaptioningRNN.loss, ...) that fails on its own
is run again with the reference building blocks it calls put in place of the student's, so a
bug is charged where it lives. A grant names exactly those building blocks, per test:

- the function under test, and anything that would compute its result wholesale, is never in
  its grant (rnn_forward's grant holds the step functions, never rnn_forward itself);
- the worker of a granted run is fresh, serves one test and is closed after it, so neither
  proxies nor anything they hand out outlive the test;
- the worker's callback table holds the granted names only: asking the judge for any other
  name is refused judge-side, whatever the student's code finds in its own process;
- every callback's arguments are validated before the reference runs (`argument_check`, the sandbox Callback's `check_args` hook): float
  arrays (float32/float64) except the few index/mask arguments, a backward's cache as the
  reference forward returned it (arrays in tuples), at most MAX_ELEMENTS numbers in all; the
  time it takes counts against the student's call (sandbox).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LAYERS = "cs231n.rnn_layers"
MODEL = "cs231n.classifiers.rnn"
OLD_LAYERS = "cs231n.layers"          # code written against the 2017-2020 handouts imports it
MODULES = (LAYERS, MODEL, OLD_LAYERS)
MAX_ELEMENTS = 200_000                # numbers per callback (the suite's problems are tiny)

# positional arguments of reference functions that are indices or masks, not floats
INDEX_ARGS = {"word_embedding_forward": {0}, "temporal_softmax_loss": {1, 2}}
FLOATS, INTEGERS = ("float32", "float64"), ("int32", "int64", "bool")
TAKES_INTEGERS = {*INDEX_ARGS, "word_embedding_backward"}   # its cache holds the word indices


class CallbackRefused(ValueError):
    """A callback's arguments are not what the granted reference function takes."""


@dataclass(frozen=True)
class Grant:
    given: str                        # for the feedback: "step functions (see rnn_step_forward)"
    names: tuple[str, ...]            # reference functions put in place of the student's

    def callbacks(self, ref_layers) -> dict:
        """name -> sandbox Callback: the sandbox's generic bounds (dtypes, sizes, time) plus
        this module's per-argument checks, through the Callback's `check_args` hook."""
        from coursekit.sandbox import Callback
        return {f"ref:{name}": Callback(getattr(ref_layers, name), check_args=argument_check(name),
                                        dtypes=FLOATS + (INTEGERS if name in TAKES_INTEGERS else ()))
                for name in self.names}


def argument_check(name: str):
    """The argument checks of the module docstring for the reference function `name`;
    raises CallbackRefused (a ValueError: the sandbox refuses the call)."""
    index_args = INDEX_ARGS.get(name, set())

    def check(*args, **kwargs):
        total = 0
        for k, value in [*enumerate(args), *kwargs.items()]:
            cache = name.endswith("_backward") and k == len(args) - 1
            total += _check_cache(name, value) if cache else _check_arg(name, k, value, k in index_args)
        if total > MAX_ELEMENTS:
            raise CallbackRefused(f"{name}: arguments too large ({total} numbers)")
    return check


def _check_cache(name, value, depth=0) -> int:
    """A backward's cache: as the reference forward returned it (arrays in tuples/lists)."""
    if type(value) in (tuple, list) and depth < 3:
        return sum(_check_cache(name, v, depth + 1) for v in value)
    return _check_arg(name, "cache", value, None)


def _check_arg(name, k, value, index) -> int:
    """index: True for index/mask arguments, False for float ones, None for either (caches)."""
    if isinstance(value, np.ndarray):
        kinds = {True: "iub", False: "f", None: "fiub"}[index]
        if value.dtype.kind not in kinds or (value.dtype.kind == "f" and value.dtype.itemsize not in (4, 8)):
            raise CallbackRefused(f"{name}: argument {k} has dtype {value.dtype}")
        return int(value.size)
    if value is None or type(value) in (bool, int, float) or isinstance(value, np.generic):
        return 1
    if type(value) in (tuple, list, dict):
        raise CallbackRefused(f"{name}: argument {k} is a {type(value).__name__}")
    return 0   # a judge-side object handed out in this test (e.g. a reference cache)


# Grants lend only functions the student writes (graded by their own items). Provided code
# that lives in student files (affine and temporal layers, the softmax loss, sigmoid) is never
# lent: a student who changes it carries the consequences, like any bug (provided.py names it).
RNN_STEPS = Grant("step functions (see rnn_step_forward / rnn_step_backward)",
                  ("rnn_step_forward", "rnn_step_backward"))
LSTM_STEPS = Grant("step functions (see lstm_step_forward / lstm_step_backward)",
                   ("lstm_step_forward", "lstm_step_backward"))
_EMBED = ("word_embedding_forward", "word_embedding_backward")
RNN_MODEL_LAYERS = Grant("layers (see the rnn_layers items)", _EMBED + ("rnn_forward", "rnn_backward"))
LSTM_MODEL_LAYERS = Grant("layers (see the lstm_* items)", _EMBED + ("lstm_forward", "lstm_backward"))
RNN_SAMPLE_STEPS = Grant("step functions (see rnn_step_forward)",
                         ("rnn_step_forward", "word_embedding_forward"))
LSTM_SAMPLE_STEPS = Grant("step functions (see lstm_step_forward)",
                          ("lstm_step_forward", "word_embedding_forward"))
