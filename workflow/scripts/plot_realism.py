"""Draw figures/realism_{dataset}.png (realism residuals along interpolations and per set of
decoded images), figures/traversal_factors_{dataset}.png (factors fitted along each
traversal, every seed) and figures/interpolation_factors_{dataset}.png (factors fitted along
the first interpolation pairs of the first seed), VAE beside AE."""

from covae import draw_evaluation, io, logs, names, realism

log = logs.setup(snakemake.log[0])
title, dpi = names.label(snakemake.wildcards.dataset), snakemake.params.figure["dpi"]
runs = {}
for path in snakemake.input.runs:
    run = names.run_of(path)
    runs[run["model"], run["seed"]] = io.load_arrays(path)
frames = realism.figure_frames(runs, snakemake.params.steps, snakemake.params.pairs_shown)
fig = draw_evaluation.realism_summary(frames["along"], frames["sets"], title=title)
io.save_figure(fig, snakemake.output.realism, dpi=dpi)
fig = draw_evaluation.traversal_factors(frames["traversals"], title=title)
io.save_figure(fig, snakemake.output.traversals, dpi=dpi)
fig = draw_evaluation.traversal_factors(
    frames["interpolations"], title=title, paths_are="interpolation"
)
io.save_figure(fig, snakemake.output.interpolations, dpi=dpi)
log.info("drew the realism of %d runs to %s", len(runs), snakemake.output.realism)
