"""Synthetic heatmaps of bivariate Gaussian and Student-t densities with known factors.

Each image is a centred bivariate density evaluated on a square grid, ``image[i, j] =
pdf(x_i, y_j)``, divided by its maximum over the grid. Its generating factors are the two
scales (``var_x``, ``var_y``), the correlation ``cor`` and the degrees of freedom ``df``
(``inf`` for the Gaussian set). The scale matrix is

    [[var_x,                     cor * sqrt(var_x * var_y)],
     [cor * sqrt(var_x * var_y), var_y                    ]]

which is the covariance for the Gaussian and the ``shape`` of ``scipy.stats.multivariate_t``
for the t set (its covariance is ``df / (df - 2)`` times that, infinite at ``df = 2``).

Densities come from scipy, never from a hand-written formula. scipy freezes one scale matrix
per distribution, so instead of one call per image we change variables: with the Cholesky
factor ``S = L L^T``, ``pdf_S(x) = pdf_I(L^-1 x) / det L``. The grid is whitened for a block
of images at once and one standard distribution (per df) scores all of its points; blocks
run on threads (numpy releases the GIL). Max-normalization happens in log space, where the
Jacobian cancels and nothing underflows before the division.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from covae.names import DATASETS, stream

# Keras clips predictions to [BCE_EPSILON, 1 - BCE_EPSILON] inside binary_crossentropy.
BCE_EPSILON = 1e-7

# Rows per block: ~5 MB of whitened points, small enough to stay in cache (measured best).
_CHUNK_ROWS = 256


def axis_grid(start: float, stop: float, step: float) -> np.ndarray:
    """Evenly spaced values with ``numpy.arange`` semantics (``stop`` excluded), as the source
    study."""
    return np.arange(start, stop, step, dtype=np.float64)


def factor_grid(scales: np.ndarray, correlations: np.ndarray) -> np.ndarray:
    """All (var_x, var_y, cor) combinations, shape (n_scales**2 * n_cor, 3).

    Rows run with ``cor`` slowest and ``var_y`` fastest, the order the source study's mesh gives.
    """
    cor, var_x, var_y = np.meshgrid(correlations, scales, scales, indexing="ij")
    return np.column_stack([var_x.ravel(), var_y.ravel(), cor.ravel()])


def scale_matrices(var_x: np.ndarray, var_y: np.ndarray, cor: np.ndarray) -> np.ndarray:
    """The (N, 2, 2) scale matrices of the factors (covariances for the Gaussian)."""
    var_x, var_y, cor = (np.asarray(a, dtype=np.float64) for a in (var_x, var_y, cor))
    off_diagonal = cor * np.sqrt(var_x * var_y)
    return np.stack([np.stack([var_x, off_diagonal], -1), np.stack([off_diagonal, var_y], -1)], -2)


def draw_df(
    var_x: np.ndarray,
    var_y: np.ndarray,
    rng: np.random.Generator,
    *,
    threshold: float = 20.0,
    noise_max: float = 10.0,
    df_heavy: float = 2.0,
    df_light: float = 200.0,
) -> np.ndarray:
    """The source study's stochastic df rule: heavy tails where ``(var_x + var_y)^2 - U(0,
    noise_max)`` exceeds ``threshold``, light tails elsewhere.

    So ``(var_x + var_y)^2 > threshold + noise_max`` is always heavy and ``<= threshold`` never.
    """
    noise = rng.uniform(0.0, noise_max, size=np.shape(var_x))
    heavy = (np.asarray(var_x) + np.asarray(var_y)) ** 2 - noise > threshold
    return np.where(heavy, df_heavy, df_light).astype(np.float64)


def split_mask(n: int, test_fraction: float, rng: np.random.Generator) -> np.ndarray:
    """A boolean mask with ``round(n * test_fraction)`` rows drawn uniformly as test rows."""
    mask = np.zeros(n, dtype=bool)
    mask[rng.permutation(n)[: round(n * test_fraction)]] = True
    return mask


def _standard_distribution(df: float):
    """The standard bivariate distribution with ``df`` degrees of freedom (inf: Gaussian)."""
    # Imported here, not at the top: scipy.stats takes ~0.6 s to import, and every snakemake
    # call imports this module (covae.config uses its grid) while only the data jobs draw.
    from scipy import stats

    if np.isinf(df):
        return stats.multivariate_normal(mean=np.zeros(2), cov=np.eye(2))
    return stats.multivariate_t(loc=np.zeros(2), shape=np.eye(2), df=df)


def _log_densities_chunk(axis: np.ndarray, factors: np.ndarray, df: float) -> np.ndarray:
    """log pdf on the grid for each row of ``factors`` (var_x, var_y, cor), shape (n, m, m)."""
    inv = np.linalg.inv(np.linalg.cholesky(scale_matrices(*factors[:, :3].T)))
    x = axis[None, :, None]
    y = axis[None, None, :]
    whitened = np.empty((len(factors), axis.size, axis.size, 2))
    whitened[..., 0] = inv[:, 0, 0, None, None] * x  # inv is lower triangular
    whitened[..., 1] = inv[:, 1, 0, None, None] * x + inv[:, 1, 1, None, None] * y
    log_jacobian = np.log(inv[:, 0, 0] * inv[:, 1, 1])[:, None, None]  # -log det L
    log_pdf = _standard_distribution(df).logpdf(whitened)
    return log_pdf.reshape(whitened.shape[:-1]) + log_jacobian


def _by_df_chunks(factors: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """(df, row indices) jobs: rows with equal df share one scipy distribution."""
    df = factors[:, 3] if factors.shape[1] > 3 else np.full(len(factors), np.inf)
    jobs = []
    for value in np.unique(df):
        rows = np.flatnonzero(df == value)
        jobs += [(value, rows[k : k + _CHUNK_ROWS]) for k in range(0, rows.size, _CHUNK_ROWS)]
    return jobs


def _map_chunks(axis, factors, threads, dtype, transform) -> np.ndarray:
    factors = np.atleast_2d(np.asarray(factors, dtype=np.float64))
    out = np.empty((len(factors), axis.size, axis.size), dtype=dtype)

    def run(job: tuple[float, np.ndarray]) -> None:
        df, rows = job
        out[rows] = transform(_log_densities_chunk(axis, factors[rows], df))

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        list(pool.map(run, _by_df_chunks(factors)))
    return out


def log_densities(axis: np.ndarray, factors: np.ndarray, *, threads: int = 1) -> np.ndarray:
    """log pdf, float64 (N, m, m): ``out[n, i, j] = log pdf_n(axis[i], axis[j])``.

    ``factors`` has columns var_x, var_y, cor, df (without a df column: Gaussian).
    """
    return _map_chunks(axis, factors, threads, np.float64, lambda log_pdf: log_pdf)


def normalize_log(log_pdf: np.ndarray) -> np.ndarray:
    """Images divided by their own maximum, computed in log space; float32 as stored."""
    peak = log_pdf.max(axis=(-2, -1), keepdims=True)
    return np.exp(log_pdf - peak).astype(np.float32)


def images(axis: np.ndarray, factors: np.ndarray, *, threads: int = 1) -> np.ndarray:
    """Max-normalized float32 heatmaps (N, m, m) of the factors' densities.

    Rows are processed in chunks over ``threads`` threads; the result does not depend on it.
    """
    return _map_chunks(axis, factors, threads, np.float32, normalize_log)


@dataclass(frozen=True)
class DataSpec:
    """The data-generating settings of one study (the ``data`` section of the config, which
    is the only source of their values)."""

    seed: int
    grid: tuple[float, float, float]
    scale: tuple[float, float, float]
    correlation: tuple[float, float, float]
    test_fraction: float
    df_rule: Mapping[str, float]

    @classmethod
    def from_config(cls, data: Mapping[str, Any]) -> DataSpec:
        """Build from the validated ``config["data"]`` mapping."""

        def triple(key: str) -> tuple[float, float, float]:
            return (float(data[key]["start"]), float(data[key]["stop"]), float(data[key]["step"]))

        return cls(
            seed=int(data["seed"]),
            grid=triple("grid"),
            scale=triple("scale"),
            correlation=triple("correlation"),
            test_fraction=float(data["test_fraction"]),
            df_rule={k: float(v) for k, v in data["student_t"].items()},
        )

    @property
    def axis(self) -> np.ndarray:
        return axis_grid(*self.grid)

    def factors(self, dataset: str) -> np.ndarray:
        """(N, 4) factors var_x, var_y, cor, df of a data set (df = inf for the Gaussian)."""
        base = factor_grid(axis_grid(*self.scale), axis_grid(*self.correlation))
        if dataset == "gaussian":
            df = np.full(len(base), np.inf)
        elif dataset == "student_t":
            df = draw_df(base[:, 0], base[:, 1], stream(self.seed, "df"), **self.df_rule)
        else:
            raise ValueError(f"unknown dataset {dataset!r}; expected one of {DATASETS}")
        return np.column_stack([base, df])

    def is_test(self, n: int) -> np.ndarray:
        """The test mask; rows are aligned across data sets, so both share one split."""
        return split_mask(n, self.test_fraction, stream(self.seed, "split"))


def make_dataset(spec: DataSpec, dataset: str, *, threads: int = 1) -> dict[str, np.ndarray]:
    """Arrays of one data set as in the path contract: images, factors, is_test."""
    factors = spec.factors(dataset)
    return {
        "images": images(spec.axis, factors, threads=threads),
        "factors": factors,
        "is_test": spec.is_test(len(factors)),
    }


def entropy_floor(images) -> np.ndarray:
    """Per image, the least summed binary cross-entropy any reconstruction can reach: the
    binary entropy of its own pixels (with Keras' clipping), in nats. float64, shape (N,).
    A property of the data, so it lives here and costs no Keras import."""
    y = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    p = np.clip(y, BCE_EPSILON, 1 - BCE_EPSILON)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=1)
