"""Write the codes of every image (results/latents/...) and the decoded test images
(results/reconstructions/...) of one run."""

import keras

from covae import io, logs, training

log = logs.setup(snakemake.log[0])
data = io.load_arrays(snakemake.input.data)
run = snakemake.input.run
codes = training.encode(
    keras.models.load_model(f"{run}/encoder.keras"),
    data["images"],
    seed=int(snakemake.wildcards.seed),
    loss=snakemake.params.loss,
)
io.save_arrays(snakemake.output.latents, codes)
log.info("encoded %d images: %s", len(data["images"]), {k: v.shape for k, v in codes.items()})
decoder = keras.models.load_model(f"{run}/decoder.keras")
decoded = training.reconstruct(decoder, codes, data["is_test"])
io.save_arrays(snakemake.output.reconstructions, decoded)
log.info("decoded %d test images from %s", len(decoded["index"]), sorted(set(decoded) - {"index"}))
