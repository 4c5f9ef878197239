# Paths stage: every path through a run's latent space (covae.traversals: interpolations,
# latent grids, the source study's traversals chosen by geometry), decoded. Its own rule, so that an
# `exploration` setting reruns only the paths and what reads them, never the encoding.


rule decode_paths:
    input:
        code=code_of("decode_paths.py"),
        data="results/data/{dataset}.npz",
        latents="{root}/latents/{dataset}/{model}/seed{seed}.npz",
        decoder="{root}/models/{dataset}/{model}/seed{seed}/decoder.keras",
    output:
        paths="{root}/paths/{dataset}/{model}/seed{seed}.npz",
    log:
        "{root}/logs/paths/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "{root}/benchmarks/paths/{dataset}/{model}/seed{seed}.tsv"
    threads: threads_of("encode")
    resources:
        **resources_of("encode"),
    params:
        exploration=config["exploration"],
    script:
        "../scripts/decode_paths.py"


TARGETS["paths"] = every_run(rules.decode_paths.output)
