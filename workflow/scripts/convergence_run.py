"""One run of the convergence study: the test error after every epoch of one schedule."""

import pandas as pd

from covae import logs

# Before Keras is imported: TensorFlow's start-up lines go to the job's log, not the console.
log = logs.setup(snakemake.log[0])

from covae import convergence, io, tables, training  # noqa: E402

wildcards, params = snakemake.wildcards, snakemake.params
peaks = pd.read_csv(snakemake.input.peak)
peak = float(peaks.loc[peaks["model"] == wildcards.model, "peak"].iloc[0])
entry = convergence.schedule_entry(wildcards.schedule, params.convergence, peak)
# No guard: every epoch of the schedule runs, so the whole curve is measured.
section = {**params.config["training"], "schedule": {wildcards.model: entry}, "patience": None}
spec = training.TrainSpec.from_config(
    {**params.config, "training": section}, wildcards.model, wildcards.dataset
)
data = io.load_arrays(snakemake.input.data)
images, is_test = data["images"], data["is_test"]
log.info("%s %s %s (%s), seed %d, on %s", wildcards.dataset, wildcards.model, wildcards.schedule,
         spec.schedule.describe(), params.seed, training.device())  # fmt: skip
test_error = training.TestError(images[is_test], params.seed, spec.loss)
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
