"""Write results/tables/claims.{csv,md} (a verdict per claim, data set and subject) and
claims_seeds.csv (the per-seed values behind each verdict)."""

from covae import claims, io, logs, tables

log = logs.setup(snakemake.log[0])
runs = tables.load_run_files(snakemake.input.metrics, snakemake.input.realism)
frame = claims.with_plane_metrics(tables.long_frame(runs))
verdicts, seeds = claims.judge(
    frame, claims.seed_claims(snakemake.params.claims), snakemake.params.confidence
)
io.save_text(snakemake.output.verdicts, verdicts.to_csv(index=False))
io.save_text(snakemake.output.markdown, tables.to_markdown(verdicts))
io.save_text(snakemake.output.seeds, seeds.to_csv(index=False))
for row in verdicts.itertuples(index=False):
    log.info("%s %s %s: %s (%d of %d seeds)", row.claim, row.dataset, row.subject, row.verdict,
             row.k, row.n)  # fmt: skip
