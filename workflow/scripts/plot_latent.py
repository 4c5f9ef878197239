"""Draw figures/latent_{dataset}_{model}.png: the code projections coloured by each factor."""

from covae import draw_latent, io, logs, names

log = logs.setup(snakemake.log[0])
data = io.load_arrays(snakemake.input.data)
codes = io.load_arrays(snakemake.input.latents)["z_mean"]
columns = names.factor_columns(data["factors"])
fig = draw_latent.latent_projections(
    codes,
    data["factors"][:, columns],
    [names.FACTOR_NAMES[j] for j in columns],
    title=names.label(snakemake.wildcards.dataset, snakemake.wildcards.model),
)
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
log.info("drew %d codes to %s", len(codes), snakemake.output[0])
