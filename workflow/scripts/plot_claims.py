"""Draw figures/claims.png: every claim's per-seed values, interval and verdict."""

from covae import draw_claims, io, logs

log = logs.setup(snakemake.log[0])
verdicts = io.load_table(snakemake.input.verdicts)
seeds = io.load_table(snakemake.input.seeds)
fig = draw_claims.claims_chart(
    verdicts, seeds, title="The source study's claims across replicate seeds"
)
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
log.info("drew %d verdicts to %s", len(verdicts), snakemake.output[0])
