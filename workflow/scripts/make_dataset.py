"""Write results/data/{dataset}.npz: images, factors and the test mask of one data set."""

import time

from covae import heatmaps, io, logs

log = logs.setup(snakemake.log[0])
dataset = snakemake.wildcards.dataset
spec = heatmaps.DataSpec.from_config(snakemake.params.data)

start = time.perf_counter()
arrays = heatmaps.make_dataset(spec, dataset, threads=snakemake.threads)
log.info(
    "%s: %d images of %dx%d in %.2f s on %d threads; %d test rows",
    dataset,
    *arrays["images"].shape,
    time.perf_counter() - start,
    snakemake.threads,
    arrays["is_test"].sum(),
)
io.save_arrays(snakemake.output[0], arrays)
