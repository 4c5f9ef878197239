"""Write results/tables/sweep.csv and .md: every metric per model setting (latent_dim, beta),
data set and model, across seeds."""

from covae import logs, tables

log = logs.setup(snakemake.log[0])
keys = tables.SWEEP_KEYS
runs = tables.load_run_files(snakemake.input.metrics, snakemake.input.realism, keys)
frame = tables.long_frame(runs, keys=keys)
summary = tables.summarize(
    frame, snakemake.params.confidence, by=("latent_dim", "beta", "dataset", "model")
)
tables.save_table(summary, snakemake.output.csv)
tables.save_table(summary, snakemake.output.md)
log.info(
    "%d runs over %d settings", len(runs), len(summary[["latent_dim", "beta"]].drop_duplicates())
)
