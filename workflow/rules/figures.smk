# Figures stage: every figure of the study (figures/), in the order of the stages they show.
# Each figure rule is the template `_figure` (a report job that runs the script its
# `params.script` names) with its own inputs, outputs, log and params.
import re

from snakemake.io import strip_wildcard_constraints


def figure(stem, category, subcategory="{dataset}"):
    """``figures/<stem>.png`` in the report, under ``category`` / ``subcategory`` (None: no
    subcategory), with its caption: ``workflow/report/captions/<name>.rst``, where ``name`` is
    ``stem`` without its trailing wildcards (``latent_pca_{dataset}_{model}`` -> ``latent_pca``).
    """
    name = re.sub(r"(_\{\w+\})+$", "", stem)
    return report(
        f"figures/{stem}.png",
        caption=caption(name),
        category=category,
        subcategory=subcategory,
    )


rule _figure:
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    script:
        "../scripts/{params.script}.py"


use rule _figure as figure_heatmaps with:
    input:
        data="results/data/{dataset}.npz",
        code=code_of("plot_heatmaps.py"),
    output:
        figure("heatmaps_{dataset}", "Data"),
    log:
        "results/logs/figures/heatmaps_{dataset}.log",
    params:
        script="plot_heatmaps",
        figure=config["figures"]["heatmaps"],
        heavy_df=lambda wildcards: (
            config["data"]["student_t"]["df_heavy"]
            if wildcards.dataset == "student_t"
            else None
        ),


use rule _figure as figure_tails with:
    input:
        data="results/data/student_t.npz",
        code=code_of("plot_tails.py"),
    output:
        figure("tails", "Data", "student_t"),
    log:
        "results/logs/figures/tails.log",
    params:
        script="plot_tails",
        figure=config["figures"]["tails"],
        data=config["data"],


use rule _figure as figure_training with:
    input:
        code=code_of("plot_training.py"),
        runs=expand(
            "results/models/{{dataset}}/{model}/seed{seed}/history.csv",
            model=MODELS,
            seed=config["seeds"],
        ),
    output:
        figure("training_{dataset}", "Training"),
    log:
        "results/logs/figures/training_{dataset}.log",
    params:
        script="plot_training",
        figure=config["figures"]["training"],


use rule _figure as figure_reconstruction_errors with:
    input:
        code=code_of("plot_reconstruction_errors.py"),
        runs=lambda wildcards: runs_of(
            "results/metrics/{dataset}/{model}/seed{seed}.npz", wildcards.dataset
        ),
    output:
        figure("reconstruction_errors_{dataset}", "Reconstruction"),
    log:
        "results/logs/figures/reconstruction_errors_{dataset}.log",
    params:
        script="plot_reconstruction_errors",
        figure=config["figures"]["evaluation"],


use rule _figure as figure_reconstructions with:
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
        figure("reconstructions_{dataset}", "Reconstruction"),
    log:
        "results/logs/figures/reconstructions_{dataset}.log",
    params:
        script="plot_reconstructions",
        figure=config["figures"]["reconstructions"],
        models=MODELS,


use rule _figure as figure_metrics with:
    input:
        code=code_of("plot_metrics.py"),
        metrics=lambda wildcards: runs_of(
            "results/metrics/{dataset}/{model}/seed{seed}.json", wildcards.dataset
        ),
        realism=lambda wildcards: runs_of(
            "results/realism/{dataset}/{model}/seed{seed}.json", wildcards.dataset
        ),
    output:
        figure("metrics_{dataset}", "Reconstruction"),
    log:
        "results/logs/figures/metrics_{dataset}.log",
    params:
        script="plot_metrics",
        figure=config["figures"]["evaluation"],


use rule _figure as figure_latent with:
    input:
        code=code_of("plot_latent.py"),
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        figure("latent_{dataset}_{model}", "Latent space"),
    log:
        "results/logs/figures/latent_{dataset}_{model}.log",
    params:
        script="plot_latent",
        figure=config["figures"]["evaluation"],


use rule _figure as plotly_js with:
    input:
        code=code_of("write_plotly_js.py"),
    output:
        f"figures/{covae.io.PLOTLY_JS}",
    log:
        "results/logs/figures/plotly_js.log",
    params:
        script="write_plotly_js",


use rule _figure as figure_latent_3d with:
    input:
        code=code_of("plot_latent_3d.py"),
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
        plotly_js=f"figures/{covae.io.PLOTLY_JS}",
    output:
        png=figure("latent3d_{dataset}_{model}", "Latent space"),
        # Not in the report: the page loads plotly.js from beside it, which a report lacks.
        html="figures/latent3d_{dataset}_{model}.html",
    log:
        "results/logs/figures/latent3d_{dataset}_{model}.log",
    params:
        script="plot_latent_3d",
        figure=config["figures"]["evaluation"],


use rule _figure as figure_latent_grid with:
    input:
        code=code_of("plot_latent_grid.py"),
        paths=f"results/paths/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        figure("latent_grid_{dataset}_{model}", "Traversals"),
    log:
        "results/logs/figures/latent_grid_{dataset}_{model}.log",
    params:
        script="plot_latent_grid",
        figure=config["figures"]["evaluation"],


use rule _figure as figure_traversals with:
    input:
        code=code_of("plot_traversals.py"),
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
        paths=f"results/paths/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        hull=figure("hull_traversal_{dataset}_{model}", "Traversals"),
        plane=figure("plane_traversal_{dataset}_{model}", "Traversals"),
        gap=figure("gap_traversal_{dataset}_{model}", "Traversals"),
        trajectories=figure("trajectories_{dataset}_{model}", "Traversals"),
    log:
        "results/logs/figures/traversals_{dataset}_{model}.log",
    params:
        script="plot_traversals",
        figure=config["figures"]["evaluation"],


use rule _figure as figure_realism with:
    input:
        code=code_of("plot_realism.py"),
        runs=lambda wildcards: runs_of(
            "results/realism/{dataset}/{model}/seed{seed}.npz", wildcards.dataset
        ),
    output:
        realism=figure("realism_{dataset}", "Realism"),
        traversals=figure("traversal_factors_{dataset}", "Realism"),
        interpolations=figure("interpolation_factors_{dataset}", "Realism"),
    log:
        "results/logs/figures/realism_{dataset}.log",
    params:
        script="plot_realism",
        figure=config["figures"]["evaluation"],
        steps=config["exploration"]["interpolation"]["steps"],
        pairs_shown=min(4, config["exploration"]["interpolation"]["pairs"]),


use rule _figure as figure_embedding with:
    input:
        code=code_of("plot_embedding.py"),
        data="results/data/{dataset}.npz",
        views="results/embeddings/{dataset}/{model}.npz",
    output:
        pca=figure("latent_pca_{dataset}_{model}", "Latent space"),
        tsne=figure("latent_tsne_{dataset}_{model}", "Latent space"),
    log:
        "results/logs/figures/embedding_{dataset}_{model}.log",
    params:
        script="plot_embedding",
        figure=config["figures"]["evaluation"],
        latent_dim=WIDE["latent_dim"],


use rule _figure as figure_claims with:
    input:
        code=code_of("plot_claims.py"),
        verdicts="results/tables/claims.csv",
        seeds="results/tables/claims_seeds.csv",
    output:
        report("figures/claims.png", caption=caption("claims"), category="Claims"),
    log:
        "results/logs/figures/claims.log",
    params:
        script="plot_claims",
        figure=config["figures"]["evaluation"],


use rule _figure as figure_claims_by_budget with:
    input:
        code=code_of("plot_claims_by_budget.py"),
        table="results/tables/claims_by_budget.csv",
        seeds=[f"{root}/tables/claims_seeds.csv" for root in BUDGETS.values()],
    output:
        figure("claims_by_budget", "Claims", None),
    log:
        "results/logs/figures/claims_by_budget.log",
    params:
        script="plot_claims_by_budget",
        figure=config["figures"]["evaluation"],
        budgets=list(BUDGETS),


# A sweep of the code (model.latent_dim or model.beta a list): its metrics per setting.
if len(SETTINGS) > 1:

    use rule _figure as figure_sweep with:
        input:
            code=code_of("plot_sweep.py"),
            table=rules.sweep_table.output.csv,
        output:
            figure("sweep_{dataset}", "Sweep"),
        log:
            "results/logs/figures/sweep_{dataset}.log",
        params:
            script="plot_sweep",
            figure=config["figures"]["evaluation"],


use rule _figure as explorer_decoder with:
    input:
        code=code_of("export_decoder.py"),
        decoder=f"results/models/{{dataset}}/{{model}}/seed{config['seeds'][0]}/decoder.keras",
    output:
        "results/explorer/{dataset}/{model}.json",
    log:
        "results/logs/explorer/{dataset}/{model}.log",
    params:
        script="export_decoder",


use rule _figure as figure_explorer with:
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
    params:
        script="make_explorer",
        models=MODELS,
        seed=config["seeds"][0],


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
