"""Whole runs of the workflow on the smoke config that do not need the smoke study's finished
run (tests/test_workflow.py): a run killed mid-training, a config refused where it would
overwrite the committed study, the source study's protocol and the convergence study. Their own
file, so that pytest-xdist (``--dist loadfile``) runs them beside the smoke study."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from tests.conftest import copy_workflow, load_config, snakemake


def _paper_command(workdir, *targets):
    """What ``make paper`` runs (Makefile), on the smoke config and ``targets``."""
    return (
        f"{sys.executable} -m covae.locks && {sys.executable} -m snakemake --workflow-profile "
        f"workflow/profiles/default --cores 2 {' '.join(targets)} --configfile config/smoke.yaml"
    )


@pytest.mark.slow
@pytest.mark.full
def test_a_run_killed_while_training_finishes_when_started_again(tmp_path):
    # One run's codes as the target: one training job, killed with snakemake mid-epoch.
    workdir = copy_workflow(tmp_path)
    target = "results/latents/gaussian/vae/seed0.npz"
    folder = workdir / "results" / "models" / "gaussian" / "vae" / "seed0"
    log = workdir / "results" / "logs" / "train" / "gaussian" / "vae" / "seed0.log"
    run = subprocess.Popen(
        _paper_command(workdir, target), shell=True, cwd=workdir, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 600
        while not (log.is_file() and "epoch 1/" in log.read_text()):
            assert run.poll() is None, "the run ended before its training job reached epoch 1"
            assert time.monotonic() < deadline, "the training job did not reach epoch 1 in 10 min"
            time.sleep(0.2)
    finally:
        os.killpg(run.pid, signal.SIGKILL)  # snakemake and every job it started
        run.wait()
    # What the kill leaves: the locks, and a training job that never finished (nothing a
    # later step would take for a finished run).
    assert list((workdir / ".snakemake" / "locks").glob("*.lock"))
    assert not (folder / "history.csv").exists()
    # Started again by a user whose keras.json names another backend: the workflow's own
    # (KERAS_BACKEND, else tensorflow) still trains it, the one the paper's provenance names.
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()
    (keras_home / "keras.json").write_text(json.dumps({"backend": "jax"}))
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    again = subprocess.run(
        _paper_command(workdir, target), shell=True, cwd=workdir, capture_output=True,
        text=True, check=False, env={**env, "KERAS_HOME": str(keras_home)},
    )  # fmt: skip
    assert again.returncode == 0, again.stdout[-1500:] + again.stderr[-3000:]
    record = json.loads((folder / "fingerprint.json").read_text())
    assert record["provenance"]["backend"] == "tensorflow"
    assert "removed" in again.stdout and "stale snakemake lock" in again.stdout
    assert not list((workdir / "results").rglob("*.partial"))
    assert {p.name for p in folder.iterdir()} == {
        "encoder.keras", "decoder.keras", "history.csv", "fingerprint.json"
    }  # fmt: skip
    epochs = load_config("smoke.yaml")["training"]["schedule"]["vae"]["epochs"]
    assert len(pd.read_csv(folder / "history.csv")) == epochs
    assert (workdir / target).is_file()
    dry = subprocess.run(
        _paper_command(workdir, target, "--dry-run"), shell=True, cwd=workdir,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "Nothing to be done" in dry.stdout + dry.stderr


@pytest.mark.slow
def test_another_config_is_refused_where_it_would_overwrite_the_committed_study(tmp_path):
    repo = copy_workflow(tmp_path / "repo", make=True)
    committed = repo / "results" / "tables" / "claims.csv"
    committed.parent.mkdir(parents=True)
    committed.write_text("the committed study\n")
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t",
                                                   "commit", "-qm", "the copy"]):  # fmt: skip
        subprocess.run(["git", *command], cwd=repo, check=True, capture_output=True)
    smoke = [sys.executable, "-m", "snakemake", "--dry-run", "--cores", "1"]
    refused = subprocess.run(
        [*smoke, "--configfile", "config/smoke.yaml"], cwd=repo, capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "differs from config/config.yaml in seeds, data" in refused.stdout + refused.stderr
    assert "snakemake -d runs/<name>" in refused.stdout + refused.stderr
    # The same config elsewhere, and the paper's config here, are fine.
    elsewhere = subprocess.run(
        [*smoke, "-d", "runs/smoke", "--configfile", "config/smoke.yaml"], cwd=repo,
        capture_output=True, text=True,
    )  # fmt: skip
    assert elsewhere.returncode == 0, elsewhere.stderr[-2000:]
    paper = subprocess.run(smoke, cwd=repo, capture_output=True, text=True)
    assert paper.returncode == 0, paper.stderr[-2000:]
    assert committed.read_text() == "the committed study\n"


@pytest.mark.slow
@pytest.mark.full
def test_the_seed_protocol_trains_at_smoke_size(tmp_path):
    # config/seed_protocol.yaml on the smoke study, its epoch counts shrunk (one per data set
    # for the VAE, as the seed trained its t-set VAE longer).
    workdir = copy_workflow(tmp_path)
    (workdir / "short.yaml").write_text(
        "seeds: [0]\ntraining:\n  schedule:\n    vae: {epochs: {gaussian: 2, student_t: 3}}\n"
        "    ae: {epochs: 2}\n"
    )
    targets = [f"figures/training_{dataset}.png" for dataset in ("gaussian", "student_t")]
    result = snakemake(
        workdir, *targets, "--configfile", "config/smoke.yaml", "config/seed_protocol.yaml",
        "short.yaml",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    for dataset, vae_epochs in (("gaussian", 2), ("student_t", 3)):
        for seed in [0]:
            run = workdir / "results" / "models" / dataset
            vae = pd.read_csv(run / "vae" / f"seed{seed}" / "history.csv")
            ae = pd.read_csv(run / "ae" / f"seed{seed}" / "history.csv")
            assert len(vae) == vae_epochs and len(ae) == 2  # no guard: every epoch runs
            # The seed's VAE schedule decays; its AE's rate is Adam's constant default.
            assert vae["learning_rate"].is_monotonic_decreasing
            assert vae["learning_rate"].iloc[0] < 1e-3
            assert ae["learning_rate"].tolist() == pytest.approx([1e-3, 1e-3])
            # The AE's loss is the mean cross-entropy per pixel (below 1), its excess in nats.
            assert (ae["loss"] < 1).all() and (vae["loss"] > 100).all()
            assert (ae["val_excess"] > 1).all()
            log = workdir / "results" / "logs" / "train" / dataset / "vae" / f"seed{seed}.log"
            assert "x 0.99^(step/30)" in log.read_text()


@pytest.mark.slow
@pytest.mark.full
def test_the_convergence_study_runs_at_smoke_size(tmp_path):
    # `snakemake convergence` on the smoke config: range tests at both batch sizes, every run
    # of the grid, the table, its choice and the figures.
    from covae import convergence

    workdir = copy_workflow(tmp_path)
    result = snakemake(workdir, "convergence")
    assert result.returncode == 0, result.stderr[-3000:]
    settings = load_config("smoke.yaml")["convergence"]
    names = convergence.schedule_names(settings)
    assert names == ["exponential2_b64", "cosine1_b64", "cosine2_b64", "cosine2_b32"]
    curves = pd.read_csv(workdir / "results/tables/convergence.csv")
    for (dataset, model), pair in curves.groupby(["dataset", "model"]):
        assert sorted(pair["run"].unique()) == sorted(names), (dataset, model)
        for run, curve in pair.groupby("run"):
            assert curve["epoch"].tolist() == list(range(1, convergence.parse_name(run).epochs + 1))
    assert len(curves.groupby(["dataset", "model"])) == 4
    # Each run trained at its own batch size (its log says so), at its batch size's peak.
    peaks = pd.read_csv(workdir / "results/convergence/peak.csv")
    assert sorted(peaks["batch_size"].unique()) == [32, 64] and len(peaks) == 8
    for (batch, model), block in peaks.groupby(["batch_size", "model"]):
        assert (block["peak"] <= block["suggested"].min()).all()
        run = curves[(curves["model"] == model) & (curves["run"] == f"cosine2_b{batch}")]
        assert (run["peak"] == block["peak"].iloc[0]).all()
    log = workdir / "results/logs/convergence/runs/gaussian/vae/cosine2_b32.log"
    assert "batch 32" in log.read_text()
    summary = pd.read_csv(workdir / "results/tables/convergence_summary.csv")
    assert (summary["reference_run"] == "cosine2_b32").all()  # the most steps
    chosen = summary.loc[summary["chosen"], "run"].unique()
    assert len(chosen) <= 1 and "cosine2_b32" not in chosen
    for figure in ("convergence.png", "lr_range.png"):
        assert (workdir / "figures" / figure).stat().st_size > 10_000
