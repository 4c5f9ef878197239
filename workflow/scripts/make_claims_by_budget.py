"""Write results/tables/claims_by_budget.{csv,md}: every claim judged at each training budget
(the main study and each further one), Holm-adjusted within each, budget-dependent verdicts
marked; and claims_by_budget_counts.csv, the verdicts counted per budget."""

from covae import budgets, io, logs, tables

log = logs.setup(snakemake.log[0])
names = snakemake.params.budgets
verdicts = dict(zip(names, map(io.load_table, snakemake.input.verdicts), strict=True))
frame = budgets.by_budget(verdicts)
tables.save_table(frame, snakemake.output.csv)
tables.save_table(frame, snakemake.output.md)
counts = budgets.verdict_counts(frame)
tables.save_table(counts, snakemake.output.counts)
changed = frame[frame["budget_dependent"]].drop_duplicates(budgets.KEYS)
log.info("%d claims x budgets; %d verdicts depend on the budget", len(frame), len(changed))
for row in changed.itertuples(index=False):
    log.info("budget-dependent: %s %s %s", row.claim, row.dataset, row.subject)
