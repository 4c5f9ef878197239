"""Write {root}/paths/{dataset}/{model}/seed{seed}.npz: interpolations between the same random
test pairs for every model, the two latent grids and (3-D codes) the hull, plane and gap
traversals, as codes and decoded images."""

import keras
import numpy as np

from covae import io, logs, training, traversals

log = logs.setup(snakemake.log[0])
explore = snakemake.params.exploration
data = io.load_arrays(snakemake.input.data)
codes = io.load_arrays(snakemake.input.latents)["z_mean"]
decoder = keras.models.load_model(f"{snakemake.input.run}/decoder.keras")

line = explore["interpolation"]
pairs = traversals.choose_pairs(np.flatnonzero(data["is_test"]), line["pairs"], line["seed"])
paths = traversals.linear_paths(codes[pairs[:, 0]], codes[pairs[:, 1]], line["steps"])
grid = explore["latent_grid"]
grids = traversals.latent_grids(codes, grid["size"], grid["low"], grid["high"])
arrays = {"pairs": pairs, "interpolation_codes": paths, "grid_axes": grids["axes"]}
arrays["interpolation_images"] = training.decode(decoder, paths)
for name in ("uniform", "quantile"):
    arrays[f"grid_{name}_codes"] = grids[name]
    arrays[f"grid_{name}_images"] = training.decode(decoder, grids[name])
if codes.shape[1] == 3:  # the hull, plane and gap traversals are defined in 3-D
    for name, path in traversals.traversals_3d(codes, data["factors"], explore).items():
        arrays[f"{name}_codes"] = path
        arrays[f"{name}_images"] = training.decode(decoder, path)
io.save_arrays(snakemake.output[0], arrays)
log.info("decoded %d interpolations of %d steps and two %dx%d grids over axes %s",
         len(pairs), line["steps"], grid["size"], grid["size"], grids["axes"])  # fmt: skip
