"""How much a heatmap looks like one of the data: fit the generating density to it.

Every image of the data is a centred bivariate Gaussian or Student-t density on the pixel grid,
divided by its largest pixel. :func:`fit` finds, for any image (a reconstruction, a decoded
point between codes), the scales, correlation (and df) whose heatmap is closest in least
squares, and reports the relative Frobenius residual ``||image - fitted|| / ||image||``: about
0 for an image the data could contain, large for a blend of two ellipses or a smear.

The fitted heatmap uses the densities' shapes up to a constant, ``exp(-q / 2)`` and
``(1 + q / df)^(-(df + 2) / 2)`` with ``q`` the quadratic form of the scale matrix, because the
constant cancels in the max-normalization; a test checks them against scipy's densities.
Each image is fitted by ``scipy.optimize.least_squares``, started from the image's moments.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from scipy.stats import spearmanr

from covae.names import FACTOR_NAMES
from covae.traversals import TRAVERSALS_3D

# The fit works in unconstrained coordinates: log var_x, log var_y, atanh cor (, log df).
_MAX_ABS_COR = 0.999
_DF_BOUNDS = (1.0, 1000.0)
_DF_START = 10.0
# Decoded traversals (covae.traversals.paths_of) that get fitted when a run has them.
TRAVERSALS = ("correlation_line", "variance_line", "rotation", *TRAVERSALS_3D)
# The fitted factors every heatmap has (df only on the Student-t set).
FITTED = ("var_x", "var_y", "cor")


def _kernel(q: np.ndarray, df: np.ndarray | float) -> np.ndarray:
    """Unnormalized density as a function of the quadratic form (df = inf: Gaussian)."""
    df = np.asarray(df, dtype=np.float64)
    gaussian = np.exp(-0.5 * q)
    if np.all(np.isinf(df)):
        return gaussian
    finite = np.where(np.isinf(df), 1.0, df)
    student = (1.0 + q / finite) ** (-(finite + 2.0) / 2.0)
    return np.where(np.isinf(df), gaussian, student)


def model_images(axis: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Heatmaps (N, m, m) of factors (N, 4): var_x, var_y, cor, df (inf: Gaussian), each divided
    by its largest pixel, as the data sets are built."""
    factors = np.atleast_2d(np.asarray(factors, dtype=np.float64))
    var_x, var_y, cor = (factors[:, k, None, None] for k in range(3))
    df = factors[:, 3, None, None] if factors.shape[1] > 3 else np.inf
    x, y = axis[None, :, None], axis[None, None, :]
    one_minus = 1.0 - cor**2
    q = (x**2 / var_x - 2 * cor * x * y / np.sqrt(var_x * var_y) + y**2 / var_y) / one_minus
    kernel = _kernel(q, df)
    return kernel / kernel.max(axis=(1, 2), keepdims=True)


def moment_factors(axis: np.ndarray, images: np.ndarray) -> np.ndarray:
    """(N, 3) var_x, var_y, cor from the images' second moments about the centre: a starting
    point (biased low for wide images, whose tails the grid cuts off)."""
    weights = np.clip(np.asarray(images, dtype=np.float64), 0, None)
    weights = weights / np.maximum(weights.sum(axis=(1, 2), keepdims=True), 1e-12)
    x, y = axis[None, :, None], axis[None, None, :]
    var_x = np.maximum((weights * x**2).sum(axis=(1, 2)), 1e-3)
    var_y = np.maximum((weights * y**2).sum(axis=(1, 2)), 1e-3)
    cor = (weights * x * y).sum(axis=(1, 2)) / np.sqrt(var_x * var_y)
    return np.column_stack([var_x, var_y, np.clip(cor, -0.95, 0.95)])


def _to_factors(theta: np.ndarray, fit_df: bool) -> np.ndarray:
    var_x, var_y = np.exp(theta[0]), np.exp(theta[1])
    cor = np.clip(np.tanh(theta[2]), -_MAX_ABS_COR, _MAX_ABS_COR)
    df = np.exp(theta[3]) if fit_df else np.inf
    return np.array([var_x, var_y, cor, df])


def _fit_one(axis: np.ndarray, image: np.ndarray, start: np.ndarray, fit_df: bool) -> np.ndarray:
    theta0 = [np.log(start[0]), np.log(start[1]), np.arctanh(start[2])]
    lower, upper = [-np.inf] * 3, [np.inf] * 3
    if fit_df:
        theta0.append(np.log(_DF_START))
        lower.append(np.log(_DF_BOUNDS[0]))
        upper.append(np.log(_DF_BOUNDS[1]))
    target = image.ravel()

    def residuals(theta: np.ndarray) -> np.ndarray:
        return model_images(axis, _to_factors(theta, fit_df)[None])[0].ravel() - target

    solution = least_squares(residuals, theta0, bounds=(lower, upper), x_scale=1.0, max_nfev=200)
    return _to_factors(solution.x, fit_df)


def fit(
    axis: np.ndarray, images: np.ndarray, *, fit_df: bool, threads: int = 1
) -> dict[str, np.ndarray]:
    """Least-squares density parameters of each image and the relative Frobenius residual.

    Returns ``factors`` (N, 4: var_x, var_y, cor, df; df = inf unless ``fit_df``) and
    ``residual`` (N,). ``fit_df`` fits the degrees of freedom too (the Student-t set).
    """
    images = np.asarray(images, dtype=np.float64)
    starts = moment_factors(axis, images)

    def one(n: int) -> np.ndarray:
        return _fit_one(axis, images[n], starts[n], fit_df)

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        factors = np.array(list(pool.map(one, range(len(images)))))
    fitted = model_images(axis, factors)
    norms = np.sqrt((images**2).sum(axis=(1, 2)))
    residual = np.sqrt(((images - fitted) ** 2).sum(axis=(1, 2))) / np.maximum(norms, 1e-12)
    return {"factors": factors, "residual": residual}


def assess_run(
    axis: np.ndarray,
    data: dict[str, np.ndarray],
    reconstructions: dict[str, np.ndarray],
    paths: dict[str, np.ndarray],
    *,
    sample: int,
    seed: int,
    threads: int = 1,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Fit every decoded image of one run: a seeded sample of its test reconstructions (the
    same rows for every model), its interpolations and its latent grids.

    Returns the arrays (``{name}_factors``, ``{name}_residual`` per set of images, and
    ``reconstruction_rows``) and a summary of the residuals for the metrics file.
    """
    fit_df = np.unique(data["factors"][:, 3]).size > 1
    index = reconstructions["index"]
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(index.size, size=min(sample, index.size), replace=False))
    sets = {
        f"reconstruction_{kind}": reconstructions[kind][chosen]
        for kind in ("z_mean", "z_sample")
        if kind in reconstructions
    }
    steps = paths["interpolation_images"].shape[1]
    sets["interpolation"] = paths["interpolation_images"].reshape(-1, axis.size, axis.size)
    sets["grid_uniform"] = paths["grid_uniform_images"]
    sets["grid_quantile"] = paths["grid_quantile_images"]
    traversals = [name for name in TRAVERSALS if f"{name}_images" in paths]
    for name in traversals:
        sets[name] = paths[f"{name}_images"]
    arrays: dict[str, np.ndarray] = {"reconstruction_rows": index[chosen]}
    for name, images in sets.items():
        result = fit(axis, images, fit_df=fit_df, threads=threads)
        arrays[f"{name}_factors"], arrays[f"{name}_residual"] = (
            result["factors"],
            result["residual"],
        )

    along = arrays["interpolation_residual"].reshape(-1, steps)
    ends, between = np.r_[along[:, 0], along[:, -1]], along[:, 1:-1]

    def residuals(name: str) -> dict[str, float]:
        values = arrays[f"{name}_residual"]
        return {"median_residual": float(np.median(values)), "mean_residual": float(values.mean())}

    summary: dict[str, Any] = {
        "reconstruction": {
            name.removeprefix("reconstruction_"): residuals(name)
            for name in sets
            if name.startswith("reconstruction_")
        },
        **{name: residuals(name) for name in ("interpolation", "grid_uniform", "grid_quantile")},
        **{name: residuals(name) for name in traversals},
    }
    for name in traversals:  # how far each fitted factor moves along the path
        moved = np.ptp(arrays[f"{name}_factors"][:, :3], axis=0)
        summary[name].update({f"range_{f}": float(r) for f, r in zip(FITTED, moved, strict=True)})
    if "hull" in traversals:  # the source study: cor runs from most negative to most positive
        fitted_cor = arrays["hull_factors"][:, 2]
        rho = spearmanr(np.arange(fitted_cor.size), fitted_cor).statistic
        rho = float(rho) if np.isfinite(rho) else 0.0
        # The path's direction is geometry's (either way round): monotone is |rho|, and how
        # much of the data's correlations it spans is its fitted range over theirs.
        summary["hull"].update(
            spearman_cor=rho,
            spearman_abs_cor=abs(rho),
            cor_span=float(np.ptp(fitted_cor) / np.ptp(data["factors"][:, 2])),
        )
    # the source study: bad in the gaps, fine by the hull
    if {"gap", "near_hull"} <= set(traversals):
        summary["gap"]["minus_near_hull"] = (
            summary["gap"]["median_residual"] - summary["near_hull"]["median_residual"]
        )
    for name in ("plane_upper", "plane_lower"):  # the source study: one variance changes, one holds
        if name in traversals:
            ranges = sorted((summary[name]["range_var_x"], summary[name]["range_var_y"]))
            summary[name]["variance_ratio"] = float(ranges[1] / max(ranges[0], 1e-12))
    summary["interpolation"].update(
        {
            "median_residual_ends": float(np.median(ends)),
            "median_residual_between": float(np.median(between)),
            "median_residual_midpoint": float(np.median(along[:, steps // 2])),
            "excess_between": float(np.median(between) - np.median(ends)),
        }
    )
    return arrays, summary


def _without_unfitted_df(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """``frame`` without its df column where df was not fitted (the Gaussian set)."""
    if frame is not None and not np.isfinite(frame["df"]).any():
        return frame.drop(columns="df")
    return frame


def figure_frames(
    runs: dict[tuple[str, int], dict[str, np.ndarray]], steps: int, pairs_shown: int
) -> dict[str, pd.DataFrame | None]:
    """The long frames the realism figures draw, from the realism arrays of one data set's
    runs keyed by (model, seed):

    - ``along``: the residual at each step ``t`` in [0, 1] of every interpolation;
    - ``sets``: the residual of every fitted image per set (``recon. z_mean``,
      ``grid uniform``, ...);
    - ``traversals``: the factors fitted along each traversal, every seed (None without one);
    - ``interpolations``: the factors fitted along the first ``pairs_shown`` interpolations of
      the first seed (the same test pairs for both models).
    """
    along, sets, traversed, interpolated = [], [], [], []
    first_seed = min(seed for _, seed in runs)
    for (model, seed), arrays in runs.items():
        residual = arrays["interpolation_residual"].reshape(-1, steps)
        t = np.broadcast_to(np.linspace(0, 1, steps), residual.shape)
        along.append(pd.DataFrame({"model": model, "seed": seed, "t": t.ravel(),
                                   "residual": residual.ravel()}))  # fmt: skip
        for name in [k.removesuffix("_residual") for k in arrays if k.endswith("_residual")]:
            kind = name.removeprefix("reconstruction_")
            label = f"recon. {kind}" if kind != name else name.replace("_", " ", 1)
            sets.append(pd.DataFrame({"model": model.upper(), "set": label,
                                      "residual": arrays[f"{name}_residual"]}))  # fmt: skip
        if seed == first_seed:
            fitted = arrays["interpolation_factors"].reshape(-1, steps, len(FACTOR_NAMES))
            for pair, line in enumerate(fitted[:pairs_shown]):
                frame = pd.DataFrame(line, columns=list(FACTOR_NAMES))
                frame["residual"] = residual[pair]
                frame["step"] = np.arange(1, steps + 1)
                interpolated.append(frame.assign(model=model, seed=seed, path=f"pair {pair + 1}"))
        for name in TRAVERSALS:
            if f"{name}_factors" in arrays:
                fitted = pd.DataFrame(arrays[f"{name}_factors"], columns=list(FACTOR_NAMES))
                fitted["residual"] = arrays[f"{name}_residual"]
                fitted["step"] = np.arange(1, len(fitted) + 1)
                traversed.append(fitted.assign(model=model, seed=seed, path=name))
    return {
        "along": pd.concat(along, ignore_index=True),
        "sets": pd.concat(sets, ignore_index=True),
        "traversals": _without_unfitted_df(
            pd.concat(traversed, ignore_index=True) if traversed else None
        ),
        "interpolations": _without_unfitted_df(pd.concat(interpolated, ignore_index=True)),
    }
