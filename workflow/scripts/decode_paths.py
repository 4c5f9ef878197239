"""Write {root}/paths/{dataset}/{model}/seed{seed}.npz: every path through one run's latent
space (covae.traversals, from the run's codes and the ``exploration`` settings) and the
images its decoder makes of each."""

from covae import logs

# Before Keras is imported: TensorFlow's start-up lines go to the job's log, not the console.
log = logs.setup(snakemake.log[0])


from covae import inference, io, traversals  # noqa: E402

data = io.load_arrays(snakemake.input.data)
codes = io.load_arrays(snakemake.input.latents)["z_mean"]
decoder = inference.load_model(snakemake.input.decoder)
paths = traversals.paths_of(
    codes, data["factors"], data["is_test"], snakemake.params.exploration,
    prior=snakemake.wildcards.model == "vae",
)  # fmt: skip
for name in [key.removesuffix("_codes") for key in paths if key.endswith("_codes")]:
    paths[f"{name}_images"] = inference.decode(decoder, paths[f"{name}_codes"])
io.save_arrays(snakemake.output.paths, paths)
log.info("decoded paths: %s", {k: v.shape[:-1] for k, v in paths.items() if k.endswith("_codes")})
