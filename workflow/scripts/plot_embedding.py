"""Draw figures/latent_pca_{dataset}_{model}.png and latent_tsne_...: a wide code's 2-D views
coloured by each factor."""

from covae import draw_latent, io, logs, names

log = logs.setup(snakemake.log[0])
wildcards = snakemake.wildcards
data = io.load_arrays(snakemake.input.data)
views = io.load_arrays(snakemake.input.views)
columns = names.factor_columns(data["factors"])
factors = data["factors"][views["rows"]][:, columns]
shown = [names.FACTOR_NAMES[j] for j in columns]
head = f"{names.label(wildcards.dataset, wildcards.model)}, {snakemake.params.latent_dim}-D code"
explained = ", ".join(f"{100 * v:.0f}%" for v in views["explained"])
for method, output, note in (("PCA", snakemake.output.pca, f" (variance: {explained})"),
                             ("t-SNE", snakemake.output.tsne, "")):  # fmt: skip
    key = "pca" if method == "PCA" else "tsne"
    fig = draw_latent.embedding_views(
        views[key], factors, shown, method=method, title=head + f": {method}{note}"
    )
    io.save_figure(fig, output, dpi=snakemake.params.figure["dpi"])
    log.info("drew %s of %d codes to %s", method, len(views["rows"]), output)
