"""Figures of the study. Functions take arrays and return matplotlib Figures; they compute
nothing that a table reports and write no files (the workflow scripts save them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

# One style for every figure of the paper (showyourwork's single matplotlibrc, in code).
STYLE: Mapping[str, Any] = {
    "figure.dpi": 100,
    "font.size": 9,
    "axes.titlesize": 8,
    "figure.titlesize": 11,
    "image.interpolation": "nearest",
}

# Colour maps of the two df classes of the Student-t set, as in the seed study.
HEAVY_TAIL_CMAP = "inferno"
LIGHT_TAIL_CMAP = "icefire"


def _cmap(name: str):
    return sns.color_palette(name, as_cmap=True) if name == "icefire" else plt.get_cmap(name)


def choose_examples(df: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``count`` example images; with two or more df classes, as even a share of
    each as the count allows (so both colour maps show), heavy tails first."""
    classes = np.unique(df)
    if classes.size == 1:
        return np.sort(rng.choice(df.size, size=count, replace=False))
    shares = np.diff(np.linspace(0, count, classes.size + 1).round().astype(int))
    picks = [
        np.sort(rng.choice(np.flatnonzero(df == value), size=share, replace=False))
        for value, share in zip(classes, shares, strict=True)
    ]
    return np.concatenate(picks)


def heatmap_grid(
    images: np.ndarray,
    factors: np.ndarray,
    *,
    rows: int,
    cols: int,
    title: str,
    heavy_df: float | None = None,
) -> Figure:
    """A rows x cols grid of heatmaps, each titled with its factors.

    With ``heavy_df`` given, images with that df use the heavy-tail colour map and the rest
    the light-tail one; a legend says which.
    """
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            rows, cols, figsize=(1.9 * cols, 2.05 * rows + 0.6), squeeze=False, layout="constrained"
        )
        for ax, image, (var_x, var_y, cor, df) in zip(axes.flat, images, factors, strict=False):
            heavy = heavy_df is not None and df == heavy_df
            cmap = HEAVY_TAIL_CMAP if heavy or heavy_df is None else LIGHT_TAIL_CMAP
            ax.imshow(image, cmap=_cmap(cmap), vmin=0, vmax=1)
            label = f"$v_x$={var_x:.1f} $v_y$={var_y:.1f}\n$\\rho$={cor:+.2f}"
            label += "" if np.isinf(df) else f" df={df:g}"
            ax.set_title(label)
        for ax in axes.flat:
            ax.set_xticks([])
            ax.set_yticks([])
        for ax in axes.flat[len(images) :]:
            ax.set_axis_off()
        if heavy_df is not None:
            subtitle = f"{HEAVY_TAIL_CMAP}: df = {heavy_df:g}; {LIGHT_TAIL_CMAP}: other df"
            title = f"{title}\n{subtitle}"
        fig.suptitle(title)
    return fig


def training_curves(history, *, title: str) -> Figure:
    """Training (solid) and validation (dashed) loss per epoch, one panel per model, one line
    per seed; the kept epoch is marked. ``history`` has columns model, seed, epoch, loss,
    val_loss, kept."""
    models = list(dict.fromkeys(history["model"]))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            1, len(models), figsize=(4.2 * len(models), 3.4), squeeze=False, layout="constrained"
        )
        for ax, model in zip(axes.flat, models, strict=True):
            runs = history[history["model"] == model]
            colours = sns.color_palette("viridis", n_colors=runs["seed"].nunique())
            for colour, (seed, run) in zip(colours, runs.groupby("seed"), strict=True):
                ax.plot(run["epoch"], run["loss"], color=colour, label=f"seed {seed}")
                ax.plot(run["epoch"], run["val_loss"], color=colour, linestyle="--")
                kept = run[run["kept"]]
                ax.scatter(kept["epoch"], kept["val_loss"], color=colour, marker="o", zorder=3)
            ax.set_title(f"{model.upper()}: train (solid), validation (dashed), kept (dot)")
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel("loss per image")
            ax.set_yscale("log")
            ax.legend(fontsize=7)
        fig.suptitle(f"{title}: training curves")
    return fig


MODEL_COLOURS = {"vae": "#1b7837", "ae": "#762a83"}


def reconstruction_error_distributions(errors, *, title: str) -> Figure:
    """Per-image test errors of every run: densities on a log axis (left) and survival
    functions (right, the tails). ``errors`` has columns model, seed, code, error; each run is
    one thin line, VAE and AE in their colours, sampled VAE codes dashed."""
    positive = errors["error"][errors["error"] > 0]
    bins = np.geomspace(positive.min(), errors["error"].max(), 60)
    with plt.rc_context(STYLE):
        fig, (density, survival) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
        for (model, code, seed), run in errors.groupby(["model", "code", "seed"], sort=False):
            style = {
                "color": MODEL_COLOURS[model],
                "linestyle": "--" if code == "z_sample" else "-",
                "linewidth": 0.9,
                "alpha": 0.8,
            }
            label = f"{model.upper()} ({code})" if seed == errors["seed"].min() else None
            density.hist(
                run["error"], bins=bins, density=True, histtype="step", label=label, **style
            )
            ordered = np.sort(run["error"].to_numpy())
            tail = 1 - np.arange(len(ordered)) / len(ordered)
            survival.plot(ordered, tail, **style)
        density.set_xscale("log")
        density.set_xlabel("Frobenius error per test image")
        density.set_ylabel("density")
        density.set_title("distribution (one line per seed)")
        density.legend(fontsize=7)
        survival.set_xscale("log")
        survival.set_yscale("log")
        survival.set_xlabel("Frobenius error per test image")
        survival.set_ylabel("share of test images with a larger error")
        survival.set_title("tail")
        fig.suptitle(f"{title}: reconstruction errors")
    return fig


def reconstruction_examples(
    images: np.ndarray, factors: np.ndarray, rows: Mapping[str, np.ndarray], *, title: str
) -> Figure:
    """Test images (top row) and, below, each model's reconstruction of them with its error."""
    count = len(images)
    labels = ["input", *rows]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            len(labels), count, figsize=(1.45 * count + 0.5, 1.6 * len(labels) + 0.5),
            squeeze=False, layout="constrained",
        )  # fmt: skip
        for column, (image, (var_x, var_y, cor, df)) in enumerate(
            zip(images, factors, strict=True)
        ):
            axes[0, column].imshow(image, cmap=_cmap(HEAVY_TAIL_CMAP), vmin=0, vmax=1)
            label = f"$v_x$={var_x:.1f} $v_y$={var_y:.1f}\n$\\rho$={cor:+.2f}"
            axes[0, column].set_title(label + ("" if np.isinf(df) else f" df={df:g}"))
            for row, decoded in enumerate(rows.values(), start=1):
                axes[row, column].imshow(
                    decoded[column], cmap=_cmap(HEAVY_TAIL_CMAP), vmin=0, vmax=1
                )
                error = np.sqrt(np.sum((decoded[column] - image) ** 2))
                axes[row, column].set_title(f"error {error:.3f}")
        for ax in axes.flat:
            ax.set_xticks([])
            ax.set_yticks([])
        for row, label in enumerate(labels):
            axes[row, 0].set_ylabel(label)
        fig.suptitle(f"{title}: test images and their reconstructions")
    return fig


def paired_metrics(frame, metrics: Mapping[str, str], *, title: str) -> Figure:
    """One panel per metric: each seed's VAE and AE values joined by a line (a paired view).
    ``frame`` has columns model, seed, metric, value; ``metrics`` maps metric to panel label."""
    count = len(metrics)
    columns = min(count, 5)
    rows = -(-count // columns)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            rows, columns, figsize=(2.3 * columns, 2.4 * rows), squeeze=False, layout="constrained"
        )
        for ax, (metric, label) in zip(axes.flat, metrics.items(), strict=False):
            values = frame[frame["metric"] == metric].pivot_table(
                index="seed", columns="model", values="value"
            )[["vae", "ae"]]
            for _, seed_values in values.iterrows():
                ax.plot([0, 1], seed_values.to_numpy(), color="0.6", linewidth=0.8, zorder=1)
            for position, model in enumerate(("vae", "ae")):
                ax.scatter(
                    np.full(len(values), position), values[model], color=MODEL_COLOURS[model],
                    s=18, zorder=2,
                )  # fmt: skip
            ax.set_xticks([0, 1], ["VAE", "AE"])
            ax.set_xlim(-0.5, 1.5)
            ax.set_title(label)
        for ax in axes.flat[count:]:
            ax.set_axis_off()
        fig.suptitle(f"{title}: per-seed metrics (lines join the same seed)")
    return fig
