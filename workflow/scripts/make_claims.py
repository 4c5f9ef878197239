"""Write results/tables/claims.{csv,md} (a verdict per claim, data set and subject) and
claims_seeds.csv (the per-seed values behind each verdict)."""

from pathlib import Path

import pandas as pd

from covae import claims, io, logs, tables

log = logs.setup(snakemake.log[0])
runs = tables.load_run_files(snakemake.input.metrics, snakemake.input.realism)
codes = {}
for path in map(Path, snakemake.input.latents):  # .../latents/{dataset}/{model}/seed{seed}.npz
    key = (path.parent.parent.name, path.parent.name, int(path.stem.removeprefix("seed")))
    codes[key] = io.load_arrays(path)["z_mean"]
frame = claims.with_derived_metrics(tables.long_frame(runs))
frame = pd.concat([frame, claims.similarity_frame(codes)], ignore_index=True)
verdicts, seeds = claims.judge(
    frame, claims.seed_claims(snakemake.params.claims), snakemake.params.confidence
)
io.save_text(snakemake.output.verdicts, verdicts.to_csv(index=False))
io.save_text(snakemake.output.markdown, tables.to_markdown(verdicts))
io.save_text(snakemake.output.seeds, seeds.to_csv(index=False))
for row in verdicts.itertuples(index=False):
    log.info("%s %s %s: %s (%d of %d seeds)", row.claim, row.dataset, row.subject, row.verdict,
             row.k, row.n)  # fmt: skip
