"""Write {root}/realism/{dataset}/{model}/seed{seed}.npz (fitted factors and residual of every
decoded image) and .json (the residuals summarized, joined to the run's metrics in the tables)."""

import json

from covae import heatmaps, io, logs, realism

log = logs.setup(snakemake.log[0])
wildcards = snakemake.wildcards
grid = snakemake.params.grid
axis = heatmaps.axis_grid(grid["start"], grid["stop"], grid["step"])
arrays, summary = realism.assess_run(
    axis,
    io.load_arrays(snakemake.input.data),
    io.load_arrays(snakemake.input.reconstructions),
    io.load_arrays(snakemake.input.paths),
    sample=snakemake.params.realism["sample"],
    seed=snakemake.params.realism["seed"],
    threads=snakemake.threads,
)
io.save_arrays(snakemake.output.arrays, arrays)
run = {"dataset": wildcards.dataset, "model": wildcards.model, "seed": int(wildcards.seed)}
document = {"run": {**run, **snakemake.params.setting}, "realism": summary}
io.save_record(snakemake.output.summary, document)
log.info("%s", json.dumps(summary, sort_keys=True))
