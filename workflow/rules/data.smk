# Data stage: the two heatmap data sets and their example figure.


rule heatmaps:
    input:
        code=code_of("make_dataset.py"),
    output:
        "results/data/{dataset}.npz",
    log:
        "results/logs/data/{dataset}.log",
    benchmark:
        "results/benchmarks/data/{dataset}.tsv"
    threads: threads_of("data")
    resources:
        **resources_of("data"),
    params:
        data=config["data"],
    script:
        "../scripts/make_dataset.py"


rule figure_heatmaps:
    input:
        data="results/data/{dataset}.npz",
        code=code_of("plot_heatmaps.py"),
    output:
        report(
            "figures/heatmaps_{dataset}.png",
            category="Data",
            subcategory="{dataset}",
        ),
    log:
        "results/logs/figures/heatmaps_{dataset}.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["heatmaps"],
        heavy_df=lambda wildcards: (
            config["data"]["student_t"]["df_heavy"]
            if wildcards.dataset == "student_t"
            else None
        ),
    script:
        "../scripts/plot_heatmaps.py"


rule figure_tails:
    input:
        data="results/data/student_t.npz",
        code=code_of("plot_tails.py"),
    output:
        report("figures/tails.png", category="Data", subcategory="student_t"),
    log:
        "results/logs/figures/tails.log",
    threads: threads_of("report")
    resources:
        **resources_of("report"),
    params:
        figure=config["figures"]["tails"],
        data=config["data"],
    script:
        "../scripts/plot_tails.py"
