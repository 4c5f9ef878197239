"""Draw figures/realism_{dataset}.png: realism residuals along interpolations and per set of
decoded images, VAE beside AE, every seed."""

from pathlib import Path

import numpy as np
import pandas as pd

from covae import io, logs, plots

log = logs.setup(snakemake.log[0])
steps = snakemake.params.steps
along, sets = [], []
for path in map(Path, snakemake.input):
    model, seed = path.parent.name, int(path.stem.removeprefix("seed"))
    arrays = io.load_arrays(path)
    residual = arrays["interpolation_residual"].reshape(-1, steps)
    t = np.broadcast_to(np.linspace(0, 1, steps), residual.shape)
    along.append(pd.DataFrame({"model": model, "seed": seed, "t": t.ravel(),
                               "residual": residual.ravel()}))  # fmt: skip
    for name in [k.removesuffix("_residual") for k in arrays if k.endswith("_residual")]:
        sets.append(pd.DataFrame({"model": model.upper(), "set": name.replace("_", "\n", 1),
                                  "residual": arrays[f"{name}_residual"]}))  # fmt: skip
fig = plots.realism_summary(
    pd.concat(along, ignore_index=True),
    pd.concat(sets, ignore_index=True),
    title=snakemake.wildcards.dataset,
)
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
log.info("drew the realism of %d runs to %s", len(along), snakemake.output[0])
