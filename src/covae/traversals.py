"""Paths through a latent space, each derived from the codes by a rule (no hand-picked point).

Functions take codes (N, d) and return the codes to decode; the workflow decodes them.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def choose_pairs(rows: np.ndarray, pairs: int, seed: int) -> np.ndarray:
    """(pairs, 2) distinct rows drawn from ``rows`` with ``seed``: the same for every model."""
    rows = np.asarray(rows)
    if rows.size < 2:
        raise ValueError("at least two rows are needed to draw pairs")
    rng = np.random.default_rng(seed)
    return np.array([rng.choice(rows, size=2, replace=False) for _ in range(pairs)])


def linear_paths(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """(P, steps, d) evenly spaced codes from each ``start`` (P, d) to its ``end``, both ends
    included."""
    t = np.linspace(0.0, 1.0, steps)[None, :, None]
    return (1 - t) * start[:, None, :] + t * end[:, None, :]


def widest_axes(codes: np.ndarray) -> tuple[int, int]:
    """The two code axes of largest spread (interquartile range), in axis order."""
    q75, q25 = np.percentile(codes, [75, 25], axis=0)
    first, second = np.argsort(q75 - q25)[::-1][:2]
    return int(min(first, second)), int(max(first, second))


def latent_grids(codes: np.ndarray, size: int, low: float, high: float) -> dict[str, np.ndarray]:
    """Two size x size grids over the two widest code axes, the other axes at their medians.

    ``uniform``: evenly spaced from the ``low`` to the ``high`` quantile of the codes on each
    axis. ``quantile``: at the normal quantiles ``norm.ppf(linspace(low, high))`` scaled by the
    codes' mean and std on each axis (the inverse-CDF grid of seed 000, which for a VAE code
    near its N(0, 1) prior puts as many points where codes are dense as where they are sparse).
    Codes are (size * size, d), row-major over (first axis, second axis); ``axes`` names them.
    """
    codes = np.asarray(codes, dtype=np.float64)
    first, second = widest_axes(codes)
    levels = np.linspace(low, high, size)
    uniform_values = np.quantile(codes[:, [first, second]], [low, high], axis=0)
    normal = stats.norm.ppf(levels)
    centre, spread = codes.mean(axis=0), codes.std(axis=0)
    grids = {}
    for name, values in (
        ("uniform", [np.linspace(*uniform_values[:, k], size) for k in range(2)]),
        ("quantile", [centre[a] + spread[a] * normal for a in (first, second)]),
    ):
        along_first, along_second = np.meshgrid(values[0], values[1], indexing="ij")
        grid = np.tile(np.median(codes, axis=0), (size * size, 1))
        grid[:, first], grid[:, second] = along_first.ravel(), along_second.ravel()
        grids[name] = grid
    grids["axes"] = np.array([first, second])
    return grids
