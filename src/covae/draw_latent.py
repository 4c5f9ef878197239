"""Figures of the latent spaces: projections, 3-D clouds, decoded grids, traversals, embeddings."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from covae.geometry import svd_axes
from covae.style import HEAVY_TAIL_CMAP, PATH_COLOURS, STYLE, colour_map


def latent_projections(
    codes: np.ndarray, factors: np.ndarray, names: list[str], *, title: str
) -> Figure:
    """The three coordinate-pair projections of the first three code axes (columns), the
    points coloured by each factor in turn (rows), as the source study's ``twod_plot``."""
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
            ax.imshow(_mosaic(images, size), cmap=colour_map(HEAVY_TAIL_CMAP), vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(name)
            ax.set_ylabel(f"z{axes[0]} (down)")
            ax.set_xlabel(f"z{axes[1]} (across)")
        fig.suptitle(f"{title}: decoded latent grids, other axes at their medians")
    return fig


def latent_3d(codes: np.ndarray, colours: Mapping[str, np.ndarray], *, title: str) -> Figure:
    """The source study's two triptychs of the first three code axes: one column per factor of
    ``colours`` (name -> value per code); the top row with the cloud's projections drawn in
    grey on the three back walls (seen from azimuth 45), the bottom row the points alone
    (seen from azimuth 120). A 2-D code is drawn in the plane z2 = 0."""
    codes, kind = _three_axes(codes)
    x, y, z = codes.T
    low, high = codes.min(axis=0), codes.max(axis=0)
    flat = high <= low  # a flat axis (a 2-D code's third) gets a span, the plane at its middle
    low, high = np.where(flat, low - 0.5, low), np.where(flat, high + 0.5, high)
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
        fig.suptitle(f"{title}: {kind}")
    return fig


def _three_axes(codes: np.ndarray) -> tuple[np.ndarray, str]:
    """The first three axes of ``codes`` (a 2-D code with a third axis of zeros) and what the
    3-D views show of them."""
    if codes.shape[1] >= 3:
        return codes[:, :3], "codes in 3-D" if codes.shape[1] == 3 else "first three code axes"
    return np.column_stack([codes, np.zeros(len(codes))]), "2-D codes, drawn in the plane z2 = 0"


def latent_3d_html(codes: np.ndarray, colours: Mapping[str, np.ndarray], *, title: str):
    """An interactive plotly 3-D scatter of the first three code axes; buttons switch the
    colouring between the entries of ``colours``. Returns a ``plotly.graph_objects.Figure``."""
    import plotly.graph_objects as go

    names = list(colours)
    codes, kind = _three_axes(codes)
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
    as in the source study's ``plot_data_and_generated_images``; the path is drawn over them).
    Below: one row of decoded images per path (``paths``
    maps a name to (codes, images))."""
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage

    centre = codes.mean(axis=0)
    axes = svd_axes(codes)

    def project(points: np.ndarray) -> np.ndarray:
        return (points - centre) @ axes[:2].T

    # No paths (a code without 3-D traversals): the cloud alone, its title says why.
    steps = max((len(images) for _, images in paths.values()), default=1)
    flat = project(codes)
    lines = {name: project(path) for name, (path, _) in paths.items()}
    marked = [project(m) for m in (points or {}).values()]
    low, high = robust_limits(flat, [*lines.values(), *marked])
    with plt.rc_context(STYLE):
        fig = plt.figure(
            figsize=(max(6.0, 0.95 * steps), 4.2 + 1.1 * len(paths) + (1.6 if insets else 0)),
            layout="constrained",
        )
        grid = fig.add_gridspec(1 + len(paths), steps, height_ratios=[4.0] + [1.0] * len(paths))
        cloud = fig.add_subplot(grid[0, :])
        inside = np.all((flat >= low) & (flat <= high), axis=1)
        scattered = cloud.scatter(flat[inside, 0], flat[inside, 1], c=colour[inside], s=1,
                                  cmap="viridis", linewidths=0, alpha=0.5, rasterized=True,
                                  vmin=np.min(colour), vmax=np.max(colour))  # fmt: skip
        fig.colorbar(scattered, ax=cloud, label=label)
        if not inside.all():  # outliers drawn on the frame, so the cloud keeps its room
            edge = np.clip(flat[~inside], low, high)
            cloud.scatter(
                edge[:, 0],
                edge[:, 1],
                marker="D",
                s=10,
                color="0.35",
                zorder=4,
                label=f"{int((~inside).sum())} codes beyond the axes (on the frame)",
            )
        for name, marked in (points or {}).items():
            flat_marked = project(marked)
            cloud.scatter(flat_marked[:, 0], flat_marked[:, 1], marker="x", s=30, color="orange",
                          linewidths=1.2, label=name, zorder=7)  # fmt: skip
        for row, (name, (_, images)) in enumerate(paths.items(), start=1):
            line = lines[name]
            # The line on top of everything, so nothing beside it hides it.
            colour_of_path = PATH_COLOURS[(row - 1) % len(PATH_COLOURS)]
            cloud.plot(line[:, 0], line[:, 1], "o-", color=colour_of_path,
                       markersize=3, linewidth=1.2, label=name, zorder=5)  # fmt: skip
            for step in (0, len(line) - 1):
                cloud.annotate(str(step + 1), line[step], fontsize=7, zorder=6)
            if insets and row == 1:  # the first path's images in a strip above the panel
                count = len(line)
                for step, (point, image) in enumerate(zip(line, images, strict=True)):
                    thumbnail = OffsetImage(image, zoom=0.8, cmap=colour_map(HEAVY_TAIL_CMAP),
                                            norm=plt.Normalize(0, 1))  # fmt: skip
                    cloud.add_artist(AnnotationBbox(
                        thumbnail, point, xybox=((step + 0.5) / count, 1.13),
                        boxcoords="axes fraction", pad=0.1, frameon=True, zorder=3,
                        annotation_clip=False,
                        arrowprops={"arrowstyle": "-", "color": colour_of_path,
                                    "linewidth": 0.4, "alpha": 0.6},
                    ))  # fmt: skip
            for step, image in enumerate(images):
                ax = fig.add_subplot(grid[row, step])
                ax.imshow(image, cmap=colour_map(HEAVY_TAIL_CMAP), vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
                if step == 0:
                    ax.set_ylabel(textwrap.fill(name, 12), fontsize=7)
                ax.set_title(str(step + 1), fontsize=7)
        cloud.set_xlim(low[0], high[0])
        cloud.set_ylim(low[1], high[1])
        cloud.set_xlabel("first principal axis of the codes")
        cloud.set_ylabel("second principal axis")
        if cloud.get_legend_handles_labels()[0]:
            cloud.legend(fontsize=7)
        fig.suptitle(title)
    return fig


def robust_limits(
    flat: np.ndarray, keep: Sequence[np.ndarray] = (), share: float = 0.005, pad: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Axis limits (low, high per column) that hold the codes between their ``share`` and
    1 - ``share`` quantiles and every point of ``keep`` (the paths), padded by ``pad`` of the
    span: a few far outliers no longer squeeze the cloud into a corner."""
    low = np.quantile(flat, share, axis=0)
    high = np.quantile(flat, 1 - share, axis=0)
    for points in keep:
        if len(points):
            low, high = np.minimum(low, points.min(axis=0)), np.maximum(high, points.max(axis=0))
    span = np.maximum(high - low, 1e-9)
    return low - pad * span, high + pad * span


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
