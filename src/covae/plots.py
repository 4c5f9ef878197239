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
from matplotlib.ticker import FormatStrFormatter, LogLocator, MaxNLocator  # noqa: E402

from covae.names import DATASETS, MODELS  # noqa: E402

# One style for every figure of the paper (showyourwork's single matplotlibrc, in code).
STYLE: Mapping[str, Any] = {
    "figure.dpi": 100,
    "font.size": 9,
    "axes.titlesize": 8,
    "figure.titlesize": 11,
    "image.interpolation": "nearest",
}

DATASET_LABELS = {"gaussian": "Gaussian set", "student_t": "Student-t set"}
# Colour maps of the two df classes of the Student-t set, as in the seed study.
HEAVY_TAIL_CMAP = "inferno"
LIGHT_TAIL_CMAP = "icefire"

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


def tails(heavy: np.ndarray, light: np.ndarray, factors: np.ndarray, *, dfs, title: str) -> Figure:
    """The same (var_x, var_y, cor) at two df, one column per setting: the heavy-tailed image,
    the light-tailed one, and both along the image's middle row on a log scale (where the
    tails differ by orders of magnitude while the images look alike). ``heavy``, ``light``:
    (n, m, m) images; ``factors``: (n, >=3); ``dfs``: (heavy df, light df)."""
    count = len(factors)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            3, count, figsize=(2.2 * count, 6.6), squeeze=False, layout="constrained"
        )
        for column, (var_x, var_y, cor) in enumerate(factors[:, :3]):
            for row, (image, df, cmap) in enumerate(
                ((heavy, dfs[0], HEAVY_TAIL_CMAP), (light, dfs[1], LIGHT_TAIL_CMAP))
            ):
                ax = axes[row, column]
                ax.imshow(image[column], cmap=_cmap(cmap), vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_title(f"df = {df:g}", fontsize=8)
            axes[0, column].set_title(
                f"$v_x$={var_x:.1f} $v_y$={var_y:.1f} $\\rho$={cor:+.2f}\ndf = {dfs[0]:g}",
                fontsize=8,
            )
            profile = axes[2, column]
            middle = heavy.shape[1] // 2
            for image, df, colour in ((heavy, dfs[0], "crimson"), (light, dfs[1], "0.3")):
                profile.semilogy(image[column, middle], color=colour, label=f"df = {df:g}")
            profile.set_xlabel("pixel along the middle row", fontsize=7)
            profile.tick_params(labelsize=6)
        axes[2, 0].set_ylabel("value (log scale)", fontsize=7)
        axes[2, 0].legend(fontsize=6)
        fig.suptitle(title)
    return fig


def training_curves(history, *, title: str) -> Figure:
    """Training (solid) and validation (dashed) loss per epoch, one panel per model, one line
    per seed; the kept epoch is marked. ``history`` has columns model, seed, epoch, loss,
    val_loss, kept, and, where the runs logged them, excess and val_excess: the losses over the
    targets' entropy floor (nats per image), which are drawn instead, since the raw loss sits
    within a few percent of its floor while the error still halves."""
    models = list(dict.fromkeys(history["model"]))
    excess = {"excess", "val_excess"} <= set(history.columns)
    train, val = ("excess", "val_excess") if excess else ("loss", "val_loss")
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            1, len(models), figsize=(4.2 * len(models), 3.4), squeeze=False, layout="constrained"
        )
        for ax, model in zip(axes.flat, models, strict=True):
            runs = history[history["model"] == model]
            colours = sns.color_palette("viridis", n_colors=runs["seed"].nunique())
            for colour, (seed, run) in zip(colours, runs.groupby("seed"), strict=True):
                ax.plot(run["epoch"], run[train], color=colour, label=f"seed {seed}")
                ax.plot(run["epoch"], run[val], color=colour, linestyle="--")
                kept = run[run["kept"]]
                ax.scatter(kept["epoch"], kept[val], color=colour, marker="o", zorder=3)
            ax.set_title(f"{model.upper()}: train (solid), validation (dashed), kept (dot)")
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel("loss over the entropy floor, nats/image" if excess else "loss per image")
            ax.set_yscale("log")
            ax.legend(fontsize=7)
        fig.suptitle(f"{title}: training curves")
    return fig


MODEL_COLOURS = {"vae": "#1b7837", "ae": "#762a83"}
# The paths drawn on one latent cloud, in order.
PATH_COLOURS = ("crimson", "black", "royalblue")


def reconstruction_error_distributions(errors, *, title: str) -> Figure:
    """Per-image test errors of every run: densities on a log axis (left) and survival
    functions (right, the tails). ``errors`` has columns model, seed, code, error; each run is
    one thin line, VAE and AE in their colours, perturbed codes dashed (the VAE's samples, the
    AE's codes plus that noise: the seed's protocol)."""
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
            axes[0, column].imshow(image, cmap=_cmap(HEAVY_TAIL_CMAP), vmin=0, vmax=1)
            label = f"$v_x$={var_x:.1f} $v_y$={var_y:.1f}\n$\\rho$={cor:+.2f}"
            axes[0, column].set_title(label + ("" if np.isinf(df) else f" df={df:g}"))
            for row, (name, decoded) in enumerate(rows.items(), start=1):
                axes[row, column].imshow(
                    decoded[column], cmap=_cmap(HEAVY_TAIL_CMAP), vmin=0, vmax=1
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


def latent_projections(
    codes: np.ndarray, factors: np.ndarray, names: list[str], *, title: str
) -> Figure:
    """The three coordinate-pair projections of the first three code axes (columns), the
    points coloured by each factor in turn (rows), as the seed study's ``twod_plot``."""
    pairs = [(0, 1), (0, 2), (1, 2)] if codes.shape[1] >= 3 else [(0, 1)]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            len(names), len(pairs), figsize=(3.1 * len(pairs) + 0.8, 2.8 * len(names)),
            squeeze=False, layout="constrained",
        )  # fmt: skip
        for row, name in enumerate(names):
            colour = factors[:, row]
            discrete = np.unique(colour).size <= 2
            for column, (i, j) in enumerate(pairs):
                ax = axes[row, column]
                points = ax.scatter(
                    codes[:, i], codes[:, j], c=colour, s=1.5, linewidths=0, rasterized=True,
                    cmap="coolwarm" if discrete else "viridis",
                )  # fmt: skip
                ax.set_xlabel(f"z{i}")
                ax.set_ylabel(f"z{j}")
            fig.colorbar(points, ax=axes[row, :], label=name, shrink=0.9)
        fig.suptitle(f"{title}: codes (z_mean) of every image, coloured by each factor")
    return fig


def _mosaic(images: np.ndarray, size: int) -> np.ndarray:
    """size x size images (row-major) tiled into one array, first axis down."""
    side = images.shape[-1]
    return images.reshape(size, size, side, side).transpose(0, 2, 1, 3).reshape(size * side, -1)


def latent_grid(grids: Mapping[str, np.ndarray], axes: tuple[int, int], *, title: str) -> Figure:
    """Decoded latent grids side by side (``grids`` maps a panel title to size*size images);
    down: the first grid axis, across: the second."""
    size = int(round(np.sqrt(len(next(iter(grids.values()))))))
    with plt.rc_context(STYLE):
        fig, panels = plt.subplots(
            1, len(grids), figsize=(4.6 * len(grids), 4.9), layout="constrained"
        )
        for ax, (name, images) in zip(np.atleast_1d(panels), grids.items(), strict=True):
            ax.imshow(_mosaic(images, size), cmap=_cmap(HEAVY_TAIL_CMAP), vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(name)
            ax.set_ylabel(f"z{axes[0]} (down)")
            ax.set_xlabel(f"z{axes[1]} (across)")
        fig.suptitle(f"{title}: decoded latent grids, other axes at their medians")
    return fig


def realism_summary(along, sets, *, title: str) -> Figure:
    """Left: median realism residual along the interpolations (one line per run), VAE and AE.
    Right: the residuals of each set of decoded images, VAE beside AE. ``along`` has columns
    model, seed, t, residual; ``sets`` has columns model, set, residual."""
    with plt.rc_context(STYLE):
        fig, (left, right) = plt.subplots(
            1, 2, figsize=(10, 3.6), layout="constrained", gridspec_kw={"width_ratios": [1, 1.6]}
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
            data=sets, x="set", y="residual", hue="model", ax=right, fliersize=1,
            palette={model.upper(): colour for model, colour in MODEL_COLOURS.items()},
            hue_order=[m.upper() for m in MODEL_COLOURS if m.upper() in set(sets["model"])],
        )  # fmt: skip
        right.set_yscale("log")
        right.set_xlabel("")
        right.set_ylabel("relative residual of the best-fitting density")
        right.set_title("every decoded image (all seeds)")
        fig.suptitle(f"{title}: how much decoded images look like the data (0 = exactly)")
    return fig


def latent_3d(codes: np.ndarray, colours: Mapping[str, np.ndarray], *, title: str) -> Figure:
    """The seed's two triptychs of the first three code axes: one column per factor of
    ``colours`` (name -> value per code); the top row with the cloud's projections drawn in
    grey on the three back walls (seen from azimuth 45), the bottom row the points alone
    (seen from azimuth 120)."""
    x, y, z = (codes[:, k] for k in range(3))
    low, high = codes[:, :3].min(axis=0), codes[:, :3].max(axis=0)
    shadow = {"s": 0.5, "color": "0.75", "alpha": 0.3, "linewidths": 0, "rasterized": True}
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(4.2 * len(colours), 8.0), layout="constrained")
        for row, (walls, azimuth) in enumerate(((True, 45), (False, 120))):
            for column, (label, colour) in enumerate(colours.items()):
                ax = fig.add_subplot(2, len(colours), row * len(colours) + column + 1,
                                     projection="3d")  # fmt: skip
                if walls:
                    ax.scatter(x, y, np.full_like(z, low[2]), **shadow)
                    ax.scatter(x, np.full_like(y, high[1]), z, **shadow)
                    ax.scatter(np.full_like(x, low[0]), y, z, **shadow)
                points = ax.scatter(x, y, z, c=colour, s=1.0, cmap="viridis", linewidths=0,
                                    rasterized=True)  # fmt: skip
                ax.view_init(elev=20, azim=azimuth)
                ax.set_xlim(low[0], high[0])
                ax.set_ylim(low[1], high[1])
                ax.set_zlim(low[2], high[2])
                ax.set_xlabel("z0")
                ax.set_ylabel("z1")
                ax.set_zlabel("z2")
                ax.set_title(f"coloured by {label}" + (", wall projections" if walls else ""))
                fig.colorbar(points, ax=ax, label=label, shrink=0.5, pad=0.1)
        fig.suptitle(f"{title}: codes in 3-D")
    return fig


def latent_3d_html(codes: np.ndarray, colours: Mapping[str, np.ndarray], *, title: str):
    """An interactive plotly 3-D scatter of the first three code axes; buttons switch the
    colouring between the entries of ``colours``. Returns a ``plotly.graph_objects.Figure``."""
    import plotly.graph_objects as go

    names = list(colours)
    marker = {"size": 2, "color": colours[names[0]], "colorscale": "Viridis",
              "colorbar": {"title": {"text": names[0]}}}  # fmt: skip
    fig = go.Figure(
        go.Scatter3d(x=codes[:, 0], y=codes[:, 1], z=codes[:, 2], mode="markers", marker=marker)
    )
    buttons = [
        {"label": name, "method": "restyle",
         "args": [{"marker.color": [colours[name]], "marker.colorbar.title.text": name}]}
        for name in names
    ]  # fmt: skip
    fig.update_layout(
        title=title,
        scene={"xaxis_title": "z0", "yaxis_title": "z1", "zaxis_title": "z2"},
        updatemenus=[{"buttons": buttons, "direction": "down", "x": 0.0, "y": 1.0}],
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
    )
    return fig


def traversal(
    codes: np.ndarray,
    colour: np.ndarray,
    label: str,
    paths: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    title: str,
    insets: bool = False,
    points: Mapping[str, np.ndarray] | None = None,
) -> Figure:
    """Paths through the latent cloud and what they decode to (``points``: named sets of codes
    marked on the cloud, such as the bin points a spline was fitted to). Top: the codes on the
    cloud's two leading principal axes, coloured by ``label``, each path drawn with numbered steps
    (with ``insets``, each decoded image also sits beside its code on the cloud, joined to it,
    as in the seed's ``plot_data_and_generated_images``; the path is drawn over them).
    Below: one row of decoded images per path (``paths``
    maps a name to (codes, images))."""
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage

    centre = codes.mean(axis=0)
    _, _, axes = np.linalg.svd(codes - centre, full_matrices=False)

    def project(points: np.ndarray) -> np.ndarray:
        return (points - centre) @ axes[:2].T

    steps = max(len(images) for _, images in paths.values())
    with plt.rc_context(STYLE):
        fig = plt.figure(
            figsize=(max(6.0, 0.95 * steps), 4.2 + 1.1 * len(paths)), layout="constrained"
        )
        grid = fig.add_gridspec(1 + len(paths), steps, height_ratios=[4.0] + [1.0] * len(paths))
        cloud = fig.add_subplot(grid[0, :])
        flat = project(codes)
        scattered = cloud.scatter(flat[:, 0], flat[:, 1], c=colour, s=1, cmap="viridis",
                                  linewidths=0, alpha=0.5, rasterized=True)  # fmt: skip
        fig.colorbar(scattered, ax=cloud, label=label)
        for name, marked in (points or {}).items():
            flat_marked = project(marked)
            cloud.scatter(flat_marked[:, 0], flat_marked[:, 1], marker="x", s=30, color="orange",
                          linewidths=1.2, label=name, zorder=7)  # fmt: skip
        for row, (name, (path, images)) in enumerate(paths.items(), start=1):
            line = project(path)
            # The line on top of everything, so the images beside it never hide it.
            colour_of_path = PATH_COLOURS[(row - 1) % len(PATH_COLOURS)]
            cloud.plot(line[:, 0], line[:, 1], "o-", color=colour_of_path,
                       markersize=3, linewidth=1.2, label=name, zorder=5)  # fmt: skip
            for step in (0, len(line) - 1):
                cloud.annotate(str(step + 1), line[step], fontsize=7, zorder=6)
            if insets:  # each image beside its code, above and below the line in turn
                for step, (point, image) in enumerate(zip(line, images, strict=True)):
                    thumbnail = OffsetImage(image, zoom=0.9, cmap=_cmap(HEAVY_TAIL_CMAP),
                                            norm=plt.Normalize(0, 1))  # fmt: skip
                    cloud.add_artist(AnnotationBbox(
                        thumbnail, point, xybox=(0, 34 if step % 2 == 0 else -34),
                        boxcoords="offset points", pad=0.1, frameon=True, zorder=3,
                        arrowprops={"arrowstyle": "-", "color": "0.4", "linewidth": 0.5},
                    ))  # fmt: skip
            for step, image in enumerate(images):
                ax = fig.add_subplot(grid[row, step])
                ax.imshow(image, cmap=_cmap(HEAVY_TAIL_CMAP), vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
                if step == 0:
                    ax.set_ylabel(name, fontsize=7)
                ax.set_title(str(step + 1), fontsize=7)
        cloud.set_xlabel("first principal axis of the codes")
        cloud.set_ylabel("second principal axis")
        cloud.legend(fontsize=7)
        fig.suptitle(title)
    return fig


def embedding_views(
    coordinates: np.ndarray, factors: np.ndarray, names: list[str], *, method: str, title: str
) -> Figure:
    """One panel per factor: 2-D ``coordinates`` of the codes coloured by that factor."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            1, len(names), figsize=(3.2 * len(names), 3.2), squeeze=False, layout="constrained"
        )
        for ax, name, colour in zip(axes.flat, names, factors.T, strict=True):
            discrete = np.unique(colour).size <= 2
            points = ax.scatter(coordinates[:, 0], coordinates[:, 1], c=colour, s=2,
                                cmap="coolwarm" if discrete else "viridis", linewidths=0,
                                rasterized=True)  # fmt: skip
            fig.colorbar(points, ax=ax, label=name, shrink=0.8)
            ax.set_xlabel(f"{method} 1")
            ax.set_ylabel(f"{method} 2")
        fig.suptitle(title)
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
                axes[row, column].set_title(f"{path}: {quantity}")
                if quantity in ("residual", "df"):
                    axes[row, column].set_yscale("log")
            axes[row, 0].set_ylabel("fitted value")
        for ax in axes[-1]:
            ax.set_xlabel("step along the path")
        axes[0, 0].legend(fontsize=7)
        fig.suptitle(f"{title}: factors fitted to the decoded images along each {paths_are}")
    return fig


VERDICT_COLOURS: Mapping[str, str] = {
    "holds": "#1a9850",
    "fails": "#d73027",
    "not shown": "#878787",
}


def claims_chart(verdicts, seeds, *, title: str) -> Figure:
    """One panel per claim x subject (rows) and data set (columns, in the study's order): each
    seed's value (dots), the mean and its interval (bar, coloured by verdict) and the region
    where the claim is true (shaded). A claim made of one data set only leaves the other's
    panel empty."""
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
        axes[0, column].set_title(DATASET_LABELS.get(dataset, dataset), fontsize=9, pad=16)
    for row in verdicts.itertuples(index=False):
        ax = axes[keys.index((row.claim, row.subject)), datasets.index(row.dataset)]
        ax.set_axis_on()
        values = seeds[
            (seeds["claim"] == row.claim)
            & (seeds["dataset"] == row.dataset)
            & (seeds["subject"] == row.subject)
        ]["value"].to_numpy()
        _claim_panel(ax, row, values)
    fig.suptitle(title)
    return fig


def _claim_panel(ax, row, values) -> None:
    """One claim on one data set: seeds, interval, verdict colour, true region, label."""
    colour = VERDICT_COLOURS.get(row.verdict.removesuffix(" (one seed)"), "#878787")
    ax.scatter(values, np.zeros_like(values), s=14, color="0.3", zorder=3)
    if np.isfinite(row.ci_low):
        ax.plot([row.ci_low, row.ci_high], [0, 0], color=colour, lw=5, alpha=0.8)
    ax.plot([row.mean], [0], marker="|", ms=14, color=colour, mew=2)
    bounds = [v for v in (row.low, row.high) if np.isfinite(v)]
    for bound in bounds:  # where the claim turns true
        ax.axvline(bound, color="0.2", lw=0.8, ls="--")
    finite = [v for v in (row.ci_low, row.ci_high) if np.isfinite(v)]
    shown = np.r_[values, row.mean, finite, bounds]
    low, high = shown.min(), shown.max()
    pad = 0.15 * (high - low) + 0.05 * max(abs(low), abs(high), 1e-3)
    ax.set_xlim(low - pad, high + pad)
    ax.axvspan(max(row.low, low - pad), min(row.high, high + pad), color=colour, alpha=0.08, lw=0)
    ax.set_yticks([])
    ax.text(0.0, 1.05, f"{row.claim} · {row.subject}: {row.verdict} ({row.k} of {row.n} "
            f"seeds; {row.criterion})", transform=ax.transAxes, fontsize=6.5,
            va="bottom")  # fmt: skip
    ax.tick_params(axis="x", labelsize=7)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)


def claims_by_budget_chart(frame, seeds, *, title: str) -> Figure:
    """One panel per claim x subject (rows) and data set (columns): for each budget (one line
    each, the main study on top), the seeds' values (dots) and the mean with its interval,
    coloured by the Holm-adjusted verdict, over the region where the claim is true (dashed
    bounds). A panel whose verdict changes with the budget says so in its label. ``frame``:
    covae.budgets.by_budget; ``seeds``: the claims' per-seed values with a ``budget`` column."""
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
        axes[0, column].set_title(DATASET_LABELS.get(dataset, dataset), fontsize=9, pad=16)
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
            ax.plot([row.mean], [y], marker="|", ms=10, color=colour, mew=2)
            shown += [*values, row.mean, *(v for v in (row.ci_low, row.ci_high) if np.isfinite(v))]
        first = block.iloc[0]
        bounds = [v for v in (first.low, first.high) if np.isfinite(v)]
        for bound in bounds:
            ax.axvline(bound, color="0.2", lw=0.8, ls="--")
        shown = np.r_[shown, bounds]
        low, high = shown.min(), shown.max()
        pad = 0.15 * (high - low) + 0.05 * max(abs(low), abs(high), 1e-3)
        ax.set_xlim(low - pad, high + pad)
        ax.axvspan(max(first.low, low - pad), min(first.high, high + pad), color="0.5",
                   alpha=0.08, lw=0)  # fmt: skip
        ax.set_ylim(-0.6, len(budgets) - 0.4)
        ax.set_yticks(range(len(budgets)), budgets[::-1], fontsize=6.5)
        verdicts = " / ".join(block["verdict"])
        flag = "  BUDGET-DEPENDENT" if block["budget_dependent"].any() else ""
        ax.text(0.0, 1.05, f"{claim} · {subject}: {verdicts} ({first.criterion}){flag}",
                transform=ax.transAxes, fontsize=6.5, va="bottom",
                color="#b2182b" if flag else "black")  # fmt: skip
        ax.tick_params(axis="x", labelsize=7)
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)
    fig.suptitle(title)
    return fig


SCHEDULE_COLOURS = {"exponential": "#444444"}
# One colour family per batch size of the cosine runs (largest batch first), dark = longest.
BATCH_COLOURS = ("Blues", "Oranges", "Greens", "Purples")


def convergence_palette(runs) -> dict[str, Any]:
    """A colour per convergence run: the seed's schedule grey; the cosine runs one colour
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
    reference run's final error (grey) and the seed schedule's error at the epoch the seed
    study stopped that model (``seed_at_bound``, dashed: what the chosen run must not exceed)
    are marked. ``curves``: dataset, model, run, epoch, test_error_z_mean[,
    test_error_z_sample]; ``summary``: covae.convergence.summarize (with ``chosen``)."""
    from covae.convergence import parse_name

    pairs = list(dict.fromkeys(zip(curves["dataset"], curves["model"], strict=True)))
    names = list(dict.fromkeys(curves["run"]))
    palette = convergence_palette(names)
    order = lambda run: (parse_name(run).kind == "cosine", -parse_name(run).batch,  # noqa: E731
                         parse_name(run).epochs)  # fmt: skip
    runs = sorted(names, key=order)
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
            ax.set_title(f"{dataset}, {model.upper()}: reference {reference:.3f}",
                         fontsize=9)  # fmt: skip
            ax.set_ylabel("mean test error (Frobenius)")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for ax in axes[-1]:
            ax.set_xlabel("epoch")
        axes.flat[0].legend(fontsize=7, title="z_mean solid, VAE samples dotted", title_fontsize=7)
        fig.suptitle(f"{title}\ngrey: the reference (final error of the run of most steps, "
                     f"{summary['reference_run'].iloc[0]}); "
                     "dashed, dot: the seed schedule where the seed study stopped",
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
                ax.plot(test["learning_rate"], smooth, color=colour, label=f"{dataset} {model}")
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
