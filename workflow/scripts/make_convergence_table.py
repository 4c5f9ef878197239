"""results/tables/convergence.csv (every run's test error per epoch) and its summary: each
run's final error against its (data set, model)'s reference, and the protocol it implies."""

import pandas as pd

from covae import convergence, logs, tables

log = logs.setup(snakemake.log[0])
curves = pd.concat([pd.read_csv(path) for path in snakemake.input.runs], ignore_index=True)
summary = convergence.summarize(curves, snakemake.params.tolerance, snakemake.params.bounds)
epochs = convergence.choose_epochs(summary)
summary["chosen"] = (summary["schedule"] == "cosine") & (summary["epochs"] == epochs)
tables.save_table(curves, snakemake.output.curves)
tables.save_table(summary, snakemake.output.summary)
tables.save_table(summary, snakemake.output.markdown)
log.info("chosen cosine length: %s epochs", epochs)
for _, row in convergence.speedup(summary).iterrows():
    log.info("%s %s: %s epochs reach the seed's epoch-25 error (%.1fx)", row["dataset"],
             row["model"], row["epochs_needed"], row["ratio"])  # fmt: skip
