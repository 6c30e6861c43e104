"""BLEU-1 of bench/bench_captions.py (used to compare the model with a baseline)."""
from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_captions.py"


@pytest.fixture(scope="module")
def bleu1():
    spec = importlib.util.spec_from_file_location("bench_captions_under_test", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.bleu1


def test_exact_match_scores_one(bleu1):
    assert bleu1("a red circle".split(), ["a red circle".split(), "the circle is red".split()]) == 1.0


def test_repeated_words_are_clipped_by_the_best_reference(bleu1):
    # "red" x3: at most 1 per reference -> 2 of 4 words count; length 4 matches "the circle is red".
    assert bleu1("red red red circle".split(), ["a red circle".split(), "the circle is red".split()]) == 0.5


def test_short_candidate_pays_the_brevity_penalty(bleu1):
    score = bleu1(["circle"], ["a red circle".split()])
    assert score == pytest.approx(math.exp(1 - 3 / 1))


def test_empty_candidate_scores_zero(bleu1):
    assert bleu1([], ["a red circle".split()]) == 0.0
