"""Draw figures/training_{dataset}.png: loss per epoch, both models, every seed."""

import pandas as pd

from covae import draw_training, io, logs, names

log = logs.setup(snakemake.log[0])
histories = []
for path in snakemake.input.runs:
    run = names.run_of(path)
    histories.append(io.load_table(path).assign(model=run["model"], seed=run["seed"]))
fig = draw_training.training_curves(
    pd.concat(histories), title=names.label(snakemake.wildcards.dataset)
)
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
log.info("drew %d runs to %s", len(histories), snakemake.output[0])
