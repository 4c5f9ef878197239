"""Draw figures/latent3d_{dataset}_{model}.png (the source study's triptychs: 3-D views coloured by
var_x, var_y and cor, with and without wall projections) and .html (interactive, coloured by
cor, |var_x - var_y| and df on the t set)."""

import numpy as np

from covae import draw_latent, io, logs, names

log = logs.setup(snakemake.log[0])
wildcards = snakemake.wildcards
data = io.load_arrays(snakemake.input.data)
codes = io.load_arrays(snakemake.input.latents)["z_mean"]
var_x, var_y, cor, df = data["factors"].T
title = names.label(wildcards.dataset, wildcards.model)
fig = draw_latent.latent_3d(codes, {"var_x": var_x, "var_y": var_y, "cor": cor}, title=title)
io.save_figure(fig, snakemake.output.png, dpi=snakemake.params.figure["dpi"])
colours = {"cor": cor, "|var_x - var_y|": np.abs(var_x - var_y)}
if np.unique(df).size > 1:
    colours["df"] = df
io.save_html(draw_latent.latent_3d_html(codes, colours, title=title), snakemake.output.html)
log.info("drew %d codes to %s and %s", len(codes), snakemake.output.png, snakemake.output.html)
