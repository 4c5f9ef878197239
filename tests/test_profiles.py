"""Dry runs: the SLURM profile, resources from the config, the GPU switch and sweeps."""

import re
import subprocess
import sys

import pytest
import yaml

from tests.conftest import copy_workflow, load_config
from tests.test_workflow import snakemake


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A copy of the workflow with nothing run yet."""
    return copy_workflow(tmp_path_factory.mktemp("dry"))


def dry_run(workdir, *args):
    result = snakemake(workdir, "--dry-run", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


def dry_run_with_profile(workdir, profile):
    """A dry run with one of our profiles and no --cores (the profile decides)."""
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--dry-run", "--configfile", "config/smoke.yaml",
         "--workflow-profile", f"workflow/profiles/{profile}"],
        capture_output=True, text=True, cwd=workdir, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert f"profile workflow/profiles/{profile}" in output
    return output


def jobs(output):
    """(rule, resources dict, threads) of every job a dry run lists."""
    found = []
    for block in re.split(r"\n(?=\[.*\]\n(?:local)?rule )", output):
        rule = re.search(r"^(?:local)?rule (\w+):", block, flags=re.MULTILINE)
        if not rule:
            continue
        resources = re.search(r"^\s+resources: (.*)$", block, flags=re.MULTILINE)
        threads = re.search(r"^\s+threads: (\d+)$", block, flags=re.MULTILINE)
        pairs = dict(item.split("=", 1) for item in resources.group(1).split(", "))
        found.append((rule.group(1), pairs, int(threads.group(1)) if threads else 1))
    return found


def job_counts(output):
    stats = output.split("Job stats:")[1]
    counts = re.findall(r"^(\w+)\s+(\d+)$", stats, flags=re.MULTILINE)
    return {rule: int(n) for rule, n in counts if rule != "total"}


def write_config(workdir, name, content):
    (workdir / name).write_text(yaml.safe_dump(content))
    return name


@pytest.mark.slow
def test_every_job_takes_threads_memory_and_runtime_from_the_config(workdir):
    config = load_config("smoke.yaml")["resources"]
    listed = jobs(dry_run(workdir))
    kinds = {"heatmaps": "data", "train": "train", "encode": "encode", "decode_paths": "encode",
             "evaluate": "evaluate", "embed": "evaluate", "realism": "realism"}  # fmt: skip
    assert {rule for rule, _, _ in listed} >= set(kinds)
    for rule, resources, threads in listed:
        if rule == "all":
            continue
        kind = config[kinds.get(rule, "report")]
        assert int(resources["mem_mb"]) == kind["mem_mb"], rule
        assert threads == kind["threads"], rule
        if rule == "train":  # estimated from the epoch bound (2 epochs in the smoke config)
            assert int(resources["runtime"]) == 5 + 2
            assert "gpu" not in resources
        else:
            assert int(resources["runtime"]) == kind["runtime"], rule


@pytest.mark.slow
def test_slurm_profile_dry_run_gives_every_job_runtime_and_memory(workdir):
    pytest.importorskip("snakemake_executor_plugin_slurm")
    output = dry_run_with_profile(workdir, "slurm")
    listed = jobs(output)
    assert len(listed) == sum(job_counts(output).values())
    config = load_config("smoke.yaml")["resources"]
    for rule, resources, threads in listed:
        assert int(resources["runtime"]) > 0 and int(resources["mem_mb"]) > 0, rule
        if rule == "train":  # sized by the config's resources, not by the profile
            assert int(resources["mem_mb"]) == config["train"]["mem_mb"]
            assert threads == config["train"]["threads"]


@pytest.mark.slow
def test_gpu_switch_asks_for_one_gpu_per_training_job_only(workdir):
    name = write_config(workdir, "gpu.yaml", {"resources": {"gpu": True}})
    for rule, resources, _ in jobs(dry_run(workdir, "--configfile", "config/smoke.yaml", name)):
        assert resources.get("gpu") == ("1" if rule == "train" else None), rule


@pytest.mark.slow
def test_a_3x2x2_sweep_lists_every_run_once(workdir):
    name = write_config(
        workdir,
        "sweep.yaml",
        {"seeds": [0, 1, 2], "model": {"latent_dim": [3, 8], "beta": [1.0, 4.0]}},
    )
    output = dry_run(workdir, "--configfile", "config/smoke.yaml", name)
    counts = job_counts(output)
    # VAE: 3 seeds x 2 latent sizes x 2 betas x 2 data sets; AE: beta does not touch it.
    vae, ae = 3 * 2 * 2 * 2, 3 * 2 * 2
    wide = load_config("smoke.yaml")["exploration"]["wide"]  # its own code size and seeds
    assert wide["latent_dim"] not in (3, 8)
    wide_runs = len(wide["seeds"]) * 2 * 2
    # Each further study trains the study's setting on every seed, in its own folder.
    studies = [name for name, study in load_config("smoke.yaml")["studies"].items() if study]
    study_runs = len(studies) * 3 * 2 * 2
    every_run = vae + ae + wide_runs + study_runs
    assert counts["train"] == counts["encode"] == counts["decode_paths"] == every_run
    assert counts["evaluate"] == every_run
    assert counts["sweep_table"] == 1 and counts["tables"] == 1 + len(studies)
    # The run folders of the train jobs' outputs (".../seed0/encoder.keras, ...").
    runs = set(re.findall(r"output: (results\S*/models/\S+/seed\d+)/encoder.keras", output))
    assert len(runs) == every_run
    assert "results/models/gaussian/vae/seed2" in runs  # the study's setting keeps its paths
    assert "results/sweep/latent8_beta4/models/student_t/vae/seed0" in runs
    assert not any(r.startswith("results/sweep/latent3_beta4/models/student_t/ae") for r in runs)
    assert "results/studies/short/models/student_t/ae/seed2" in runs


@pytest.mark.slow
def test_a_bad_resource_value_stops_before_any_job(workdir):
    name = write_config(workdir, "bad.yaml", {"resources": {"train": {"threads": 0}}})
    result = snakemake(workdir, "--dry-run", "--configfile", "config/smoke.yaml", name)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "Invalid configuration: resources.train.threads: 0 is less than" in message
    assert "threads, 1..256" in message  # the allowed range, from the schema


@pytest.mark.slow
def test_default_profile_runs_without_naming_cores(workdir):
    assert "Nothing to be done" not in dry_run_with_profile(workdir, "default")
