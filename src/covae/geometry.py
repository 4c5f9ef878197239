"""Geometry of a code cloud that the metrics, the traversals and the figures share: its
principal axes and coordinates, and points drawn uniformly in its convex hull."""

from __future__ import annotations

import numpy as np
from scipy.spatial import ConvexHull


def svd_axes(points: np.ndarray) -> np.ndarray:
    """The principal axes of ``points`` (rows, widest first) as the SVD gives them (signs
    arbitrary)."""
    _, _, axes = np.linalg.svd(points - points.mean(axis=0), full_matrices=False)
    return axes


def principal_axes(codes: np.ndarray) -> np.ndarray:
    """The principal axes of ``codes`` (rows, widest first), each signed so that its largest
    coordinate is positive: the same cloud gives the same axes whatever the SVD's sign."""
    axes = svd_axes(codes)
    signs = np.sign(axes[np.arange(len(axes)), np.argmax(np.abs(axes), axis=1)])
    return axes * signs[:, None]


def principal_components(points: np.ndarray, count: int) -> np.ndarray:
    """Coordinates of centred ``points`` on their ``count`` leading principal axes."""
    centred = points - points.mean(axis=0)
    return centred @ svd_axes(points)[:count].T


def uniform_in_hull(points: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` points uniform in the convex hull of ``points``, by rejection sampling."""
    points = np.asarray(points, dtype=np.float64)
    # Inside the hull = on the inner side of every facet plane (normal . x + offset <= 0);
    # a product with the facet equations is far faster than a Delaunay point location.
    equations = ConvexHull(points).equations
    normals, offsets = equations[:, :-1], equations[:, -1]
    low, high = points.min(axis=0), points.max(axis=0)
    rng = np.random.default_rng(seed)
    kept: list[np.ndarray] = []
    total = 0
    while total < count:
        candidates = rng.uniform(low, high, size=(2 * count, points.shape[1]))
        inside = candidates[np.all(candidates @ normals.T + offsets <= 0, axis=1)]
        kept.append(inside)
        total += len(inside)
    return np.concatenate(kept)[:count]
