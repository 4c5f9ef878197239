"""What one run is asked to train: its schedule and settings from the config, and the version of
the training code. Plain data, without Keras: the model store reads a run's fingerprint from
here, so a train job that takes its model from the store never starts TensorFlow
(covae.training turns a protocol into a trained model)."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from covae import names

# The version of what training computes (covae.training, covae.models, covae.heatmaps and this
# module): part of every stored model's fingerprint (covae.store). Raise it with any change that
# alters the weights a run ends with, and record the new reference (tests/test_store.py says
# how); moving or renaming code leaves it, and the store, as they are.
CODE_VERSION = 1


@dataclass(frozen=True)
class Schedule:
    """Adam's learning rate over a run of ``epochs`` epochs (Keras's own schedule object:
    :func:`covae.training.learning_rate`).

    * ``cosine`` (the study's): linear warmup from 0 to ``peak`` over ``warmup_epochs``, then a
      cosine decay to 0 at the end of the last epoch.
    * ``exponential`` (the source study's VAE): ``peak * decay_rate ** (step / decay_steps)``, with
      ``peak`` the initial rate.
    * ``constant`` (the source study's AE, whose schedule was never passed to its optimizer):
      ``peak``.
    """

    kind: str
    epochs: int
    peak: float
    warmup_epochs: int = 0
    decay_steps: int = 1
    decay_rate: float = 1.0

    @classmethod
    def from_config(cls, entry: Mapping[str, Any], dataset: str) -> Schedule:
        """One model's ``training.schedule`` entry; ``epochs`` is a number or one per data set."""
        kind = str(entry["kind"])
        if kind not in names.SCHEDULES:
            raise ValueError(
                f"unknown schedule kind {kind!r}; expected one of {tuple(names.SCHEDULES)}"
            )
        epochs = entry["epochs"]
        epochs = int(epochs[dataset] if isinstance(epochs, Mapping) else epochs)
        types = typing.get_type_hints(cls)  # field -> its type (int, float)
        values = {field: types[field](entry[key]) for key, field in names.SCHEDULES[kind].items()}
        return cls(kind, epochs, **values)

    def settings(self) -> dict[str, Any]:
        """The fields this schedule's kind sets (``kind``, ``epochs`` and its own keys'), in
        field order: what a run's fingerprint records of it."""
        own = {"kind", "epochs", *names.SCHEDULES[self.kind].values()}
        return {key: value for key, value in dataclasses.asdict(self).items() if key in own}

    def describe(self) -> str:
        if self.kind == "cosine":
            warmup = f"warmup {self.warmup_epochs} to {self.peak:g}"
            return f"{self.epochs} epochs, {warmup} then cosine to 0"
        if self.kind == "exponential":
            return (
                f"{self.epochs} epochs, {self.peak:g} x {self.decay_rate:g}^(step/"
                f"{self.decay_steps})"
            )
        return f"{self.epochs} epochs at a constant {self.peak:g}"


@dataclass(frozen=True)
class TrainSpec:
    """The ``model`` and ``training`` sections of the config for one (model, data set) (the
    config is the only source of their values)."""

    latent_dim: int
    beta: float
    loss: str
    ae_loss: str
    schedule: Schedule
    patience: int | None
    batch_size: int
    validation_fraction: float

    @property
    def epochs(self) -> int:
        return self.schedule.epochs

    @classmethod
    def from_config(cls, config: Mapping[str, Any], model: str, dataset: str) -> TrainSpec:
        model_cfg, training = config["model"], config["training"]
        patience = training["patience"]
        return cls(
            latent_dim=int(model_cfg["latent_dim"]),
            beta=float(model_cfg["beta"]),
            loss=str(model_cfg["loss"]),
            ae_loss=str(model_cfg["ae_loss"]),
            schedule=Schedule.from_config(training["schedule"][model], dataset),
            patience=None if patience is None else int(patience),
            batch_size=int(training["batch_size"]),
            validation_fraction=float(training["validation_fraction"]),
        )
