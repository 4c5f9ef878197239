"""Draw figures/training_{dataset}.png: loss per epoch, both models, every seed."""

from pathlib import Path

import pandas as pd

from covae import io, logs, plots

log = logs.setup(snakemake.log[0])
histories = []
for path in map(Path, snakemake.input.runs):
    history, run = pd.read_csv(path), path.parent
    history["model"] = run.parent.name
    history["seed"] = int(run.name.removeprefix("seed"))
    histories.append(history)
fig = plots.training_curves(pd.concat(histories), title=snakemake.wildcards.dataset)
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
log.info("drew %d runs to %s", len(histories), snakemake.output[0])
