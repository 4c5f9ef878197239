"""Write what one run's encoder and decoder give for the data: the codes of every image
({root}/latents/...) and the decoded test images ({root}/reconstructions/...)."""

from covae import logs

# Before Keras is imported: TensorFlow's start-up lines go to the job's log, not the console.
log = logs.setup(snakemake.log[0])

from covae import inference, io  # noqa: E402

data = io.load_arrays(snakemake.input.data)
codes = inference.encode(
    inference.load_model(snakemake.input.encoder),
    data["images"],
    seed=int(snakemake.wildcards.seed),
    loss=snakemake.params.loss,
)
io.save_arrays(snakemake.output.latents, codes)
log.info("encoded %d images: %s", len(data["images"]), {k: v.shape for k, v in codes.items()})

decoder = inference.load_model(snakemake.input.decoder)
decoded = inference.reconstruct(decoder, codes, data["is_test"])
vae_latents = list(snakemake.input.vae_latents)  # the same seed's VAE codes (AE runs only)
if vae_latents:
    # The source study's protocol for the AE: its codes plus the very noise the same seed's VAE drew
    # (z_sample - z_mean), so both are decoded from equally perturbed codes.
    vae = io.load_arrays(vae_latents[0])
    noisy = codes["z_mean"][decoded["index"]] + (vae["z_sample"] - vae["z_mean"])[decoded["index"]]
    decoded["seed_protocol"] = inference.decode(decoder, noisy)
io.save_arrays(snakemake.output.reconstructions, decoded)
log.info("decoded %d test images from %s", len(decoded["index"]), sorted(set(decoded) - {"index"}))
