"""Write results/tables/{table}.csv and .md: every metric across seeds, the paired VAE - AE
comparison and the source study's published numbers beside ours."""

from pathlib import Path

from covae import logs, tables

log = logs.setup(snakemake.log[0])
confidence = snakemake.params.confidence
runs = tables.load_run_files(snakemake.input.metrics, snakemake.input.realism)
frame = tables.with_reference(tables.long_frame(runs), snakemake.params.references)
summary = tables.summarize(frame, confidence)
outputs = {group: block.drop(columns="group") for group, block in summary.groupby("group")}
outputs["paired"] = tables.paired(frame, confidence)
outputs["published"] = tables.published(summary, frame)
for path in snakemake.output:
    tables.save_table(outputs[Path(path).stem], path)
log.info("%d runs, %d metrics per run at most -> %d tables", len(runs),
         frame.groupby(list(tables.KEYS)).size().max(), len(outputs))  # fmt: skip
