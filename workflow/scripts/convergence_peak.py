"""The peak rate of the convergence study's cosine runs, per model, from the range tests."""

import pandas as pd

from covae import convergence, logs, tables

log = logs.setup(snakemake.log[0])
tests = pd.concat([pd.read_csv(path) for path in snakemake.input.tests])
suggestions = tests.groupby(["dataset", "model"], as_index=False)["suggested"].first()
peaks = convergence.choose_peaks(suggestions)
suggestions["peak"] = suggestions["model"].map(peaks)
for model, peak in peaks.items():
    log.info("%s: peak %.2g (smallest suggestion over the data sets)", model, peak)
tables.save_table(suggestions, snakemake.output[0])
