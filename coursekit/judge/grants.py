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
- every callback's arguments are validated before the reference runs (`argument_check`, the
  sandbox Callback's `check_args` hook): at most MAX_ELEMENTS numbers in all, and shapes
  consistent with one problem, the running test's (its dimensions come with the grant:
  `G.within(N=.., T=.., D=.., H=.., V=..)`; the judge lends nothing without them), caches
  checked element by element (grant_args.py); the
  reference runs in a killable process whose CPU is accounted against the submission's
  budget (sandbox), and its time counts against the student's call.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .grant_args import MAX_ELEMENTS, Bounds, CallbackRefused, check_call  # noqa: F401 (re-exported)

LAYERS = "cs231n.rnn_layers"
MODEL = "cs231n.classifiers.rnn"
OLD_LAYERS = "cs231n.layers"          # code written against the 2017-2020 handouts imports it
MODULES = (LAYERS, MODEL, OLD_LAYERS)

# positional arguments of reference functions that are indices or masks, not floats
INDEX_ARGS = {"word_embedding_forward": {0}, "temporal_softmax_loss": {1, 2}}
FLOATS, INTEGERS = ("float32", "float64"), ("int32", "int64", "bool")
TAKES_INTEGERS = {*INDEX_ARGS, "word_embedding_backward"}   # its cache holds the word indices


@dataclass(frozen=True)
class Grant:
    given: str                        # for the feedback: "step functions", "layers (see ...)"
    names: tuple[str, ...]            # reference functions put in place of the student's
    see: str = ""                     # the items that grade what is lent: "rnn_step_forward"
    bounds: Bounds | None = None      # the running test's dimensions (required to lend)

    @property
    def described(self) -> str:
        """"step functions (see rnn_step_forward / rnn_step_backward)"."""
        return f"{self.given} (see {self.see})" if self.see else self.given

    def within(self, **sizes) -> "Grant":
        """This grant for a test of these dimensions (N, T, D, H, V: grant_args.Bounds)."""
        return replace(self, bounds=Bounds.of(**sizes))

    def callbacks(self, ref_layers) -> dict:
        """name -> sandbox Callback: the sandbox's generic bounds (dtypes, sizes, time) plus
        this module's per-argument checks, through the Callback's `check_args` hook."""
        from coursekit.sandbox import Callback
        if self.bounds is None:
            raise ValueError(f"the grant of {self.given} has no test dimensions: lend it as "
                             "grant.within(N=.., T=.., D=.., H=.., V=..)")
        return {f"ref:{name}": Callback(getattr(ref_layers, name),
                                        check_args=argument_check(name, getattr(ref_layers, name),
                                                                  self.bounds),
                                        dtypes=FLOATS + (INTEGERS if name in TAKES_INTEGERS else ()))
                for name in self.names}


def argument_check(name: str, fn, bounds: Bounds | None = None):
    """The argument checks of the module docstring for the reference function `fn` (named
    `name`), within the running test's `bounds` (None: any one problem's dimensions); raises
    CallbackRefused (a ValueError: the sandbox refuses the call)."""
    import inspect
    signature = inspect.signature(fn)

    def check(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise CallbackRefused(f"{name}: {exc}") from None
        bound.apply_defaults()
        values = list(bound.arguments.values())
        total = sum(_count(v) for v in values)
        if total > MAX_ELEMENTS:
            raise CallbackRefused(f"{name}: arguments too large ({total} numbers)")
        check_call(name, values, bounds)
    return check


def sequence_dims(x, h0) -> dict:
    """The dimensions of a sequence layer's test: x (N, T, D), h0 (N, H)."""
    N, T, D = (int(n) for n in x.shape)
    return {"N": N, "T": T, "D": D, "H": int(h0.shape[1])}


def _count(value, depth=0) -> int:
    """Numbers held by an argument (arrays in tuples and lists)."""
    if isinstance(value, np.ndarray):
        return int(value.size)
    if type(value) in (tuple, list) and depth < 4:
        return sum(_count(v, depth + 1) for v in value)
    return 1


# Grants lend only functions the student writes (graded by their own items). Provided code
# that lives in student files (affine and temporal layers, the softmax loss, sigmoid) is never
# lent: a student who changes it carries the consequences, like any bug (provided.py names it).
RNN_STEPS = Grant("step functions", ("rnn_step_forward", "rnn_step_backward"),
                  see="rnn_step_forward / rnn_step_backward")
LSTM_STEPS = Grant("step functions", ("lstm_step_forward", "lstm_step_backward"),
                   see="lstm_step_forward / lstm_step_backward")
_EMBED = ("word_embedding_forward", "word_embedding_backward")
RNN_MODEL_LAYERS = Grant("layers", _EMBED + ("rnn_forward", "rnn_backward"),
                         see="the rnn_layers items")
LSTM_MODEL_LAYERS = Grant("layers", _EMBED + ("lstm_forward", "lstm_backward"),
                          see="the lstm_* items")
RNN_SAMPLE_STEPS = Grant("step function and word embedding", ("rnn_step_forward", "word_embedding_forward"),
                         see="rnn_step_forward / word_embedding_forward")
LSTM_SAMPLE_STEPS = Grant("step function and word embedding", ("lstm_step_forward", "word_embedding_forward"),
                          see="lstm_step_forward / word_embedding_forward")
