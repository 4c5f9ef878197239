"""Per-run measurements: reconstruction errors, KNN separability of df, density of the latent cloud.

Every function takes arrays and returns numbers (plain ``float``/``int`` in dicts, ready for
JSON). Randomness, where there is any, arrives as a seed. Measures of how well a code recovers
the known factors live in :mod:`covae.disentanglement`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.spatial import cKDTree
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from covae.geometry import principal_components, uniform_in_hull

# ---------------------------------------------------------------------------- reconstruction


def frobenius_errors(images: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Per image, the Frobenius norm of ``reconstruction - image`` (the source study's error)."""
    images = np.asarray(images, dtype=np.float64)
    reconstructions = np.asarray(reconstructions, dtype=np.float64)
    if images.shape != reconstructions.shape:
        raise ValueError(
            f"shapes differ: images {images.shape}, reconstructions {reconstructions.shape}"
        )
    return np.sqrt(np.sum((reconstructions - images) ** 2, axis=(1, 2)))


def error_summary(errors: np.ndarray) -> dict[str, float]:
    """Location and tail of a set of errors.

    ``tail_ratio`` = p99 / median is scale-free: a heavier right tail (the source study's
    description of the AE errors) gives a larger ratio even when the typical error is smaller.
    """
    errors = np.asarray(errors, dtype=np.float64)
    if errors.size == 0:
        raise ValueError("no errors to summarize")
    median, p90, p99 = np.percentile(errors, [50, 90, 99])
    return {
        "mean": float(errors.mean()),
        "median": float(median),
        "p90": float(p90),
        "p99": float(p99),
        "max": float(errors.max()),
        "tail_ratio": float(p99 / median) if median > 0 else float("nan"),
    }


# ---------------------------------------------------------------------------- KNN separability


def knn_separability(
    train_codes: np.ndarray,
    train_heavy: np.ndarray,
    test_codes: np.ndarray,
    test_heavy: np.ndarray,
    *,
    k_values: Sequence[int],
    folds: int,
    fixed_k: int,
    scaled: bool,
    seed: int,
) -> dict[str, float]:
    """How well a k-nearest-neighbour classifier tells the heavy-tailed class from the code.

    The source study's protocol: ``GridSearchCV`` over ``k_values`` with ``folds``-fold CV on the
    training codes, then test accuracy and F1 (heavy tails, df = 2, the positive class) at the
    best k and at ``fixed_k`` (the source study reported k = 13). With ``scaled`` the classifier
    sees standardized codes (a ``StandardScaler`` fitted inside each CV fold), which removes the
    arbitrary per-axis scale of an AE code. The folds are stratified and shuffled with ``seed``.
    """
    train_heavy = np.asarray(train_heavy, dtype=bool)
    test_heavy = np.asarray(test_heavy, dtype=bool)
    if train_heavy.all() or not train_heavy.any():
        raise ValueError("the training codes hold one class only; KNN separability is undefined")

    def classifier(k: int | None = None):
        knn = KNeighborsClassifier() if k is None else KNeighborsClassifier(n_neighbors=k)
        return make_pipeline(StandardScaler(), knn) if scaled else make_pipeline(knn)

    step = "kneighborsclassifier__n_neighbors"
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    search = GridSearchCV(classifier(), {step: list(k_values)}, cv=cv)
    search.fit(train_codes, train_heavy)
    best_k = int(search.best_params_[step])

    def scores(model) -> tuple[float, float]:
        predicted = model.predict(test_codes)
        return accuracy_score(test_heavy, predicted), f1_score(test_heavy, predicted)

    accuracy, f1 = scores(search.best_estimator_)
    accuracy_fixed, f1_fixed = scores(classifier(fixed_k).fit(train_codes, train_heavy))
    return {
        "best_k": best_k,
        "cv_accuracy": float(search.best_score_),
        "test_accuracy": float(accuracy),
        "test_f1": float(f1),
        "test_accuracy_fixed_k": float(accuracy_fixed),
        "test_f1_fixed_k": float(f1_fixed),
    }


# ---------------------------------------------------------------------------- latent density


# Latent density is measured in at most this many dimensions (see latent_density).
DENSITY_DIMS = 3


def latent_density(
    codes: np.ndarray, *, probes: int, gap_quantile: float, seed: int
) -> dict[str, float]:
    """Scale-free numbers for how evenly a code cloud fills its own convex hull.

    Codes are standardized per axis first (an AE's axes have arbitrary scales). The reference is
    a uniform fill of the same hull with as many points as there are codes, so edge effects and
    the shape of the hull cancel out. Two numbers:

    - ``nn_ratio``: mean nearest-neighbour distance of the codes over that of the uniform fill
      (the Clark-Evans aggregation index, Clark & Evans 1954). About 1 for a uniform cloud,
      below 1 when codes crowd into clumps and strands, leaving the rest of the hull empty.
    - ``gap_fraction``: the share of the hull's volume that lies in gaps. ``probes`` uniform
      points are dropped in the hull; a probe is in a gap when its nearest code is farther than
      the ``gap_quantile`` quantile of the same distance measured against the uniform fill. A
      uniform cloud gives about ``1 - gap_quantile``; a cloud with holes gives more.

    "Less dense, with more gaps" (the source study's words for the AE) reads as a lower
    ``nn_ratio`` and a higher ``gap_fraction``.

    A code of more than three axes is measured on its first three principal components: the
    convex hull of a cloud in d dimensions has a number of facets that explodes with d, and a
    uniform draw from its bounding box almost never lands inside it.
    """
    codes = np.asarray(codes, dtype=np.float64)
    std = codes.std(axis=0)
    if codes.shape[1] < 2:
        raise ValueError("a latent density needs at least two code axes")
    if np.any(std == 0):
        raise ValueError("a code axis is constant; the cloud has no volume")
    codes = (codes - codes.mean(axis=0)) / std
    if codes.shape[1] > DENSITY_DIMS:
        codes = principal_components(codes, DENSITY_DIMS)
    n = len(codes)
    reference = uniform_in_hull(codes, n, seed)
    probe_points = uniform_in_hull(codes, probes, seed + 1)

    def mean_nn(cloud: np.ndarray) -> float:
        distances, _ = cKDTree(cloud).query(cloud, k=2)
        return float(distances[:, 1].mean())

    threshold = np.quantile(cKDTree(reference).query(probe_points)[0], gap_quantile)
    probe_to_codes = cKDTree(codes).query(probe_points)[0]
    return {
        "nn_ratio": mean_nn(codes) / mean_nn(reference),
        "gap_fraction": float(np.mean(probe_to_codes > threshold)),
    }
