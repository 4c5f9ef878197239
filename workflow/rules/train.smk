# Training stage: one run per data set x model x replicate seed, then the codes of every image
# and the decoded test images (one job, so the run is loaded once).


rule train:
    input:
        "results/data/{dataset}.npz",
    output:
        directory("results/models/{dataset}/{model}/seed{seed}"),
    log:
        "results/logs/train/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "results/benchmarks/train/{dataset}/{model}/seed{seed}.tsv"
    threads: 2
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        config={key: config[key] for key in ("model", "training")},
    script:
        "../scripts/train.py"


rule encode:
    input:
        data="results/data/{dataset}.npz",
        run="results/models/{dataset}/{model}/seed{seed}",
    output:
        latents="results/latents/{dataset}/{model}/seed{seed}.npz",
        reconstructions="results/reconstructions/{dataset}/{model}/seed{seed}.npz",
    log:
        "results/logs/encode/{dataset}/{model}/seed{seed}.log",
    threads: 2
    resources:
        mem_mb=3000,
        runtime=10,
    params:
        loss=config["model"]["loss"],
    script:
        "../scripts/encode.py"


rule figure_training:
    input:
        expand(
            "results/models/{{dataset}}/{model}/seed{seed}",
            model=MODELS,
            seed=config["seeds"],
        ),
    output:
        "figures/training_{dataset}.png",
    log:
        "results/logs/figures/training_{dataset}.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        figure=config["figures"]["training"],
    script:
        "../scripts/plot_training.py"
