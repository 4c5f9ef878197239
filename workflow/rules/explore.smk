# Exploration stage: the realism of every decoded image (the encode job decodes the paths), the
# figures of the latent clouds and paths, and the wider code's views.


rule realism:
    input:
        code=code_of("realism.py"),
        data="results/data/{dataset}.npz",
        reconstructions="{root}/reconstructions/{dataset}/{model}/seed{seed}.npz",
        paths="{root}/paths/{dataset}/{model}/seed{seed}.npz",
    output:
        arrays="{root}/realism/{dataset}/{model}/seed{seed}.npz",
        summary="{root}/realism/{dataset}/{model}/seed{seed}.json",
    log:
        "{root}/logs/realism/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "{root}/benchmarks/realism/{dataset}/{model}/seed{seed}.tsv"
    threads: threads_of("realism")
    resources:
        **resources_of("realism"),
    params:
        grid=config["data"]["grid"],
        realism=config["exploration"]["realism"],
        setting=lambda wildcards: setting_of(wildcards.root),
    script:
        "../scripts/realism.py"


rule figure_latent:
    input:
        code=code_of("plot_latent.py"),
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        report(
            "figures/latent_{dataset}_{model}.png",
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


rule figure_latent_grid:
    input:
        code=code_of("plot_latent_grid.py"),
        paths=f"results/paths/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        report(
            "figures/latent_grid_{dataset}_{model}.png",
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


rule figure_realism:
    input:
        code=code_of("plot_realism.py"),
        runs=lambda wildcards: runs_of(
            "results/realism/{dataset}/{model}/seed{seed}.npz", wildcards.dataset
        ),
    output:
        realism=report(
            "figures/realism_{dataset}.png",
            category="Realism",
            subcategory="{dataset}",
        ),
        traversals=report(
            "figures/traversal_factors_{dataset}.png",
            category="Realism",
            subcategory="{dataset}",
        ),
        interpolations=report(
            "figures/interpolation_factors_{dataset}.png",
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


rule figure_traversals:
    input:
        code=code_of("plot_traversals.py"),
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
        paths=f"results/paths/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        hull=report(
            "figures/hull_traversal_{dataset}_{model}.png",
            category="Traversals",
            subcategory="{dataset}",
        ),
        plane=report(
            "figures/plane_traversal_{dataset}_{model}.png",
            category="Traversals",
            subcategory="{dataset}",
        ),
        gap=report(
            "figures/gap_traversal_{dataset}_{model}.png",
            category="Traversals",
            subcategory="{dataset}",
        ),
        trajectories=report(
            "figures/trajectories_{dataset}_{model}.png",
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


def wide_runs(pattern):
    """``pattern`` (with {root}) over the wide runs and, to compare, the study's same seeds."""
    seeds = config["exploration"]["wide"]["seeds"]
    return expand(
        pattern,
        root=list(dict.fromkeys([root_of(SETTINGS[0]), root_of(WIDE)])),
        dataset=DATASETS,
        model=MODELS,
        seed=seeds,
    )


rule wide_table:
    input:
        code=code_of("make_sweep_table.py"),
        metrics=wide_runs("{root}/metrics/{dataset}/{model}/seed{seed}.json"),
        realism=wide_runs("{root}/realism/{dataset}/{model}/seed{seed}.json"),
    output:
        csv="results/tables/wide.csv",
        md="results/tables/wide.md",
    log:
        "results/logs/wide_table.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        confidence=config["evaluation"]["confidence"],
    script:
        "../scripts/make_sweep_table.py"


rule embed:
    input:
        f"{root_of(WIDE)}/latents/{{dataset}}/{{model}}/seed{config['exploration']['wide']['seeds'][0]}.npz",
        code=code_of("embed.py"),
    output:
        "results/embeddings/{dataset}/{model}.npz",
    log:
        "results/logs/embed/{dataset}/{model}.log",
    benchmark:
        "results/benchmarks/embed/{dataset}/{model}.tsv"
    threads: threads_of("evaluate")
    resources:
        **resources_of("evaluate"),
    params:
        wide=config["exploration"]["wide"],
    script:
        "../scripts/embed.py"


rule figure_embedding:
    input:
        code=code_of("plot_embedding.py"),
        data="results/data/{dataset}.npz",
        views="results/embeddings/{dataset}/{model}.npz",
    output:
        pca=report(
            "figures/latent_pca_{dataset}_{model}.png",
            category="Latent space",
            subcategory="{dataset}",
        ),
        tsne=report(
            "figures/latent_tsne_{dataset}_{model}.png",
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
