"""The peak rate of the convergence study's cosine runs, per batch size and model, from the
range tests at that batch size."""

import pandas as pd

from covae import convergence, io, logs, tables

log = logs.setup(snakemake.log[0])
tests = pd.concat([io.load_table(path) for path in snakemake.input.tests])
suggestions = tests.groupby(["batch_size", "dataset", "model"], as_index=False)["suggested"].first()
for batch, block in suggestions.groupby("batch_size"):
    peaks = convergence.choose_peaks(block)
    suggestions.loc[block.index, "peak"] = block["model"].map(peaks)
    for model, peak in peaks.items():
        log.info("batch %d, %s: peak %.2g (smallest suggestion over the data sets)", batch,
                 model, peak)  # fmt: skip
tables.save_table(suggestions, snakemake.output[0])
