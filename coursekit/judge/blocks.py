"""The reference building blocks a whole-model check (a training, a trained-model sample)
may be lent, in units that are put back together (coursekit.judge.culprits).

A unit is a forward with its backward: the backward reads its own forward's cache, so the
two are the student's or the reference's together. A unit's callers are put back with it,
so that the student's code really runs it (the student's rnn_step_forward runs inside the
student's rnn_forward). Sequence forwards lent to the student keep their caches judge-side
(an opaque handle in the worker): they are too large to cross, and no student code needs them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .grants import Bounds, Grant


@dataclass(frozen=True)
class Blocks:
    given: str                                    # for the feedback: "layers"
    units: tuple                                  # tuples of block names put back together
    callers: dict = field(default_factory=dict)   # unit (its first name) -> units that call it
    see: str = ""                                 # the items that grade them (Grant.see)
    bounds: Bounds | None = None                  # the running test's dimensions (Grant.within)

    def within(self, **sizes) -> "Blocks":
        """These blocks for a check of these dimensions: every grant made of them has them."""
        return replace(self, bounds=Bounds.of(**sizes))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for unit in self.units for n in unit)

    def unit_of(self, name: str) -> tuple:
        return next(u for u in self.units if name in u)

    def everything(self) -> Grant:
        return KeepCaches(self.given, self.names, see=self.see, bounds=self.bounds)

    def put_back(self, names) -> Grant:
        """Every block the reference's but `names` and the units that call them."""
        mine = set(names)
        for name in list(mine):
            for caller in self.callers.get(self.unit_of(name)[0], ()):
                mine |= set(self.unit_of(caller))
        return KeepCaches(self.given, tuple(n for n in self.names if n not in mine),
                          see=self.see, bounds=self.bounds)


class KeptCache:
    """A reference sequence cache, kept judge-side."""

    __slots__ = ("cache",)

    def __init__(self, cache):
        self.cache = cache


SEQUENCE_FORWARDS = ("rnn_forward", "lstm_forward")


@dataclass(frozen=True)
class KeepCaches(Grant):
    """A grant whose sequence forwards keep their caches judge-side."""

    def callbacks(self, ref_layers) -> dict:
        table = super().callbacks(ref_layers)
        for forward in SEQUENCE_FORWARDS:
            backward = forward.replace("_forward", "_backward")
            if f"ref:{forward}" in table:
                table[f"ref:{forward}"] = replace(table[f"ref:{forward}"], fn=_keeping(getattr(ref_layers, forward)))
            if f"ref:{backward}" in table:
                table[f"ref:{backward}"] = replace(table[f"ref:{backward}"],
                                                   fn=_unkeeping(getattr(ref_layers, backward)))
        return table


def _keeping(forward):
    def run(*args, **kwargs):
        out, cache = forward(*args, **kwargs)
        return out, KeptCache(cache)
    return run


def _unkeeping(backward):
    def run(*args):
        *douts, cache = args
        return backward(*douts, cache.cache if isinstance(cache, KeptCache) else cache)
    return run


_EMBED = ("word_embedding_forward", "word_embedding_backward")
TRAINING = {
    "rnn": Blocks("layers",
                  (_EMBED, ("rnn_forward", "rnn_backward"), ("rnn_step_forward", "rnn_step_backward")),
                  {"rnn_step_forward": ("rnn_forward",)}, see="the rnn_layers items"),
    "lstm": Blocks("layers",
                   (_EMBED, ("lstm_forward", "lstm_backward"), ("lstm_step_forward", "lstm_step_backward")),
                   {"lstm_step_forward": ("lstm_forward",)}, see="the lstm_* items"),
}
SAMPLING = {
    "rnn": Blocks("step function and word embedding", (("rnn_step_forward",), ("word_embedding_forward",)),
                  see="rnn_step_forward / word_embedding_forward"),
    "lstm": Blocks("step function and word embedding", (("lstm_step_forward",), ("word_embedding_forward",)),
                   see="lstm_step_forward / word_embedding_forward"),
}
