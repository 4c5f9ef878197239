"""results/tables/convergence.csv (every run's test error per epoch) and its summary: each
run's final error against its (data set, model)'s reference, and the protocol it implies."""

import pandas as pd

from covae import convergence, io, logs, tables

log = logs.setup(snakemake.log[0])
curves = pd.concat([io.load_table(path) for path in snakemake.input.runs], ignore_index=True)
summary = convergence.summarize(curves, snakemake.params.tolerance, snakemake.params.bounds)
chosen = convergence.choose_protocol(summary)
summary["chosen"] = summary["run"] == (chosen.name if chosen else None)
tables.save_table(curves, snakemake.output.curves)
tables.save_table(summary, snakemake.output.summary)
tables.save_table(summary, snakemake.output.markdown)
log.info(
    "reference: %s; chosen protocol: %s",
    summary["reference_run"].iloc[0],
    chosen.name if chosen else "none (no cheaper run within tolerance on every pair)",
)
for _, row in convergence.speedup(summary).iterrows():
    log.info("%s %s: %s epochs reach the source study's epoch-25 error (%.1fx)", row["dataset"],
             row["model"], row["epochs_needed"], row["ratio"])  # fmt: skip
