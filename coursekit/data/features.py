"""Image features of the embedded dataset: the stand-ins for VGG-16 fc7 and its PCA.

Pipeline (fixed; documented in coursekit/data/__init__.py):
1. pixels / 255, average-pooled to a 48x48 grid (`pixel_statistics`);
2. hand-made statistics per image: an 8x8 RGB thumbnail (192 values) and, for each of the
   11 palette colours, a soft colour mask (Gaussian kernel on the RGB distance, normalised
   over the palette) summarised by its mass, centroid, spread, 4x4 spatial histogram,
   8-bin histogram of edge orientations and an edge-length / sqrt(area) compactness
   (30 values per colour) -> 522 values;
3. "fc7": standardise with the train split's mean and std, then a fixed random projection
   (seed FC7_SEED, independent of the dataset seed) to 4096 dims, plus a random bias, ReLU;
4. "fc7_pca": PCA whitening fitted on the train fc7 features (eigenvectors of the Gram
   matrix, sign fixed so that each component's largest entry is positive, scaled so that
   every component has unit variance on the train split), applied to both splits; 512
   components (zero columns if the train split has fewer images than that). Whitening
   makes the small-variance directions that tell similar images apart as large as the
   others, which lets the captioning model memorise (the overfit check) much faster.
"""
from __future__ import annotations

import numpy as np

from .scenes import PALETTE

FEATURE_GRID = 48          # images are pooled to this many pixels per side first
THUMBNAIL_GRID = 8
SPATIAL_GRID = 4
ORIENTATION_BINS = 8
COLOUR_SIGMA = 0.12        # width of the soft colour assignment, in [0, 1] RGB units
STD_FLOOR = 0.02           # standardisation never divides by less than this
FC7_DIM = 4096
PCA_DIM = 512
FC7_SEED = 4096
FC7_BIAS_SCALE = 0.5
CHUNK = 256                # images per batch when computing statistics


def _pool(x: np.ndarray, grid: int) -> np.ndarray:
    """Average-pool (N, S, S, ...) to (N, grid, grid, ...), cropping S to a multiple of grid."""
    n, s = x.shape[0], x.shape[1]
    f = max(1, s // grid)
    g = min(grid, s)
    x = x[:, : g * f, : g * f]
    return x.reshape(n, g, f, g, f, *x.shape[3:]).mean(axis=(2, 4))


def _colour_masks(x: np.ndarray) -> np.ndarray:
    """(N, G, G, 3) in [0, 1] -> soft assignment (N, G, G, K) to the palette colours."""
    centres = np.array(list(PALETTE.values()), dtype=np.float32) / 255.0
    d2 = ((x[..., None, :] - centres) ** 2).sum(axis=-1)
    w = np.exp(-d2 / (2 * COLOUR_SIGMA ** 2))
    return w / (w.sum(axis=-1, keepdims=True) + 1e-6)


def _mask_statistics(m: np.ndarray) -> np.ndarray:
    """(N, G, G) soft mask -> (N, 30): mass, centroid, spread, spatial histogram, edges."""
    n, g = m.shape[0], m.shape[1]
    coords = (np.arange(g) + 0.5) / g
    total = m.sum(axis=(1, 2)) + 1e-6
    cy = (m.sum(axis=2) * coords).sum(axis=1) / total
    cx = (m.sum(axis=1) * coords).sum(axis=1) / total
    sy = np.sqrt((m.sum(axis=2) * (coords - cy[:, None]) ** 2).sum(axis=1) / total)
    sx = np.sqrt((m.sum(axis=1) * (coords - cx[:, None]) ** 2).sum(axis=1) / total)
    spatial = _pool(m, SPATIAL_GRID).reshape(n, -1)
    gy, gx = np.gradient(m, axis=(1, 2))
    magnitude = np.hypot(gx, gy)
    angle = np.mod(np.arctan2(gy, gx), np.pi)
    bins = np.minimum((angle / np.pi * ORIENTATION_BINS).astype(int), ORIENTATION_BINS - 1)
    edges = np.stack([(magnitude * (bins == b)).sum(axis=(1, 2)) for b in range(ORIENTATION_BINS)], 1)
    edge_total = edges.sum(axis=1)
    orientation = edges / (edge_total[:, None] + 1e-6)
    compactness = 0.2 * edge_total / (np.sqrt(total) + 1e-3)
    mass = total / (g * g)
    return np.column_stack([mass, cx, cy, sx, sy, spatial, orientation, compactness])


def pixel_statistics(images: np.ndarray) -> np.ndarray:
    """uint8 (N, S, S, 3) -> float32 (N, 522) statistics of colour, layout and shape."""
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"expected images of shape (N, S, S, 3), got {images.shape}")
    out = []
    for start in range(0, len(images), CHUNK):
        x = _pool(images[start:start + CHUNK].astype(np.float32) / 255.0, FEATURE_GRID)
        thumb = _pool(x, THUMBNAIL_GRID).reshape(len(x), -1)
        masks = _colour_masks(x)
        per_colour = [_mask_statistics(masks[..., k]) for k in range(masks.shape[-1])]
        out.append(np.concatenate([thumb] + per_colour, axis=1))
    return np.concatenate(out).astype(np.float32)


def fc7_projection(dim_in: int) -> tuple[np.ndarray, np.ndarray]:
    """The fixed random projection (dim_in, 4096) and bias (4096,) of the fc7 stand-in."""
    rng = np.random.RandomState(FC7_SEED)
    weights = rng.randn(dim_in, FC7_DIM) / np.sqrt(dim_in)
    bias = FC7_BIAS_SCALE * rng.randn(FC7_DIM)
    return weights.astype(np.float32), bias.astype(np.float32)


def fc7_features(train_stats: np.ndarray, val_stats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Statistics -> fc7 stand-ins (float32, 4096 dims), standardised with the train split."""
    mean = train_stats.mean(axis=0)
    std = np.maximum(train_stats.std(axis=0), STD_FLOOR)
    weights, bias = fc7_projection(train_stats.shape[1])

    def project(stats):
        z = ((stats - mean) / std).astype(np.float32)
        return np.maximum(z @ weights + bias, 0.0).astype(np.float32)

    return project(train_stats), project(val_stats)


def fit_pca(train: np.ndarray, dim: int = PCA_DIM) -> tuple[np.ndarray, np.ndarray]:
    """Mean (D,) and whitening components (D, dim) of the train features.

    Projected train features have unit variance per component; columns past the rank of
    the centred train features are zero.
    """
    x = train.astype(np.float64)
    mean = x.mean(axis=0)
    xc = x - mean
    gram = xc @ xc.T
    eigvals, eigvecs = np.linalg.eigh(gram)
    order = np.argsort(eigvals)[::-1]
    keep = [i for i in order[:dim] if eigvals[i] > 1e-9 * max(eigvals[order[0]], 1e-30)]
    comps = np.zeros((x.shape[1], dim))
    if keep:
        v = xc.T @ eigvecs[:, keep] / np.sqrt(eigvals[keep])           # unit-norm directions
        signs = np.sign(v[np.abs(v).argmax(axis=0), np.arange(v.shape[1])])
        whiten = np.sqrt(len(x) / eigvals[keep])                         # 1 / std along each
        comps[:, : len(keep)] = v * np.where(signs == 0, 1.0, signs) * whiten
    return mean, comps


def apply_pca(features: np.ndarray, mean: np.ndarray, comps: np.ndarray) -> np.ndarray:
    return ((features.astype(np.float64) - mean) @ comps).astype(np.float32)
