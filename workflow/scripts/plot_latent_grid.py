"""Draw figures/latent_grid_{dataset}_{model}.png: the decoded uniform and inverse-CDF grids."""

from covae import draw_latent, io, logs, names

log = logs.setup(snakemake.log[0])
paths = io.load_arrays(snakemake.input.paths)
fig = draw_latent.latent_grid(
    {
        "evenly spaced between code quantiles": paths["grid_uniform_images"],
        "at normal quantiles (inverse CDF)": paths["grid_quantile_images"],
    },
    tuple(paths["grid_axes"]),
    title=names.label(snakemake.wildcards.dataset, snakemake.wildcards.model),
)
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
log.info(
    "drew two grids of %d images to %s", len(paths["grid_uniform_images"]), snakemake.output[0]
)
