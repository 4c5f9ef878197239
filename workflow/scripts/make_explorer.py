"""Write figures/explorer_{dataset}.html: the offline page that decodes any point of the first
seed's VAE and AE codes in the browser (covae.explorer)."""

import json
from pathlib import Path

from covae import explorer, io, logs

log = logs.setup(snakemake.log[0])
data = io.load_arrays(snakemake.input.data)
test = data["is_test"]
models = {}
for model, decoder, latents, paths in zip(
    snakemake.params.models, snakemake.input.decoders, snakemake.input.latents,
    snakemake.input.paths, strict=True,
):  # fmt: skip
    stored = io.load_arrays(paths)
    models[model] = {
        "decoder": json.loads(Path(decoder).read_text()),
        "codes": io.load_arrays(latents)["z_mean"][test],
        "paths": {
            name: stored[f"{name}_codes"] for name in explorer.PATHS if f"{name}_codes" in stored
        },  # fmt: skip
    }
html = explorer.page(
    snakemake.wildcards.dataset, models, data["images"][test], data["factors"][test],
    seed=snakemake.params.seed, plotly_js=Path(snakemake.input.plotly_js).name,
)  # fmt: skip
io.save_text(snakemake.output[0], html)
log.info("wrote %s (%d bytes; %d test codes per model)", snakemake.output[0], len(html),
         int(test.sum()))  # fmt: skip
