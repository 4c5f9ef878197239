"""Draw figures/sweep_{dataset}.png: the headline metrics of every setting of the sweep of the
code (latent_dim, beta), mean over seeds with its interval."""

import pandas as pd

from covae import draw_evaluation, io, logs, names

log = logs.setup(snakemake.log[0])
dataset = snakemake.wildcards.dataset
summary = pd.read_csv(snakemake.input.table).query("dataset == @dataset")
shown = {k: v for k, v in draw_evaluation.HEADLINE_METRICS.items() if k in set(summary["metric"])}
fig = draw_evaluation.sweep_metrics(summary, shown, title=names.label(dataset))
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
settings = summary[["latent_dim", "beta"]].drop_duplicates()
log.info("drew %d metrics of %d settings to %s", len(shown), len(settings), snakemake.output[0])
