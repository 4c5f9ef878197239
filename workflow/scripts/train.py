"""Train one run and write results/models/{dataset}/{model}/seed{seed}/."""

from pathlib import Path

from covae import logs

# Before Keras is imported: TensorFlow's start-up lines go to the job's log, not the console.
log = logs.setup(snakemake.log[0])

from covae import io, training  # noqa: E402

wildcards = snakemake.wildcards
seed = int(wildcards.seed)
spec = training.TrainSpec.from_config(snakemake.params.config, wildcards.model, wildcards.dataset)
data = io.load_arrays(snakemake.input[0])
train_images = data["images"][~data["is_test"]]
log.info(
    "%s %s seed %d: %d training images, %s; %s; training with %s",
    wildcards.dataset, wildcards.model, seed, len(train_images), spec,
    spec.schedule.describe(), training.device(),
)  # fmt: skip
model, history = training.fit(wildcards.model, train_images, spec, seed)
training.save_run(model, history, Path(snakemake.output.history).parent)
