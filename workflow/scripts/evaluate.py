"""Write results/metrics/{dataset}/{model}/seed{seed}.json (every per-run number) and .npz
(the per-image test errors behind the reconstruction numbers)."""

import json

from covae import evaluation, io, logs

log = logs.setup(snakemake.log[0])
wildcards = snakemake.wildcards
seed = int(wildcards.seed)
data = io.load_arrays(snakemake.input.data)
errors = evaluation.reconstruction_errors(
    data["images"], io.load_arrays(snakemake.input.reconstructions)
)
metrics = evaluation.evaluate_run(
    data,
    io.load_arrays(snakemake.input.latents),
    errors,
    evaluation.EvalSpec.from_config({"evaluation": snakemake.params.evaluation}),
    seed,
)
metrics["training"] = evaluation.training_summary(io.load_table(snakemake.input.history))
metrics["run"] = {
    "dataset": wildcards.dataset, "model": wildcards.model, "seed": seed, **snakemake.params.setting
}  # fmt: skip
io.save_record(snakemake.output.metrics, metrics)
io.save_arrays(snakemake.output.errors, errors)
log.info("%s", json.dumps(metrics, sort_keys=True))
