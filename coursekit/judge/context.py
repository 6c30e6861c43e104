"""What a hidden test gets as its `judge` fixture (the API for hidden-test authors).

    judge.layers, judge.model      the reference cs231n.rnn_layers / cs231n.classifiers.rnn
    judge.plain                    a Runner on the student's code alone (shared by the tests)
    judge.either(check, given=G)   check(judge.plain); if that fails, check(a fresh worker lending
                                   grant G's reference building blocks): no double jeopardy
    judge.fresh()                  a fresh plain worker (`with judge.fresh() as r:`)
    judge.rng(name)                a reproducible generator for this name
    judge.note(text)               feedback for the running test even when it passes
    judge.case(text)               the running test's case in words (default: its first call's
                                   input shapes)
    judge.record(key, value)       extra data in results.json (e.g. a loss curve)
    judge.shared                   a cache shared by the tests of one submission

See docs/WRITING_HIDDEN_TESTS.md.
"""
from __future__ import annotations

import hashlib

import numpy as np

from coursekit.reference import submodule

from .checks import CheckFailed, JudgeCpuExceeded
from .grants import Grant


class JudgeContext:
    def __init__(self, *, session, ref, config, base_seed: int, missing_files: list[str]):
        self.session = session
        self.plain = session.plain
        self.ref = ref
        self.layers = submodule(ref, "rnn_layers")
        self.model = submodule(ref, "classifiers.rnn")
        self.config = config
        self.base_seed = base_seed
        self.missing_files = missing_files
        self.extra_data: dict = {}
        self.notes: dict[str, list[str]] = {}
        self.shared: dict = {}
        self.current: str | None = None   # node id of the running test (set by the plugin)
        self.cases: dict[str, str] = {}    # node id -> case in words (judge.case)
        self.granted: dict[str, Grant] = {}   # node id -> the grant it passed with (judge.either)
        self.import_errors: list[dict] = []   # student files that do not import (the banner)
        self.summary_notes: list[str] = []    # lines after the summary (e.g. changed provided code)

    def rng(self, name: str) -> np.random.Generator:
        """A generator seeded by the suite's base seed and `name` (reproducible regrades)."""
        digest = hashlib.sha256(f"{self.base_seed}:{name}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))

    def note(self, text: str) -> None:
        """Feedback for the running test even when it passes."""
        self.notes.setdefault(self.current or "", []).append(text)

    def case(self, text: str) -> None:
        """Describe the running test's case in words (instead of its first call's shapes)."""
        self.cases[self.current or ""] = text

    def record(self, key: str, value) -> None:
        self.extra_data[key] = value

    def fresh(self):
        return self.session.fresh()

    def either(self, check, *, given: Grant):
        """No double jeopardy: pass if check(plain) passes, or else if check passes on a fresh
        worker lending exactly `given`'s reference functions. The granted run's failure text
        is never shown (the plain run's is)."""
        try:
            return check(self.plain)
        except CheckFailed as plain_failure:
            if str(plain_failure).startswith("not graded"):
                raise   # a file that does not import: no reference can help
            with self.session.granted(given) as runner:
                try:
                    out = check(runner)
                except JudgeCpuExceeded:
                    raise
                except CheckFailed:
                    raise plain_failure from None
            # no hint: the granted run proves the code under test right, so a hint naming a
            # mistake of it would be false (the failure is where the grant's blocks are)
            own = str(plain_failure).split(" Hint: ")[0].strip()
            self.granted[self.current or ""] = given
            self.note(f"This check passed only with the reference {given.described} in place of "
                      f"yours; with your own it failed: {own}")
            return out
