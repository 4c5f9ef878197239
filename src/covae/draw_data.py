"""Figures of the data sets: example heatmaps and the heavy-tailed images beside light ones."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from covae.style import HEAVY_TAIL_CMAP, LIGHT_TAIL_CMAP, STYLE, colour_map


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
            ax.imshow(image, cmap=colour_map(cmap), vmin=0, vmax=1)
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
    the light-tailed one, and both along the image's middle row on a log scale (where they
    part as the density falls, while the images look alike). ``heavy``, ``light``:
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
                ax.imshow(image[column], cmap=colour_map(cmap), vmin=0, vmax=1)
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
