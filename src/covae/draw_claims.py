"""Figures of the claims: each claim's per-seed values against where it holds, at one budget
or at each."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from covae import claims, names
from covae.names import DATASETS
from covae.style import VERDICT_COLOURS

TRUE_REGION = "#a6dba0"  # where a claim is true: a light green, drawn under everything else
WORDS = {"ae": "AE", "vae": "VAE", "cor": "cor", "df": "df"}


def readable(key: str) -> str:
    """A claim's key as words ("ae_lower_error_sampled" -> "AE lower error sampled")."""
    words = [WORDS.get(word, word) for word in key.split("_")]
    if key.split("_")[0] not in WORDS:  # a plain word, not a name (AE, df, cor)
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def _region(ax, row, low: float, high: float) -> None:
    """Shade where the claim is true inside the shown [low, high], and dash its bounds."""
    for bound in (v for v in (row.low, row.high) if np.isfinite(v)):
        ax.axvline(bound, color="0.2", lw=0.8, ls="--")
    start, stop = max(row.low, low), min(row.high, high)
    if start < stop:
        ax.axvspan(start, stop, color=TRUE_REGION, alpha=0.45, lw=0, zorder=0)


def _limits(ax, shown, log: bool) -> tuple[float, float]:
    """x limits around every shown value (on a log axis for a ratio)."""
    shown = np.asarray([v for v in shown if np.isfinite(v) and (v > 0 or not log)], dtype=float)
    if log:
        ax.set_xscale("log")
        low, high = np.log10(shown.min()), np.log10(shown.max())
        pad = 0.15 * (high - low) + 0.05
        return 10 ** (low - pad), 10 ** (high + pad)
    low, high = shown.min(), shown.max()
    pad = 0.15 * (high - low) + 0.05 * max(abs(low), abs(high), 1e-3)
    return low - pad, high + pad


def claims_chart(verdicts, seeds, *, title: str) -> Figure:
    """One panel per claim x subject (rows) and data set (columns, in the study's order): each
    seed's value (dots), the estimate and its interval (bar, coloured by verdict) and the region
    where the claim is true (green); ratios on a log axis. A claim made of one data set only
    leaves the other's panel empty; one its seeds are too few to show says how many it needs."""
    datasets = [d for d in DATASETS if d in set(verdicts["dataset"])]
    keys = list(dict.fromkeys(zip(verdicts["claim"], verdicts["subject"], strict=True)))
    fig, axes = plt.subplots(
        len(keys),
        len(datasets),
        figsize=(5.0 * len(datasets), 0.6 * len(keys) + 1.0),
        squeeze=False,
        layout="constrained",
    )  # constrained: the title gets its own room above the first row's label
    for ax in axes.flat:
        ax.set_axis_off()
    for column, dataset in enumerate(datasets):
        axes[0, column].set_title(names.label(dataset), fontsize=9, pad=16)
    unshowable = set(claims.unshowable(verdicts).index)
    for row in verdicts.itertuples():
        ax = axes[keys.index((row.claim, row.subject)), datasets.index(row.dataset)]
        ax.set_axis_on()
        values = seeds[
            (seeds["claim"] == row.claim)
            & (seeds["dataset"] == row.dataset)
            & (seeds["subject"] == row.subject)
        ]["value"].to_numpy()
        _claim_panel(ax, row, values, row.Index in unshowable)
    fig.suptitle(title)
    return fig


def _claim_panel(ax, row, values, out_of_reach: bool = False) -> None:
    """One claim on one data set: seeds, interval, verdict colour, true region, label (which
    says how many seeds the test needs where ``out_of_reach``: too few to show anything)."""
    colour = VERDICT_COLOURS.get(row.verdict.removesuffix(" (one seed)"), "#878787")
    ax.scatter(values, np.zeros_like(values), s=14, color="0.3", zorder=3)
    if np.isfinite(row.ci_low):
        ax.plot([row.ci_low, row.ci_high], [0, 0], color=colour, lw=5, alpha=0.8)
    ax.plot([row.estimate], [0], marker="|", ms=14, color=colour, mew=2)
    shown = [*values, row.estimate, row.ci_low, row.ci_high, row.low, row.high]
    low, high = _limits(ax, shown, "/" in row.subject)
    ax.set_xlim(low, high)
    _region(ax, row, low, high)
    ax.set_yticks([])
    reach = f"; its test needs {row.seeds_needed} seeds" if out_of_reach else ""
    ax.text(0.0, 1.05, f"{readable(row.claim)} · {row.subject}: {row.verdict} ({row.k} of "
            f"{row.n} seeds; {row.criterion}{reach})", transform=ax.transAxes, fontsize=6.5,
            va="bottom")  # fmt: skip
    ax.tick_params(axis="x", which="both", labelsize=7)  # minor: a log axis labels them
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)


def claims_by_budget_chart(frame, seeds, *, title: str) -> Figure:
    """One panel per claim x subject (rows) and data set (columns): for each budget (one line
    each, the main study on top), the seeds' values (dots) and the estimate with its interval,
    coloured by the Holm-adjusted verdict, over the region where the claim is true (green,
    bounds dashed); ratios on a log axis. A panel whose verdict changes with the budget says so
    in its label, as does one whose seeds are too few for its test. ``frame``:
    covae.budgets.by_budget; ``seeds``: the claims' per-seed values
    with a ``budget`` column."""
    datasets = [d for d in DATASETS if d in set(frame["dataset"])]
    budgets = list(dict.fromkeys(frame["budget"]))
    keys = list(dict.fromkeys(zip(frame["claim"], frame["subject"], strict=True)))
    fig, axes = plt.subplots(
        len(keys), len(datasets), squeeze=False, layout="constrained",
        figsize=(5.0 * len(datasets), (0.35 + 0.25 * len(budgets)) * len(keys) + 1.0),
    )  # fmt: skip
    for ax in axes.flat:
        ax.set_axis_off()
    for column, dataset in enumerate(datasets):
        axes[0, column].set_title(names.label(dataset), fontsize=9, pad=16)
    for (claim, dataset, subject), block in frame.groupby(["claim", "dataset", "subject"],
                                                          sort=False):  # fmt: skip
        ax = axes[keys.index((claim, subject)), datasets.index(dataset)]
        ax.set_axis_on()
        shown = []
        for row in block.itertuples(index=False):
            y = len(budgets) - 1 - budgets.index(row.budget)
            colour = VERDICT_COLOURS.get(row.verdict.removesuffix(" (one seed)"), "#878787")
            values = seeds[(seeds["claim"] == claim) & (seeds["dataset"] == dataset)
                           & (seeds["subject"] == subject)
                           & (seeds["budget"] == row.budget)]["value"].to_numpy()  # fmt: skip
            ax.scatter(values, np.full_like(values, y), s=10, color="0.3", zorder=3)
            if np.isfinite(row.ci_low):
                ax.plot([row.ci_low, row.ci_high], [y, y], color=colour, lw=4, alpha=0.8)
            ax.plot([row.estimate], [y], marker="|", ms=10, color=colour, mew=2)
            shown += [*values, row.estimate, row.ci_low, row.ci_high]
        first = block.iloc[0]
        low, high = _limits(ax, [*shown, first.low, first.high], "/" in subject)
        ax.set_xlim(low, high)
        _region(ax, first, low, high)
        ax.set_ylim(-0.6, len(budgets) - 0.4)
        ax.set_yticks(range(len(budgets)), budgets[::-1], fontsize=6.5)
        verdicts = " / ".join(block["verdict"])
        flag = "  BUDGET-DEPENDENT" if block["budget_dependent"].any() else ""
        short = claims.unshowable(block)
        reach = f"; its test needs {short['seeds_needed'].max()} seeds" if len(short) else ""
        ax.text(0.0, 1.05, f"{readable(claim)} · {subject}: {verdicts} ({first.criterion}"
                f"{reach}){flag}",
                transform=ax.transAxes, fontsize=6.5, va="bottom",
                color="#b2182b" if flag else "black")  # fmt: skip
        ax.tick_params(axis="x", which="both", labelsize=7)  # minor: a log axis labels them
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)
    fig.suptitle(title)
    return fig
