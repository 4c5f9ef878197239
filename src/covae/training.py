"""Training one (data set, model, replicate seed) run: what determines its weights, and only that.

The test split never steers training: early stopping watches a validation split carved from
the training rows with the run's own seed. The run's folder is written under a temporary
name and renamed into place at the end, so a killed run leaves nothing that looks complete.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from covae import heatmaps, models, names
from covae.protocol import Schedule, TrainSpec

log = logging.getLogger("covae.training")


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the run's folder is not written."""


def learning_rate(schedule: Schedule, steps_per_epoch: int):
    """What ``keras.optimizers.Adam(learning_rate=...)`` takes for ``schedule``."""
    if schedule.kind == "constant":
        return schedule.peak
    if schedule.kind == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(
            schedule.peak, schedule.decay_steps, schedule.decay_rate
        )
    warmup = schedule.warmup_epochs * steps_per_epoch
    total = schedule.epochs * steps_per_epoch
    return keras.optimizers.schedules.CosineDecay(
        0.0, decay_steps=max(total - warmup, 1), alpha=0.0,
        warmup_target=schedule.peak, warmup_steps=warmup,
    )  # fmt: skip


def validation_mask(n: int, fraction: float, seed: int) -> np.ndarray:
    """Rows of the training set held out for early stopping (at least one), drawn with the
    run's seed."""
    return heatmaps.split_mask(n, max(fraction, 1 / n), names.stream(seed, "validation"))


def loss_floor(images: np.ndarray, model_name: str, spec: TrainSpec) -> float:
    """The least loss ``images`` allow, in the units of the model's loss: the mean entropy
    floor per image (divided by the pixels for the AE's ``mean`` loss; the KL is >= 0)."""
    floor = float(heatmaps.entropy_floor(images).mean())
    return floor / models.PIXELS if model_name == "ae" and spec.ae_loss == "mean" else floor


class Excess(keras.callbacks.Callback):
    """Adds ``excess`` and ``val_excess`` (the loss over its floor, in nats per image), and the
    learning rate at the epoch's end, to the epoch's logs, for the callbacks after it."""

    def __init__(self, floor: float, val_floor: float, nats_per_unit: float = 1.0):
        super().__init__()
        self.floor, self.val_floor, self.scale = floor, val_floor, nats_per_unit

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        if "loss" in logs:
            logs["excess"] = (float(logs["loss"]) - self.floor) * self.scale
        if "val_loss" in logs:
            logs["val_excess"] = (float(logs["val_loss"]) - self.val_floor) * self.scale
        rate = self.model.optimizer.learning_rate
        logs["learning_rate"] = float(keras.ops.convert_to_numpy(rate))


HISTORY_COLUMNS = ["epoch", "loss", "val_loss", "excess", "val_excess", "learning_rate", "seconds"]


class EpochLog(keras.callbacks.Callback):
    """One log line per epoch (losses, excess over the floor, seconds) and the rows of
    ``history.csv``: every number in the epoch's logs."""

    def __init__(self, max_epochs: int):
        super().__init__()
        self.max_epochs = max_epochs
        self.rows: list[dict[str, float]] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        seconds = time.perf_counter() - self._start
        row = {"epoch": epoch + 1, **{key: float(value) for key, value in logs.items()}}
        row["seconds"] = seconds
        self.rows.append(row)
        extra = "".join(f"  {key} {row[key]:.4f}" for key in row if key.startswith("test_error"))
        log.info(
            "epoch %d/%d  loss %.4f  val_loss %.4f  excess %.2f  val_excess %.2f nats  "
            "lr %.2e%s  %.1f s",
            row["epoch"], self.max_epochs, row.get("loss", math.nan),
            row.get("val_loss", math.nan), row.get("excess", math.nan),
            row.get("val_excess", math.nan), row.get("learning_rate", math.nan), extra, seconds,
        )  # fmt: skip


def guard(patience: int) -> keras.callbacks.EarlyStopping:
    """Early stopping as a guard only: it ends a run whose validation excess over the entropy
    floor has not reached a new low for ``patience`` epochs (divergence, overfitting), and
    keeps the best epoch's weights. Any fall counts (no ``min_delta``), so a model that is
    still learning, however slowly, is never stopped."""
    return keras.callbacks.EarlyStopping(
        monitor="val_excess", mode="min", patience=patience, min_delta=0.0,
        restore_best_weights=True,
    )  # fmt: skip


def fit(
    model_name: str,
    images: np.ndarray,
    spec: TrainSpec,
    seed: int,
    *,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> tuple[keras.Model, pd.DataFrame]:
    """Train a fresh model on ``images`` (N, 36, 36); return it and its per-epoch history
    (``HISTORY_COLUMNS``, then any number that ``callbacks`` add, then ``kept``)."""
    keras.utils.set_random_seed(seed)
    model = models.build(
        model_name, latent_dim=spec.latent_dim, beta=spec.beta, loss=spec.loss,
        ae_loss=spec.ae_loss, seed=seed,
    )  # fmt: skip
    x = images[..., None].astype(np.float32)
    held_out = validation_mask(len(x), spec.validation_fraction, seed)
    steps_per_epoch = math.ceil(int((~held_out).sum()) / spec.batch_size)
    rate = learning_rate(spec.schedule, steps_per_epoch)
    compile_adam(model, rate)
    nats = models.PIXELS if model_name == "ae" and spec.ae_loss == "mean" else 1.0
    excess = Excess(
        loss_floor(images[~held_out], model_name, spec),
        loss_floor(images[held_out], model_name, spec),
        nats,
    )
    epoch_log = EpochLog(spec.epochs)
    stopper = guard(spec.patience) if spec.patience is not None else None
    model.fit(
        x[~held_out],
        x[~held_out],
        validation_data=(x[held_out], x[held_out]),
        epochs=spec.epochs,
        batch_size=spec.batch_size,
        shuffle=True,
        verbose=0,
        callbacks=[
            keras.callbacks.TerminateOnNaN(), excess, *callbacks, epoch_log,
            *([stopper] if stopper else []),
        ],
    )  # fmt: skip
    columns = HISTORY_COLUMNS + sorted(
        {key for row in epoch_log.rows for key in row} - set(HISTORY_COLUMNS)
    )
    history = pd.DataFrame(epoch_log.rows, columns=columns)
    losses = history[["loss", "val_loss"]].to_numpy()
    if history.empty or not np.isfinite(losses).all():
        raise TrainingDiverged(
            f"{model_name} seed {seed}: the loss became NaN/inf in epoch {len(history)} "
            f"(TerminateOnNaN stopped training). Lower the learning rate of "
            f"training.schedule.{model_name} ({spec.schedule.describe()}) or check the input "
            f"images for NaN."
        )
    # The epoch whose weights were kept: the guard's best (lowest validation excess), or the
    # last epoch when no guard runs.
    kept = int(stopper.best_epoch) if stopper else len(history) - 1
    history["kept"] = history.index == kept
    log.info(
        "kept epoch %d of %d (val_loss %.4f, %.2f nats over the entropy floor)",
        kept + 1, len(history), history["val_loss"][kept], history["val_excess"][kept],
    )  # fmt: skip
    return model, history


def compile_adam(model: keras.Model, rate) -> None:
    """Compile ``model`` with Adam at ``rate`` (a number or a schedule) and create the
    optimizer's state now. Left to the first training step, Adam's state is created inside
    TensorFlow's trace of that step, which makes TensorFlow trace the step twice (~1-2 s a run
    on 2 cores); the state starts at zero either way, so the weights are the same."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=rate))
    model.optimizer.build(model.trainable_variables)


def save_run(model: keras.Model, history: pd.DataFrame, folder: str | os.PathLike) -> None:
    """Write ``encoder.keras``, ``decoder.keras`` and ``history.csv`` (no optimizer state) into
    ``folder``; callers write into :func:`covae.io.atomic_folder` so a run appears whole."""
    folder = Path(folder)
    model.encoder.save(folder / "encoder.keras")
    model.decoder.save(folder / "decoder.keras")
    history.to_csv(folder / "history.csv", index=False)


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
