"""The smoke study through a real SLURM scheduler (`make test-slurm`, which starts a one-node
cluster with tools/local_slurm.sh first): every job a SLURM job, every table as a local run's.

Not part of `make test`: it needs root, system packages and running daemons. Skipped where no
SLURM cluster answers."""

import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import copy_workflow, untimed_lines

# Tables that record when and how long, not what: they differ between any two runs.
TIMED = {"runtime.csv", "runtime.md", "provenance.csv", "provenance.md"}


def _cluster_up() -> bool:
    if shutil.which("sinfo") is None:
        return False
    state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return state.returncode == 0 and bool(re.search(r"idle|mixed|allocated", state.stdout))


def _run(workdir, *args):
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args, "--configfile", "config/smoke.yaml"],
        cwd=workdir, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.slurm
def test_the_smoke_study_through_slurm_equals_a_local_run(tmp_path):
    if not _cluster_up():
        pytest.skip("no SLURM cluster answers (make test-slurm starts one)")
    local = copy_workflow(tmp_path / "local", make=True)
    done = _run(local, "--workflow-profile", "workflow/profiles/default", "--cores", "2")
    assert done.returncode == 0, done.stderr[-3000:]

    cluster = copy_workflow(tmp_path / "slurm", make=True)
    done = _run(
        cluster, "--workflow-profile", "workflow/profiles/slurm",
        # This cluster has no accounts and no accounting database (tools/local_slurm.sh).
        "--slurm-no-account", "--slurm-status-command", "squeue",
    )  # fmt: skip
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]

    # Every job but the target rule went through sbatch, and SLURM knows each as completed.
    stats = log.split("Job stats:")[1].split("Select jobs")[0]
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", stats, flags=re.MULTILINE))
    jobs = int(counts["total"]) - int(counts.get("all", 0))
    ids = re.findall(r"submitted with SLURM jobid (\d+)", log)
    assert len(set(ids)) == jobs, f"{len(set(ids))} SLURM jobs for {jobs} jobs"
    states = subprocess.run(
        ["squeue", "-h", "-t", "all", "-o", "%i %T", "-j", ",".join(ids)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert dict(line.split() for line in states.splitlines()) == dict.fromkeys(ids, "COMPLETED")

    # The same tables, byte for byte, but for what a clock measured: the timing tables and the
    # rows of training.seconds (in training, paired and wide).
    tables = sorted(p.name for p in (local / "results" / "tables").iterdir())
    assert tables == sorted(p.name for p in (cluster / "results" / "tables").iterdir())
    differ = [
        name
        for name in tables
        if name not in TIMED and _untimed(local, name) != _untimed(cluster, name)
    ]
    assert not differ, f"tables that differ from the local run: {differ}"


def _untimed(workdir, name):
    return untimed_lines(workdir / "results" / "tables" / name)
