# Training stage: one run per data set x model x replicate seed (x sweep setting, and the
# wider code's runs). {root} is "results" for the study's setting and
# results/sweep/latent{d}_beta{b} otherwise. A run whose fingerprint the model store holds is
# copied from it (seconds) instead of trained (covae.store; README, "Trained models").


rule train:
    input:
        data="results/data/{dataset}.npz",
        code=code_of("train.py"),
    output:
        # The files a run must hold, not its folder: a deleted one reruns the run.
        encoder="{root}/models/{dataset}/{model}/seed{seed}/encoder.keras",
        decoder="{root}/models/{dataset}/{model}/seed{seed}/decoder.keras",
        history="{root}/models/{dataset}/{model}/seed{seed}/history.csv",
        fingerprint="{root}/models/{dataset}/{model}/seed{seed}/fingerprint.json",
    log:
        "{root}/logs/train/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "{root}/benchmarks/train/{dataset}/{model}/seed{seed}.tsv"
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    params:
        config=model_config,
        store=MODEL_STORE,
    script:
        "../scripts/train.py"


TARGETS["train"] = every_run(rules.train.output)
