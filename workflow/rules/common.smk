# Helpers every stage uses, and nothing else: the study's names (from covae.names, which the
# package reads too), wildcard constraints, which runs exist, each job's code and resources,
# and the register of targets that `rule all` collects. The config is checked in the
# Snakefile before this file is read; each stage's rules are in their own file, in the order
# data flows.
import importlib.util
import math
import os
import re
from pathlib import Path

import covae.config
import covae.convergence
import covae.deps
import covae.io
import covae.names

DATASETS = list(covae.names.DATASETS)
MODELS = list(covae.names.MODELS)
# Model settings (latent_dim, beta): the study's first, then any the config sweeps.
SETTINGS = covae.config.model_settings(config)
# Further studies: the same runs under another training section, in results/studies/<name>/.
STUDIES = covae.config.study_names(config)


wildcard_constraints:
    dataset="|".join(DATASETS),
    model="|".join(MODELS),
    seed=r"\d+",
    root=r"results(/sweep/latent\d+_beta[0-9.e+-]+|/studies/[a-z][a-z0-9_]*|"
    + re.escape(covae.config.DOUBLING_ROOT.removeprefix("results"))
    + ")?",


# The wider code of the exploration (the tutorial's last exercise), trained on its own seeds.
WIDE = {
    "latent_dim": config["exploration"]["wide"]["latent_dim"],
    "beta": SETTINGS[0]["beta"],
}


def root_of(setting):
    """Where a setting's runs live: ``results`` for the study's, a sweep folder otherwise."""
    if setting == SETTINGS[0]:
        return "results"
    return f"results/sweep/latent{setting['latent_dim']}_beta{setting['beta']:g}"


def study_root(study):
    """Where a further study's runs, tables and claims live."""
    return covae.config.study_root(study)


def study_of(root):
    """The further study a ``root`` wildcard belongs to, or None (the main study, a sweep)."""
    match = re.fullmatch(rf"{re.escape(covae.config.STUDIES_ROOT)}/(\w+)", root)
    return match.group(1) if match else None


def setting_of(root):
    """The (latent_dim, beta) of a run folder's ``root`` wildcard (inverse of root_of)."""
    if root in ("results", covae.config.DOUBLING_ROOT) or study_of(root):
        return SETTINGS[0]
    latent_dim, beta = re.fullmatch(
        r"results/sweep/latent(\d+)_beta(.+)", root
    ).groups()
    return {"latent_dim": int(latent_dim), "beta": float(beta)}


def model_config(wildcards):
    """The ``data``, ``model`` and ``training`` sections of one run, its sweep setting filled
    in: what its fingerprint in the model store is made of."""
    if study := study_of(wildcards.root):
        return covae.config.study_config(config, study)
    model = {**config["model"], **setting_of(wildcards.root)}
    training = config["training"]
    if wildcards.root == covae.config.DOUBLING_ROOT:
        training = covae.config.doubling_training(config)
    return {"data": config["data"], "model": model, "training": training}


def swept_runs(pattern):
    """``pattern`` (with {root}) over every run of a sweep: each setting x data set x seed for
    the VAE, and for the AE each latent_dim once (beta does not change an AE)."""
    first_beta = SETTINGS[0]["beta"]
    return [
        pattern.format(root=root_of(setting), dataset=dataset, model=model, seed=seed)
        for setting in SETTINGS
        for model in MODELS
        if model == "vae" or setting["beta"] == first_beta
        for dataset in DATASETS
        for seed in config["seeds"]
    ]


# The package's modules each job uses, derived from its script's imports (covae.deps), so an
# edit of a module reruns exactly the jobs whose scripts reach it, and nothing else.
SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"
PACKAGE = Path(workflow.basedir) / "src" / "covae"


# The model store the train jobs read (never write): the repository's, or the folder that
# COVAE_MODEL_STORE names (an empty value: none, every run trains).
MODEL_STORE = (
    os.environ.get("COVAE_MODEL_STORE", str(Path(workflow.basedir) / "model_store"))
    or None
)
if os.environ.get("COVAE_MODEL_STORE") and not Path(MODEL_STORE).is_dir():
    # A mistyped store would train every run (hours) instead of taking it.
    refuse(
        f"COVAE_MODEL_STORE={MODEL_STORE}: no such folder; name a model store, or set it "
        "empty (COVAE_MODEL_STORE=) to train every run without one"
    )

# The Keras backends the package is tested under; a job's Keras would refuse another (or a
# backend that is not installed) only when the first job that needs it runs. KERAS_BACKEND
# alone chooses it: set here for every job, so that the backend of a keras.json
# (~/.keras or KERAS_HOME) does not run the jobs under another backend than the one checked
# here and reported in the paper's provenance.
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
if BACKEND not in ("tensorflow", "jax"):
    refuse(f"KERAS_BACKEND={BACKEND}: covae runs under tensorflow (the default) or jax")
if importlib.util.find_spec(BACKEND) is None:
    refuse(
        f"KERAS_BACKEND={BACKEND}: not installed here (pip install -e '.[jax]' adds JAX)"
    )
os.environ["KERAS_BACKEND"] = BACKEND


def caption(name):
    """The report caption of a figure or table (workflow/report/captions/<name>.rst)."""
    return str(
        Path(workflow.basedir) / "workflow" / "report" / "captions" / f"{name}.rst"
    )


def code_of(script):
    """The source files of every ``covae`` module that ``workflow/scripts/<script>`` reaches."""
    modules = covae.deps.modules_of(SCRIPTS / script, PACKAGE)
    return [str(PACKAGE / f"{module}.py") for module in modules]


def threads_of(kind):
    """Threads of a kind of job (``resources.<kind>.threads`` in the config)."""
    return config["resources"][kind]["threads"]


def resources_of(kind):
    """``mem_mb`` and ``runtime`` (minutes) of a kind of job, from the config. Training's
    runtime is estimated from its epochs, and it asks for a GPU when ``resources.gpu``.
    """
    section = config["resources"][kind]
    if kind != "train":
        return {"mem_mb": section["mem_mb"], "runtime": section["runtime"]}
    per_epoch = section["minutes_per_epoch"]

    def runtime(wildcards):
        return math.ceil(5 + per_epoch * epochs_of(wildcards))

    gpu = {"gpu": 1} if config["resources"]["gpu"] else {}
    return {"mem_mb": section["mem_mb"], "runtime": runtime, **gpu}


def epochs_of(wildcards):
    """Epochs a training job runs: its schedule's, or a convergence run's (the number in its
    ``schedule`` wildcard, e.g. cosine20_b16)."""
    if hasattr(wildcards, "schedule"):
        return covae.convergence.parse_name(wildcards.schedule).epochs
    epochs = config["training"]["schedule"][wildcards.model]["epochs"]
    return epochs[wildcards.dataset] if isinstance(epochs, dict) else epochs


def convergence_references():
    """The committed convergence study's reference error per "dataset/model" (empty before
    `snakemake convergence` has written it). Read from the repository, not the working
    directory: it is a property of the committed study, and no rule of `all` rebuilds it.
    """
    path = Path(workflow.basedir) / "results" / "tables" / "convergence_summary.csv"
    if not path.exists():
        return {}
    import pandas

    return covae.convergence.references(pandas.read_csv(path))


def runs_of(pattern, dataset=None, root=None):
    """``pattern`` expanded over the study's models and seeds (and data sets unless one is
    given); a ``{root}`` in it becomes ``root``."""
    datasets = DATASETS if dataset is None else [dataset]
    if root is not None:
        pattern = pattern.replace("{root}", root)
    return expand(pattern, dataset=datasets, model=MODELS, seed=config["seeds"])


def study_runs(pattern):
    """``pattern`` (with {root}) over the runs of every further study."""
    return [f for study in STUDIES for f in runs_of(pattern, root=study_root(study))]


def wide_runs(pattern):
    """``pattern`` (with {root}) over the wide runs and, to compare, the study's same seeds."""
    seeds = config["exploration"]["wide"]["seeds"]
    return expand(
        pattern,
        root=list(dict.fromkeys([root_of(SETTINGS[0]), root_of(WIDE)])),
        dataset=DATASETS,
        model=MODELS,
        seed=seeds,
    )


def every_run(patterns):
    """``patterns`` (with {root}) over every run trained: the sweep's, the wide ones and those
    of the further studies."""
    files = [
        f
        for pattern in patterns
        for f in swept_runs(pattern) + wide_runs(pattern) + study_runs(pattern)
    ]
    return list(dict.fromkeys(files))


# What `snakemake` with no target builds, registered by each stage after its rules: the tables,
# figures and paper, and every file of every run (snakemake skips a missing intermediate file
# whose readers are up to date, so a deleted decoder.keras or latents .npz would otherwise never
# be rebuilt). `rule all` in the Snakefile takes them all.
TARGETS = {}
