"""The training sketch: what the training code computes, in a few numbers.

The model store files every run under :data:`covae.protocol.CODE_VERSION`, the version of what
training computes, not under a hash of the source (moving or renaming code keeps the store). A
test ties the version to the code: it computes :func:`training_sketch` and compares it with the
sketch recorded for that version and backend in ``tests/data/training_reference.json``. When a
change alters what training computes, raise the version (every stored model then retrains) and
record the new reference::

    python -m covae.sketch                      # TensorFlow's entry
    KERAS_BACKEND=jax python -m covae.sketch    # JAX's entry
    python -m covae.sketch --against tests/data/training_reference.json   # the distance only

No workflow rule reaches this module: editing it reruns no job.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from covae import heatmaps, protocol

# Three epochs of training amplify what a kernel library does with round-off: TensorFlow's
# oneDNN kernels (its default on Linux only on CPUs with VNNI, BF16 or AMX instructions) against
# its Eigen kernels, or JAX's code compiled for one instruction set against another (AVX against
# AVX2), move a sketch by ~0.1, as much as a 1 % change of the KL weight does. So a sketch is
# computed with kernels that should be the same on every x86-64 host: TensorFlow's Eigen kernels
# (built for the wheel's baseline) and JAX's code for AVX2. Thread counts move it by ~2e-5.
KERNELS = {"TF_ENABLE_ONEDNN_OPTS": "0", "XLA_FLAGS": "--xla_cpu_max_isa=AVX2"}


class KernelsError(RuntimeError):
    """TensorFlow or JAX started before :data:`KERNELS` were set."""


def pin_kernels(
    environ: MutableMapping[str, str] = os.environ, started: Iterable[str] = sys.modules
) -> None:
    """Set :data:`KERNELS` in ``environ`` (they take effect only before TensorFlow and JAX
    start); raise :class:`KernelsError` naming the variable if one has started without it."""
    libraries = [name for name in ("tensorflow", "jax") if name in started]
    for key, value in KERNELS.items():
        if environ.get(key) == value:
            continue
        if libraries:
            raise KernelsError(
                f"{key}={environ.get(key)!r}: a training sketch needs {key}={value} before "
                f"{' and '.join(libraries)} starts; run `python -m covae.sketch` in a fresh "
                "process (it sets it)"
            )
        environ[key] = value


def training_sketch() -> dict:
    """Each model trained for 3 short epochs of a small fixed data set: 32 fixed random
    projections of how far its weights moved, and its loss per epoch. With :data:`KERNELS`
    set, 1 vs 2 threads move these by ~2e-5 relative (other kernels, by ~0.1); a 1 % change of
    the KL weight moves them by >0.1, any larger change of the data, model, loss, schedule or
    loop by more. ``python -m covae.sketch`` sets the kernels and computes it."""
    import keras
    import numpy as np

    from covae import models, training

    data_spec = heatmaps.DataSpec.from_config(
        {
            "seed": 19,
            "grid": {"start": -3.0, "stop": 3.0, "step": 0.17},
            "scale": {"start": 0.1, "stop": 5.0, "step": 1.2},
            "correlation": {"start": -0.9, "stop": 0.95, "step": 0.6},
            "test_fraction": 0.2,
            "student_t": {"threshold": 20.0, "noise_max": 10.0, "df_heavy": 2.0, "df_light": 200.0},
        }
    )
    images = heatmaps.make_dataset(data_spec, "student_t")["images"]
    config = {
        "model": {"latent_dim": 3, "beta": 1.0, "loss": "elbo", "ae_loss": "summed"},
        "training": {
            "batch_size": 16,
            "validation_fraction": 0.2,
            "patience": 2,
            "schedule": {
                name: {"kind": "cosine", "peak": 0.002, "warmup_epochs": 1, "epochs": 3}
                for name in ("vae", "ae")
            },
        },
    }
    sketch: dict[str, Any] = {
        "backend": keras.backend.backend(),
        "code": protocol.CODE_VERSION,
        "kernels": {key: os.environ.get(key) for key in KERNELS},
    }
    for name in ("vae", "ae"):
        spec = protocol.TrainSpec.from_config(config, name, "student_t")
        keras.utils.set_random_seed(0)
        start = models.build(
            name, latent_dim=spec.latent_dim, beta=spec.beta, loss=spec.loss,
            ae_loss=spec.ae_loss, seed=0,
        )  # fmt: skip
        before = np.concatenate([w.ravel() for w in start.get_weights()]).astype(np.float64)
        model, history = training.fit(name, images, spec, seed=0)
        after = np.concatenate([w.ravel() for w in model.get_weights()]).astype(np.float64)
        projection = np.random.default_rng(0).standard_normal((32, after.size)) / after.size**0.5
        sketch[name] = {
            "moved": (projection @ (after - before)).tolist(),
            "loss": history["loss"].tolist(),
            "kept": int(np.flatnonzero(history["kept"])[0]),
        }
    return sketch


def distance(a: Mapping, b: Mapping) -> float:
    """The largest relative difference between two sketches' weight moves and losses."""
    import numpy as np

    worst = 0.0
    for name in ("vae", "ae"):
        if a[name]["kept"] != b[name]["kept"] or len(a[name]["loss"]) != len(b[name]["loss"]):
            return float("inf")
        for key in ("moved", "loss"):
            x, y = np.asarray(a[name][key]), np.asarray(b[name][key])
            worst = max(worst, float(np.linalg.norm(x - y) / np.linalg.norm(y)))
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m covae.sketch",
        description="Print what training computes now under KERAS_BACKEND, with the sketch's "
        "kernels (tests/data/training_reference.json records it for each backend).",
    )
    parser.add_argument(
        "--against", metavar="FILE",
        help="print only the distance to FILE's recorded sketch of this backend",
    )  # fmt: skip
    args = parser.parse_args(argv)
    recorded = None
    if args.against:
        try:
            recorded = json.loads(Path(args.against).read_text())
        except (OSError, ValueError) as error:
            parser.error(f"--against {args.against}: {error}")
    try:
        pin_kernels()
    except KernelsError as error:
        print(f"covae.sketch: {error}", file=sys.stderr)
        return 1
    sketch = training_sketch()
    if recorded is not None:
        reference = recorded.get(sketch["backend"])
        if reference is None:
            print(f"covae.sketch: {args.against} has no {sketch['backend']} entry", file=sys.stderr)
            return 1
        print(distance(sketch, reference))
    else:
        print(json.dumps(sketch, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
