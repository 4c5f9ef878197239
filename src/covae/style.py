"""The one style of every figure of the paper (showyourwork's single matplotlibrc, in code):
rc settings, labels and colours the figure modules share. Importing it selects the Agg
backend (no screen)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

# One style for every figure of the paper (showyourwork's single matplotlibrc, in code).
STYLE: Mapping[str, Any] = {
    "figure.dpi": 100,
    "font.size": 9,
    "axes.titlesize": 8,
    "figure.titlesize": 11,
    "image.interpolation": "nearest",
}

# Colour maps of the two df classes of the Student-t set, as in the source study.
HEAVY_TAIL_CMAP = "inferno"

LIGHT_TAIL_CMAP = "icefire"


def colour_map(name: str):
    """The colour map ``name``: matplotlib's, or seaborn's ``icefire``. seaborn is imported
    only for that one (it and the scipy.stats it loads take ~0.6 s), so the figure jobs that
    draw no light-tailed images start without it."""
    if name == "icefire":
        import seaborn as sns

        return sns.color_palette(name, as_cmap=True)
    return plt.get_cmap(name)


MODEL_COLOURS = {"vae": "#1b7837", "ae": "#762a83"}

# The paths drawn on one latent cloud, in order.
PATH_COLOURS = ("crimson", "black", "royalblue")

VERDICT_COLOURS: Mapping[str, str] = {
    "holds": "#1a9850",
    "fails": "#d73027",
    "not shown": "#878787",
}
