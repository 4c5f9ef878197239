# Data stage: the two heatmap data sets (results/data/{dataset}.npz).


rule heatmaps:
    input:
        code=code_of("make_dataset.py"),
    output:
        "results/data/{dataset}.npz",
    log:
        "results/logs/data/{dataset}.log",
    benchmark:
        "results/benchmarks/data/{dataset}.tsv"
    # Before anything else that is ready: every job reads a data set, and a data job (2
    # threads) started after training began waits for a whole run to free its second core.
    priority: 10
    threads: threads_of("data")
    resources:
        **resources_of("data"),
    params:
        data=config["data"],
    script:
        "../scripts/make_dataset.py"


TARGETS["data"] = expand(rules.heatmaps.output[0], dataset=DATASETS)
