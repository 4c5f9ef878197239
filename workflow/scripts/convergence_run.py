"""One run of the convergence study: the test error after every epoch of one schedule."""

from covae import logs

# Before Keras is imported: TensorFlow's start-up lines go to the job's log, not the console.
log = logs.setup(snakemake.log[0])

from covae import convergence, io, probes, protocol, tables, training  # noqa: E402

wildcards, params = snakemake.wildcards, snakemake.params
run = convergence.parse_name(wildcards.schedule)
peaks = io.load_table(snakemake.input.peak)
at_batch = peaks[(peaks["model"] == wildcards.model) & (peaks["batch_size"] == run.batch)]
if run.kind == "cosine" and at_batch.empty:
    raise ValueError(
        f"{snakemake.input.peak} has no peak for {wildcards.model} at batch {run.batch}"
    )
# The source study's schedule starts at its own rate: it needs no peak, nor a range test at its
# batch.
peak = float(at_batch["peak"].iloc[0]) if len(at_batch) else float("nan")
section = convergence.training_section(
    wildcards.schedule, wildcards.model, params.convergence, params.config["training"], peak
)
spec = protocol.TrainSpec.from_config(
    {**params.config, "training": section}, wildcards.model, wildcards.dataset
)
data = io.load_arrays(snakemake.input.data)
images, is_test = data["images"], data["is_test"]
log.info("%s %s %s (%s, batch %d), seed %d, on %s", wildcards.dataset, wildcards.model,
         wildcards.schedule, spec.schedule.describe(), spec.batch_size, params.seed,
         training.device())  # fmt: skip
test_error = probes.TestError(images[is_test], params.seed, spec.loss)
_, history = training.fit(
    wildcards.model, images[~is_test], spec, params.seed, callbacks=[test_error]
)
for position, (name, value) in enumerate(
    {
        "dataset": wildcards.dataset,
        "model": wildcards.model,
        "run": wildcards.schedule,
        "peak": spec.schedule.peak,
    }.items()
):
    history.insert(position, name, value)
tables.save_table(history, snakemake.output[0])
