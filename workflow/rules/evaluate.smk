# Evaluation stage: every metric of each run (reconstruction, KNN separability, factor
# recovery, density) in one JSON record, and its per-image test errors.


rule evaluate:
    input:
        code=code_of("evaluate.py"),
        data="results/data/{dataset}.npz",
        history="{root}/models/{dataset}/{model}/seed{seed}/history.csv",
        latents="{root}/latents/{dataset}/{model}/seed{seed}.npz",
        reconstructions="{root}/reconstructions/{dataset}/{model}/seed{seed}.npz",
    output:
        metrics="{root}/metrics/{dataset}/{model}/seed{seed}.json",
        errors="{root}/metrics/{dataset}/{model}/seed{seed}.npz",
    log:
        "{root}/logs/evaluate/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "{root}/benchmarks/evaluate/{dataset}/{model}/seed{seed}.tsv"
    threads: threads_of("evaluate")
    resources:
        **resources_of("evaluate"),
    params:
        evaluation=config["evaluation"],
        setting=lambda wildcards: setting_of(wildcards.root),
    script:
        "../scripts/evaluate.py"


TARGETS["evaluate"] = every_run(rules.evaluate.output)
