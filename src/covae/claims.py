"""The source study's conclusions as testable claims, each judged on the replicate seeds.

A claim names one per-run metric and the values that make it true: a *paired* claim is about
the two models of the same seed (VAE - AE, or VAE / AE for a ratio), a *level* claim about one
model's value (a threshold or a band). :func:`judge` gives every claim of a study, whatever its
kind, the same treatment:

- an estimate and a confidence interval over the seeds that stay in the metric's range: the
  mean and its Student-t interval; for a ratio (``scale="log"``) the geometric mean and an
  interval computed on the log scale; for a metric whose per-seed values are bimodal
  (``test="median"``) the median and a distribution-free interval (NaN where the seeds are too
  few for one at the level asked);
- two one-sided p-values, that the claim holds (the estimate lies inside its region) and that
  it fails (outside): t-tests of the mean (of the logs for a ratio), or a sign test of the
  median. A band (an equivalence claim) holds only if both of its sides do (an
  intersection-union test: the larger p); leaving it needs one side (twice the smaller p);
- both p-values Holm-adjusted over every claim of the study (level, paired and equivalence
  claims form one family: the claims the paper makes);
- the verdict: ``holds`` when the adjusted p that it holds is below the interval's one-sided
  level ((1 - confidence) / 2), ``fails`` when the adjusted p that it fails is, ``not shown``
  otherwise; with one seed there is no test, and the verdict says "(one seed)". The
  interval's own verdict, before the adjustment, is kept as ``verdict_unadjusted``;
- ``seeds_needed``, the fewest seeds on which the claim's test can reach that level at all
  (:func:`seeds_needed`): a sign test of 5 seeds cannot give a p below 1/32, above the
  one-sided level of a 95 % interval, so a median claim on 5 seeds is *not shown* whatever the
  seeds give (:func:`unshowable` names such rows).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import scale

from covae.names import DATASETS, MODELS
from covae.tables import bounds_of, t_interval

# The subject of a claim about the two models' codes together (a similarity).
BOTH = "vae ~ ae"
SIMILARITY = "similarity.cka_over_shuffled"
NEIGHBOURS = "similarity.neighbours_over_shuffled"
VERDICTS = ("holds", "fails", "not shown")


@dataclass(frozen=True)
class Claim:
    key: str
    statement: str  # the source study's conclusion, as we test it
    metric: str  # the per-run metric it is judged on
    low: float = -math.inf  # the claim is true for values in [low, high]: of VAE - AE (VAE /
    high: float = math.inf  # AE on the log scale) when paired, of each model's value otherwise
    paired: bool = False
    datasets: tuple[str, ...] = DATASETS
    models: tuple[str, ...] = MODELS  # level claims: judged per model (or BOTH)
    scale: str = "linear"  # "log": a positive ratio, judged and averaged on the log scale
    test: str = "mean"  # "median": a sign test of the median (per-seed values bimodal)
    setting: str | None = None  # the threshold's key under paper.claims ("plane.ratio")

    def __post_init__(self) -> None:
        if self.scale not in ("linear", "log") or self.test not in ("mean", "median"):
            raise ValueError(f"claim {self.key}: scale {self.scale!r}, test {self.test!r}")

    @property
    def subject_of_pair(self) -> str:
        return "vae / ae" if self.scale == "log" else "vae - ae"

    def criterion(self) -> str:
        subject = ("VAE / AE" if self.scale == "log" else "VAE - AE") if self.paired else "value"
        if self.test == "median":
            subject = f"median {subject}"
        if math.isinf(self.high):
            return f"{subject} > {_plain(self.low)}"
        if math.isinf(self.low):
            return f"{subject} < {_plain(self.high)}"
        return f"{_plain(self.low)} <= {subject} <= {_plain(self.high)}"


def _plain(value: float) -> str:
    return f"{value:g}"


def seed_claims(settings: Mapping[str, Any]) -> list[Claim]:
    """The source study's conclusions, with the thresholds of ``paper.claims`` in the config.

    The hull, near-hull and gap paths are chosen by geometry alone (covae.traversals), as are
    the bounding planes (the cloud's thinnest axis is "up"): what the factors do along them is
    measured, not built in. Each bounding plane is judged on its own, as the source study held cor
    fixed on each. A claim with a config threshold names it (``setting``), so :func:`sensitivity`
    can judge it again at half and double the value.
    """
    band = settings["separability"]
    plane = settings["plane"]
    accuracy = "knn.z_mean.scaled.test_accuracy"
    claims = [
        Claim("ae_lower_error", "The AE reconstructs test images with a lower mean error "
              "(deterministic codes of both).", "reconstruction.z_mean.mean", low=0,
              paired=True),
        Claim("ae_lower_error_sampled", "The AE reconstructs with a lower mean error under the "
              "source study's protocol: the VAE from sampled codes, the AE from its codes plus the "
              "VAE's noise (like for like with the published numbers).",
              "reconstruction.seed_protocol.mean", low=0, paired=True),
        Claim("ae_heavier_tail", "The AE's reconstruction errors are heavier tailed under the "
              "source study's protocol (p99 / median error, a ratio: VAE / AE below 1).",
              "reconstruction.seed_protocol.tail_ratio", high=1, paired=True, scale="log"),
        Claim("ae_worse_tail", "The AE's worst reconstructions are worse in absolute terms "
              "under the source study's protocol (p99 of the error: VAE / AE below 1).",
              "reconstruction.seed_protocol.p99", high=1, paired=True, scale="log"),
        Claim("ae_more_gaps", "The AE's latent cloud leaves more of its convex hull empty "
              "(gap fraction: mostly how far the cloud is from convex, not holes inside it).",
              "density.gap_fraction", high=0, paired=True),
        Claim("ae_less_dense", "The AE's latent cloud is less evenly filled (nearest-neighbour "
              "ratio).", "density.nn_ratio", low=0, paired=True),
        Claim("vae_realistic_between", "The VAE decodes points between codes more "
              "realistically (median residual along interpolations).",
              "realism.interpolation.median_residual_between", high=0, paired=True),
        Claim("vae_realistic_grid", "The VAE decodes a grid over its code more realistically "
              "(median residual of the uniform grid).", "realism.grid_uniform.median_residual",
              high=0, paired=True),
        Claim("vae_realistic_gap", "The VAE decodes the largest empty region of its cloud more "
              "realistically (median residual along the gap path).",
              "realism.gap.median_residual", high=0, paired=True),
        Claim("gap_worse_than_hull", "Decoded codes are less realistic in the cloud's largest "
              "gap than just outside its hull (gap minus near-hull median residual).",
              "realism.gap.minus_near_hull", low=0),
        Claim("cor_monotone_hull", "cor runs monotonically along the hull of the isovariance "
              "strip (|Spearman| of fitted cor with position; the path is geometry's).",
              "realism.hull.spearman_abs_cor", low=float(settings["monotone"]),
              setting="monotone"),
        Claim("cor_spans_hull", "The hull path spans the data's correlations (fitted cor range "
              "over the data's; its per-seed values are bimodal, so the median is tested).",
              "realism.hull.cor_span", low=float(settings["hull_span"]), test="median",
              setting="hull_span"),
    ]  # fmt: skip
    for side in ("upper", "lower"):
        claims += [
            Claim(f"plane_{side}_one_variance", f"Along the {side} bounding plane, inside the "
                  "cloud's extent, one variance changes and the other holds (larger over "
                  "smaller fitted range, a ratio).", f"realism.plane_{side}.variance_ratio",
                  low=float(plane["ratio"]), scale="log", setting="plane.ratio"),
            Claim(f"plane_{side}_cor_holds", f"cor holds along the {side} bounding plane "
                  "(fitted cor range).", f"realism.plane_{side}.range_cor",
                  high=float(plane["cor_range"]), setting="plane.cor_range"),
        ]  # fmt: skip
    least = float(band["target"]) - float(band["tolerance"])
    claims += [
        Claim("df_separable", "df is separable from the code at least about as well as the source "
              f"study found (KNN test accuracy, standardized z_mean, at least {_plain(least)}: the "
              "source study's accuracy less the tolerance).", accuracy, low=least,
              datasets=("student_t",), setting="separability.tolerance"),
        Claim("df_above_chance", "The code separates df better than the majority class does "
              "(accuracy minus chance).", "knn.z_mean.scaled.lift_over_chance", low=0,
              datasets=("student_t",)),
        Claim("df_as_factors", "The code separates df as well as the true var_x, var_y, cor do "
              "(accuracy minus theirs, within the margin).", "knn.z_mean.scaled.minus_factors",
              low=-float(band["margin"]), datasets=("student_t",),
              setting="separability.margin"),
        Claim("df_similar", "Both models separate df with similar accuracy (VAE - AE within "
              "the margin: an equivalence test).", accuracy, low=-float(band["margin"]),
              high=float(band["margin"]), paired=True, datasets=("student_t",),
              setting="separability.margin"),
        Claim("unequal_outside", "Unequal variances lie on the outside of the cloud (Spearman "
              "of |var_x - var_y| with distance from its centre, above 0: the direction the "
              "source study saw).", "factors.spearman_exterior", low=0),
        Claim("cor_one_direction", "cor varies along one direction of the code (linear R^2 of "
              "cor on the code).", "factors.r2_linear.cor", low=float(settings["direction_r2"]),
              setting="direction_r2"),
        Claim("same_shape", "The VAE's and the AE's codes of the same images are linearly "
              "aligned (linear CKA over a shuffled pairing's; blind to bends).", SIMILARITY,
              low=float(settings["same_shape"]), models=(BOTH,), setting="same_shape"),
        Claim("same_neighbours", "The VAE's and the AE's codes keep the same images together "
              f"(share of each image's {int(settings['neighbours'])} nearest neighbours that the "
              "two codes share, over a shuffled pairing's): the same manifold, bent or not.",
              NEIGHBOURS, low=float(settings["same_neighbours"]), models=(BOTH,),
              setting="same_neighbours"),
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


def neighbour_overlap(first: np.ndarray, second: np.ndarray, k: int) -> float:
    """The mean share of each row's ``k`` nearest neighbours (Euclidean, axes standardized)
    that the two codes of the same rows have in common: 1 when one code is a monotone
    rescaling of the other's distances (a rotation, a bend that keeps neighbourhoods), about
    k / rows for unrelated codes. Unlike CKA it does not ask the two to be linearly related."""
    found = []
    for codes in (first, second):
        codes = scale(np.asarray(codes, dtype=np.float64))
        index = NearestNeighbors(n_neighbors=k + 1).fit(codes)
        found.append(index.kneighbors(codes, return_distance=False)[:, 1:])
    shared = [np.intersect1d(a, b, assume_unique=True).size for a, b in zip(*found, strict=True)]
    return float(np.mean(shared)) / k


def similarity_frame(
    codes: Mapping[tuple[str, str, int], np.ndarray], seed: int = 0, neighbours: int = 10
) -> pd.DataFrame:
    """Per data set and seed, two similarities of the VAE's and the AE's codes (``codes`` maps
    (dataset, model, seed) to z_mean of every image): linear CKA and the shared share of
    ``neighbours`` nearest neighbours, each with that of a seeded shuffled pairing and their
    difference (the metrics of ``same_shape`` and ``same_neighbours``), as rows of the long
    frame."""
    rows = []
    measures = (
        ("cka", SIMILARITY, linear_cka),
        ("neighbours", NEIGHBOURS, lambda a, b: neighbour_overlap(a, b, neighbours)),
    )
    for dataset, model, run_seed in sorted(codes):
        if model != "vae" or (dataset, "ae", run_seed) not in codes:
            continue
        vae, ae = codes[(dataset, "vae", run_seed)], codes[(dataset, "ae", run_seed)]
        order = np.random.default_rng([seed, run_seed]).permutation(len(ae))
        for name, over, measure in measures:
            matched, shuffled = measure(vae, ae), measure(vae, ae[order])
            for metric, value in (
                (f"similarity.{name}", matched),
                (f"similarity.{name}_shuffled", shuffled),
                (over, matched - shuffled),
            ):
                rows.append(
                    {
                        "dataset": dataset,
                        "model": BOTH,
                        "seed": run_seed,
                        "metric": metric,
                        "value": value,
                        "group": "similarity",
                    }
                )
    return pd.DataFrame(rows)  # fmt: skip


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count in the family)."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, math.nan)
    finite = np.flatnonzero(~np.isnan(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    m = order.size
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def one_sided_level(confidence: float) -> float:
    """The level an adjusted p must be below for a verdict: what a two-sided interval at
    ``confidence`` leaves on each side."""
    return (1 - confidence) / 2


def p_floor(n: int, test: str = "mean") -> float:
    """The smallest p-value (before the adjustment) that a claim's one-sided tests can give on
    ``n`` seeds, whatever their values: 0 for a t-test (values far enough from the boundary
    give any p); for a sign test 0.5 ** n, every seed on one side; NaN below two seeds (no test).
    """
    if n < 2:
        return math.nan
    return 0.5**n if test == "median" else 0.0


def seeds_needed(test: str, confidence: float) -> int:
    """The fewest seeds on which a claim's test can reach the one-sided level, before the
    adjustment (2 for a t-test, the least count that can be tested)."""
    level = one_sided_level(confidence)
    return next(n for n in range(2, 10_000) if p_floor(n, test) < level)


def unshowable(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The rows of a claims table that no values of their seeds could show either way: tested
    (two seeds or more) on fewer seeds than their test needs to reach the level, before the Holm
    adjustment (which only raises a p)."""
    return verdicts[(verdicts["n"] >= 2) & (verdicts["n"] < verdicts["seeds_needed"])]


def unshowable_summary(verdicts: pd.DataFrame) -> dict[str, Any] | None:
    """What the paper and the README say of :func:`unshowable` rows, or None where there are
    none: the claims (keys, in order), how many rows, their seed count and the seeds needed."""
    rows = unshowable(verdicts)
    if rows.empty:
        return None
    return {
        "claims": list(dict.fromkeys(rows["claim"])), "rows": len(rows),
        "seeds": int(rows["n"].max()), "needed": int(rows["seeds_needed"].max()),
    }  # fmt: skip


def _one_sided(values: np.ndarray, boundary: float, alternative: str, test: str) -> float:
    """p that the mean (``test="mean"``: a one-sample t-test) or the median (``"median"``: a
    sign test) lies beyond ``boundary`` on the side ``alternative`` ("greater" or "less").
    A t-test of values with no spread gives 0 or 1 by where they lie."""
    if test == "median":
        beyond = np.sum(values > boundary if alternative == "greater" else values < boundary)
        return float(stats.binomtest(int(beyond), values.size, 0.5, "greater").pvalue)
    if values.std() == 0:
        above = values[0] > boundary
        return 0.0 if above == (alternative == "greater") and values[0] != boundary else 1.0
    return float(stats.ttest_1samp(values, boundary, alternative=alternative).pvalue)


def claim_p_values(
    values, low: float, high: float, scale: str = "linear", test: str = "mean"
) -> tuple[float, float]:
    """(p that the claim holds, p that it fails) for per-seed ``values`` and the region
    [low, high] where the claim is true, on the log scale for ``scale="log"``; NaN with fewer
    than two seeds."""
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return math.nan, math.nan
    if scale == "log":
        values, low, high = np.log(values), _log(low), _log(high)
    holds, fails = [], []
    if math.isfinite(low):
        holds.append(_one_sided(values, low, "greater", test))
        fails.append(_one_sided(values, low, "less", test))
    if math.isfinite(high):
        holds.append(_one_sided(values, high, "less", test))
        fails.append(_one_sided(values, high, "greater", test))
    return max(holds), min(1.0, len(fails) * min(fails))


def _log(bound: float) -> float:
    return math.log(bound) if bound > 0 else -math.inf


def estimate(
    values: np.ndarray, claim: Claim, confidence: float
) -> tuple[str, float, float, float]:
    """(estimator, estimate, interval low, high) of a claim's per-seed values, in the
    metric's range (NaN bounds with one seed, or where a median has no interval that short)."""
    bounds = None if claim.paired else bounds_of(claim.metric)
    if claim.test == "median":
        centre = float(np.median(values))
        if values.size < 2:
            return "median", centre, math.nan, math.nan
        interval = stats.quantile_test(values, q=centre, p=0.5).confidence_interval(confidence)
        return "median", centre, float(interval.low), float(interval.high)
    if claim.scale == "log":
        logs = np.log(values)
        low, high = np.exp(t_interval(logs, confidence))
        if bounds is not None:
            low, high = np.clip([low, high], *bounds)
        return "geometric mean", float(np.exp(logs.mean())), float(low), float(high)
    low, high = t_interval(values, confidence, bounds)
    return "mean", float(values.mean()), low, high


def _interval_verdict(low: float, high: float, claim: Claim, k: int, n: int) -> str:
    if n < 2:
        return ("holds" if k == n else "fails") + " (one seed)"
    if not (np.isfinite(low) and np.isfinite(high)):
        return "not shown"
    if claim.low <= low and high <= claim.high:
        return "holds"
    if high < claim.low or low > claim.high:
        return "fails"
    return "not shown"


def per_seed_values(frame: pd.DataFrame, claims: Sequence[Claim]) -> pd.DataFrame:
    """The per-seed values behind each claim (claim, dataset, subject, seed, value): a model's
    value, VAE - AE, or VAE / AE of the same seed (``scale="log"``); a ratio's non-positive or
    infinite values are left out (no log)."""
    values = frame.pivot_table(index=["dataset", "seed"], columns=["metric", "model"],
                               values="value")  # fmt: skip
    rows = []
    for claim in claims:
        for dataset in claim.datasets:
            if dataset not in values.index.get_level_values("dataset"):
                continue
            block = values.loc[dataset]
            if claim.paired:
                if (claim.metric, "vae") not in block or (claim.metric, "ae") not in block:
                    continue
                vae, ae = block[(claim.metric, "vae")], block[(claim.metric, "ae")]
                pairs = {claim.subject_of_pair: vae / ae if claim.scale == "log" else vae - ae}
            else:
                pairs = {m: block[(claim.metric, m)] for m in claim.models
                         if (claim.metric, m) in block}  # fmt: skip
            for subject, series in pairs.items():
                series = series.replace([np.inf, -np.inf], np.nan).dropna()
                if claim.scale == "log":
                    series = series[series > 0]
                rows += [{"claim": claim.key, "dataset": dataset, "subject": subject,
                          "seed": int(seed), "value": float(value)}
                         for seed, value in series.items()]  # fmt: skip
    return pd.DataFrame(rows, columns=["claim", "dataset", "subject", "seed", "value"])


def judge(
    frame: pd.DataFrame, claims: Sequence[Claim], confidence: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Verdicts (one row per claim x data set x subject) and the per-seed values behind them,
    every claim tested and Holm-adjusted as the module says.

    ``frame`` is the long per-run frame of :func:`covae.tables.long_frame` (with
    :func:`with_derived_metrics` and :func:`similarity_frame` added).
    """
    seeds = per_seed_values(frame, claims)
    by_key = {claim.key: claim for claim in claims}
    rows = []
    for (key, dataset, subject), block in seeds.groupby(["claim", "dataset", "subject"],
                                                        sort=False):  # fmt: skip
        claim = by_key[key]
        observed = block["value"].to_numpy(dtype=float)
        n = observed.size
        k = int(np.sum((observed >= claim.low) & (observed <= claim.high)))
        estimator, centre, ci_low, ci_high = estimate(observed, claim, confidence)
        p_holds, p_fails = claim_p_values(observed, claim.low, claim.high, claim.scale, claim.test)
        rows.append({
            "claim": key, "dataset": dataset, "subject": subject, "metric": claim.metric,
            "criterion": claim.criterion(), "low": claim.low, "high": claim.high, "n": n,
            "k": k, "estimator": estimator, "estimate": centre, "ci_low": ci_low,
            "ci_high": ci_high, "p_holds": p_holds, "p_fails": p_fails,
            "seeds_needed": seeds_needed(claim.test, confidence),
            "verdict_unadjusted": _interval_verdict(ci_low, ci_high, claim, k, n),
            "statement": claim.statement,
        })  # fmt: skip
    verdicts = pd.DataFrame(rows)
    if verdicts.empty:
        return verdicts, seeds
    verdicts.insert(verdicts.columns.get_loc("p_fails"), "p_holds_holm", holm(verdicts["p_holds"]))
    verdicts.insert(verdicts.columns.get_loc("p_fails") + 1, "p_fails_holm",
                    holm(verdicts["p_fails"]))  # fmt: skip
    alpha = one_sided_level(confidence)
    verdicts.insert(
        verdicts.columns.get_loc("verdict_unadjusted"), "verdict",
        [row.verdict_unadjusted if row.n < 2 else "holds" if row.p_holds_holm < alpha
         else "fails" if row.p_fails_holm < alpha else "not shown"
         for row in verdicts.itertuples(index=False)],
    )  # fmt: skip
    return verdicts, seeds


def verdict_counts(verdicts: pd.DataFrame) -> pd.DataFrame:
    """One row: how many claims were judged, on how many rows (claim x data set x subject),
    and how many rows got each verdict ("(one seed)" counted with its verdict)."""
    verdict = verdicts["verdict"].str.removesuffix(" (one seed)")
    row = {"claims": verdicts["claim"].nunique(), "verdicts": len(verdicts)}
    row.update({name: int((verdict == name).sum()) for name in VERDICTS})
    return pd.DataFrame([row])


def _scaled(settings: Mapping[str, Any], key: str, factor: float) -> dict[str, Any]:
    changed = copy.deepcopy(dict(settings))
    *parents, leaf = key.split(".")
    node = changed
    for part in parents:
        node = node[part]
    node[leaf] = node[leaf] * factor
    return changed


SENSITIVITY = {"half": 0.5, "as set": 1.0, "double": 2.0}


def sensitivity(
    frame: pd.DataFrame, settings: Mapping[str, Any], confidence: float
) -> pd.DataFrame:
    """Each claim with a config threshold judged again with that one setting at half and at
    double its value (the whole family each time, so Holm sees as many claims): one row per
    claim x data set x subject with the setting, its value and the verdict at each."""
    rows: dict[tuple, dict] = {}
    keys = dict.fromkeys(c.setting for c in seed_claims(settings) if c.setting)
    for key in keys:
        for label, factor in SENSITIVITY.items():
            scaled = _scaled(settings, key, factor)
            claims = seed_claims(scaled)
            verdicts, _ = judge(frame, claims, confidence)
            named = {c.key for c in claims if c.setting == key}
            node = scaled
            for part in key.split("."):
                node = node[part]
            for row in verdicts[verdicts["claim"].isin(named)].itertuples(index=False):
                entry = rows.setdefault((row.claim, row.dataset, row.subject, key), {
                    "claim": row.claim, "dataset": row.dataset, "subject": row.subject,
                    "setting": key})  # fmt: skip
                entry[f"{label} value"] = node
                entry[f"{label} criterion"] = row.criterion
                entry[f"at {label}" if label != "as set" else "as set"] = row.verdict
    return pd.DataFrame(list(rows.values()))
