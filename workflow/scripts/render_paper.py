"""Render results/paper.md and results/paper.html from the template and the tables."""

import os
from pathlib import Path

from covae import io, logs, paper

log = logs.setup(snakemake.log[0])
folder = Path(snakemake.params.tables)
names = [Path(path).stem for path in snakemake.input.tables]
markdown = Path(snakemake.output.markdown)
# The committed convergence figure lives in the repository, wherever this run's folder is.
convergence_figure = Path(os.path.relpath(snakemake.params.convergence_figure, markdown.parent))
text = paper.render_markdown(
    snakemake.input.template,
    t=paper.Tables(
        folder,
        names,
        extra={
            "convergence_summary": snakemake.params.convergence,
            "convergence": snakemake.params.convergence_curves,
            "doubling": snakemake.params.doubling,
            **{
                paper.protocol_table(study): path
                for study, path in zip(
                    snakemake.params.protocols, snakemake.input.protocols, strict=True
                )
            },
        },
    ),
    datasets=snakemake.params.datasets,
    models=snakemake.params.models,
    convergence_figure=convergence_figure.as_posix(),
)
io.save_text(markdown, text)
io.save_text(snakemake.output.html, paper.to_html(text, markdown.parent, title="covae"))
log.info("rendered %s (%d characters) and %s", markdown, len(text), snakemake.output.html)
