"""Paths derived from the codes by rule: pairs, straight lines, latent grids."""

import numpy as np
import pytest
from scipy import stats

from covae import traversals


def test_pairs_are_seeded_distinct_and_drawn_from_the_given_rows():
    rows = np.arange(100, 200)
    pairs = traversals.choose_pairs(rows, 50, seed=5)
    assert pairs.shape == (50, 2)
    assert np.isin(pairs, rows).all() and (pairs[:, 0] != pairs[:, 1]).all()
    np.testing.assert_array_equal(pairs, traversals.choose_pairs(rows, 50, seed=5))
    assert not np.array_equal(pairs, traversals.choose_pairs(rows, 50, seed=6))
    with pytest.raises(ValueError, match="two rows"):
        traversals.choose_pairs(np.array([3]), 1, seed=0)


def test_linear_paths_run_from_start_to_end_in_even_steps():
    start, end = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]), np.array([[4.0, 0, 0], [1, 2, -1]])
    paths = traversals.linear_paths(start, end, steps=5)
    assert paths.shape == (2, 5, 3)
    np.testing.assert_array_equal(paths[:, 0], start)
    np.testing.assert_array_equal(paths[:, -1], end)
    np.testing.assert_allclose(
        np.diff(paths, axis=1), np.broadcast_to((end - start)[:, None] / 4, (2, 4, 3))
    )


def test_latent_grids_span_the_two_widest_axes_and_hold_the_rest_at_the_median():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(5000, 3)) * np.array([0.1, 3.0, 1.0]) + np.array([5.0, -1.0, 2.0])
    grids = traversals.latent_grids(codes, size=6, low=0.05, high=0.95)
    assert tuple(grids["axes"]) == (1, 2)
    for name in ("uniform", "quantile"):
        grid = grids[name]
        assert grid.shape == (36, 3)
        np.testing.assert_allclose(grid[:, 0], np.median(codes[:, 0]))
        assert np.unique(grid[:, 1]).size == 6 and np.unique(grid[:, 2]).size == 6
    uniform = np.unique(grids["uniform"][:, 1])
    np.testing.assert_allclose(uniform[[0, -1]], np.quantile(codes[:, 1], [0.05, 0.95]))
    np.testing.assert_allclose(np.diff(uniform), np.diff(uniform)[0])  # evenly spaced
    quantile = np.unique(grids["quantile"][:, 2])
    expected = codes[:, 2].mean() + codes[:, 2].std() * stats.norm.ppf(np.linspace(0.05, 0.95, 6))
    np.testing.assert_allclose(quantile, expected)
    assert np.diff(quantile)[0] > np.diff(quantile)[2]  # wider apart in the tails
