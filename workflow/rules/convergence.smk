# The convergence study (`snakemake convergence`; not part of `rule all`: it trains more than
# the study): a learning-rate range test per (batch size, data set, model), then on one seed
# the test error after every epoch under the source study's schedule and warmup + cosine schedules of
# several lengths and batch sizes. Its committed table and figure chose `training.schedule`.

CONVERGENCE = config["convergence"]
CONVERGENCE_RUNS = covae.convergence.schedule_names(CONVERGENCE)
CONVERGENCE_BATCHES = covae.convergence.batch_sizes(CONVERGENCE)
RANGE_TESTS = expand(
    "results/convergence/lr_range/b{batch}/{dataset}/{model}.csv",
    batch=CONVERGENCE_BATCHES,
    dataset=DATASETS,
    model=MODELS,
)


wildcard_constraints:
    schedule=r"(exponential|cosine)\d+_b\d+",
    batch=r"\d+",


def convergence_settings(wildcards):
    """The study's ``model`` and ``training`` sections (the schedule and batch size are
    replaced per run; a range test's batch size is its wildcard's)."""
    training = config["training"]
    if hasattr(wildcards, "batch"):
        training = {**training, "batch_size": int(wildcards.batch)}
    return {"model": covae.config.main_model(config), "training": training}


rule lr_range:
    input:
        code=code_of("lr_range.py"),
        data="results/data/{dataset}.npz",
    output:
        "results/convergence/lr_range/b{batch}/{dataset}/{model}.csv",
    log:
        "results/logs/convergence/lr_range/b{batch}/{dataset}/{model}.log",
    benchmark:
        "results/benchmarks/convergence/lr_range/b{batch}/{dataset}/{model}.tsv"
    threads: threads_of("train")
    resources:
        mem_mb=config["resources"]["train"]["mem_mb"],
        runtime=15,
    params:
        config=convergence_settings,
        seed=CONVERGENCE["seed"],
        lr_range=CONVERGENCE["lr_range"],
    script:
        "../scripts/lr_range.py"


rule convergence_peak:
    input:
        code=code_of("convergence_peak.py"),
        tests=RANGE_TESTS,
    output:
        "results/convergence/peak.csv",
    log:
        "results/logs/convergence/peak.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    script:
        "../scripts/convergence_peak.py"


rule convergence_run:
    input:
        code=code_of("convergence_run.py"),
        data="results/data/{dataset}.npz",
        peak="results/convergence/peak.csv",
    output:
        "results/convergence/runs/{dataset}/{model}/{schedule}.csv",
    log:
        "results/logs/convergence/runs/{dataset}/{model}/{schedule}.log",
    benchmark:
        "results/benchmarks/convergence/runs/{dataset}/{model}/{schedule}.tsv"
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    params:
        config=convergence_settings,
        seed=CONVERGENCE["seed"],
        convergence=CONVERGENCE,
    script:
        "../scripts/convergence_run.py"


rule convergence_table:
    input:
        code=code_of("make_convergence_table.py"),
        runs=expand(
            "results/convergence/runs/{dataset}/{model}/{schedule}.csv",
            dataset=DATASETS,
            model=MODELS,
            schedule=CONVERGENCE_RUNS,
        ),
    output:
        curves="results/tables/convergence.csv",
        summary="results/tables/convergence_summary.csv",
        markdown="results/tables/convergence_summary.md",
    log:
        "results/logs/convergence/table.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        tolerance=CONVERGENCE["tolerance"],
        bounds=CONVERGENCE.get("seed_bounds", {}),
    script:
        "../scripts/make_convergence_table.py"


use rule _figure as figure_convergence with:
    input:
        code=code_of("plot_convergence.py"),
        curves="results/tables/convergence.csv",
        summary="results/tables/convergence_summary.csv",
        tests=RANGE_TESTS,
    output:
        curves=figure("convergence", "Training", None),
        lr_range=figure("lr_range", "Training", None),
    log:
        "results/logs/figures/convergence.log",
    params:
        script="plot_convergence",


# The next doubling (`snakemake doubling`): the main study's protocol at
# convergence.doubling.epochs on the convergence seed, trained (or taken from the model store),
# encoded and evaluated by the study's own rules in results/convergence/doubling/, and set
# beside the study's runs of that seed.
def doubling_files(root, pattern):
    """``pattern`` under ``root`` for each data set and model at the convergence seed."""
    return expand(
        f"{root}/{pattern}", dataset=DATASETS, model=MODELS, seed=CONVERGENCE["seed"]
    )


rule doubling_table:
    input:
        code=code_of("make_doubling_table.py"),
        study_metrics=doubling_files(
            "results", "metrics/{dataset}/{model}/seed{seed}.json"
        ),
        study_histories=doubling_files(
            "results", "models/{dataset}/{model}/seed{seed}/history.csv"
        ),
        doubled_metrics=doubling_files(
            covae.config.DOUBLING_ROOT, "metrics/{dataset}/{model}/seed{seed}.json"
        ),
        doubled_histories=doubling_files(
            covae.config.DOUBLING_ROOT,
            "models/{dataset}/{model}/seed{seed}/history.csv",
        ),
    output:
        csv="results/tables/doubling.csv",
        markdown="results/tables/doubling.md",
    log:
        "results/logs/convergence/doubling.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        tolerance=CONVERGENCE["tolerance"],
    script:
        "../scripts/make_doubling_table.py"


rule doubling:
    input:
        rules.doubling_table.output,


rule convergence:
    input:
        rules.convergence_table.output,
        rules.figure_convergence.output,
