"""Draw figures/metrics_{dataset}.png: the headline per-run metrics, VAE beside AE per seed."""

from covae import draw_evaluation, io, logs, names, tables

log = logs.setup(snakemake.log[0])
runs = tables.load_run_files(snakemake.input.metrics, snakemake.input.realism)
frame = tables.long_frame(runs)
shown = {k: v for k, v in draw_evaluation.HEADLINE_METRICS.items() if k in set(frame["metric"])}
fig = draw_evaluation.paired_metrics(frame, shown, title=names.label(snakemake.wildcards.dataset))
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
log.info("drew %d metrics of %d runs to %s", len(shown), len(runs), snakemake.output[0])
