"""figures/convergence.png (test error per epoch per schedule) and figures/lr_range.png."""

import pandas as pd

from covae import draw_convergence, io, logs

log = logs.setup(snakemake.log[0])
curves = io.load_table(snakemake.input.curves)
summary = io.load_table(snakemake.input.summary)
figure = draw_convergence.convergence_curves(
    curves, summary, title="Convergence: test error per epoch"
)
io.save_figure(figure, snakemake.output.curves, dpi=150)
tests = pd.concat([io.load_table(path) for path in snakemake.input.tests], ignore_index=True)
figure = draw_convergence.lr_range_curves(tests, title="Learning-rate range test (seed 0)")
io.save_figure(figure, snakemake.output.lr_range, dpi=150)
