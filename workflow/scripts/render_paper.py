"""Render results/paper.md and results/paper.html from the template and the tables."""

from pathlib import Path

from covae import io, logs, paper

log = logs.setup(snakemake.log[0])
folder = Path(snakemake.params.tables)
names = [Path(path).stem for path in snakemake.input.tables]
text = paper.render_markdown(
    snakemake.input.template,
    t=paper.Tables(folder, names, extra={"convergence_summary": snakemake.params.convergence}),
    datasets=snakemake.params.datasets,
    models=snakemake.params.models,
)
markdown = Path(snakemake.output.markdown)
io.save_text(markdown, text)
io.save_text(snakemake.output.html, paper.to_html(text, markdown.parent, title="covae"))
log.info("rendered %s (%d characters) and %s", markdown, len(text), snakemake.output.html)
