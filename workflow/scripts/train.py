"""Train one run, or take it from the model store when a stored model has its fingerprint,
and write {root}/models/{dataset}/{model}/seed{seed}/ (whole, or not at all)."""

from pathlib import Path

from covae import logs

# Before Keras is imported: TensorFlow's start-up lines go to the job's log, not the console.
log = logs.setup(snakemake.log[0])

# Keras is imported only to train: a run taken from the model store is copied without it.
from covae import io, protocol, store  # noqa: E402

wildcards = snakemake.wildcards
dataset, model_name, seed = wildcards.dataset, wildcards.model, int(wildcards.seed)
config = snakemake.params.config
fingerprint = store.fingerprint(config, dataset, model_name, seed)
stored = store.find(snakemake.params.store, fingerprint)
with io.atomic_folder(Path(snakemake.output.history).parent) as folder:
    if stored is not None:
        origin = store.take(stored, folder)["provenance"]
        log.info("%s %s seed %d: taken from the model store (%s; trained with %s, %s s)",
                 dataset, model_name, seed, stored, origin.get("device"),
                 origin.get("train_seconds"))  # fmt: skip
    else:
        from covae import training

        spec = protocol.TrainSpec.from_config(config, model_name, dataset)
        data = io.load_arrays(snakemake.input.data)
        train_images = data["images"][~data["is_test"]]
        log.info(
            "%s %s seed %d: %d training images, %s; %s; training with %s",
            dataset, model_name, seed, len(train_images), spec, spec.schedule.describe(),
            training.device(),
        )  # fmt: skip
        model, history = training.fit(model_name, train_images, spec, seed)
        training.save_run(model, history, folder)
        store.seal(folder, fingerprint, store.provenance(float(history["seconds"].sum())))
