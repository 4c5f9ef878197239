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


def test_a_truncated_npz_is_named_in_the_error(tmp_path):
    path = tmp_path / "seed0.npz"
    io.save_arrays(path, {"z_mean": np.zeros((100, 3))})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(io.DamagedFile, match=r"seed0.npz is damaged or incomplete"):
        io.load_arrays(path)
    with pytest.raises(FileNotFoundError):
        io.load_arrays(tmp_path / "missing.npz")


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
    # The ratio is what the lines above it say: the reference's time over the package's.
    package = float(lines[0].split(": ")[-1].split(" s ")[0].split()[-1])
    reference = float(lines[1].split(": ")[-1].split(" s,")[0].split()[-1])
    assert lines[-1].startswith("data: ratio ")
    ratio = float(lines[-1].split("ratio")[1].split()[0])
    # The times are printed to 3 decimals (+-0.0005 s), the ratio to 3 significant digits: it
    # lies between the ratios of the times' rounding bounds, up to its own rounding.
    low, high = (reference - 5e-4) / (package + 5e-4), (reference + 5e-4) / (package - 5e-4)
    assert low * (1 - 5e-3) <= ratio <= high * (1 + 5e-3)


@pytest.mark.slow
@pytest.mark.full
def test_train_benchmark_prints_every_model_and_a_ratio_line():
    result = bench("train", "--config", "config/smoke.yaml", "--images", "128", "--epochs", "1")
    lines = result.stdout.strip().splitlines()
    for name in ("reference", "vae", "ae", "vae_bf16"):
        assert any(line.startswith(f"{name} ") and "images/s" in line for line in lines), name
    assert lines[-1].startswith("train: ratio ")
    speed = {  # "vae       :   412.3 images/s  (loss after ...)"
        line.split()[0]: float(line.split(":")[1].split()[0])
        for line in lines
        if line.split()[0] in ("reference", "vae", "ae", "vae_bf16")
    }
    assert all(value > 0 for value in speed.values())
    # The ratio is what the lines above it say: our VAE's images/s over the reference's.
    ratio = float(lines[-1].split("ratio")[1].split()[0])
    assert ratio == pytest.approx(speed["vae"] / speed["reference"], abs=2e-3)


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
    # "evaluate: 3.76 s; ratio 8.0 (budget 30 s / time)": the budget over the time it states.
    seconds = float(lines[-1].split()[1])
    ratio = float(lines[-1].split("ratio")[1].split()[0])
    assert ratio == pytest.approx(30.0 / seconds, rel=0.01, abs=0.05)


def test_evaluate_benchmark_wants_latents_and_reconstructions_together():
    result = bench("evaluate", "--latents", "x.npz", check=False)
    assert result.returncode == 2
    assert "--latents and --reconstructions go together" in result.stderr


def test_realism_benchmark_extrapolates_to_one_run_and_prints_a_ratio_line():
    lines = bench("realism", "--config", "config/smoke.yaml", "--images", "20").stdout.splitlines()
    assert lines[0].startswith("realism   : 20 blurred noisy t heatmaps")
    assert lines[1].startswith("one run   : ")
    assert lines[-1].startswith("realism: ratio ")


def test_converge_benchmark_reads_a_convergence_table_and_gives_the_known_ratio(tmp_path):
    # Seed schedule at 0.40 after 25 epochs; cosine5 reaches it at epoch 5, cosine10 at 4:
    # ratio 25 / 4. A second pair whose cosine runs need 10 epochs sets the worst: 2.5.
    def curve(dataset, run, errors):
        return [
            f"{dataset},vae,{run},0.003,{epoch},1.0,{error}"
            for epoch, error in enumerate(errors, start=1)
        ]

    seed = [1.0 - 0.6 * n / 24 for n in range(25)] + [0.39] * 15
    rows = ["dataset,model,run,peak,epoch,val_excess,test_error_z_mean"]
    for dataset, fast in (("gaussian", True), ("student_t", False)):
        rows += curve(dataset, "exponential40_b64", seed)
        rows += curve(dataset, "cosine5_b64", [0.9, 0.7, 0.5, 0.45, 0.40 if fast else 0.41])
        rows += curve(
            dataset, "cosine10_b64", [0.9, 0.6, 0.5, 0.40 if fast else 0.41] + [0.41] * 5 + [0.35]
        )
        rows += curve(dataset, "cosine20_b64", [0.9] + [0.5] * 18 + [0.33])
    table = tmp_path / "convergence.csv"
    table.write_text("\n".join(rows) + "\n")
    result = bench("converge", "--table", str(table))
    lines = result.stdout.strip().splitlines()
    assert lines[-1].startswith("converge: ratio 2.50 ")
    assert any(
        "gaussian" in line and "cosine10_b64" in line and "after 4 epochs" in line for line in lines
    )
    assert any(
        "student_t" in line and "cosine5_b64" in line and line.endswith("never reaches it")
        for line in lines
    )


@pytest.mark.slow
@pytest.mark.full
def test_converge_benchmark_quick_trains_every_schedule():
    result = bench("converge", "--config", "config/smoke.yaml", "--quick")
    lines = result.stdout.strip().splitlines()
    for run in ("exponential4_b64", "cosine2_b64", "cosine3_b64"):
        assert any(line.startswith(f"{run} ") and "epochs in" in line for line in lines), run
    reached = [
        int(line.split("after ")[1].split()[0])
        for line in lines
        if "epochs" in line.split("after ")[-1] and "reaches it after" in line
    ]
    ratio = float(lines[-1].split("ratio")[1].split()[0])
    assert ratio == (pytest.approx(4 / min(reached), abs=0.005) if reached else 0.0)


def test_png_figures_are_written_with_a_palette_deterministically(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    rng = np.random.default_rng(0)
    figure, ax = plt.subplots(figsize=(4, 3))
    ax.scatter(*rng.normal(size=(2, 5000)), c=rng.random(5000), s=2, cmap="viridis")
    io.save_figure(figure, tmp_path / "a.png", dpi=100)
    io.save_figure(figure, tmp_path / "b.png", dpi=100)
    full = tmp_path / "full.png"
    figure.savefig(full, dpi=100)
    plt.close(figure)
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    with Image.open(tmp_path / "a.png") as image, Image.open(full) as reference:
        assert image.mode == "P" and image.size == reference.size
        # Nothing a reader sees is lost: even on this worst case (5,000 random colours) the
        # pixels differ from full colour by a fraction of a level on average, rarely by 16.
        difference = np.abs(
            np.asarray(image.convert("RGB"), dtype=int)
            - np.asarray(reference.convert("RGB"), dtype=int)
        )
        assert difference.mean() < 1 and np.percentile(difference, 99) <= 16
    assert (tmp_path / "a.png").stat().st_size < full.stat().st_size


# Every kind of file a job reads, damaged: one line naming the file, what is wrong and the fix.
@pytest.mark.parametrize(
    ("name", "content", "loader"),
    [
        ("metrics.json", b"", "load_record"),
        ("metrics.json", b'{"run": {"dataset": "gaussian"', "load_record"),
        ("metrics.json", b"[1, 2]", "load_record"),
        ("history.csv", b"", "load_table"),
        ("history.csv", b'epoch,loss\n1,"2\n', "load_table"),
        ("codes.npz", b"PK\x03\x04 cut", "load_arrays"),
    ],
)
def test_a_damaged_input_file_is_named_with_its_fix(tmp_path, name, content, loader):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(io.DamagedFile) as caught:
        getattr(io, loader)(path)
    message = str(caught.value)
    assert message.startswith(f"{path} is damaged or incomplete (")
    assert "delete it and rerun snakemake" in message


@pytest.mark.slow
def test_a_cut_keras_model_is_named_as_damaged_not_missing(tmp_path):
    from covae import models

    path = tmp_path / "decoder.keras"
    models.build_decoder(3).save(path)
    whole = path.read_bytes()
    from covae import inference

    assert inference.load_model(path) is not None
    path.write_bytes(whole[: len(whole) // 2])
    damaged = r"decoder\.keras is damaged or incomplete .*model store"
    with pytest.raises(io.DamagedFile, match=damaged):
        inference.load_model(path)
    with pytest.raises(FileNotFoundError):
        inference.load_model(tmp_path / "absent.keras")


def test_tables_name_a_damaged_metrics_file(tmp_path):
    from covae import tables

    path = tmp_path / "seed0.json"
    path.write_text("garbage")
    with pytest.raises(io.DamagedFile, match="seed0.json is damaged"):
        tables.load_runs([path])
