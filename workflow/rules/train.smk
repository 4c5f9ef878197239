# Training stage: one run per data set x model x replicate seed (x sweep setting), then the
# codes of every image, the decoded test images and every decoded path through the latent
# space (one job, so the run is loaded once).
# {root} is "results" for the study's setting and results/sweep/latent{d}_beta{b} otherwise.


rule train:
    input:
        "results/data/{dataset}.npz",
        code=code_of("train.py"),
    output:
        # The files a run must hold, not its folder: a deleted one reruns the run.
        encoder="{root}/models/{dataset}/{model}/seed{seed}/encoder.keras",
        decoder="{root}/models/{dataset}/{model}/seed{seed}/decoder.keras",
        history="{root}/models/{dataset}/{model}/seed{seed}/history.csv",
    log:
        "{root}/logs/train/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "{root}/benchmarks/train/{dataset}/{model}/seed{seed}.tsv"
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    params:
        config=model_config,
    script:
        "../scripts/train.py"


rule encode:
    input:
        code=code_of("encode.py"),
        data="results/data/{dataset}.npz",
        encoder="{root}/models/{dataset}/{model}/seed{seed}/encoder.keras",
        decoder="{root}/models/{dataset}/{model}/seed{seed}/decoder.keras",
        # The AE is also decoded from its codes plus the same seed's VAE noise (the seed's
        # measurement protocol), so it waits for the VAE's codes.
        vae_latents=lambda wildcards: (
            [
                f"{wildcards.root}/latents/{wildcards.dataset}/vae/seed{wildcards.seed}.npz"
            ]
            if wildcards.model == "ae"
            else []
        ),
    output:
        latents="{root}/latents/{dataset}/{model}/seed{seed}.npz",
        reconstructions="{root}/reconstructions/{dataset}/{model}/seed{seed}.npz",
        paths="{root}/paths/{dataset}/{model}/seed{seed}.npz",
    log:
        "{root}/logs/encode/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "{root}/benchmarks/encode/{dataset}/{model}/seed{seed}.tsv"
    threads: threads_of("encode")
    resources:
        **resources_of("encode"),
    params:
        loss=config["model"]["loss"],
        exploration=config["exploration"],
    script:
        "../scripts/encode.py"


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
