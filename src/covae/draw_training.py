"""Figures of training: the loss per epoch of every run."""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from covae.style import STYLE


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
