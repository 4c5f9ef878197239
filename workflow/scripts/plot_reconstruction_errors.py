"""Draw figures/reconstruction_errors_{dataset}.png: per-image test errors of every run."""

import pandas as pd

from covae import draw_evaluation, io, logs, names

log = logs.setup(snakemake.log[0])
frames = []
for path in snakemake.input.runs:
    run = names.run_of(path)
    model, seed = run["model"], run["seed"]
    for code, errors in io.load_arrays(path).items():
        if code == "seed_protocol" and model == "vae":  # the VAE's is its z_sample, drawn
            continue
        frames.append(pd.DataFrame({"model": model, "seed": seed, "code": code, "error": errors}))
fig = draw_evaluation.reconstruction_error_distributions(
    pd.concat(frames, ignore_index=True), title=names.label(snakemake.wildcards.dataset)
)
io.save_figure(fig, snakemake.output[0], dpi=snakemake.params.figure["dpi"])
log.info("drew %d error distributions to %s", len(frames), snakemake.output[0])
