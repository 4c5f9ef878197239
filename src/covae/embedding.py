"""Two-dimensional views of codes wider than three axes: PCA and t-SNE (scikit-learn)."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.preprocessing import StandardScaler


def embed(codes: np.ndarray, *, points: int, perplexity: float, seed: int) -> dict[str, np.ndarray]:
    """PCA and t-SNE coordinates (2-D) of a seeded sample of ``points`` standardized codes.

    Returns ``rows`` (the sampled rows), ``pca`` and ``tsne`` (points, 2) and
    ``explained`` (the variance ratio of the two principal components).
    """
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(codes), size=min(points, len(codes)), replace=False))
    scaled = StandardScaler().fit_transform(np.asarray(codes, dtype=np.float64)[rows])
    pca = PCA(n_components=2, random_state=seed).fit(scaled)
    perplexity = min(perplexity, (len(rows) - 1) / 3)  # t-SNE needs perplexity < n / 3
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    return {
        "rows": rows,
        "pca": pca.transform(scaled),
        "tsne": tsne.fit_transform(scaled),
        "explained": pca.explained_variance_ratio_,
    }
