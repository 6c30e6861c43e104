"""What a hidden test gets as its `judge` fixture: the workers, the reference, seeded
random generators, a place for notes and extra data, and a cache shared across tests."""
from __future__ import annotations

import hashlib

import numpy as np

from coursekit.reference import submodule

from .checks import CheckFailed


class JudgeContext:
    def __init__(self, *, session, ref, config, base_seed: int, missing_files: list[str]):
        self.session = session
        self.plain = session.plain
        self.subst = session.subst
        self.ref = ref
        self.L = submodule(ref, "rnn_layers")
        self.M = submodule(ref, "classifiers.rnn")
        self.config = config
        self.kit = config.kit
        self.base_seed = base_seed
        self.missing_files = missing_files
        self.extra_data: dict = {}
        self.notes: dict[str, list[str]] = {}
        self.shared: dict = {}
        self.current: str | None = None   # node id of the running test (set by the plugin)

    def rng(self, name: str) -> np.random.Generator:
        """A generator seeded by the suite's base seed and `name` (reproducible regrades)."""
        digest = hashlib.sha256(f"{self.base_seed}:{name}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))

    def note(self, text: str) -> None:
        """Feedback for the running test even when it passes."""
        self.notes.setdefault(self.current or "", []).append(text)

    def record(self, key: str, value) -> None:
        self.extra_data[key] = value

    def either(self, plain_check, subst_check, *, given: str):
        """No double jeopardy: pass if the plain run passes, or else the substituted run
        (reference building blocks) passes; the substituted run's failure text is the
        judge's own. `given` says which building blocks were substituted."""
        try:
            return plain_check(self.plain)
        except CheckFailed as plain_failure:
            try:
                out = subst_check(self.subst)
            except CheckFailed:
                raise plain_failure from None
            self.note(f"Correct given correct {given} (your own run failed: {plain_failure})")
            return out
