"""Training one (data set, model, replicate seed) run, and encoding a data set with it.

The test split never steers training: early stopping watches a validation split carved from
the training rows with the run's own seed. The run's folder is written under a temporary
name and renamed into place at the end, so a killed run leaves nothing that looks complete.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from covae import heatmaps, models

log = logging.getLogger("covae.training")


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the run's folder is not written."""


@dataclass(frozen=True)
class TrainSpec:
    """The ``model`` and ``training`` sections of the config for one model kind (the config is
    the only source of their values)."""

    latent_dim: int
    beta: float
    loss: str
    max_epochs: int
    patience: int
    min_delta: float
    batch_size: int
    validation_fraction: float
    learning_rate: float
    decay_steps: int
    decay_rate: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any], model: str) -> TrainSpec:
        model_cfg, training = config["model"], config["training"]
        schedule = training["learning_rate"]
        return cls(
            latent_dim=int(model_cfg["latent_dim"]),
            beta=float(model_cfg["beta"]),
            loss=str(model_cfg["loss"]),
            max_epochs=int(training["max_epochs"][model]),
            patience=int(training["patience"]),
            min_delta=float(training["min_delta"]),
            batch_size=int(training["batch_size"]),
            validation_fraction=float(training["validation_fraction"]),
            learning_rate=float(schedule["initial"]),
            decay_steps=int(schedule["decay_steps"]),
            decay_rate=float(schedule["decay_rate"]),
        )


def validation_mask(n: int, fraction: float, seed: int) -> np.ndarray:
    """Rows of the training set held out for early stopping (at least one), drawn with the
    run's seed."""
    return heatmaps.split_mask(n, max(fraction, 1 / n), heatmaps.stream(seed, "validation"))


class EpochLog(keras.callbacks.Callback):
    """One log line per epoch (losses and seconds) and the rows of ``history.csv``."""

    def __init__(self, max_epochs: int):
        super().__init__()
        self.max_epochs = max_epochs
        self.rows: list[dict[str, float]] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        seconds = time.perf_counter() - self._start
        row = {
            "epoch": epoch + 1,
            "loss": float(logs.get("loss", math.nan)),
            "val_loss": float(logs.get("val_loss", math.nan)),
            "seconds": seconds,
        }
        self.rows.append(row)
        log.info(
            "epoch %d/%d  loss %.4f  val_loss %.4f  %.1f s",
            row["epoch"], self.max_epochs, row["loss"], row["val_loss"], seconds,
        )  # fmt: skip


def fit(
    model_name: str, images: np.ndarray, spec: TrainSpec, seed: int
) -> tuple[keras.Model, pd.DataFrame]:
    """Train a fresh model on ``images`` (N, 36, 36); return it and its per-epoch history."""
    keras.utils.set_random_seed(seed)
    model = models.build(
        model_name, latent_dim=spec.latent_dim, beta=spec.beta, loss=spec.loss, seed=seed
    )
    schedule = keras.optimizers.schedules.ExponentialDecay(
        spec.learning_rate, spec.decay_steps, spec.decay_rate
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule))
    x = images[..., None].astype(np.float32)
    held_out = validation_mask(len(x), spec.validation_fraction, seed)
    epoch_log = EpochLog(spec.max_epochs)
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss",
        patience=spec.patience,
        min_delta=spec.min_delta,
        restore_best_weights=True,
    )
    model.fit(
        x[~held_out],
        x[~held_out],
        validation_data=(x[held_out], x[held_out]),
        epochs=spec.max_epochs,
        batch_size=spec.batch_size,
        shuffle=True,
        verbose=0,
        callbacks=[keras.callbacks.TerminateOnNaN(), epoch_log, stopper],
    )
    history = pd.DataFrame(epoch_log.rows, columns=["epoch", "loss", "val_loss", "seconds"])
    losses = history[["loss", "val_loss"]].to_numpy()
    if history.empty or not np.isfinite(losses).all():
        raise TrainingDiverged(
            f"{model_name} seed {seed}: the loss became NaN/inf in epoch {len(history)} "
            f"(TerminateOnNaN stopped training). Lower training.learning_rate.initial "
            f"(now {spec.learning_rate:g}) or check the input images for NaN."
        )
    # The epoch whose weights EarlyStopping restored: the last one whose validation loss beat
    # the best so far by min_delta (with min_delta > 0 it need not be the lowest loss).
    kept = int(stopper.best_epoch)
    history["kept"] = history.index == kept
    log.info("kept epoch %d (val_loss %.4f)", kept + 1, history["val_loss"][kept])
    return model, history


def save_run(model: keras.Model, history: pd.DataFrame, out_dir: str | os.PathLike) -> None:
    """Write ``encoder.keras``, ``decoder.keras`` and ``history.csv`` to ``out_dir`` atomically."""
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(f".{out_dir.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.encoder.save(tmp / "encoder.keras")
    model.decoder.save(tmp / "decoder.keras")
    history.to_csv(tmp / "history.csv", index=False)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)


def encode(
    encoder: keras.Model, images: np.ndarray, seed: int, loss: str = "elbo", batch_size: int = 512
) -> dict[str, np.ndarray]:
    """Codes of every image: ``z_mean``, ``z_sample`` and, for a VAE, ``z_log_var``.

    ``z_sample`` draws codes the way the model sampled them in training (the std is
    ``exp(0.5 z_log_var)``, or ``exp(z_log_var)`` under the seed study's ``loss``) with the
    run's seed; for the AE it equals ``z_mean``.
    """
    x = images[..., None].astype(np.float32)
    outputs = encoder.predict(x, batch_size=batch_size, verbose=0)
    if isinstance(outputs, list | tuple):
        z_mean, z_log_var = (np.asarray(o, dtype=np.float32) for o in outputs)
        eps = heatmaps.stream(seed, "sample").standard_normal(z_mean.shape, dtype=np.float32)
        std = np.exp(models.LOG_STD_SCALE[loss] * z_log_var)
        return {"z_mean": z_mean, "z_log_var": z_log_var, "z_sample": z_mean + std * eps}
    z_mean = np.asarray(outputs, dtype=np.float32)
    return {"z_mean": z_mean, "z_sample": z_mean.copy()}


def reconstruct(
    decoder: keras.Model,
    codes: dict[str, np.ndarray],
    rows: np.ndarray,
    batch_size: int = 512,
) -> dict[str, np.ndarray]:
    """Decoded images (N, 36, 36) of ``rows`` from each code kind, and ``index`` = ``rows``.

    ``z_mean`` for every model; ``z_sample`` too for a VAE, where it differs from ``z_mean``.
    """
    index = np.flatnonzero(rows) if rows.dtype == bool else np.asarray(rows)
    kinds = ("z_mean", "z_sample") if "z_log_var" in codes else ("z_mean",)
    decoded = {kind: decode(decoder, codes[kind][index], batch_size) for kind in kinds}
    return {"index": index, **decoded}


def decode(decoder: keras.Model, codes: np.ndarray, batch_size: int = 512) -> np.ndarray:
    """Images (..., 36, 36) float32 decoded from codes of any leading shape (..., d)."""
    codes = np.asarray(codes, dtype=np.float32)
    flat = codes.reshape(-1, codes.shape[-1])
    images = decoder.predict(flat, batch_size=batch_size, verbose=0)[..., 0]
    return images.astype(np.float32).reshape(*codes.shape[:-1], *images.shape[1:])


def device() -> str:
    """The Keras backend and the device it trains on, e.g. "tensorflow on CPU" or
    "jax on GPU: cuda:0". A GPU is used whenever the backend sees one; nothing to configure."""
    backend = keras.backend.backend()
    accelerators: list[str] = []
    if backend == "tensorflow":
        import tensorflow as tf

        accelerators = [gpu.name for gpu in tf.config.list_physical_devices("GPU")]
    elif backend == "jax":
        import jax

        accelerators = [str(d) for d in jax.devices() if d.platform != "cpu"]
    elif backend == "torch":
        import torch

        accelerators = [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return f"{backend} on " + ("GPU: " + ", ".join(accelerators) if accelerators else "CPU")
