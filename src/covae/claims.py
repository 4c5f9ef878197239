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

from covae.heatmaps import DATASETS
from covae.tables import t_interval

# The model names of covae.models.MODELS, without importing Keras into a table job.
MODELS = ("vae", "ae")
# Per-run metrics built here from the realism of the two bounding-plane traversals.
PLANE_RATIO = "realism.planes.var_y_over_var_x"
PLANE_COR = "realism.planes.range_cor"


@dataclass(frozen=True)
class Claim:
    key: str
    statement: str  # the seed's conclusion, as we test it
    metric: str  # the per-run metric it is judged on
    low: float = -math.inf  # the claim is true for values in [low, high]: of VAE - AE when
    high: float = math.inf  # paired, of each model's value otherwise
    paired: bool = False
    datasets: tuple[str, ...] = DATASETS
    models: tuple[str, ...] = MODELS  # level claims: judged per model

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
    """The seed's conclusions, with the thresholds of ``paper.claims`` in the config."""
    band = settings["separability"]
    plane = settings["plane"]
    return [
        Claim("ae_lower_error", "The AE reconstructs test images with a lower mean error.",
              "reconstruction.z_mean.mean", low=0, paired=True),
        Claim("ae_heavier_tail", "The AE's reconstruction errors are heavier tailed "
              "(p99 / median error).", "reconstruction.z_mean.tail_ratio", high=0, paired=True),
        Claim("ae_more_gaps", "The AE's latent cloud has more empty space (gap fraction).",
              "density.gap_fraction", high=0, paired=True),
        Claim("ae_less_dense", "The AE's latent cloud is less evenly filled (nearest-neighbour "
              "ratio).", "density.nn_ratio", low=0, paired=True),
        Claim("vae_realistic_between", "The VAE decodes points between codes more "
              "realistically (median residual along interpolations).",
              "realism.interpolation.median_residual_between", high=0, paired=True),
        Claim("vae_realistic_grid", "The VAE decodes a grid over its code more realistically "
              "(median residual of the uniform grid).", "realism.grid_uniform.median_residual",
              high=0, paired=True),
        Claim("cor_monotone_hull", "cor runs monotonically along the hull traversal "
              "(Spearman correlation of fitted cor with position).", "realism.hull.spearman_cor",
              low=float(settings["monotone"])),
        Claim("plane_var_y", "var_y changes along both bounding planes more than var_x does "
              "(smaller ratio of their fitted ranges).", PLANE_RATIO,
              low=float(plane["ratio"])),
        Claim("plane_cor_holds", "cor holds along both bounding planes (larger range of "
              "fitted cor).", PLANE_COR, high=float(plane["cor_range"])),
        Claim("df_separable", "df is separable from the code at about the seed's accuracy "
              "(KNN test accuracy, standardized z_mean).",
              "knn.z_mean.scaled.test_accuracy",
              low=float(band["target"]) - float(band["tolerance"]),
              high=float(band["target"]) + float(band["tolerance"]),
              datasets=("student_t",)),
    ]  # fmt: skip


def with_plane_metrics(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (long, one row per run and metric) plus two per-run summaries of the plane
    traversals: the smaller var_y / var_x range ratio and the larger cor range of the two."""
    wide = frame.pivot_table(index=["dataset", "model", "seed"], columns="metric", values="value")
    planes = ("plane_upper", "plane_lower")
    needed = [f"realism.{p}.range_{f}" for p in planes for f in ("var_x", "var_y", "cor")]
    if not set(needed) <= set(wide.columns):
        return frame
    ratio = pd.concat(
        [
            wide[f"realism.{p}.range_var_y"] / wide[f"realism.{p}.range_var_x"].clip(lower=1e-12)
            for p in planes
        ],
        axis=1,
    ).min(axis=1)
    cor = pd.concat([wide[f"realism.{p}.range_cor"] for p in planes], axis=1).max(axis=1)
    extra = pd.concat(
        [
            ratio.rename("value").reset_index().assign(metric=PLANE_RATIO),
            cor.rename("value").reset_index().assign(metric=PLANE_COR),
        ]
    ).assign(group="realism")
    return pd.concat([frame, extra[frame.columns]], ignore_index=True)


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
    :func:`with_plane_metrics` applied for the plane claims).
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
                ci_low, ci_high = t_interval(observed, confidence)
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
