# Tables and claims stage: every metric across seeds, the paired VAE - AE comparison, the seed
# study's published numbers beside ours, the sweep's settings, and the seed's conclusions
# judged on the replicate seeds (results/tables/).

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


rule claims:
    input:
        code=code_of("make_claims.py"),
        metrics=runs_of("results/metrics/{dataset}/{model}/seed{seed}.json"),
        realism=runs_of("results/realism/{dataset}/{model}/seed{seed}.json"),
        latents=runs_of("results/latents/{dataset}/{model}/seed{seed}.npz"),
    output:
        verdicts=report("results/tables/claims.csv", category="Claims"),
        markdown="results/tables/claims.md",
        seeds="results/tables/claims_seeds.csv",
    log:
        "results/logs/claims.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        confidence=config["evaluation"]["confidence"],
        claims=config["paper"]["claims"],
    script:
        "../scripts/make_claims.py"


TARGETS["tables"] = [
    *rules.tables.output,
    *rules.claims.output,
    *(rules.sweep_table.output if len(SETTINGS) > 1 else []),
]
