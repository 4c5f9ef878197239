"""Draw figures/claims_by_budget.png: each claim's per-seed values at each training budget
against the region where it holds, budget-dependent verdicts marked."""

import pandas as pd

from covae import draw_claims, io, logs

log = logs.setup(snakemake.log[0])
frame = io.load_table(snakemake.input.table)
seeds = pd.concat(
    [
        io.load_table(path).assign(budget=budget)
        for budget, path in zip(snakemake.params.budgets, snakemake.input.seeds, strict=True)
    ],
    ignore_index=True,
)
fig = draw_claims.claims_by_budget_chart(
    frame, seeds, title="The source study's claims at each training budget (Holm-adjusted)"
)
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
log.info("drew %d verdicts at %d budgets", len(frame), frame["budget"].nunique())
