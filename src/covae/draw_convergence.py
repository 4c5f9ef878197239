"""Figures of the convergence study: test error per epoch of each run, and the range tests."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, LogLocator, MaxNLocator

from covae import names
from covae.style import STYLE

SCHEDULE_COLOURS = {"exponential": "#444444"}

# One colour family per batch size of the cosine runs (largest batch first), dark = longest.
BATCH_COLOURS = ("Blues", "Oranges", "Greens", "Purples")


def convergence_palette(runs) -> dict[str, Any]:
    """A colour per convergence run: the source study's schedule grey; the cosine runs one colour
    family per batch size (the largest first), darker the longer."""
    from covae.convergence import parse_name

    parsed = {run: parse_name(run) for run in runs}
    cosine = [run for run in runs if parsed[run].kind == "cosine"]
    batches = sorted({parsed[run].batch for run in cosine}, reverse=True)
    if len(batches) > len(BATCH_COLOURS):
        raise ValueError(f"{len(batches)} batch sizes; the figure has colours for "
                         f"{len(BATCH_COLOURS)}")  # fmt: skip
    palette = {run: SCHEDULE_COLOURS["exponential"] for run in runs if run not in cosine}
    for batch, family in zip(batches, BATCH_COLOURS, strict=False):
        lengths = sorted((run for run in cosine if parsed[run].batch == batch),
                         key=lambda run: parsed[run].epochs)  # fmt: skip
        shades = plt.get_cmap(family)(np.linspace(0.45, 0.95, len(lengths)))
        palette.update(zip(lengths, shades, strict=True))
    return palette


def convergence_curves(curves, summary, *, title: str) -> Figure:
    """Mean test error (z_mean, solid; the VAE's sampled codes, dotted) after every epoch, one
    panel per (data set, model), one line per run (the chosen protocol's thicker); the
    reference run's final error (grey) and the source study's schedule's error at the epoch the
    source study stopped that model (``seed_at_bound``, dashed: what the chosen run must not exceed)
    are marked. ``curves``: dataset, model, run, epoch, test_error_z_mean[,
    test_error_z_sample]; ``summary``: covae.convergence.summarize (with ``chosen``)."""
    from covae.convergence import parse_name

    pairs = list(dict.fromkeys(zip(curves["dataset"], curves["model"], strict=True)))
    run_names = list(dict.fromkeys(curves["run"]))
    palette = convergence_palette(run_names)
    order = lambda run: (parse_name(run).kind == "cosine", -parse_name(run).batch,  # noqa: E731
                         parse_name(run).epochs)  # fmt: skip
    runs = sorted(run_names, key=order)
    chosen = set()
    if "chosen" in summary:
        chosen = set(summary.loc[summary["chosen"].astype(bool), "run"])
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            2, (len(pairs) + 1) // 2, figsize=(9, 6.4), squeeze=False, layout="constrained",
            sharex=True,
        )  # fmt: skip
        for ax, (dataset, model) in zip(axes.T.flat, pairs, strict=False):
            pair = curves[(curves["dataset"] == dataset) & (curves["model"] == model)]
            rows = summary[(summary["dataset"] == dataset) & (summary["model"] == model)]
            for run in runs:
                curve = pair[pair["run"] == run].sort_values("epoch")
                width = 2.2 if run in chosen else 1.2
                label = f"{run} (chosen)" if run in chosen else run
                ax.plot(curve["epoch"], curve["test_error_z_mean"], color=palette[run],
                        linewidth=width, label=label)  # fmt: skip
                if "test_error_z_sample" in curve and curve["test_error_z_sample"].notna().any():
                    ax.plot(curve["epoch"], curve["test_error_z_sample"], color=palette[run],
                            linestyle=":", linewidth=0.9)  # fmt: skip
            reference = rows["reference"].iloc[0]
            ax.axhline(reference, color="0.5", linewidth=0.8)
            bound, at_bound = rows[["seed_bound", "seed_at_bound"]].iloc[0]
            ax.axhline(at_bound, color="0.3", linestyle="--", linewidth=0.8)
            ax.plot([bound], [at_bound], marker="o", color=palette[runs[0]], markersize=4)
            ax.set_yscale("log")
            ax.yaxis.set_minor_locator(LogLocator(subs=(2, 3, 4, 5, 6, 7)))
            ax.yaxis.set_major_formatter(FormatStrFormatter("%.2g"))
            ax.yaxis.set_minor_formatter(FormatStrFormatter("%.2g"))
            ax.tick_params(axis="y", which="minor", labelsize=6)
            ax.set_title(f"{names.label(dataset, model)}: reference {reference:.3f}",
                         fontsize=9)  # fmt: skip
            ax.set_ylabel("mean test error (Frobenius)")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for ax in axes[-1]:
            ax.set_xlabel("epoch")
        axes.flat[0].legend(fontsize=7, title="z_mean solid, VAE samples dotted", title_fontsize=7)
        fig.suptitle(f"{title}\ngrey: the reference (final error of the run of most steps, "
                     f"{summary['reference_run'].iloc[0]}); "
                     "dashed, dot: the source study's schedule where the source study stopped",
                     fontsize=9)  # fmt: skip
    return fig


def lr_range_curves(tests, *, title: str) -> Figure:
    """Batch loss over the entropy floor against the learning rate, one panel per batch size,
    one line per (data set, model), each suggested peak marked. ``tests``: batch_size,
    dataset, model, learning_rate, excess, suggested."""
    batches = sorted(tests["batch_size"].unique(), reverse=True)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(batches), figsize=(5.0 * len(batches), 3.6),
                                 layout="constrained", sharey=True, squeeze=False)  # fmt: skip
        for ax, batch in zip(axes.flat, batches, strict=True):
            groups = list(tests[tests["batch_size"] == batch].groupby(["dataset", "model"]))
            colours = sns.color_palette("colorblind", n_colors=len(groups))
            for colour, ((dataset, model), test) in zip(colours, groups, strict=True):
                smooth = test["excess"].ewm(alpha=0.1).mean()
                ax.plot(
                    test["learning_rate"], smooth, color=colour, label=names.label(dataset, model)
                )
                ax.axvline(test["suggested"].iloc[0], color=colour, linestyle="--",
                           linewidth=0.8)  # fmt: skip
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("learning rate")
            ax.set_title(f"batch {batch}", fontsize=9)
            ax.legend(fontsize=7)
        axes.flat[0].set_ylabel("batch loss over the entropy floor (smoothed)")
        fig.suptitle(f"{title}; dashed: each suggested peak", fontsize=10)
    return fig
