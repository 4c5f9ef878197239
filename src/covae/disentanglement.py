"""How well a latent code recovers the known generating factors: R^2, MIG and DCI.

Written here because no maintained package computes these for Keras 3 codes today; the
definitions follow google-research/disentanglement_lib (MIG: Chen et al. 2018; DCI: Eastwood &
Williams 2018). Pure functions on arrays: ``codes`` is (N, d), ``factors`` is (N, K), and the
caller chooses the rows (train/test).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mutual_info_score, r2_score
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def r2_per_factor(
    train_codes: np.ndarray,
    train_factors: np.ndarray,
    test_codes: np.ndarray,
    test_factors: np.ndarray,
    *,
    regressor: str,
    neighbors: int = 10,
) -> np.ndarray:
    """Test R^2 of each factor predicted from the code, one regressor per factor.

    ``regressor``: ``"linear"`` (least squares; is the factor a linear read-out of the code?) or
    ``"knn"`` (k-nearest-neighbour mean on standardized codes; is it a smooth function of it?).
    """
    if regressor == "linear":
        model = LinearRegression()
    elif regressor == "knn":
        model = make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=neighbors))
    else:
        raise ValueError(f"regressor must be 'linear' or 'knn', not {regressor!r}")
    scores = []
    for j in range(train_factors.shape[1]):
        model.fit(train_codes, train_factors[:, j])
        scores.append(r2_score(test_factors[:, j], model.predict(test_codes)))
    return np.array(scores)


def discretize(codes: np.ndarray, bins: int) -> np.ndarray:
    """Each code axis cut into ``bins`` equal-width bins (disentanglement_lib's histogram)."""
    codes = np.asarray(codes, dtype=np.float64)
    binned = np.empty(codes.shape, dtype=np.int64)
    for i in range(codes.shape[1]):
        edges = np.histogram_bin_edges(codes[:, i], bins=bins)
        binned[:, i] = np.digitize(codes[:, i], edges[:-1])
    return binned


def mutual_information(binned_codes: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """(d, K) matrix of mutual information (nats) between each binned code axis and factor."""
    return np.array(
        [
            [mutual_info_score(binned_codes[:, i], factors[:, j]) for j in range(factors.shape[1])]
            for i in range(binned_codes.shape[1])
        ]
    )


def mig(codes: np.ndarray, factors: np.ndarray, *, bins: int = 20) -> tuple[float, np.ndarray]:
    """Mutual information gap: per factor, (largest - second largest MI over code axes) / H(factor).

    Factors must be discrete (ours are grids). Returns the mean over factors and the per-factor
    gaps. A code axis that copies a factor and no other gives about 1; an unrelated code gives 0.
    """
    if codes.shape[1] < 2:
        raise ValueError("MIG needs at least two code axes")
    # Integer labels of each factor's distinct values (the grids are discrete).
    factors = np.column_stack([np.unique(f, return_inverse=True)[1] for f in np.asarray(factors).T])
    entropy = np.array([mutual_info_score(f, f) for f in factors.T])
    if np.any(entropy == 0):
        raise ValueError("a factor is constant; drop it before computing MIG")
    information = np.sort(mutual_information(discretize(codes, bins), factors), axis=0)[::-1]
    gaps = (information[0] - information[1]) / entropy
    return float(gaps.mean()), gaps


def _normalized_entropy(p: np.ndarray, axis: int) -> np.ndarray:
    """Entropy of the distributions along ``axis`` of ``p`` (rows of non-negative weights), in
    units of log(size of that axis), so it lies in [0, 1]."""
    size = p.shape[axis]
    if size == 1:
        return np.zeros(p.shape[1 - axis])
    total = p.sum(axis=axis, keepdims=True)
    q = np.divide(p, total, out=np.full_like(p, 1.0 / size), where=total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q > 0, q * np.log(q), 0.0)
    return -terms.sum(axis=axis) / np.log(size)


def dci(
    train_codes: np.ndarray,
    train_factors: np.ndarray,
    test_codes: np.ndarray,
    test_factors: np.ndarray,
    *,
    trees: int,
    seed: int,
) -> dict[str, float]:
    """DCI disentanglement, completeness and informativeness with a random-forest regressor.

    One ``RandomForestRegressor`` per factor (``trees`` trees, minimum 5 samples per leaf,
    ``random_state=seed``) gives the importance of each code axis for that factor (the
    (d, K) matrix R). Disentanglement: 1 - entropy of each axis's importance over factors
    (base K), weighted by the axis's share of total importance. Completeness: 1 - entropy of
    each factor's importance over axes (base d), averaged. Informativeness: mean test R^2 of
    the forests (Eastwood & Williams report an error; R^2 is the same information on a scale
    where 1 is perfect).
    """
    d, k = train_codes.shape[1], train_factors.shape[1]
    importance = np.zeros((d, k))
    r2 = np.zeros(k)
    for j in range(k):
        forest = RandomForestRegressor(n_estimators=trees, min_samples_leaf=5, random_state=seed)
        forest.fit(train_codes, train_factors[:, j])
        importance[:, j] = forest.feature_importances_
        r2[j] = r2_score(test_factors[:, j], forest.predict(test_codes))
    weights = importance.sum(axis=1) / importance.sum()
    disentanglement = float(np.sum(weights * (1 - _normalized_entropy(importance, axis=1))))
    completeness = float(np.mean(1 - _normalized_entropy(importance, axis=0)))
    return {
        "disentanglement": disentanglement,
        "completeness": completeness,
        "informativeness": float(r2.mean()),
    }
