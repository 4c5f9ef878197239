"""Figures of the per-run evaluation: reconstruction errors, paired metrics, realism."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.figure import Figure

from covae.names import MODELS
from covae.style import HEAVY_TAIL_CMAP, MODEL_COLOURS, STYLE, colour_map

# The per-run numbers drawn in figures/metrics_{dataset}.png, with their panel labels. The
# KNN headline uses z_mean (the code both models have) standardized (an AE axis has no
# natural scale, and unscaled KNN distances would weight the axes by it).
HEADLINE_METRICS = {
    "reconstruction.z_mean.mean": "mean reconstruction error",
    "reconstruction.z_mean.tail_ratio": "error tail: p99 / median",
    "knn.z_mean.scaled.test_accuracy": "KNN df test accuracy",
    "factors.r2_linear.cor": "linear R$^2$ of cor",
    "factors.mig": "MIG",
    "factors.dci.disentanglement": "DCI disentanglement",
    "factors.dci.informativeness": "DCI informativeness (R$^2$)",
    "density.nn_ratio": "NN ratio (1 = uniform fill)",
    "density.gap_fraction": "empty share of the convex hull",
    "realism.interpolation.median_residual_between": "realism residual between codes",
}


# The codes an error is measured from, as the legend names them (the source study's protocol
# perturbs the AE's code by the noise of the same seed's VAE).
CODE_LABELS = {"seed_protocol": "code + the VAE's noise"}


def reconstruction_error_distributions(errors, *, title: str) -> Figure:
    """Per-image test errors of every run: densities on a log axis (left) and survival
    functions (right, the tails). ``errors`` has columns model, seed, code, error; each run is
    one thin line, VAE and AE in their colours, perturbed codes dashed (the VAE's samples, the
    AE's codes plus that noise: the source study's protocol)."""
    positive = errors["error"][errors["error"] > 0]
    bins = np.geomspace(positive.min(), errors["error"].max(), 60)
    with plt.rc_context(STYLE):
        fig, (density, survival) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
        for (model, code, seed), run in errors.groupby(["model", "code", "seed"], sort=False):
            style = {
                "color": MODEL_COLOURS[model],
                "linestyle": "-" if code == "z_mean" else "--",
                "linewidth": 0.9,
                "alpha": 0.8,
            }
            shown = CODE_LABELS.get(code, code)
            label = f"{model.upper()} ({shown})" if seed == errors["seed"].min() else None
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
    images: np.ndarray,
    factors: np.ndarray,
    rows: Mapping[str, np.ndarray],
    errors: Mapping[str, np.ndarray],
    *,
    title: str,
) -> Figure:
    """Test images (top row) and, below, each model's reconstruction of them titled with its
    Frobenius error (``errors``: per model, as the evaluation wrote them)."""
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
            axes[0, column].imshow(image, cmap=colour_map(HEAVY_TAIL_CMAP), vmin=0, vmax=1)
            label = f"$v_x$={var_x:.1f} $v_y$={var_y:.1f}\n$\\rho$={cor:+.2f}"
            axes[0, column].set_title(label + ("" if np.isinf(df) else f" df={df:g}"))
            for row, (name, decoded) in enumerate(rows.items(), start=1):
                axes[row, column].imshow(
                    decoded[column], cmap=colour_map(HEAVY_TAIL_CMAP), vmin=0, vmax=1
                )
                axes[row, column].set_title(f"error {errors[name][column]:.3f}")
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
            )[list(MODELS)]
            for _, seed_values in values.iterrows():
                ax.plot([0, 1], seed_values.to_numpy(), color="0.6", linewidth=0.8, zorder=1)
            for position, model in enumerate(MODELS):
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


def sweep_metrics(summary, metrics: Mapping[str, str], *, title: str) -> Figure:
    """One panel per metric of a sweep of the code (``summary``: the sweep table of one data
    set, columns latent_dim, beta, model, metric, mean, ci_low, ci_high): the mean over seeds
    with its interval against beta, one line per latent_dim, or against latent_dim where beta
    is not swept. The AE has no beta: where beta is the axis, its value is a dashed level per
    latent_dim."""
    along = "beta" if summary["beta"].nunique() > 1 else "latent_dim"
    ticks = sorted(summary[along].unique())
    sizes = sorted(summary["latent_dim"].unique()) if along == "beta" else [None]
    markers = dict(zip(sizes, "os^Dv<>p*h", strict=False))
    dashes = dict(zip(sizes, ["--", ":", "-.", (0, (5, 1)), (0, (1, 3))], strict=False))
    columns = min(len(metrics), 5)
    rows = -(-len(metrics) // columns)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            rows, columns, figsize=(2.5 * columns, 2.5 * rows), squeeze=False, layout="constrained"
        )
        for ax, (metric, label) in zip(axes.flat, metrics.items(), strict=False):
            for (model, size), block in _sweep_lines(summary[summary["metric"] == metric], sizes):
                name = model.upper() + ("" if size is None else f", {size}-D code")
                style = {"color": MODEL_COLOURS[model], "linewidth": 1}
                if along == "beta" and model == "ae":  # one AE per latent_dim, whatever beta
                    ax.axhline(block["mean"].iloc[0], linestyle=dashes.get(size, "--"),
                               label=f"{name} (no beta)", **style)  # fmt: skip
                    continue
                block = block.sort_values(along)
                mean = block["mean"].to_numpy()
                spread = np.abs(block[["ci_low", "ci_high"]].to_numpy().T - mean)
                ax.errorbar([ticks.index(v) for v in block[along]], mean, np.nan_to_num(spread),
                            marker=markers[size], markersize=4, capsize=2, label=name,
                            **style)  # fmt: skip
            ax.set_xticks(range(len(ticks)), [f"{value:g}" for value in ticks])
            ax.set_xlabel(along)
            ax.set_title(label)
        for ax in axes.flat[len(metrics) :]:
            ax.set_axis_off()
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4))
        fig.suptitle(f"{title}: the sweep, mean over seeds with its interval")
    return fig


def _sweep_lines(rows, sizes):
    """The rows of one metric per (model, latent_dim) line (latent_dim None: every size on one
    line), those with no row left out."""
    for model in MODELS:
        for size in sizes:
            block = rows[rows["model"] == model]
            if size is not None:
                block = block[block["latent_dim"] == size]
            if len(block):
                yield (model, size), block


def realism_summary(along, sets, *, title: str) -> Figure:
    """Left: median realism residual along the interpolations (one line per run), VAE and AE.
    Right: the residuals of each set of decoded images, VAE beside AE. ``along`` has columns
    model, seed, t, residual; ``sets`` has columns model, set, residual."""
    with plt.rc_context(STYLE):
        fig, (left, right) = plt.subplots(
            1, 2, figsize=(10, 4.6), layout="constrained", gridspec_kw={"width_ratios": [1, 1.6]}
        )
        medians = along.groupby(["model", "seed", "t"], sort=False)["residual"].median()
        for (model, seed), line in medians.groupby(level=["model", "seed"], sort=False):
            label = model.upper() if seed == along["seed"].min() else None
            left.plot(line.index.get_level_values("t"), line.to_numpy(),
                      color=MODEL_COLOURS[model], linewidth=1, alpha=0.8, label=label)  # fmt: skip
        left.set_xlabel("position along the line between two test codes (t)")
        left.set_ylabel("median relative residual")
        left.set_title("between codes")
        left.legend(fontsize=7)
        sns.boxplot(
            data=sets, x="residual", y="set", hue="model", ax=right, fliersize=1,
            palette={model.upper(): colour for model, colour in MODEL_COLOURS.items()},
            hue_order=[m.upper() for m in MODEL_COLOURS if m.upper() in set(sets["model"])],
        )  # fmt: skip
        right.set_xscale("log")  # the boxes lie across, each set's name on a line of its own
        right.set_ylabel("")
        right.set_xlabel("relative residual of the best-fitting density")
        right.set_title("every decoded image (all seeds)")
        fig.suptitle(f"{title}: how much decoded images look like the data (0 = exactly)")
    return fig


def traversal_factors(frame, *, title: str, paths_are: str = "traversal") -> Figure:
    """Fitted factors and residual of the decoded images along each path: one row per path,
    one column per quantity, one line per run (VAE and AE in their colours). ``frame`` has
    columns model, seed, path, step and one column per quantity (None: no traversals).
    ``paths_are`` names the paths in the title (traversals, interpolations)."""
    if frame is None or frame.empty:
        with plt.rc_context(STYLE):
            fig = plt.figure(figsize=(6, 1.5))
            fig.text(0.5, 0.5, f"{title}: no traversals (they are defined for 3-D codes)",
                     ha="center", va="center")  # fmt: skip
        return fig
    paths = list(dict.fromkeys(frame["path"]))
    quantities = [c for c in ("var_x", "var_y", "cor", "df", "residual") if c in frame]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            len(paths), len(quantities), figsize=(2.6 * len(quantities), 2.0 * len(paths)),
            squeeze=False, layout="constrained", sharex="row",
        )  # fmt: skip
        for row, path in enumerate(paths):
            runs = frame[frame["path"] == path]
            for (model, seed), run in runs.groupby(["model", "seed"], sort=False):
                for column, quantity in enumerate(quantities):
                    label = (
                        model.upper()
                        if (row, column, seed) == (0, 0, frame["seed"].min())
                        else None
                    )
                    axes[row, column].plot(run["step"], run[quantity], color=MODEL_COLOURS[model],
                                           linewidth=0.9, alpha=0.8, label=label)  # fmt: skip
            for column, quantity in enumerate(quantities):
                axes[row, column].set_title(f"{path.replace('_', ' ')}: {quantity}")
                if quantity in ("residual", "df"):
                    axes[row, column].set_yscale("log")
            axes[row, 0].set_ylabel("fitted value")
        for ax in axes[-1]:
            ax.set_xlabel("step along the path")
        axes[0, 0].legend(fontsize=7)
        fig.suptitle(f"{title}: factors fitted to the decoded images along each {paths_are}")
    return fig
