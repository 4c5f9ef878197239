# Tables and claims stage: every metric across seeds, the paired VAE - AE comparison, the seed
# study's published numbers beside ours, the sweep's settings, and the source study's conclusions
# judged on the replicate seeds ({root}/tables/: results/tables/ for the main study,
# results/studies/<name>/tables/ for a further one), then every claim judged at each budget.

TABLES = list(covae.names.TABLES)


def runs_in_root(pattern):
    """An input function: ``pattern`` (with {root}) over the study runs of the job's root."""
    return lambda wildcards: runs_of(pattern, root=wildcards.root)


rule tables:
    input:
        code=code_of("make_tables.py"),
        metrics=runs_in_root("{root}/metrics/{dataset}/{model}/seed{seed}.json"),
        realism=runs_in_root("{root}/realism/{dataset}/{model}/seed{seed}.json"),
    output:
        expand("{{root}}/tables/{table}.{ext}", table=TABLES, ext=["csv", "md"]),
    log:
        "{root}/logs/tables.log",
    benchmark:
        "{root}/benchmarks/tables.tsv"
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
        metrics=runs_in_root("{root}/metrics/{dataset}/{model}/seed{seed}.json"),
        realism=runs_in_root("{root}/realism/{dataset}/{model}/seed{seed}.json"),
        latents=runs_in_root("{root}/latents/{dataset}/{model}/seed{seed}.npz"),
    output:
        verdicts=report(
            "{root}/tables/claims.csv",
            caption=caption("claims_table"),
            category="Claims",
        ),
        markdown="{root}/tables/claims.md",
        seeds="{root}/tables/claims_seeds.csv",
        sensitivity=report(
            "{root}/tables/claims_sensitivity.csv",
            caption=caption("claims_sensitivity"),
            category="Claims",
        ),
        sensitivity_markdown="{root}/tables/claims_sensitivity.md",
        counts="{root}/tables/claims_counts.csv",
    log:
        "{root}/logs/claims.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        confidence=config["evaluation"]["confidence"],
        claims=config["paper"]["claims"],
    script:
        "../scripts/make_claims.py"


# Every study's folder: the main study's, then each further one's.
STUDY_ROOTS = ["results", *(study_root(study) for study in STUDIES)]


# The main study first, then each further one that changes the training alone: its budget's
# name in claims_by_budget (a study with its own losses is another protocol, not a budget).
BUDGETS = {
    "main": "results",
    **{study: study_root(study) for study in covae.config.budget_studies(config)},
}


rule claims_by_budget:
    input:
        code=code_of("make_claims_by_budget.py"),
        verdicts=[f"{root}/tables/claims.csv" for root in BUDGETS.values()],
    output:
        csv=report(
            "results/tables/claims_by_budget.csv",
            caption=caption("claims_by_budget_table"),
            category="Claims",
        ),
        md="results/tables/claims_by_budget.md",
        counts="results/tables/claims_by_budget_counts.csv",
    log:
        "results/logs/claims_by_budget.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        budgets=list(BUDGETS),
    script:
        "../scripts/make_claims_by_budget.py"


TARGETS["tables"] = [
    *(
        f"{root}/tables/{table}.{ext}"
        for root in STUDY_ROOTS
        for table in [*TABLES, "claims", "claims_sensitivity"]
        for ext in ("csv", "md")
    ),
    *(
        f"{root}/tables/claims_{name}.csv"
        for root in STUDY_ROOTS
        for name in ("seeds", "counts")
    ),
    *rules.claims_by_budget.output,
    *(rules.sweep_table.output if len(SETTINGS) > 1 else []),
]
