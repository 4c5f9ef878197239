"""Draw figures/claims.png: every claim's per-seed values, interval and verdict."""

import pandas as pd

from covae import draw_claims, io, logs

log = logs.setup(snakemake.log[0])
verdicts = pd.read_csv(snakemake.input.verdicts)
seeds = pd.read_csv(snakemake.input.seeds)
fig = draw_claims.claims_chart(
    verdicts, seeds, title="The seed study's claims across replicate seeds"
)
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
log.info("drew %d verdicts to %s", len(verdicts), snakemake.output[0])
