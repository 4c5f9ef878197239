"""Codes and decoded images of a trained model: what every stage after training computes
with the encoder and decoder (encoding, reconstructions, decoded paths)."""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np

from covae import io, models, names


def encode(
    encoder: keras.Model, images: np.ndarray, seed: int, loss: str = "elbo", batch_size: int = 512
) -> dict[str, np.ndarray]:
    """Codes of every image: ``z_mean``, ``z_sample`` and, for a VAE, ``z_log_var``.

    ``z_sample`` draws codes the way the model sampled them in training (the std is
    ``exp(0.5 z_log_var)``, or ``exp(z_log_var)`` under the source study's ``loss``) with the
    run's seed; for the AE it equals ``z_mean``.
    """
    x = images[..., None].astype(np.float32)
    outputs = encoder.predict(x, batch_size=batch_size, verbose=0)
    if isinstance(outputs, list | tuple):
        z_mean, z_log_var = (np.asarray(o, dtype=np.float32) for o in outputs)
        eps = names.stream(seed, "sample").standard_normal(z_mean.shape, dtype=np.float32)
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


def load_model(path: str | os.PathLike):
    """A saved Keras model (``encoder.keras``, ``decoder.keras``); a cut or garbled file raises
    :class:`DamagedFile` naming it and how to get it back (Keras itself reports such a file as
    not found)."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path} does not exist")
    try:
        return keras.models.load_model(path)
    except Exception as error:  # noqa: BLE001 (Keras raises many kinds for a bad archive)
        fix = (
            "delete its run folder and rerun snakemake, which takes the run from the model "
            "store or trains it again"
        )
        raise io.DamagedFile(
            f"{path} is damaged or incomplete ({type(error).__name__}: {error}); {fix}"
        ) from error
