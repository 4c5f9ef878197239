# Realism stage: the generating density fitted to every decoded image of a run (test
# reconstructions, interpolations, grids, traversals) and its residual.


rule realism:
    input:
        code=code_of("fit_realism.py"),
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
        "../scripts/fit_realism.py"


TARGETS["realism"] = list(
    dict.fromkeys(
        [
            f
            for pattern in rules.realism.output
            for f in runs_of(pattern, root="results")
            + wide_runs(pattern)
            + study_runs(pattern)
        ]
    )
)
