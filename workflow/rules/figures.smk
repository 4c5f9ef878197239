# Figures stage: every figure of the study (figures/), in the order of the stages they show.
from snakemake.io import strip_wildcard_constraints


rule figure_heatmaps:
    input:
        data="results/data/{dataset}.npz",
        code=code_of("plot_heatmaps.py"),
    output:
        report(
            "figures/heatmaps_{dataset}.png",
            caption=caption("heatmaps"),
            category="Data",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/heatmaps_{dataset}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["heatmaps"],
        heavy_df=lambda wildcards: (
            config["data"]["student_t"]["df_heavy"]
            if wildcards.dataset == "student_t"
            else None
        ),
    script:
        "../scripts/plot_heatmaps.py"


rule figure_tails:
    input:
        data="results/data/student_t.npz",
        code=code_of("plot_tails.py"),
    output:
        report(
            "figures/tails.png",
            caption=caption("tails"),
            category="Data",
            subcategory="student_t",
        ),
    log:
        "results/logs/figures/tails.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["tails"],
        data=config["data"],
    script:
        "../scripts/plot_tails.py"


rule figure_training:
    input:
        code=code_of("plot_training.py"),
        runs=expand(
            "results/models/{{dataset}}/{model}/seed{seed}/history.csv",
            model=MODELS,
            seed=config["seeds"],
        ),
    output:
        report(
            "figures/training_{dataset}.png",
            caption=caption("training"),
            category="Training",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/training_{dataset}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["training"],
    script:
        "../scripts/plot_training.py"


rule figure_reconstruction_errors:
    input:
        code=code_of("plot_reconstruction_errors.py"),
        runs=lambda wildcards: runs_of(
            "results/metrics/{dataset}/{model}/seed{seed}.npz", wildcards.dataset
        ),
    output:
        report(
            "figures/reconstruction_errors_{dataset}.png",
            caption=caption("reconstruction_errors"),
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
            caption=caption("reconstructions"),
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
            caption=caption("metrics"),
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


rule figure_latent:
    input:
        code=code_of("plot_latent.py"),
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        report(
            "figures/latent_{dataset}_{model}.png",
            caption=caption("latent"),
            category="Latent space",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/latent_{dataset}_{model}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
    script:
        "../scripts/plot_latent.py"


rule plotly_js:
    input:
        code=code_of("write_plotly_js.py"),
    output:
        f"figures/{covae.io.PLOTLY_JS}",
    log:
        "results/logs/figures/plotly_js.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    script:
        "../scripts/write_plotly_js.py"


rule figure_latent_3d:
    input:
        code=code_of("plot_latent_3d.py"),
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
        plotly_js=f"figures/{covae.io.PLOTLY_JS}",
    output:
        png=report(
            "figures/latent3d_{dataset}_{model}.png",
            caption=caption("latent3d"),
            category="Latent space",
            subcategory="{dataset}",
        ),
        # Not in the report: the page loads plotly.js from beside it, which a report lacks.
        html="figures/latent3d_{dataset}_{model}.html",
    log:
        "results/logs/figures/latent3d_{dataset}_{model}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
    script:
        "../scripts/plot_latent_3d.py"


rule figure_latent_grid:
    input:
        code=code_of("plot_latent_grid.py"),
        paths=f"results/paths/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        report(
            "figures/latent_grid_{dataset}_{model}.png",
            caption=caption("latent_grid"),
            category="Traversals",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/latent_grid_{dataset}_{model}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
    script:
        "../scripts/plot_latent_grid.py"


rule figure_traversals:
    input:
        code=code_of("plot_traversals.py"),
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
        paths=f"results/paths/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        hull=report(
            "figures/hull_traversal_{dataset}_{model}.png",
            caption=caption("hull_traversal"),
            category="Traversals",
            subcategory="{dataset}",
        ),
        plane=report(
            "figures/plane_traversal_{dataset}_{model}.png",
            caption=caption("plane_traversal"),
            category="Traversals",
            subcategory="{dataset}",
        ),
        gap=report(
            "figures/gap_traversal_{dataset}_{model}.png",
            caption=caption("gap_traversal"),
            category="Traversals",
            subcategory="{dataset}",
        ),
        trajectories=report(
            "figures/trajectories_{dataset}_{model}.png",
            caption=caption("trajectories"),
            category="Traversals",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/traversals_{dataset}_{model}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
    script:
        "../scripts/plot_traversals.py"


rule figure_realism:
    input:
        code=code_of("plot_realism.py"),
        runs=lambda wildcards: runs_of(
            "results/realism/{dataset}/{model}/seed{seed}.npz", wildcards.dataset
        ),
    output:
        realism=report(
            "figures/realism_{dataset}.png",
            caption=caption("realism"),
            category="Realism",
            subcategory="{dataset}",
        ),
        traversals=report(
            "figures/traversal_factors_{dataset}.png",
            caption=caption("traversal_factors"),
            category="Realism",
            subcategory="{dataset}",
        ),
        interpolations=report(
            "figures/interpolation_factors_{dataset}.png",
            caption=caption("interpolation_factors"),
            category="Realism",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/realism_{dataset}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
        steps=config["exploration"]["interpolation"]["steps"],
        pairs_shown=min(4, config["exploration"]["interpolation"]["pairs"]),
    script:
        "../scripts/plot_realism.py"


rule figure_embedding:
    input:
        code=code_of("plot_embedding.py"),
        data="results/data/{dataset}.npz",
        views="results/embeddings/{dataset}/{model}.npz",
    output:
        pca=report(
            "figures/latent_pca_{dataset}_{model}.png",
            caption=caption("latent_pca"),
            category="Latent space",
            subcategory="{dataset}",
        ),
        tsne=report(
            "figures/latent_tsne_{dataset}_{model}.png",
            caption=caption("latent_tsne"),
            category="Latent space",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/embedding_{dataset}_{model}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
        latent_dim=WIDE["latent_dim"],
    script:
        "../scripts/plot_embedding.py"


rule figure_claims:
    input:
        code=code_of("plot_claims.py"),
        verdicts="results/tables/claims.csv",
        seeds="results/tables/claims_seeds.csv",
    output:
        report("figures/claims.png", caption=caption("claims"), category="Claims"),
    log:
        "results/logs/figures/claims.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
    script:
        "../scripts/plot_claims.py"


rule figure_claims_by_budget:
    input:
        code=code_of("plot_claims_by_budget.py"),
        table="results/tables/claims_by_budget.csv",
        seeds=[f"{root}/tables/claims_seeds.csv" for root in BUDGETS.values()],
    output:
        report(
            "figures/claims_by_budget.png",
            caption=caption("claims_by_budget"),
            category="Claims",
        ),
    log:
        "results/logs/figures/claims_by_budget.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
        budgets=list(BUDGETS),
    script:
        "../scripts/plot_claims_by_budget.py"


rule explorer_decoder:
    input:
        code=code_of("export_decoder.py"),
        decoder=f"results/models/{{dataset}}/{{model}}/seed{config['seeds'][0]}/decoder.keras",
    output:
        "results/explorer/{dataset}/{model}.json",
    log:
        "results/logs/explorer/{dataset}/{model}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    script:
        "../scripts/export_decoder.py"


rule figure_explorer:
    input:
        code=code_of("make_explorer.py"),
        page=str(PACKAGE / "explorer.html"),
        data="results/data/{dataset}.npz",
        decoders=expand("results/explorer/{{dataset}}/{model}.json", model=MODELS),
        latents=expand(
            "results/latents/{{dataset}}/{model}/seed{seed}.npz",
            model=MODELS,
            seed=config["seeds"][0],
        ),
        paths=expand(
            "results/paths/{{dataset}}/{model}/seed{seed}.npz",
            model=MODELS,
            seed=config["seeds"][0],
        ),
        plotly_js=f"figures/{covae.io.PLOTLY_JS}",
    output:
        # Not in the report: the page loads plotly.js from beside it, which a report lacks.
        "figures/explorer_{dataset}.html",
    log:
        "results/logs/figures/explorer_{dataset}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        models=MODELS,
        seed=config["seeds"][0],
    script:
        "../scripts/make_explorer.py"


# Every figure of the rules above (PNG, and HTML for the interactive views), read from their
# own outputs (the convergence study's figures, defined later, are not among them).
FIGURES = list(
    dict.fromkeys(
        file
        for rule in workflow.rules
        if rule.name.startswith("figure_")
        for pattern in rule.output
        for file in expand(
            strip_wildcard_constraints(str(pattern)), dataset=DATASETS, model=MODELS
        )
    )
)
TARGETS["figures"] = FIGURES
