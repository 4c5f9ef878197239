# Encoding stage: each run's codes of every image and its decoded test images.


rule encode:
    input:
        code=code_of("encode_images.py"),
        data="results/data/{dataset}.npz",
        encoder="{root}/models/{dataset}/{model}/seed{seed}/encoder.keras",
        decoder="{root}/models/{dataset}/{model}/seed{seed}/decoder.keras",
        # The AE is also decoded from its codes plus the same seed's VAE noise (the source study's
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
    log:
        "{root}/logs/encode/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "{root}/benchmarks/encode/{dataset}/{model}/seed{seed}.tsv"
    threads: threads_of("encode")
    resources:
        **resources_of("encode"),
    params:
        loss=lambda wildcards: model_config(wildcards)["model"]["loss"],
    script:
        "../scripts/encode_images.py"


TARGETS["encode"] = every_run(rules.encode.output)
