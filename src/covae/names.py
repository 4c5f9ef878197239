"""The study's names, defined once: its data sets, models, generating factors and random
streams, and how a run's files are named. The package and the Snakefile both read them
from here (numpy is the only import, so any job can afford it).

A run is one (data set, model, replicate seed); its per-run files follow the path contract
``.../{dataset}/{model}/seed{seed}.<ext>`` (README "What lands where").
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

DATASETS: tuple[str, ...] = ("gaussian", "student_t")
MODELS: tuple[str, ...] = ("vae", "ae")
# How figures, pages and tables name them to a reader.
DATASET_LABELS: dict[str, str] = {"gaussian": "Gaussian set", "student_t": "Student-t set"}
# The generating factors of every image, in the column order of a data set's ``factors``.
FACTOR_NAMES: tuple[str, ...] = ("var_x", "var_y", "cor", "df")

# The learning-rate schedules a model trains under (training.schedule.<model>.kind): the keys
# each takes besides ``kind`` and ``epochs``, and the field of covae.protocol.Schedule each sets
# (the fields a kind does not set keep their defaults and stay out of a run's fingerprint).
SCHEDULES: dict[str, dict[str, str]] = {
    "cosine": {"peak": "peak", "warmup_epochs": "warmup_epochs"},
    "exponential": {"initial": "peak", "decay_steps": "decay_steps", "decay_rate": "decay_rate"},
    "constant": {"rate": "peak"},
}

# The tables of a study's runs ({root}/tables/<name>.csv and .md): one per metric group (a
# metric's prefix: knn.df_accuracy -> knn), the paired VAE - AE comparison and the source
# study's published numbers beside ours; then the tables only the paper needs (its settings,
# wall times, provenance).
TABLES: tuple[str, ...] = (
    "reconstruction", "knn", "factors", "density", "realism", "training", "paired", "published",
)  # fmt: skip
PAPER_TABLES: tuple[str, ...] = ("study", "runtime", "provenance")

# Independent random streams derived from one seed, so that no draw shifts another: the split
# and the df classes come from the data seed; the validation rows and the sampled codes of a
# training run and the randomness of its evaluation (CV folds, forests, probes) from its
# replicate seed. New streams go at the end, so existing draws never move.
STREAMS: tuple[str, ...] = ("split", "df", "validation", "sample", "evaluation")


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator of one named random stream of a seed (one of ``STREAMS``)."""
    return np.random.default_rng([seed, STREAMS.index(name)])


def factor_columns(factors: np.ndarray) -> list[int]:
    """Columns of a data set's ``factors`` that vary (df is constant, infinite, on the
    Gaussian set)."""
    return [j for j in range(factors.shape[1]) if np.unique(factors[:, j]).size > 1]


def label(dataset: str, model: str | None = None) -> str:
    """A data set, or one of its models, as a figure's title names it: "Student-t set, VAE"."""
    name = DATASET_LABELS.get(dataset, dataset)
    return name if model is None else f"{name}, {model.upper()}"


def run_folder(dataset: str, model: str, seed: int) -> str:
    """Where a run's files live below a stage's folder: ``{dataset}/{model}/seed{seed}``
    (the inverse of :func:`run_of`)."""
    return f"{dataset}/{model}/seed{seed}"


def run_of(path: str | os.PathLike) -> dict[str, str | int]:
    """The identity of the run a file belongs to, read from its path: a per-run file
    (``.../{dataset}/{model}/seed{seed}.<ext>``) or a file of a run's folder
    (``.../{dataset}/{model}/seed{seed}/history.csv``). Returns ``{"dataset", "model", "seed"}``."""
    path = Path(path)
    run = path.parent if path.parent.name.startswith("seed") else path.with_suffix("")
    dataset, model, name = run.parent.parent.name, run.parent.name, run.name
    seed = name.removeprefix("seed")
    if dataset not in DATASETS or model not in MODELS or not seed.isdigit():
        raise ValueError(
            f"{path} is not a run's file (.../{{dataset}}/{{model}}/seed{{n}}.* or "
            f".../{{dataset}}/{{model}}/seed{{n}}/*)"
        )
    return {"dataset": dataset, "model": model, "seed": int(seed)}
