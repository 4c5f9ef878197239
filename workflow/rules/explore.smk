# Exploration stage: paths through each latent space decoded, the realism of every decoded
# image, and the figures of the latent clouds.


rule decode_paths:
    input:
        data="results/data/{dataset}.npz",
        run="{root}/models/{dataset}/{model}/seed{seed}",
        latents="{root}/latents/{dataset}/{model}/seed{seed}.npz",
    output:
        "{root}/paths/{dataset}/{model}/seed{seed}.npz",
    log:
        "{root}/logs/decode_paths/{dataset}/{model}/seed{seed}.log",
    threads: threads_of("encode")
    resources:
        **resources_of("encode"),
    params:
        exploration=config["exploration"],
    script:
        "../scripts/decode_paths.py"


rule realism:
    input:
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
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        "figures/latent_{dataset}_{model}.png",
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
        f"results/paths/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        "figures/latent_grid_{dataset}_{model}.png",
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
        lambda wildcards: runs_of(
            "results/realism/{dataset}/{model}/seed{seed}.npz", wildcards.dataset
        ),
    output:
        "figures/realism_{dataset}.png",
    log:
        "results/logs/figures/realism_{dataset}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
        steps=config["exploration"]["interpolation"]["steps"],
    script:
        "../scripts/plot_realism.py"


rule plotly_js:
    output:
        "figures/plotly.min.js",
    log:
        "results/logs/figures/plotly_js.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    script:
        "../scripts/write_plotly_js.py"


rule figure_latent_3d:
    input:
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
        plotly_js="figures/plotly.min.js",
    output:
        png="figures/latent3d_{dataset}_{model}.png",
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
        data="results/data/{dataset}.npz",
        latents=f"results/latents/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
        paths=f"results/paths/{{dataset}}/{{model}}/seed{config['seeds'][0]}.npz",
    output:
        hull="figures/hull_traversal_{dataset}_{model}.png",
        plane="figures/plane_traversal_{dataset}_{model}.png",
        gap="figures/gap_traversal_{dataset}_{model}.png",
    log:
        "results/logs/figures/traversals_{dataset}_{model}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["evaluation"],
    script:
        "../scripts/plot_traversals.py"
