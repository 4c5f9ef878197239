"""Draw figures/reconstructions_{dataset}.png: the same random test images, input | VAE | AE."""

import numpy as np

from covae import draw_evaluation, io, logs, names

log = logs.setup(snakemake.log[0])
figure = snakemake.params.figure
data = io.load_arrays(snakemake.input.data)
decoded = {
    model: io.load_arrays(path)
    for model, path in zip(snakemake.params.models, snakemake.input.runs, strict=True)
}
index = decoded[snakemake.params.models[0]]["index"]
rng = np.random.default_rng(figure["seed"])
chosen = np.sort(rng.choice(len(index), size=min(figure["count"], len(index)), replace=False))
fig = draw_evaluation.reconstruction_examples(
    data["images"][index[chosen]],
    data["factors"][index[chosen]],
    {model.upper(): arrays["z_mean"][chosen] for model, arrays in decoded.items()},
    {
        model.upper(): io.load_arrays(path)["z_mean"][chosen]  # row-aligned with "index"
        for model, path in zip(snakemake.params.models, snakemake.input.errors, strict=True)
    },
    title=names.label(snakemake.wildcards.dataset),
)
io.save_figure(fig, snakemake.output[0], dpi=figure["dpi"])
log.info("drew %d test images to %s", len(chosen), snakemake.output[0])
