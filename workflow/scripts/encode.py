"""Write results/latents/{dataset}/{model}/seed{seed}.npz: the codes of every image."""

import keras

from covae import io, logs, training

log = logs.setup(snakemake.log[0])
data = io.load_arrays(snakemake.input.data)
encoder = keras.models.load_model(f"{snakemake.input.run}/encoder.keras")
codes = training.encode(
    encoder, data["images"], seed=int(snakemake.wildcards.seed), loss=snakemake.params.loss
)
io.save_arrays(snakemake.output[0], codes)
log.info("encoded %d images: %s", len(data["images"]), {k: v.shape for k, v in codes.items()})
