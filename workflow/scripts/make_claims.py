"""Write results/tables/claims.{csv,md} (a verdict per claim, data set and subject) and
claims_seeds.csv (the per-seed values behind each verdict)."""

import pandas as pd

from covae import claims, io, logs, names, tables

log = logs.setup(snakemake.log[0])
runs = tables.load_run_files(snakemake.input.metrics, snakemake.input.realism)
codes = {
    tuple(names.run_of(path).values()): io.load_arrays(path)["z_mean"]
    for path in snakemake.input.latents
}
frame = claims.with_derived_metrics(tables.long_frame(runs))
frame = pd.concat([frame, claims.similarity_frame(codes)], ignore_index=True)
verdicts, seeds = claims.judge(
    frame, claims.seed_claims(snakemake.params.claims), snakemake.params.confidence
)
tables.save_table(verdicts, snakemake.output.verdicts)
tables.save_table(verdicts, snakemake.output.markdown)
tables.save_table(seeds, snakemake.output.seeds)
for row in verdicts.itertuples(index=False):
    log.info("%s %s %s: %s (%d of %d seeds)", row.claim, row.dataset, row.subject, row.verdict,
             row.k, row.n)  # fmt: skip
