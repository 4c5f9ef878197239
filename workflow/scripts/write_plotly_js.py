"""Write figures/plotly.min.js, which every interactive figure beside it loads (offline)."""

from covae import io, logs

log = logs.setup(snakemake.log[0])
io.save_plotly_js(snakemake.output[0])
log.info("wrote %s", snakemake.output[0])
