"""Write results/tables/claims.{csv,md} (a verdict per claim, data set and subject, with
Holm-adjusted p-values), claims_seeds.csv (the per-seed values behind each verdict) and
claims_sensitivity.{csv,md} (each thresholded claim's verdict at half and double its
threshold)."""

import pandas as pd

from covae import claims, io, logs, names, tables

log = logs.setup(snakemake.log[0])
settings = snakemake.params.claims
confidence = snakemake.params.confidence
runs = tables.load_run_files(snakemake.input.metrics, snakemake.input.realism)
codes = {
    tuple(names.run_of(path).values()): io.load_arrays(path)["z_mean"]
    for path in snakemake.input.latents
}
frame = claims.with_derived_metrics(tables.long_frame(runs))
similarity = claims.similarity_frame(codes, neighbours=int(settings["neighbours"]))
frame = pd.concat([frame, similarity], ignore_index=True)
verdicts, seeds = claims.judge(frame, claims.seed_claims(settings), confidence)
tables.save_table(verdicts, snakemake.output.verdicts)
tables.save_table(verdicts, snakemake.output.markdown)
tables.save_table(seeds, snakemake.output.seeds)
tables.save_table(claims.verdict_counts(verdicts), snakemake.output.counts)
for row in verdicts.itertuples(index=False):
    log.info("%s %s %s: %s (%d of %d seeds; Holm p %.3g holds, %.3g fails)", row.claim,
             row.dataset, row.subject, row.verdict, row.k, row.n, row.p_holds_holm,
             row.p_fails_holm)  # fmt: skip
sensitive = claims.sensitivity(frame, settings, confidence)
tables.save_table(sensitive, snakemake.output.sensitivity)
tables.save_table(sensitive, snakemake.output.sensitivity_markdown)
log.info("sensitivity: %d verdicts judged at half and double their threshold", len(sensitive))
