"""Write results/embeddings/{dataset}/{model}.npz: PCA and t-SNE views of a wide run's codes."""

from covae import embedding, io, logs

log = logs.setup(snakemake.log[0])
wide = snakemake.params.wide
codes = io.load_arrays(snakemake.input[0])["z_mean"]
views = embedding.embed(
    codes, points=wide["points"], perplexity=wide["perplexity"], seed=wide["seeds"][0]
)
io.save_arrays(snakemake.output[0], views)
log.info("embedded %d of %d codes of %d axes; PCA explains %s", len(views["rows"]), len(codes),
         codes.shape[1], views["explained"].round(3))  # fmt: skip
