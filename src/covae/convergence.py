"""The convergence study: how many epochs, at which batch size and under which learning-rate
schedule, train these models to the error they can reach.

On one replicate seed, each (data set, model) is trained under the source study's exponential
schedule (at the source study's batch size) and under warmup + cosine schedules of several lengths
at one or more batch sizes; the test error is measured after every epoch (``probes.TestError``).
The cosine runs peak at the rate a learning-rate range test at their batch size suggests
(``probes.lr_range_test``). The cosine run with the most optimizer steps (epochs / batch
size) is each pair's *reference*: the error a model of the study is held to. The study's
protocol is the cheapest cosine run other than the reference (fewest epochs, then the larger
batch) whose final error is within a tolerance of the reference on every pair and no worse
than the source study's schedule's at the epoch the source study stopped that pair (its *bound*: 25
epochs for the AE, 30 for the Gaussian VAE, 40 for the Student-t VAE; ``choose_protocol``). The
reference itself is never chosen: a run within tolerance of itself shows nothing.

Runs are named by schedule, length and batch size: ``exponential40_b64``, ``cosine20_b16``, ...
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

ERROR = "test_error_z_mean"
SAMPLED_ERROR = "test_error_z_sample"
# The epoch at which the source study's schedule's error sets the target of `python -m covae.bench
# converge` (the source study trained its AE 25 epochs and its VAEs 30-40).
SEED_TARGET_EPOCH = 25


class Run(NamedTuple):
    """One run of the study: schedule kind, length in epochs, batch size."""

    kind: str
    epochs: int
    batch: int

    @property
    def name(self) -> str:
        return f"{self.kind}{self.epochs}_b{self.batch}"


def schedule_names(convergence: Mapping[str, Any]) -> list[str]:
    """The runs of the study: the source study's schedule first, then the cosine runs by batch size
    (as configured) and length."""
    seed = convergence["exponential"]
    cosine = [
        Run("cosine", epochs, block["batch_size"]).name
        for block in convergence["cosine"]["runs"]
        for epochs in sorted(block["epochs"])
    ]
    return [Run("exponential", seed["epochs"], seed["batch_size"]).name] + cosine


def batch_sizes(convergence: Mapping[str, Any]) -> list[int]:
    """The batch sizes of the cosine runs (each gets its own range test and peak rate)."""
    return [block["batch_size"] for block in convergence["cosine"]["runs"]]


def parse_name(name: str) -> Run:
    """``"cosine10_b16"`` -> ``Run("cosine", 10, 16)``."""
    match = re.fullmatch(r"(exponential|cosine)(\d+)_b(\d+)", name)
    if match is None:
        raise ValueError(
            f"not a convergence run: {name!r}; expected exponential<n>_b<batch> or "
            "cosine<n>_b<batch>"
        )
    return Run(match.group(1), int(match.group(2)), int(match.group(3)))


def schedule_entry(name: str, convergence: Mapping[str, Any], peak: float) -> dict[str, Any]:
    """The ``training.schedule`` entry of one run (what ``protocol.Schedule.from_config`` reads)."""
    run = parse_name(name)
    if run.kind == "exponential":
        seed = {k: v for k, v in convergence["exponential"].items() if k != "batch_size"}
        return {**seed, "kind": "exponential", "epochs": run.epochs}
    return {
        "kind": "cosine",
        "peak": peak,
        "warmup_epochs": convergence["cosine"]["warmup_epochs"],
        "epochs": run.epochs,
    }


def training_section(
    name: str, model: str, convergence: Mapping[str, Any], training: Mapping[str, Any], peak: float
) -> dict[str, Any]:
    """The study's ``training`` section as one run trains: its schedule and batch size, and no
    early-stopping guard (every epoch runs, so the whole curve is measured)."""
    entry = schedule_entry(name, convergence, peak)
    return {
        **training,
        "batch_size": parse_name(name).batch,
        "schedule": {model: entry},
        "patience": None,
    }


def choose_peaks(suggestions: pd.DataFrame) -> dict[str, float]:
    """Per model, the smallest peak rate the range tests of its data sets suggest, to two
    significant digits (rounded down): one rate that is safe on every data set."""
    peaks = suggestions.groupby("model")["suggested"].min()
    return {model: _round_down(rate) for model, rate in peaks.items()}


def _round_down(value: float, digits: int = 2) -> float:
    """``value`` cut to ``digits`` significant digits, as the decimal number it reads as
    (0.0026, not 26 x 1e-4 = 0.0026000000000000003)."""
    exponent = int(np.floor(np.log10(value))) - digits + 1
    return float(f"{int(np.floor(value / 10.0**exponent))}e{exponent}")


def summarize(
    curves: pd.DataFrame,
    tolerance: float,
    bounds: Mapping[str, Mapping[str, int]] | None = None,
    target_epoch: int = SEED_TARGET_EPOCH,
) -> pd.DataFrame:
    """One row per (data set, model, run): its epochs, batch size, final errors, the pair's
    reference run (its cosine run of most optimizer steps, ``reference_run``) and error, the
    final error's distance from it, the source study's schedule's error at the pair's epoch bound
    (``bounds[model][dataset]``; its last epoch where ``bounds`` is None or silent), and the
    epoch at which the run first reaches the error the source study's schedule has after
    ``target_epoch`` epochs.

    ``curves`` holds one row per epoch with columns dataset, model, run, peak (the run's peak
    or initial rate), epoch, val_excess and ``ERROR`` (``SAMPLED_ERROR`` too for the VAE)."""
    rows = []
    for (dataset, model), pair in curves.groupby(["dataset", "model"], sort=False):
        finals = pair.sort_values("epoch", kind="stable").groupby("run", sort=False).last()
        reference_name = reference_run(finals.index)
        reference = float(finals.loc[reference_name, ERROR])
        seed_runs = pair[pair["run"].str.startswith("exponential")]
        at_target = seed_runs[seed_runs["epoch"] == target_epoch]
        target = float(at_target[ERROR].iloc[0]) if len(at_target) else np.nan
        bound = (bounds or {}).get(model, {}).get(dataset, int(seed_runs["epoch"].max()))
        at_bound = seed_runs[seed_runs["epoch"] == bound]
        if at_bound.empty:
            raise ValueError(
                f"{dataset}/{model}: the source study's schedule run has no epoch {bound} "
                "(its bound); "
                f"it ran {int(seed_runs['epoch'].max())} epochs"
            )
        for run, final in finals.iterrows():
            curve = pair[pair["run"] == run].sort_values("epoch")
            reached = curve.loc[curve[ERROR] <= target, "epoch"]
            rows.append(
                {
                    "dataset": dataset,
                    "model": model,
                    "run": run,
                    "schedule": parse_name(run).kind,
                    "epochs": int(final["epoch"]),
                    "batch_size": parse_name(run).batch,
                    "peak_rate": float(curve["peak"].iloc[0]),
                    ERROR: float(final[ERROR]),
                    SAMPLED_ERROR: float(final.get(SAMPLED_ERROR, np.nan)),
                    "val_excess": float(final["val_excess"]),
                    "reference_run": reference_name,
                    "reference": reference,
                    "distance": float(final[ERROR]) / reference - 1,
                    "within_tolerance": bool(float(final[ERROR]) <= reference * (1 + tolerance)),
                    "seed_bound": bound,
                    "seed_at_bound": float(at_bound[ERROR].iloc[0]),
                    "seed_target": target,
                    "epochs_to_seed_target": int(reached.iloc[0]) if len(reached) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def doubling(study: pd.DataFrame, doubled: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Each (data set, model)'s study run beside the same run trained for more epochs (the
    next doubling, ``convergence.doubling``): ``study`` and ``doubled`` hold one row per
    (dataset, model) with ``epochs`` and the final ``ERROR`` (and ``SAMPLED_ERROR``). Returns
    both, the study run's ``distance`` from the doubled run (study / doubled - 1, as the study
    measures distances from its reference) and whether it is ``within_tolerance``."""
    keys = ["dataset", "model"]
    both = study.merge(doubled, on=keys, suffixes=("", "_doubled"), validate="one_to_one")
    if len(both) != len(study) or len(both) != len(doubled):
        raise ValueError(
            f"the study's runs {sorted(map(tuple, study[keys].to_numpy()))} and the doubled "
            f"runs {sorted(map(tuple, doubled[keys].to_numpy()))} differ"
        )
    both["distance"] = both[ERROR] / both[f"{ERROR}_doubled"] - 1
    both["within_tolerance"] = both[ERROR] <= both[f"{ERROR}_doubled"] * (1 + tolerance)
    columns = [*keys, "epochs", "epochs_doubled", ERROR, f"{ERROR}_doubled", "distance",
               "within_tolerance", SAMPLED_ERROR, f"{SAMPLED_ERROR}_doubled"]  # fmt: skip
    return both[columns]


def _steps(name: str) -> tuple[float, int]:
    """Sort key of a run's training length: optimizer steps (epochs / batch size, the data set's
    size cancels), then the smaller batch."""
    run = parse_name(name)
    return run.epochs / run.batch, -run.batch


def reference_run(names) -> str:
    """The cosine run of most optimizer steps among ``names``: the pairs' reference."""
    return max((name for name in names if parse_name(name).kind == "cosine"), key=_steps)


def choose_protocol(summary: pd.DataFrame) -> Run | None:
    """The study's protocol: the cheapest cosine run (fewest epochs, then the larger batch)
    other than the reference whose run is within tolerance of the reference on every
    (data set, model) and no worse than the source study's schedule's run at the pair's epoch bound
    (``seed_at_bound``); None when no run qualifies (the study is not shown to converge)."""
    cosine = summary[summary["schedule"] == "cosine"]
    cosine = cosine[cosine["run"] != reference_run(cosine["run"].unique())]
    cosine = cosine.assign(
        ok=cosine["within_tolerance"] & (cosine[ERROR] <= cosine["seed_at_bound"])
    )
    passing = cosine.groupby("run")["ok"].all()
    passing = [parse_name(run) for run in passing[passing].index]
    if not passing:
        return None
    return min(passing, key=lambda run: (run.epochs, -run.batch))


def speedup(summary: pd.DataFrame, target_epoch: int = SEED_TARGET_EPOCH) -> pd.DataFrame:
    """Per (data set, model): the fewest epochs any cosine run needs to reach the seed
    schedule's error after ``target_epoch`` epochs, and ``target_epoch`` over it (NaN where
    no cosine run reaches it)."""
    cosine = summary[summary["schedule"] == "cosine"]
    needed = cosine.groupby(["dataset", "model"], sort=False)["epochs_to_seed_target"].min()
    return pd.DataFrame({"epochs_needed": needed, "ratio": target_epoch / needed}).reset_index()


def references(summary: pd.DataFrame) -> dict[str, float]:
    """``{"dataset/model": reference error}`` from a convergence summary (``summarize``)."""
    pairs = summary.groupby(["dataset", "model"], sort=False)["reference"].first()
    return {f"{dataset}/{model}": float(value) for (dataset, model), value in pairs.items()}
