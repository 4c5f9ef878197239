"""The models are backend-agnostic Keras 3: they build, train, save and load under JAX too.

Keras fixes its backend at import, so the JAX run happens in a subprocess.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytest.importorskip("jax")

SCRIPT = """
import json, sys, dataclasses
import numpy as np
import keras
from covae import inference, io, protocol, training
from tests.conftest import load_config

out_dir = sys.argv[1]
constant = protocol.Schedule.from_config(
    {"kind": "constant", "rate": 1e-3, "epochs": 2}, "gaussian"
)
spec = dataclasses.replace(
    protocol.TrainSpec.from_config(load_config("smoke.yaml"), "vae", "gaussian"),
    schedule=constant, patience=2,
)
images = np.random.default_rng(0).uniform(size=(96, 36, 36)).astype(np.float32)
report = {"backend": keras.backend.backend(), "device": training.device()}
for name in ("vae", "ae"):
    model, history = training.fit(name, images, spec, seed=0)
    before = inference.encode(model.encoder, images, seed=0)
    with io.atomic_folder(f"{out_dir}/{name}") as folder:
        training.save_run(model, history, folder)
    encoder = keras.models.load_model(f"{out_dir}/{name}/encoder.keras")
    decoder = keras.models.load_model(f"{out_dir}/{name}/decoder.keras")
    after = inference.encode(encoder, images, seed=0)
    decoded = inference.reconstruct(decoder, after, np.arange(4))
    report[name] = {
        "epochs": len(history),
        "losses_finite": bool(np.isfinite(history[["loss", "val_loss"]].to_numpy()).all()),
        "loss_fell": bool(history["loss"].iloc[-1] < history["loss"].iloc[0]),
        "codes_equal": all(np.array_equal(before[k], after[k]) for k in before),
        "decoded_shape": list(decoded["z_mean"].shape),
        "decoded_in_unit_range": bool(np.all((decoded["z_mean"] >= 0) & (decoded["z_mean"] <= 1))),
    }
print(json.dumps(report))
"""


@pytest.mark.slow
@pytest.mark.full
def test_models_train_and_round_trip_under_the_jax_backend(tmp_path):
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == "jax"
    assert report["device"] == "jax on CPU"
    for name in ("vae", "ae"):
        run = report[name]
        assert run["epochs"] == 2
        assert run["losses_finite"] and run["loss_fell"]
        assert run["codes_equal"], f"{name}: codes changed through save/load"
        assert run["decoded_shape"] == [4, 36, 36]
        assert run["decoded_in_unit_range"]
    assert {path.name for path in (tmp_path / "vae").iterdir()} == {
        "encoder.keras", "decoder.keras", "history.csv"
    }  # fmt: skip


@pytest.mark.slow
def test_default_backend_is_tensorflow():
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    result = subprocess.run(
        [sys.executable, "-c", "import keras; print(keras.backend.backend())"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "tensorflow"
