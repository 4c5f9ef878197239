"""Draw figures/heatmaps_{dataset}.png: example images titled with their factors."""

import numpy as np

from covae import draw_data, io, logs, names

log = logs.setup(snakemake.log[0])
figure = snakemake.params.figure
data = io.load_arrays(snakemake.input.data)

count = min(figure["rows"] * figure["cols"], len(data["images"]))
rng = np.random.default_rng(figure["seed"])
chosen = draw_data.choose_examples(data["factors"][:, 3], count, rng)
fig = draw_data.heatmap_grid(
    data["images"][chosen],
    data["factors"][chosen],
    rows=figure["rows"],
    cols=figure["cols"],
    title=f"{names.label(snakemake.wildcards.dataset)}: examples of the 36x36 heatmaps",
    heavy_df=snakemake.params.heavy_df,
)
io.save_figure(fig, snakemake.output[0], dpi=figure["dpi"])
log.info("drew %d examples to %s", count, snakemake.output[0])
