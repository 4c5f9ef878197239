"""Every measurement of one training run, from its saved arrays to one JSON-ready dict.

The rule ``evaluate`` calls :func:`evaluate_run` with the data set, the run's codes and its
test reconstructions; nothing here touches Keras, so an evaluation job starts in a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from covae import disentanglement, metrics, names

# The code kinds measured: the deterministic code of both models, and the VAE's sampled code
# (the source study measured its VAE on samples).
CODES = ("z_mean", "z_sample")


@dataclass(frozen=True)
class EvalSpec:
    """The ``evaluation`` section of the config."""

    k_values: tuple[int, ...]
    folds: int
    fixed_k: int
    neighbors: int
    mig_bins: int
    dci_trees: int
    probes: int
    gap_quantile: float

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> EvalSpec:
        section = config["evaluation"]
        knn, factors, density = section["knn"], section["factors"], section["density"]
        return cls(
            k_values=tuple(range(knn["k_min"], knn["k_max"] + 1)),
            folds=knn["folds"],
            fixed_k=knn["fixed_k"],
            neighbors=factors["neighbors"],
            mig_bins=factors["mig_bins"],
            dci_trees=factors["dci_trees"],
            probes=density["probes"],
            gap_quantile=density["gap_quantile"],
        )


def code_kinds(latents: dict[str, np.ndarray]) -> tuple[str, ...]:
    """The code kinds worth measuring: ``z_sample`` only where it differs from ``z_mean`` (VAE)."""
    return CODES if "z_log_var" in latents else CODES[:1]


def reconstruction_errors(
    images: np.ndarray, reconstructions: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Per test image and code kind, the Frobenius error (``reconstructions`` holds ``index``).

    ``seed_protocol`` is the source study's measurement: the VAE decoded from sampled codes, the
    AE from its codes plus that VAE's noise (a ``seed_protocol`` reconstruction)."""
    index = reconstructions["index"]
    errors = {
        kind: metrics.frobenius_errors(images[index], reconstructions[kind])
        for kind in (*CODES, "seed_protocol")
        if kind in reconstructions
    }
    if "z_sample" in errors:
        errors["seed_protocol"] = errors["z_sample"]
    return errors


def training_summary(history: pd.DataFrame) -> dict[str, float]:
    """Epochs run, the epoch whose weights were kept, its validation loss and its excess over
    the entropy floor (nats per image), and the time taken."""
    kept = history[history["kept"].astype(bool)].iloc[-1]
    summary = {
        "epochs_run": int(len(history)),
        "epoch_kept": int(kept["epoch"]),
        "val_loss_kept": float(kept["val_loss"]),
        "seconds": float(history["seconds"].sum()),
    }
    if "val_excess" in history:
        summary["val_excess_kept"] = float(kept["val_excess"])
    return summary


def exterior_spearman(codes: np.ndarray, factors: np.ndarray) -> float:
    """Spearman correlation of |var_x - var_y| with each code's distance from the cloud's centre
    (every image; axes standardized, as an AE axis has no natural scale): positive when the
    unequal variances lie on the outside of the cloud (the source study's reading of its
    figures)."""
    from scipy.stats import spearmanr
    from sklearn.preprocessing import scale

    distance = np.linalg.norm(scale(np.asarray(codes, dtype=np.float64)), axis=1)
    unequal = np.abs(factors[:, 0] - factors[:, 1])
    return float(spearmanr(unequal, distance).statistic)


def evaluate_run(
    data: dict[str, np.ndarray],
    latents: dict[str, np.ndarray],
    errors: dict[str, np.ndarray],
    spec: EvalSpec,
    seed: int,
) -> dict[str, Any]:
    """Reconstruction, KNN separability (when df varies), factor recovery and density."""
    factors, is_test = data["factors"], data["is_test"].astype(bool)
    train, test = ~is_test, is_test
    columns = names.factor_columns(factors)
    shown_names = [names.FACTOR_NAMES[j] for j in columns]
    known = factors[:, columns]
    random_state = int(names.stream(seed, "evaluation").integers(2**31 - 1))
    result: dict[str, Any] = {
        "sizes": {
            "n_train": int(train.sum()),
            "n_test": int(test.sum()),
            "latent_dim": int(latents["z_mean"].shape[1]),
        },
        "reconstruction": {kind: metrics.error_summary(e) for kind, e in errors.items()},
    }

    if "df" in shown_names:
        df = factors[:, names.FACTOR_NAMES.index("df")]
        heavy = df == df.min()  # the positive class: heavy tails, the smaller df
        result["knn"] = {
            kind: {
                variant: metrics.knn_separability(
                    latents[kind][train],
                    heavy[train],
                    latents[kind][test],
                    heavy[test],
                    k_values=spec.k_values,
                    folds=spec.folds,
                    fixed_k=spec.fixed_k,
                    scaled=variant == "scaled",
                    seed=random_state,
                )
                for variant in ("raw", "scaled")
            }
            for kind in code_kinds(latents)
        }
        # What the accuracy means: the majority class's share of the test set (chance), and a
        # KNN given the true var_x, var_y, cor instead of a code (df is drawn from var_x + var_y
        # and noise, so these alone predict it this well; a code can add what the tails show).
        shown = [shown_names.index(f) for f in ("var_x", "var_y", "cor")]
        known_factors = metrics.knn_separability(
            known[train][:, shown], heavy[train], known[test][:, shown], heavy[test],
            k_values=spec.k_values, folds=spec.folds, fixed_k=spec.fixed_k, scaled=True,
            seed=random_state,
        )  # fmt: skip
        chance = float(max(heavy[test].mean(), 1 - heavy[test].mean()))
        result["knn"]["baseline"] = {
            "chance_accuracy": chance,
            "factors_accuracy": known_factors["test_accuracy"],
            "factors_f1": known_factors["test_f1"],
        }
        for kind in code_kinds(latents):
            result["knn"][kind]["scaled"]["lift_over_chance"] = (
                result["knn"][kind]["scaled"]["test_accuracy"] - chance
            )

    codes = latents["z_mean"].astype(np.float64)
    split = (codes[train], known[train], codes[test], known[test])
    linear = disentanglement.r2_per_factor(*split, regressor="linear")
    knn = disentanglement.r2_per_factor(*split, regressor="knn", neighbors=spec.neighbors)
    mig, gaps = disentanglement.mig(codes, known, bins=spec.mig_bins)
    result["factors"] = {
        "r2_linear": dict(zip(shown_names, map(float, linear), strict=True)),
        "r2_knn": dict(zip(shown_names, map(float, knn), strict=True)),
        "mig": mig,
        "mig_per_factor": dict(zip(shown_names, map(float, gaps), strict=True)),
        "dci": disentanglement.dci(*split, trees=spec.dci_trees, seed=random_state),
    }
    result["factors"]["spearman_exterior"] = exterior_spearman(codes, factors)
    result["density"] = metrics.latent_density(
        codes, probes=spec.probes, gap_quantile=spec.gap_quantile, seed=random_state
    )
    return result
