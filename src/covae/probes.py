"""Measurements of training that never steer it: the learning-rate range test (Smith 2017)
that picks a schedule's peak rate, and the per-epoch test error of the convergence study.

Kept apart from :mod:`covae.training` so that editing them reruns the convergence study's
jobs, not the study's training (whose models the model store holds by fingerprint).
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from covae import heatmaps, inference, metrics, models
from covae.protocol import TrainSpec
from covae.training import compile_adam, validation_mask


class TestError(keras.callbacks.Callback):
    """After every epoch, the mean Frobenius error of held-out images decoded from ``z_mean``
    (and, for a VAE, from sampled codes): the convergence study's measure. Never steers
    training; the draws of the sampled codes repeat every epoch (seeded)."""

    def __init__(self, images: np.ndarray, seed: int, loss: str = "elbo"):
        super().__init__()
        self.images, self.seed, self.loss = images, seed, loss

    def on_epoch_end(self, epoch, logs=None):
        codes = inference.encode(self.model.encoder, self.images, self.seed, self.loss)
        rows = np.arange(len(self.images))
        decoded = inference.reconstruct(self.model.decoder, codes, rows)
        for kind in ("z_mean", "z_sample"):
            if kind in decoded:
                errors = metrics.frobenius_errors(self.images, decoded[kind])
                logs[f"test_error_{kind}"] = float(errors.mean())


def lr_range_test(
    model_name: str,
    images: np.ndarray,
    spec: TrainSpec,
    seed: int,
    *,
    low: float,
    high: float,
    steps: int,
) -> pd.DataFrame:
    """The learning-rate range test (Smith 2017): one fresh model trained for ``steps`` batches
    while the rate grows geometrically from ``low`` to ``high``; the loss of every batch, in
    nats per image over the batch's entropy floor. Stops early once training has diverged: the
    smoothed loss (``smooth``) above four times its least value, fastai's rule. Columns: step,
    learning_rate, excess."""
    keras.utils.set_random_seed(seed)
    model = models.build(
        model_name, latent_dim=spec.latent_dim, beta=spec.beta, loss=spec.loss,
        ae_loss=spec.ae_loss, seed=seed,
    )  # fmt: skip
    rates = np.geomspace(low, high, steps)
    compile_adam(model, float(rates[0]))
    held_out = validation_mask(len(images), spec.validation_fraction, seed)
    train = images[~held_out][..., None].astype(np.float32)
    floors = heatmaps.entropy_floor(train[..., 0])
    nats = models.PIXELS if model_name == "ae" and spec.ae_loss == "mean" else 1.0
    order = np.random.default_rng(seed).permutation(len(train))
    rows: list[dict[str, float]] = []
    for step, rate in enumerate(rates):
        batch = range(step * spec.batch_size, (step + 1) * spec.batch_size)
        take = np.take(order, batch, mode="wrap")
        model.optimizer.learning_rate.assign(float(rate))
        model.reset_metrics()
        loss = float(model.train_on_batch(train[take], train[take], return_dict=True)["loss"])
        excess = loss * nats - floors[take].mean()
        rows.append({"step": step, "learning_rate": float(rate), "excess": excess})
        smoothed = smooth(np.array([row["excess"] for row in rows]))
        if not np.isfinite(excess) or smoothed[-1] > 4 * smoothed.min():
            break
    return pd.DataFrame(rows)


def smooth(values: np.ndarray, weight: float = 0.9) -> np.ndarray:
    """Bias-corrected exponential moving average (the range test's smoothing)."""
    out, average = np.empty(len(values)), 0.0
    for n, value in enumerate(values):
        average = weight * average + (1 - weight) * value
        out[n] = average / (1 - weight ** (n + 1))
    return out


def suggest_rate(test: pd.DataFrame, divisor: float) -> float:
    """The peak learning rate a range test suggests: the rate at which the smoothed loss is
    least (the largest at which it still falls, Smith's bound for a one-cycle peak) over
    ``divisor``, a margin below divergence (fastai's default is 10)."""
    smoothed = smooth(test["excess"].to_numpy())
    return float(test["learning_rate"].to_numpy()[int(np.argmin(smoothed))] / divisor)
