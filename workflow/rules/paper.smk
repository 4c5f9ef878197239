# Paper stage: the tables only the paper needs (settings, wall times, provenance), and the
# paper rendered from the tables and figures to Markdown and to a self-contained HTML page.

PAPER_TABLES = list(covae.names.PAPER_TABLES)
# The further studies that are other protocols rather than other budgets.
PROTOCOLS = [s for s in STUDIES if s not in covae.config.budget_studies(config)]


rule paper_tables:
    input:
        # Every job that writes a benchmark file is upstream of these.
        code=code_of("make_paper_tables.py"),
        data=expand("results/data/{dataset}.npz", dataset=DATASETS),
        tables=expand("results/tables/{table}.csv", table=TABLES),
        wide="results/tables/wide.csv",
        embeddings=expand(
            "results/embeddings/{dataset}/{model}.npz", dataset=DATASETS, model=MODELS
        ),
    output:
        expand("results/tables/{table}.{ext}", table=PAPER_TABLES, ext=["csv", "md"]),
    log:
        "results/logs/paper_tables.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        config=config,
        # The study's own latent_dim and beta where the config sweeps them (lists).
        study_model=covae.config.main_model(config),
        benchmarks=["results/benchmarks", "results/sweep"],
        repository=workflow.basedir,
    script:
        "../scripts/make_paper_tables.py"


rule paper:
    input:
        code=code_of("render_paper.py"),
        template=str(Path(workflow.basedir) / "workflow" / "templates" / "paper.md"),
        tables=expand(
            "results/tables/{table}.csv",
            table=[
                *TABLES,
                *PAPER_TABLES,
                "claims",
                "claims_sensitivity",
                "claims_counts",
                "claims_by_budget",
                "claims_by_budget_counts",
                "wide",
                *(["sweep"] if len(SETTINGS) > 1 else []),
            ],
        ),
        figures=[f for f in FIGURES if f.endswith(".png")],
        # A further study with losses of its own (a protocol, not a budget): its published-
        # numbers table, the source study's numbers against our seeds under that protocol.
        protocols=[f"{study_root(study)}/tables/published.csv" for study in PROTOCOLS],
    output:
        markdown="results/paper.md",
        html=report("results/paper.html", caption=caption("paper"), category="Paper"),
    log:
        "results/logs/paper.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        tables="results/tables",
        # The committed convergence study, read from the repository (not an input: no rule of
        # `all` rebuilds it, and its intermediates are not committed).
        convergence=str(
            Path(workflow.basedir) / "results/tables/convergence_summary.csv"
        ),
        # Its curves: the reference runs epoch by epoch (the paper's "epoch kept").
        convergence_curves=str(
            Path(workflow.basedir) / "results/tables/convergence.csv"
        ),
        convergence_figure=str(Path(workflow.basedir) / "figures/convergence.png"),
        # The committed next doubling (`snakemake doubling`), read the same way.
        doubling=str(Path(workflow.basedir) / "results/tables/doubling.csv"),
        datasets=DATASETS,
        models=MODELS,
        protocols=PROTOCOLS,
    script:
        "../scripts/render_paper.py"


TARGETS["paper"] = [*rules.paper_tables.output, *rules.paper.output]
