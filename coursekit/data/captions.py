"""Captions of the embedded dataset: a small grammar that describes what a scene shows.

Each image gets `captions_per_image` differently worded captions, drawn without repetition
from the templates of its kind (one shape / two shapes); the words of a template follow
from the scene, so the template is the only random choice. The vocabulary is the grammar's
whole word set (independent of the seed and of the dataset size), after the four COCO
special tokens.
"""
from __future__ import annotations

import re

import numpy as np

from .scenes import BACKGROUNDS, SHAPE_COLOURS, SHAPES, Scene

NULL, START, END, UNK = "<NULL>", "<START>", "<END>", "<UNK>"
SPECIAL_TOKENS = (NULL, START, END, UNK)      # indices 0, 1, 2, 3 as in COCO
CAPTION_LENGTH = 17                           # <START> + at most 15 words + <END>, <NULL> padded
MAX_WORDS = CAPTION_LENGTH - 2

SIZE_WORDS = {"small": ("small", "little"), "large": ("large", "big")}   # (plain, colloquial)
POSITION_PHRASES = {   # grid position -> (plain, "near ...") wording
    "top left": ("in the top left corner", "near the top left"),
    "top": ("at the top", "near the top"),
    "top right": ("in the top right corner", "near the top right"),
    "left": ("on the left", "near the left side"),
    "center": ("in the center", "in the middle"),
    "right": ("on the right", "near the right side"),
    "bottom left": ("in the bottom left corner", "near the bottom left"),
    "bottom": ("at the bottom", "near the bottom"),
    "bottom right": ("in the bottom right corner", "near the bottom right"),
}
RELATIONS = {  # layout -> (first relative to second, second relative to first, first side, second side, near)
    "horizontal": ("to the left of", "to the right of", "on the left", "on the right", "next to"),
    "vertical": ("above", "below", "at the top", "at the bottom", "over"),
}

# Synonyms are fixed per template, so the template is the only free choice in a caption.
# Captions are short (4 to 12 words; COCO's average is about 10): the overfit check sums the
# loss over the words, and free word choices or long captions slow its descent.
SINGLE_TEMPLATES = (
    "a {size} {colour} {shape} on {bg}",
    "there is a {size2} {colour} {shape}",
    "one {colour} {shape} {pos}",
    "the {shape} is {colour}",
    "picture of a {colour} {shape} {pos2}",
    "{bg} background with a {colour} {shape}",
    "only a {size} {shape} colored {colour}",
    "this image shows a {colour} {shape} {pos}",
)
PAIR_TEMPLATES = (
    "a {colourA} {shapeA} and a {colourB} {shapeB}",
    "there is a {colourA} {shapeA} {rel} a {colourB} {shapeB}",
    "the {colourB} {shapeB} is {inv} the {colourA} {shapeA}",
    "two shapes on {bg} a {sizeA} {shapeA} and a {sizeB} {shapeB}",
    "{bg} background with a {shapeA} {near} a {shapeB}",
    "picture of a {colourA} {shapeA} {near} a {colourB} {shapeB}",
    "a {sizeA} {shapeA} and a {sizeB} {shapeB} on {bg}",
)


def _slots(scene: Scene) -> dict:
    """Values for the template slots of one scene."""
    slots = {"bg": scene.background}
    if scene.layout == "single":
        s = scene.shapes[0]
        plain, near = POSITION_PHRASES[scene.position]
        slots.update(shape=s.kind, colour=s.colour, size=SIZE_WORDS[s.size][0],
                     size2=SIZE_WORDS[s.size][1], pos=plain, pos2=near)
        return slots
    for tag, s in zip("AB", scene.shapes):
        slots.update({f"shape{tag}": s.kind, f"colour{tag}": s.colour,
                      f"size{tag}": SIZE_WORDS[s.size][0], f"size2{tag}": SIZE_WORDS[s.size][1]})
    rel, inv, side_a, side_b, near = RELATIONS[scene.layout]
    slots.update(rel=rel, inv=inv, sideA=side_a, sideB=side_b, near=near)
    return slots


def describe(scene: Scene, count: int, rng: np.random.RandomState) -> list[str]:
    """`count` differently worded captions of the scene (templates drawn from rng)."""
    templates = SINGLE_TEMPLATES if scene.layout == "single" else PAIR_TEMPLATES
    if not 1 <= count <= len(templates):
        raise ValueError(f"captions_per_image must be between 1 and {len(templates)}, got {count}")
    chosen = rng.permutation(len(templates))[:count]
    slots = _slots(scene)
    return [_fix_articles(templates[i].format(**slots)) for i in chosen]


def _fix_articles(caption: str) -> str:
    """'a orange circle' -> 'an orange circle'."""
    words = caption.split()
    for i, word in enumerate(words[:-1]):
        if word == "a" and words[i + 1][0] in "aeiou":
            words[i] = "an"
    return " ".join(words)


def vocabulary() -> list[str]:
    """idx_to_word: the special tokens, then every word the grammar can produce, sorted."""
    words = set(BACKGROUNDS) | set(SHAPE_COLOURS) | set(SHAPES) | {"an"}   # "an": _fix_articles
    phrases = [p for pair in POSITION_PHRASES.values() for p in pair]
    phrases += [p for rel in RELATIONS.values() for p in rel]
    phrases += [w for pair in SIZE_WORDS.values() for w in pair]
    phrases += [re.sub(r"\{\w+\}", " ", t) for t in SINGLE_TEMPLATES + PAIR_TEMPLATES]
    for phrase in phrases:
        words.update(phrase.split())
    return list(SPECIAL_TOKENS) + sorted(words)


def encode(caption: str, word_to_idx: dict) -> np.ndarray:
    """int32 (CAPTION_LENGTH,): <START> words <END> <NULL>...; unknown words become <UNK>."""
    words = caption.split()
    if len(words) > MAX_WORDS:
        raise ValueError(f"caption has {len(words)} words (at most {MAX_WORDS}): {caption!r}")
    ids = [word_to_idx[START]] + [word_to_idx.get(w, word_to_idx[UNK]) for w in words] + [word_to_idx[END]]
    out = np.full(CAPTION_LENGTH, word_to_idx[NULL], dtype=np.int32)
    out[: len(ids)] = ids
    return out
