"""Learning-rate range test of one (batch size, data set, model):
results/convergence/lr_range/b<batch>/..."""

from covae import logs

# Before Keras is imported: TensorFlow's start-up lines go to the job's log, not the console.
log = logs.setup(snakemake.log[0])

from covae import io, probes, protocol, tables  # noqa: E402

wildcards, settings = snakemake.wildcards, snakemake.params.lr_range
seed = snakemake.params.seed
spec = protocol.TrainSpec.from_config(snakemake.params.config, wildcards.model, wildcards.dataset)
data = io.load_arrays(snakemake.input.data)
test = probes.lr_range_test(
    wildcards.model, data["images"][~data["is_test"]], spec, seed,
    low=settings["low"], high=settings["high"], steps=settings["steps"],
)  # fmt: skip
suggested = probes.suggest_rate(test, settings["divisor"])
log.info("%s %s, batch %d: %d steps, rates %.1e..%.1e; suggested peak %.2e",
         wildcards.dataset, wildcards.model, spec.batch_size, len(test),
         test["learning_rate"].min(), test["learning_rate"].max(), suggested)  # fmt: skip
test.insert(0, "suggested", suggested)
test.insert(0, "model", wildcards.model)
test.insert(0, "batch_size", spec.batch_size)
test.insert(0, "dataset", wildcards.dataset)
tables.save_table(test, snakemake.output[0])
