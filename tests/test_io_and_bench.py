"""Atomic writes and the benchmark's command line."""

import subprocess
import sys

import numpy as np
import pytest

from covae import io
from tests.conftest import ROOT


def test_failed_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.npz"

    class Boom(Exception):
        pass

    with pytest.raises(Boom), io.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise Boom
    assert list(tmp_path.iterdir()) == []


def test_arrays_round_trip(tmp_path):
    arrays = {"a": np.arange(5, dtype=np.float32), "b": np.array([True, False])}
    io.save_arrays(tmp_path / "x.npz", arrays)
    back = io.load_arrays(tmp_path / "x.npz")
    assert back.keys() == arrays.keys()
    for name in arrays:
        np.testing.assert_array_equal(back[name], arrays[name])
        assert back[name].dtype == arrays[name].dtype


def test_data_benchmark_prints_a_ratio_line():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "covae.bench",
            "data",
            "--config",
            "config/smoke.yaml",
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    lines = result.stdout.strip().splitlines()
    assert (
        "max |package - reference| pixel difference: 0" in result.stdout
        or float(lines[-2].rsplit(" ", 1)[1]) < 1e-6
    )
    assert "ratio" in lines[-1]
    assert float(lines[-1].split("ratio")[1].split()[0]) > 0


def test_train_benchmark_prints_every_model_and_a_ratio_line():
    result = bench("train", "--config", "config/smoke.yaml", "--images", "128", "--epochs", "1")
    lines = result.stdout.strip().splitlines()
    for name in ("reference", "vae", "ae", "vae_bf16"):
        assert any(line.startswith(f"{name} ") and "images/s" in line for line in lines), name
    assert lines[-1].startswith("train: ratio ")
    assert float(lines[-1].split("ratio")[1].split()[0]) > 0


def bench(*args, check=True):
    """``python -m covae.bench ARGS`` in the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "covae.bench", *args],
        capture_output=True, text=True, cwd=ROOT, check=check,
    )  # fmt: skip


def test_evaluate_benchmark_times_every_part_and_prints_a_ratio_line():
    lines = bench("evaluate", "--config", "config/smoke.yaml").stdout.strip().splitlines()
    assert lines[0].startswith("evaluate  : student_t, 405 images (81 test)")
    assert any(line.startswith("metrics   :") for line in lines)
    assert lines[-1].startswith("evaluate: ") and "ratio" in lines[-1]
    assert float(lines[-1].split("ratio")[1].split()[0]) > 0


def test_evaluate_benchmark_wants_latents_and_reconstructions_together():
    result = bench("evaluate", "--latents", "x.npz", check=False)
    assert result.returncode == 2
    assert "--latents and --reconstructions go together" in result.stderr


def test_realism_benchmark_extrapolates_to_one_run_and_prints_a_ratio_line():
    lines = bench("realism", "--config", "config/smoke.yaml", "--images", "20").stdout.splitlines()
    assert lines[0].startswith("realism   : 20 blurred noisy t heatmaps")
    assert lines[1].startswith("one run   : ")
    assert lines[-1].startswith("realism: ratio ")
