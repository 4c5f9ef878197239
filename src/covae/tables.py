"""Tables across replicate seeds: per-run metrics in, means with confidence intervals out.

Per-run metrics are nested dicts (one JSON file per run); :func:`long_frame` flattens them to
one row per (data set, model, seed, metric). :func:`summarize` gives mean, std, t-interval and
n per (data set, model, metric); :func:`paired` compares VAE and AE on the same seeds;
:func:`published` puts the source study's single-run numbers beside ours.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from covae.io import load_record, save_text
from covae.names import MODELS

KEYS = ("dataset", "model", "seed")
# A sweep's runs also differ in their model setting.
SWEEP_KEYS = ("latent_dim", "beta", *KEYS)

# The source study's published numbers (one run each; DESIGN.md), with the metric of ours that
# measures the same thing and how the source study's protocol differed.
PUBLISHED = [
    # dataset, model, quantity, published, our metric, note
    ("gaussian", "vae", "mean test reconstruction error", 0.322,
     "reconstruction.seed_protocol.mean",
     "both: sampled codes (the source study's noise std exp(z_log_var), ours the posterior's)"),
    ("gaussian", "ae", "mean test reconstruction error", 0.256,
     "reconstruction.seed_protocol.mean",
     "both: the AE's codes plus the same seed's VAE sampling noise (like for like)"),
    ("student_t", "vae", "KNN best k", 13, "knn.z_sample.raw.best_k",
     "source study: sampled codes"),
    ("student_t", "vae", "KNN CV accuracy", 0.847, "knn.z_sample.raw.cv_accuracy", ""),
    ("student_t", "vae", "KNN test accuracy (k = 13)", 0.849,
     "knn.z_sample.raw.test_accuracy_fixed_k", ""),
    ("student_t", "vae", "KNN test F1 (k = 13)", 0.856, "knn.z_sample.raw.test_f1_fixed_k", ""),
    ("student_t", "ae", "KNN best k", 3, "knn.z_mean.raw.best_k", ""),
    ("student_t", "ae", "KNN CV accuracy", 0.856, "knn.z_mean.raw.cv_accuracy", ""),
    ("student_t", "ae", "KNN test accuracy (k = 13)", 0.847,
     "knn.z_mean.raw.test_accuracy_fixed_k", "source study: k = 13, not its best k"),
    ("student_t", "ae", "KNN test F1 (k = 13)", 0.856, "knn.z_mean.raw.test_f1_fixed_k", ""),
]  # fmt: skip


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a nested dict, keyed by their dotted path."""
    flat: dict[str, float] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{path}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            flat[path] = float(value)
    return flat


def load_runs(
    paths: Iterable[str | os.PathLike], keys: Sequence[str] = KEYS
) -> list[tuple[Any, ...]]:
    """``(*run[key] for key in keys, metrics)`` of each per-run metrics JSON file."""
    runs = []
    for path in paths:
        metrics = load_record(path)
        run = metrics.pop("run")
        runs.append((*(run[key] for key in keys), metrics))
    return runs


def merge_runs(*collections: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """One ``(*keys, metrics)`` per run from several files per run (metrics, realism): the
    metric trees of the same keys are joined."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for runs in collections:
        for run in runs:
            merged.setdefault(tuple(run[:-1]), {}).update(run[-1])
    return [(*keys, tree) for keys, tree in merged.items()]


def load_run_files(
    metrics: Iterable[str | os.PathLike],
    realism: Iterable[str | os.PathLike],
    keys: Sequence[str] = KEYS,
) -> list[tuple[Any, ...]]:
    """One ``(*keys, metrics)`` per run from its metrics and realism JSON files."""
    return merge_runs(load_runs(metrics, keys), load_runs(realism, keys))


def long_frame(runs: Iterable[tuple[Any, ...]], keys: Sequence[str] = KEYS) -> pd.DataFrame:
    """One row per run and metric from ``(*keys, metrics)`` tuples (see :func:`load_runs`).

    The ``sizes`` section (row counts, code size) describes a run; it is not a metric."""
    rows = [
        (*run[:-1], metric, value)
        for run in runs
        for metric, value in flatten(run[-1]).items()
        if not metric.startswith("sizes.")
    ]
    frame = pd.DataFrame(rows, columns=[*keys, "metric", "value"])
    frame["seed"] = frame["seed"].astype(int)
    frame["group"] = frame["metric"].str.split(".").str[0]
    return frame


def with_reference(frame: pd.DataFrame, references: Mapping[str, float]) -> pd.DataFrame:
    """``frame`` (see :func:`long_frame`) plus two training metrics per run: its mean test
    error from z_mean (``training.test_error``) and how far above the convergence reference of
    its (data set, model) it is, as a fraction (``training.reference_distance``: 0.05 is 5 %
    worse; ``references`` maps "dataset/model" to the reference error)."""
    errors = frame[frame["metric"] == "reconstruction.z_mean.mean"]
    added = [errors.assign(metric="training.test_error")]
    reference = errors["dataset"] + "/" + errors["model"]
    known = reference.isin(list(references))
    if known.any():
        ratio = errors["value"][known] / reference[known].map(references) - 1
        added.append(errors[known].assign(metric="training.reference_distance", value=ratio))
    rows = pd.concat(added).assign(group="training")
    return pd.concat([frame, rows], ignore_index=True)


# Metrics with a bounded range: their intervals are computed on a scale that maps the range
# onto the real line (logit for [0, 1], Fisher's z for [-1, 1], -log(1 - x) for x <= 1,
# log(x - 1) for x >= 1) and mapped back, so they never leave it. (pattern, (low, high)); the
# first match counts.
BOUNDED: tuple[tuple[str, tuple[float, float]], ...] = (
    (r"(^|\.)spearman_abs|(^|\.)cka", (0.0, 1.0)),
    (r"(^|\.)spearman", (-1.0, 1.0)),
    (r"(^|\.)r2_", (-math.inf, 1.0)),
    (r"accuracy|(^|\.)test_f1|(^|\.)mig|\.dci\.|gap_fraction", (0.0, 1.0)),
    (r"(^|\.)variance_ratio$", (1.0, math.inf)),  # the larger of two ranges over the smaller
    (r"(^|\.)range_cor$", (0.0, 2.0)),  # how far the fitted cor (in [-1, 1]) moves on a path
    (r"(^|\.)range_|(^|\.)cor_span$", (0.0, math.inf)),  # how far a fitted factor moves
    (r"(^|\.)val_excess_kept$", (0.0, math.inf)),  # a loss over its floor, the targets' entropy
)
# Integer choices (the KNN's best k, the epochs a run's guard ran and kept: at most its budget)
# are summarized by their median and range, not a mean.
CHOICES = r"(^|\.)best_k$|^training\.epoch(s_run|_kept)$"
_EDGE = 1e-6  # values at a bound are moved this far inside it before transforming


def bounds_of(metric: str) -> tuple[float, float] | None:
    """The range of ``metric``'s values, or None for an unbounded metric."""
    for pattern, bounds in BOUNDED:
        if re.search(pattern, metric):
            return bounds
    return None


def _to_line(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    low, high = bounds
    if math.isinf(low):  # x <= high
        return -np.log(np.maximum(high - values, _EDGE))
    if math.isinf(high):  # x >= low
        return np.log(np.maximum(values - low, _EDGE))
    unit = np.clip((values - low) / (high - low), _EDGE, 1 - _EDGE)
    return np.log(unit / (1 - unit))


def _from_line(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    low, high = bounds
    if math.isinf(low):
        return high - np.exp(-values)
    if math.isinf(high):
        return low + np.exp(values)
    return low + (high - low) / (1 + np.exp(-values))


def t_interval(
    values: np.ndarray, confidence: float, bounds: tuple[float, float] | None = None
) -> tuple[float, float]:
    """Two-sided Student-t confidence interval of the mean (NaN for fewer than two values).
    With ``bounds``, the interval is computed on the transformed scale (``BOUNDED``) and
    mapped back, so it stays inside them."""
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    if n < 2 or not np.all(np.isfinite(values)):
        return math.nan, math.nan
    if np.ptp(values) == 0:
        return float(values[0]), float(values[0])
    line = values if bounds is None else _to_line(values, bounds)
    mean, sem = line.mean(), line.std(ddof=1) / math.sqrt(n)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sem
    interval = np.array([mean - half, mean + half])
    if bounds is not None:
        interval = np.clip(_from_line(interval, bounds), *bounds)
    return float(interval[0]), float(interval[1])


def _describe(values: pd.Series, confidence: float) -> pd.Series:
    metric = values.name[-1] if isinstance(values.name, tuple) else str(values.name)
    n = len(values)
    std = values.std(ddof=1) if n > 1 else math.nan
    if re.search(CHOICES, metric):
        centre, low, high = values.median(), values.min(), values.max()
        if n < 2:  # one value has no spread to report, as it has no t-interval
            low = high = math.nan
        kind = "median, range"
    else:
        bounds = bounds_of(metric)
        low, high = t_interval(values.to_numpy(), confidence, bounds)
        centre = values.mean()
        kind = "mean, t-interval" + ("" if bounds is None else " (bounded scale)")
    return pd.Series(
        {"n": n, "mean": centre, "std": std, "ci_low": low, "ci_high": high, "summary": kind}
    )


def summarize(
    frame: pd.DataFrame, confidence: float, by: Sequence[str] = ("dataset", "model")
) -> pd.DataFrame:
    """Mean, std, ``confidence`` t-interval and n over seeds per ``by`` columns and metric;
    bounded metrics get intervals inside their range and integer choices their median and
    range (``summary`` says which)."""
    grouped = frame.groupby(["group", *by, "metric"], sort=False)["value"]
    summary = grouped.apply(_describe, confidence=confidence).unstack().reset_index()
    for column in ("mean", "std", "ci_low", "ci_high"):
        summary[column] = pd.to_numeric(summary[column])
    summary["n"] = summary["n"].astype(int)
    return summary


# Metrics measured against a baseline of each model's own (its convergence reference): a VAE -
# AE difference of them mixes the two baselines' errors and answers no question of the study.
UNPAIRED: tuple[str, ...] = ("training.reference_distance",)


def paired(frame: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """VAE - AE per metric (``UNPAIRED`` ones excepted) over the seeds both models share: mean
    difference, its t-interval, a paired t-test and in how many seeds the VAE's value is the
    higher."""
    frame = frame[~frame["metric"].isin(UNPAIRED)]
    wide = frame.pivot_table(
        index=["group", "dataset", "metric", "seed"], columns="model", values="value"
    )
    wide = wide.dropna(subset=[m for m in MODELS if m in wide]).reset_index()
    if not set(MODELS) <= set(wide.columns):
        return pd.DataFrame()
    rows = []
    for (group, dataset, metric), block in wide.groupby(["group", "dataset", "metric"], sort=False):
        vae, ae = block["vae"].to_numpy(), block["ae"].to_numpy()
        difference = vae - ae
        low, high = t_interval(difference, confidence)
        n = len(difference)
        if n > 1 and np.std(difference) > 0:
            test = stats.ttest_rel(vae, ae)
            t_statistic, p_value = float(test.statistic), float(test.pvalue)
        else:
            t_statistic = p_value = math.nan
        rows.append(
            {
                "group": group,
                "dataset": dataset,
                "metric": metric,
                "n": n,
                "vae_mean": vae.mean(),
                "ae_mean": ae.mean(),
                "difference": difference.mean(),
                "ci_low": low,
                "ci_high": high,
                "t": t_statistic,
                "p_value": p_value,
                "vae_higher": int(np.sum(difference > 0)),
            }
        )
    return pd.DataFrame(rows)


def published(summary: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The source study's published numbers (one run each) beside our mean and CI of the
    matching metric (``summary``) and the spread of our seeds' values (``frame``, the long
    frame): ``within_spread`` says whether the published number lies between our lowest and
    highest seed, the question a single run can answer (empty where we did not measure it)."""
    index = summary.set_index(["dataset", "model", "metric"])
    values = frame.groupby(["dataset", "model", "metric"])["value"]
    low, high = values.min(), values.max()
    rows = []
    for dataset, model, quantity, number, metric, note in PUBLISHED:
        key = (dataset, model, metric)
        ours = index.loc[key] if key in index.index else None
        spread = (low[key], high[key]) if key in low.index else (math.nan, math.nan)
        rows.append(
            {
                "dataset": dataset,
                "model": model,
                "quantity": quantity,
                "published": number,
                "ours_mean": ours["mean"] if ours is not None else math.nan,
                "ci_low": ours["ci_low"] if ours is not None else math.nan,
                "ci_high": ours["ci_high"] if ours is not None else math.nan,
                "ours_min": spread[0],
                "ours_max": spread[1],
                "within_spread": bool(spread[0] <= number <= spread[1])
                if ours is not None
                else None,
                "n": int(ours["n"]) if ours is not None else 0,
                "metric": metric,
                "note": note,
            }
        )
    return pd.DataFrame(rows)


def to_markdown(
    frame: pd.DataFrame, digits: int = 4, number: Callable[[Any], str] | None = None
) -> str:
    """A GitHub-flavoured Markdown table; floats with ``digits`` significant digits (whole
    numbers too large for them as integers), or every number written by ``number`` (the
    paper's format); a missing value is an empty cell."""

    def cell(value: Any) -> str:
        if not isinstance(value, str) and pd.isna(value):
            return ""
        if isinstance(value, bool | np.bool_):  # not a number: True, not 1
            return str(bool(value))
        if number is not None and isinstance(value, int | float | np.number):
            return number(value)
        if (
            isinstance(value, float | np.floating)
            and value.is_integer()
            and abs(value) >= 10**digits
        ):
            return f"{int(value):,}"  # a count: 11,875, not 1.188e+04
        if isinstance(value, float):
            return f"{value:.{digits}g}"
        return str(value).replace("|", "\\|")

    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


def save_table(table: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``table`` as CSV (``.csv``) or as a Markdown table (``.md``), atomically."""
    suffix = Path(path).suffix
    if suffix not in (".csv", ".md"):
        raise ValueError(f"{path}: a table is written as .csv or .md, not {suffix!r}")
    save_text(path, table.to_csv(index=False) if suffix == ".csv" else to_markdown(table))
