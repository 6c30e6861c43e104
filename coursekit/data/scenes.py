"""Scenes of the embedded dataset: one or two coloured shapes on a plain background.

A scene is drawn from a `numpy.random.RandomState` (its stream is frozen across numpy
versions) and rendered to an RGB uint8 array with plain numpy. Sizes are given for the
default 96x96 image and scale with the image size.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IMAGE_SIZE = 96

# name -> RGB. Shape colours and background colours come from this one palette.
PALETTE = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "yellow": (240, 220, 40),
    "orange": (245, 140, 30),
    "purple": (140, 60, 180),
    "pink": (240, 130, 180),
    "brown": (130, 80, 40),
    "white": (245, 245, 245),
    "black": (20, 20, 20),
    "gray": (128, 128, 128),
}
SHAPE_COLOURS = ("red", "green", "blue", "yellow", "orange", "purple", "pink", "brown")
BACKGROUNDS = ("white", "black", "gray", "blue", "green", "yellow")
SHAPES = ("circle", "square", "triangle", "diamond", "cross")
SIZES = ("small", "large")

# One-shape scenes: a 3x3 grid of positions, (row, column) -> name.
GRID_POSITIONS = {
    (0, 0): "top left", (0, 1): "top", (0, 2): "top right",
    (1, 0): "left", (1, 1): "center", (1, 2): "right",
    (2, 0): "bottom left", (2, 1): "bottom", (2, 2): "bottom right",
}
GRID_FRACTIONS = (0.25, 0.5, 0.75)          # centre of row/column i, as a fraction of the size
RADIUS_RANGE = {"small": (9, 12), "large": (17, 20)}   # in pixels of a 96x96 image
JITTER = 3                                   # position jitter in pixels (96x96)
COLOUR_JITTER = 8                            # per-image colour offset, RGB units
PIXEL_NOISE = 0.0                            # per-pixel Gaussian noise, RGB units (0: small PNGs)


@dataclass(frozen=True)
class Shape:
    kind: str          # one of SHAPES
    colour: str        # one of SHAPE_COLOURS
    size: str          # "small" or "large"
    cx: float          # centre, pixels
    cy: float
    radius: float      # pixels


@dataclass(frozen=True)
class Scene:
    background: str
    shapes: tuple      # one or two Shape
    layout: str        # "single" (one shape), "horizontal" (left, right) or "vertical" (top, bottom)
    position: str = "" # grid position name, single scenes only


def _radius(rng, size: str, scale: float) -> float:
    lo, hi = RADIUS_RANGE[size]
    return float(rng.uniform(lo, hi)) * scale


def sample_scene(rng: np.random.RandomState, image_size: int = IMAGE_SIZE) -> Scene:
    """Draw one random scene (one shape half of the time, two otherwise)."""
    scale = image_size / IMAGE_SIZE
    background = BACKGROUNDS[rng.randint(len(BACKGROUNDS))]
    colours = [c for c in SHAPE_COLOURS if c != background]
    if rng.rand() < 0.5:
        row, col = divmod(int(rng.randint(9)), 3)
        size = SIZES[rng.randint(2)]
        shape = Shape(
            kind=SHAPES[rng.randint(len(SHAPES))],
            colour=colours[rng.randint(len(colours))],
            size=size,
            cx=GRID_FRACTIONS[col] * image_size + rng.uniform(-JITTER, JITTER) * scale,
            cy=GRID_FRACTIONS[row] * image_size + rng.uniform(-JITTER, JITTER) * scale,
            radius=_radius(rng, size, scale),
        )
        return Scene(background, (shape,), "single", GRID_POSITIONS[(row, col)])
    layout = "horizontal" if rng.rand() < 0.5 else "vertical"
    pair = rng.choice(len(colours), size=2, replace=False)
    shapes = []
    for k, main in enumerate((0.27, 0.73)):    # first shape left/top, second right/bottom
        size = SIZES[rng.randint(2)]
        along = main * image_size + rng.uniform(-JITTER, JITTER) * scale
        across = (0.5 + rng.uniform(-0.1, 0.1)) * image_size
        cx, cy = (along, across) if layout == "horizontal" else (across, along)
        radius = min(_radius(rng, size, scale), 0.2 * image_size)
        shapes.append(Shape(SHAPES[rng.randint(len(SHAPES))], colours[pair[k]], size, cx, cy, radius))
    return Scene(background, tuple(shapes), layout)


def shape_mask(kind: str, cx: float, cy: float, r: float, size: int) -> np.ndarray:
    """Boolean (size, size) mask of one shape (pixel centres at i + 0.5)."""
    y, x = np.mgrid[0:size, 0:size] + 0.5
    dx, dy = x - cx, y - cy
    if kind == "circle":
        return dx * dx + dy * dy <= r * r
    if kind == "square":
        return (np.abs(dx) <= 0.85 * r) & (np.abs(dy) <= 0.85 * r)
    if kind == "diamond":
        return np.abs(dx) + np.abs(dy) <= 1.15 * r
    if kind == "triangle":   # apex up, base at cy + 0.75 r
        top, bottom = -r, 0.75 * r
        return (dy >= top) & (dy <= bottom) & (np.abs(dx) <= (dy - top) * 0.95 / 1.75)
    if kind == "cross":
        arm = 0.33 * r
        return ((np.abs(dx) <= r) & (np.abs(dy) <= arm)) | ((np.abs(dy) <= r) & (np.abs(dx) <= arm))
    raise ValueError(f"unknown shape kind {kind!r}")


def render(scene: Scene, rng: np.random.RandomState, image_size: int = IMAGE_SIZE) -> np.ndarray:
    """RGB uint8 image (image_size, image_size, 3) of the scene, with slight colour noise."""
    img = np.empty((image_size, image_size, 3), dtype=np.float64)
    img[:] = np.add(PALETTE[scene.background], rng.uniform(-COLOUR_JITTER, COLOUR_JITTER, 3))
    for shape in scene.shapes:
        mask = shape_mask(shape.kind, shape.cx, shape.cy, shape.radius, image_size)
        img[mask] = np.add(PALETTE[shape.colour], rng.uniform(-COLOUR_JITTER, COLOUR_JITTER, 3))
    if PIXEL_NOISE:
        img += rng.normal(0.0, PIXEL_NOISE, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)
