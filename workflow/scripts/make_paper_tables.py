"""Write results/tables/{study,runtime,provenance}.{csv,md}: the run's settings and data
sizes, the wall time of each stage (from the benchmark files) and the software."""

from pathlib import Path

from covae import io, logs, paper, tables

log = logs.setup(snakemake.log[0])
data = {Path(path).stem: io.load_arrays(path) for path in snakemake.input.data}
# The convergence study (`snakemake convergence`) is not part of the study's run.
benchmarks = sorted(
    str(path)
    for folder in snakemake.params.benchmarks
    for path in Path(folder).rglob("*.tsv")
    if "convergence" not in path.parts
)
outputs = {
    "study": paper.study_table(
        {**snakemake.params.config, "model": snakemake.params.study_model}, data
    ),
    "runtime": paper.runtime_table(benchmarks),
    "provenance": paper.provenance_table(snakemake.params.config, snakemake.params.repository),
}
for path in snakemake.output:
    tables.save_table(outputs[Path(path).stem], path)
log.info("%d benchmark files; stages: %s", len(benchmarks), ", ".join(outputs["runtime"].stage))
