"""Draw figures/realism_{dataset}.png (realism residuals along interpolations and per set of
decoded images), figures/traversal_factors_{dataset}.png (factors fitted along each
traversal, every seed) and figures/interpolation_factors_{dataset}.png (factors fitted along
the first interpolation pairs of the first seed), VAE beside AE."""

from pathlib import Path

import numpy as np
import pandas as pd

from covae import heatmaps, io, logs, plots, realism

log = logs.setup(snakemake.log[0])
steps = snakemake.params.steps
pairs_shown = snakemake.params.pairs_shown
along, sets, traversed, interpolated = [], [], [], []
first_seed = min(int(Path(path).stem.removeprefix("seed")) for path in snakemake.input.runs)
for path in map(Path, snakemake.input.runs):
    model, seed = path.parent.name, int(path.stem.removeprefix("seed"))
    arrays = io.load_arrays(path)
    residual = arrays["interpolation_residual"].reshape(-1, steps)
    t = np.broadcast_to(np.linspace(0, 1, steps), residual.shape)
    along.append(pd.DataFrame({"model": model, "seed": seed, "t": t.ravel(),
                               "residual": residual.ravel()}))  # fmt: skip
    for name in [k.removesuffix("_residual") for k in arrays if k.endswith("_residual")]:
        kind = name.removeprefix("reconstruction_")
        label = f"recon.\n{kind}" if kind != name else name.replace("_", "\n", 1)
        sets.append(pd.DataFrame({"model": model.upper(), "set": label,
                                  "residual": arrays[f"{name}_residual"]}))  # fmt: skip
    if seed == first_seed:  # the same test pairs for both models
        fitted = arrays["interpolation_factors"].reshape(-1, steps, 4)[:pairs_shown]
        for pair, line in enumerate(fitted):
            frame = pd.DataFrame(line, columns=list(heatmaps.FACTOR_NAMES))
            frame["residual"] = residual[pair]
            frame["step"] = np.arange(1, steps + 1)
            interpolated.append(frame.assign(model=model, seed=seed, path=f"pair {pair + 1}"))
    for name in realism.TRAVERSALS:
        if f"{name}_factors" in arrays:
            fitted = pd.DataFrame(arrays[f"{name}_factors"], columns=list(heatmaps.FACTOR_NAMES))
            fitted["residual"] = arrays[f"{name}_residual"]
            fitted["step"] = np.arange(1, len(fitted) + 1)
            traversed.append(fitted.assign(model=model, seed=seed, path=name))
fig = plots.realism_summary(
    pd.concat(along, ignore_index=True),
    pd.concat(sets, ignore_index=True),
    title=snakemake.wildcards.dataset,
)
io.save_figure(fig, snakemake.output.realism, dpi=snakemake.params.figure["dpi"])
factors = pd.concat(traversed, ignore_index=True) if traversed else None
if factors is not None and not np.isfinite(factors["df"]).any():
    factors = factors.drop(columns="df")  # the Gaussian set: df is not fitted
fig = plots.traversal_factors(factors, title=snakemake.wildcards.dataset)
io.save_figure(fig, snakemake.output.traversals, dpi=snakemake.params.figure["dpi"])
pairs = pd.concat(interpolated, ignore_index=True)
if not np.isfinite(pairs["df"]).any():
    pairs = pairs.drop(columns="df")
fig = plots.traversal_factors(pairs, title=snakemake.wildcards.dataset, paths_are="interpolation")
io.save_figure(fig, snakemake.output.interpolations, dpi=snakemake.params.figure["dpi"])
log.info("drew the realism of %d runs to %s", len(along), snakemake.output.realism)
