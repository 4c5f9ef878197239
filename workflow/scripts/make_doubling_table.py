"""Write results/tables/doubling.csv and .md: the study's runs on the convergence seed beside
the same runs trained for convergence.doubling.epochs (the next doubling)."""

import numpy as np
import pandas as pd

from covae import convergence, io, logs, names, tables

log = logs.setup(snakemake.log[0])


def finals(metrics, histories):
    """One row per run: its data set, model, epochs trained and final test errors."""
    rows = []
    for metrics_path, history_path in zip(metrics, histories, strict=True):
        run = names.run_of(metrics_path)
        flat = tables.flatten(io.load_record(metrics_path))
        rows.append({
            "dataset": run["dataset"],
            "model": run["model"],
            "epochs": len(io.load_table(history_path)),
            convergence.ERROR: flat["reconstruction.z_mean.mean"],
            convergence.SAMPLED_ERROR: flat.get("reconstruction.z_sample.mean", np.nan),
        })  # fmt: skip
    return pd.DataFrame(rows)


inputs = snakemake.input
table = convergence.doubling(
    finals(inputs.study_metrics, inputs.study_histories),
    finals(inputs.doubled_metrics, inputs.doubled_histories),
    snakemake.params.tolerance,
)
tables.save_table(table, snakemake.output.csv)
tables.save_table(table, snakemake.output.markdown)
log.info("%d runs; study runs within tolerance of the doubled: %d",
         len(table), int(table["within_tolerance"].sum()))  # fmt: skip
