"""The seed study's conclusions as testable claims, each judged on the replicate seeds.

A claim names one per-run metric and the values that make it true: a *paired* claim is about
the difference VAE - AE on the same seed (its sign), a *level* claim about one model's value
(a threshold or a band). :func:`judge` counts the seeds where a claim holds and gives a verdict
from the confidence interval over seeds:

- ``holds``: the whole interval lies where the claim is true;
- ``fails``: the whole interval lies where it is false;
- ``not shown``: the interval straddles the boundary;
- with one seed there is no interval, and the verdict says "(one seed)".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.preprocessing import scale

from covae.names import DATASETS, MODELS
from covae.tables import bounds_of, t_interval

# The subject of a claim about the two models' codes together (a similarity).
BOTH = "vae ~ ae"
SIMILARITY = "similarity.cka_over_shuffled"


@dataclass(frozen=True)
class Claim:
    key: str
    statement: str  # the seed's conclusion, as we test it
    metric: str  # the per-run metric it is judged on
    low: float = -math.inf  # the claim is true for values in [low, high]: of VAE - AE when
    high: float = math.inf  # paired, of each model's value otherwise
    paired: bool = False
    datasets: tuple[str, ...] = DATASETS
    models: tuple[str, ...] = MODELS  # level claims: judged per model (or BOTH)

    def criterion(self) -> str:
        subject = "VAE - AE" if self.paired else "value"
        if math.isinf(self.high):
            return f"{subject} > {_plain(self.low)}"
        if math.isinf(self.low):
            return f"{subject} < {_plain(self.high)}"
        return f"{_plain(self.low)} <= {subject} <= {_plain(self.high)}"


def _plain(value: float) -> str:
    return f"{value:g}"


def seed_claims(settings: Mapping[str, Any]) -> list[Claim]:
    """The seed's conclusions, with the thresholds of ``paper.claims`` in the config.

    The paths behind the realism claims are chosen by geometry alone (covae.traversals): what
    the factors do along them is measured, not built in. Each bounding plane is judged on its
    own, as the seed held cor fixed on each.
    """
    band = settings["separability"]
    plane = settings["plane"]
    accuracy = "knn.z_mean.scaled.test_accuracy"
    claims = [
        Claim(
            "ae_lower_error",
            "The AE reconstructs test images with a lower mean error "
            "(deterministic codes of both).",
            "reconstruction.z_mean.mean",
            low=0,
            paired=True,
        ),
        Claim(
            "ae_lower_error_sampled",
            "The AE reconstructs with a lower mean error under the "
            "seed's protocol: the VAE from sampled codes, the AE from its codes plus the "
            "VAE's noise (like for like with the published numbers).",
            "reconstruction.seed_protocol.mean",
            low=0,
            paired=True,
        ),
        Claim(
            "ae_heavier_tail",
            "The AE's reconstruction errors are heavier tailed (p99 / median error).",
            "reconstruction.z_mean.tail_ratio",
            high=0,
            paired=True,
        ),
        Claim(
            "ae_more_gaps",
            "The AE's latent cloud leaves more of its convex hull empty "
            "(gap fraction: mostly how far the cloud is from convex, not holes inside it).",
            "density.gap_fraction",
            high=0,
            paired=True,
        ),
        Claim(
            "ae_less_dense",
            "The AE's latent cloud is less evenly filled (nearest-neighbour ratio).",
            "density.nn_ratio",
            low=0,
            paired=True,
        ),
        Claim(
            "vae_realistic_between",
            "The VAE decodes points between codes more "
            "realistically (median residual along interpolations).",
            "realism.interpolation.median_residual_between",
            high=0,
            paired=True,
        ),
        Claim(
            "vae_realistic_grid",
            "The VAE decodes a grid over its code more realistically "
            "(median residual of the uniform grid).",
            "realism.grid_uniform.median_residual",
            high=0,
            paired=True,
        ),
        Claim(
            "vae_realistic_gap",
            "The VAE decodes the largest empty region of its cloud more "
            "realistically (median residual along the gap path).",
            "realism.gap.median_residual",
            high=0,
            paired=True,
        ),
        Claim(
            "gap_worse_than_hull",
            "Decoded codes are less realistic in the cloud's largest "
            "gap than just outside its hull (gap minus near-hull median residual).",
            "realism.gap.minus_near_hull",
            low=0,
        ),
        Claim(
            "cor_monotone_hull",
            "cor runs monotonically along the hull of the isovariance "
            "strip (|Spearman| of fitted cor with position; the path is geometry's).",
            "realism.hull.spearman_abs_cor",
            low=float(settings["monotone"]),
        ),
        Claim(
            "cor_spans_hull",
            "The hull path spans the data's correlations (fitted cor range over the data's).",
            "realism.hull.cor_span",
            low=float(settings["hull_span"]),
        ),
    ]
    for side in ("upper", "lower"):
        claims += [
            Claim(
                f"plane_{side}_one_variance",
                f"Along the {side} bounding plane one variance "
                "changes and the other holds (larger over smaller fitted range).",
                f"realism.plane_{side}.variance_ratio",
                low=float(plane["ratio"]),
            ),
            Claim(
                f"plane_{side}_cor_holds",
                f"cor holds along the {side} bounding plane (fitted cor range).",
                f"realism.plane_{side}.range_cor",
                high=float(plane["cor_range"]),
            ),
        ]
    claims += [
        Claim("df_separable", "df is separable from the code at about the seed's accuracy "
              "(KNN test accuracy, standardized z_mean).", accuracy,
              low=float(band["target"]) - float(band["tolerance"]),
              high=float(band["target"]) + float(band["tolerance"]),
              datasets=("student_t",)),
        Claim("df_above_chance", "The code separates df better than the majority class does "
              "(accuracy minus chance).", "knn.z_mean.scaled.lift_over_chance", low=0,
              datasets=("student_t",)),
        Claim("df_as_factors", "The code separates df as well as the true var_x, var_y, cor do "
              "(accuracy minus theirs, within the margin).", "knn.z_mean.scaled.minus_factors",
              low=-float(band["margin"]), datasets=("student_t",)),
        Claim("df_similar", "Both models separate df with similar accuracy (VAE - AE within "
              "the margin: an equivalence test).", accuracy, low=-float(band["margin"]),
              high=float(band["margin"]), paired=True, datasets=("student_t",)),
        Claim("unequal_outside", "Unequal variances lie on the outside of the cloud (Spearman "
              "of |var_x - var_y| with distance from its centre).",
              "factors.spearman_exterior", low=float(settings["exterior"])),
        Claim("cor_one_direction", "cor varies along one direction of the code (linear R^2 of "
              "cor on the code).", "factors.r2_linear.cor", low=float(settings["direction_r2"])),
        Claim("same_shape", "The VAE's and the AE's codes of the same images have the same "
              "overall shape (linear CKA over a shuffled pairing's).", SIMILARITY,
              low=float(settings["same_shape"]), models=(BOTH,)),
    ]  # fmt: skip
    return claims


def with_derived_metrics(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (long, one row per run and metric) plus the per-run difference of the code's
    df accuracy from that of the true factors."""
    wide = frame.pivot_table(index=["dataset", "model", "seed"], columns="metric", values="value")
    code, known = "knn.z_mean.scaled.test_accuracy", "knn.baseline.factors_accuracy"
    if not {code, known} <= set(wide.columns):
        return frame
    extra = (
        (wide[code] - wide[known])
        .dropna()
        .rename("value")
        .reset_index()
        .assign(metric="knn.z_mean.scaled.minus_factors", group="knn")
    )
    return pd.concat([frame, extra[frame.columns]], ignore_index=True)


def linear_cka(first: np.ndarray, second: np.ndarray) -> float:
    """Linear centred kernel alignment of two codes of the same rows (Kornblith et al. 2019):
    1 when one is a rotation and uniform scaling of the other, about 0 for unrelated codes.
    Axes are standardized first (an AE axis has no natural scale)."""
    a, b = (scale(np.asarray(codes, dtype=np.float64)) for codes in (first, second))
    cross = np.linalg.norm(a.T @ b) ** 2
    return float(cross / (np.linalg.norm(a.T @ a) * np.linalg.norm(b.T @ b)))


def similarity_frame(
    codes: Mapping[tuple[str, str, int], np.ndarray], seed: int = 0
) -> pd.DataFrame:
    """Per data set and seed, the linear CKA of the VAE's and the AE's codes (``codes`` maps
    (dataset, model, seed) to z_mean of every image), that of a seeded shuffled pairing, and
    their difference (the metric of ``same_shape``), as rows of the long frame."""
    rows = []
    for dataset, model, run_seed in sorted(codes):
        if model != "vae" or (dataset, "ae", run_seed) not in codes:
            continue
        vae, ae = codes[(dataset, "vae", run_seed)], codes[(dataset, "ae", run_seed)]
        order = np.random.default_rng([seed, run_seed]).permutation(len(ae))
        matched, shuffled = linear_cka(vae, ae), linear_cka(vae, ae[order])
        for metric, value in (("similarity.cka", matched),
                              ("similarity.cka_shuffled", shuffled),
                              (SIMILARITY, matched - shuffled)):  # fmt: skip
            rows.append({"dataset": dataset, "model": BOTH, "seed": run_seed,
                         "metric": metric, "value": value, "group": "similarity"})  # fmt: skip
    return pd.DataFrame(rows)


def _verdict(low: float, high: float, claim: Claim, k: int, n: int) -> str:
    if n < 2 or not (np.isfinite(low) and np.isfinite(high)):
        return ("holds" if k == n else "fails") + " (one seed)"
    if claim.low <= low and high <= claim.high:
        return "holds"
    if high < claim.low or low > claim.high:
        return "fails"
    return "not shown"


def judge(
    frame: pd.DataFrame, claims: Sequence[Claim], confidence: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Verdicts (one row per claim x data set [x model]) and the per-seed values behind them.

    ``frame`` is the long per-run frame of :func:`covae.tables.long_frame` (with
    :func:`with_derived_metrics` and :func:`similarity_frame` added).
    """
    values = frame.pivot_table(index=["dataset", "seed"], columns=["metric", "model"],
                               values="value")  # fmt: skip
    rows, seeds = [], []
    for claim in claims:
        for dataset in claim.datasets:
            if dataset not in values.index.get_level_values("dataset"):
                continue
            block = values.loc[dataset]
            subjects = ["vae - ae"] if claim.paired else list(claim.models)
            for subject in subjects:
                if claim.paired:
                    pair = block[[(claim.metric, "vae"), (claim.metric, "ae")]].dropna()
                    per_seed = pair.iloc[:, 0] - pair.iloc[:, 1]
                    if len(per_seed) > 1 and per_seed.std() > 0:
                        p_value = float(stats.ttest_rel(pair.iloc[:, 0], pair.iloc[:, 1]).pvalue)
                    else:
                        p_value = math.nan
                else:
                    per_seed = block[(claim.metric, subject)].dropna()
                    p_value = math.nan
                if per_seed.empty:
                    continue
                observed = per_seed.to_numpy(dtype=float)
                n = observed.size
                k = int(np.sum((observed >= claim.low) & (observed <= claim.high)))
                # A level claim's interval stays inside its metric's range (covae.tables).
                bounds = None if claim.paired else bounds_of(claim.metric)
                ci_low, ci_high = t_interval(observed, confidence, bounds)
                rows.append(
                    {
                        "claim": claim.key,
                        "dataset": dataset,
                        "subject": subject,
                        "metric": claim.metric,
                        "criterion": claim.criterion(),
                        "low": claim.low,
                        "high": claim.high,
                        "n": n,
                        "k": k,
                        "mean": float(observed.mean()),
                        "ci_low": ci_low,
                        "ci_high": ci_high,
                        "p_value": p_value,
                        "verdict": _verdict(ci_low, ci_high, claim, k, n),
                        "statement": claim.statement,
                    }
                )
                seeds += [
                    {"claim": claim.key, "dataset": dataset, "subject": subject,
                     "seed": int(seed), "value": float(value)}
                    for seed, value in per_seed.items()
                ]  # fmt: skip
    return pd.DataFrame(rows), pd.DataFrame(seeds)
