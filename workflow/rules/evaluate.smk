# Evaluation stage: every metric of each run, tables across seeds, and their figures.

TABLES = [
    "reconstruction",
    "knn",
    "factors",
    "density",
    "realism",
    "training",
    "paired",
    "published",
]


def runs_of(pattern, dataset=None):
    """``pattern`` expanded over models and seeds (and data sets unless one is given)."""
    datasets = DATASETS if dataset is None else [dataset]
    return expand(pattern, dataset=datasets, model=MODELS, seed=config["seeds"])


rule evaluate:
    input:
        code=code_of("evaluate.py"),
        data="results/data/{dataset}.npz",
        history="{root}/models/{dataset}/{model}/seed{seed}/history.csv",
        latents="{root}/latents/{dataset}/{model}/seed{seed}.npz",
        reconstructions="{root}/reconstructions/{dataset}/{model}/seed{seed}.npz",
    output:
        metrics="{root}/metrics/{dataset}/{model}/seed{seed}.json",
        errors="{root}/metrics/{dataset}/{model}/seed{seed}.npz",
    log:
        "{root}/logs/evaluate/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "{root}/benchmarks/evaluate/{dataset}/{model}/seed{seed}.tsv"
    threads: threads_of("evaluate")
    resources:
        **resources_of("evaluate"),
    params:
        evaluation=config["evaluation"],
        setting=lambda wildcards: setting_of(wildcards.root),
    script:
        "../scripts/evaluate.py"


rule tables:
    input:
        code=code_of("make_tables.py"),
        metrics=runs_of("results/metrics/{dataset}/{model}/seed{seed}.json"),
        realism=runs_of("results/realism/{dataset}/{model}/seed{seed}.json"),
    output:
        expand("results/tables/{table}.{ext}", table=TABLES, ext=["csv", "md"]),
    log:
        "results/logs/tables.log",
    benchmark:
        "results/benchmarks/tables.tsv"
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        confidence=config["evaluation"]["confidence"],
        references=convergence_references(),
    script:
        "../scripts/make_tables.py"


rule sweep_table:
    input:
        code=code_of("make_sweep_table.py"),
        metrics=swept_runs("{root}/metrics/{dataset}/{model}/seed{seed}.json"),
        realism=swept_runs("{root}/realism/{dataset}/{model}/seed{seed}.json"),
    output:
        csv="results/tables/sweep.csv",
        md="results/tables/sweep.md",
    log:
        "results/logs/sweep_table.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        confidence=config["evaluation"]["confidence"],
    script:
        "../scripts/make_sweep_table.py"


rule figure_reconstruction_errors:
    input:
        code=code_of("plot_reconstruction_errors.py"),
        runs=lambda wildcards: runs_of(
            "results/metrics/{dataset}/{model}/seed{seed}.npz", wildcards.dataset
        ),
    output:
        report(
            "figures/reconstruction_errors_{dataset}.png",
            category="Reconstruction",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/reconstruction_errors_{dataset}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
    script:
        "../scripts/plot_reconstruction_errors.py"


rule figure_reconstructions:
    input:
        code=code_of("plot_reconstructions.py"),
        data="results/data/{dataset}.npz",
        runs=expand(
            "results/reconstructions/{{dataset}}/{model}/seed{seed}.npz",
            model=MODELS,
            seed=config["seeds"][0],
        ),
        errors=expand(
            "results/metrics/{{dataset}}/{model}/seed{seed}.npz",
            model=MODELS,
            seed=config["seeds"][0],
        ),
    output:
        report(
            "figures/reconstructions_{dataset}.png",
            category="Reconstruction",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/reconstructions_{dataset}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["reconstructions"],
        models=MODELS,
    script:
        "../scripts/plot_reconstructions.py"


rule figure_metrics:
    input:
        code=code_of("plot_metrics.py"),
        metrics=lambda wildcards: runs_of(
            "results/metrics/{dataset}/{model}/seed{seed}.json", wildcards.dataset
        ),
        realism=lambda wildcards: runs_of(
            "results/realism/{dataset}/{model}/seed{seed}.json", wildcards.dataset
        ),
    output:
        report(
            "figures/metrics_{dataset}.png",
            category="Reconstruction",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/metrics_{dataset}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
    script:
        "../scripts/plot_metrics.py"
