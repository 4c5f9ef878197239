# Wide-code stage: the wider code of the exploration (the tutorial's last exercise) against the
# study's runs of the same seeds, and its 2-D views (PCA, t-SNE).


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


TARGETS["wide"] = [
    *rules.wide_table.output,
    *expand(rules.embed.output[0], dataset=DATASETS, model=MODELS),
]
