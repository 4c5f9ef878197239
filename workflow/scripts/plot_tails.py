"""Draw figures/tails.png: Student-t heatmaps at the heavy and the light df for the same
(var_x, var_y, cor), the source study's df 2 beside df 200."""

import numpy as np

from covae import draw_data, heatmaps, io, logs

log = logs.setup(snakemake.log[0])
figure, data_config = snakemake.params.figure, snakemake.params.data
spec = heatmaps.DataSpec.from_config(data_config)
data = io.load_arrays(snakemake.input.data)
heavy_df, light_df = data_config["student_t"]["df_heavy"], data_config["student_t"]["df_light"]
heavy_rows = np.flatnonzero(data["factors"][:, 3] == heavy_df)
rng = np.random.default_rng(figure["seed"])
chosen = np.sort(rng.choice(heavy_rows, size=min(figure["count"], heavy_rows.size), replace=False))
factors = data["factors"][chosen]
light = heatmaps.images(
    spec.axis, np.column_stack([factors[:, :3], np.full(len(factors), light_df)])
)
fig = draw_data.tails(
    data["images"][chosen], light, factors, dfs=(heavy_df, light_df),
    title=f"df {heavy_df:g} and df {light_df:g}\nat the same scales and correlation",
)  # fmt: skip
io.save_figure(fig, snakemake.output[0], dpi=figure["dpi"])
log.info("drew %d settings at df %g and %g to %s", len(chosen), heavy_df, light_df,
         snakemake.output[0])  # fmt: skip
