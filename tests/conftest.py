"""Shared fixtures: the repository root, the two configurations, a copy of the workflow."""

import copy
import fcntl
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# One OpenMP thread in the test process, as every workflow job gets its `threads` (snakemake sets
# OMP_NUM_THREADS per job): on a host whose cores are busy (training beside the tests), OpenMP's
# spinning threads made one 300-point t-SNE take 27 s instead of 0.6 s.
os.environ.setdefault("OMP_NUM_THREADS", "1")


def load_config(name: str) -> dict:
    with open(ROOT / "config" / name) as handle:
        return yaml.safe_load(handle)


@pytest.fixture
def paper_config() -> dict:
    return load_config("config.yaml")


@pytest.fixture
def smoke_config() -> dict:
    return load_config("smoke.yaml")


def copy_workflow(workdir: Path, make: bool = False) -> Path:
    """Copy the Snakefile, workflow/, config/ and the package's source files (inputs of the
    figure, table and paper jobs) into ``workdir`` (a place to run snakemake). The jobs still
    import the installed package."""
    if make:
        workdir.mkdir(parents=True)
    shutil.copy(ROOT / "Snakefile", workdir)
    for folder in ("workflow", "config"):
        shutil.copytree(ROOT / folder, workdir / folder)
    shutil.copytree(
        ROOT / "src" / "covae",
        workdir / "src" / "covae",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return workdir


def repo_of(workdir):
    """The copy of the repository that runs in ``workdir``: a sibling ``repo`` folder where the
    run uses ``--directory`` (the smoke run), else ``workdir`` itself."""
    sibling = workdir.parent / "repo"
    return sibling if sibling.is_dir() else workdir


def snakemake(workdir, *args, env=None):
    """The snakemake command on the smoke config in ``workdir`` (``env``: variables to set)."""
    repo = repo_of(workdir)
    return subprocess.run(
        [
            sys.executable, "-m", "snakemake", "--cores", "2",
            "--configfile", str(repo / "config" / "smoke.yaml"),
            # an option after --configfile's list, so that targets in args stay targets
            "--snakefile", str(repo / "Snakefile"), "--directory", str(workdir), *args,
        ],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )  # fmt: skip


# A metric of each run that is a wall time: its rows (in the training, paired and wide tables)
# differ between any two runs, like the run-time and provenance tables.
TIMED_METRIC = b"training.seconds"


def untimed_lines(path):
    """The lines of a table file but those of the timed metric."""
    return [line for line in Path(path).read_bytes().splitlines() if TIMED_METRIC not in line]


def with_value(config: dict, dotted: str, value) -> dict:
    """A deep copy of ``config`` with the key at ``dotted`` (``model.beta``) set to ``value``."""
    changed = copy.deepcopy(config)
    *parents, last = dotted.split(".")
    node = changed
    for key in parents:
        node = node[key]
    node[last] = value
    return changed


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium, installed here where missing and possible (root with apt)."""
    found = shutil.which("chromium")
    if not found and shutil.which("apt-get") and os.geteuid() == 0:
        quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        # One installer at a time: each test worker asks (apt holds a lock of its own and
        # refuses a second installer instead of waiting).
        with open("/tmp/covae-tests-chromium.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not shutil.which("chromium"):
                install = ["apt-get", "install", "-y", "-q", "chromium"]
                subprocess.run(install, capture_output=True, timeout=900, check=False, env=quiet)
        found = shutil.which("chromium")
    if not found:
        pytest.skip("no chromium, and it cannot be installed here (needs root and apt)")
    return found


def pytest_collection_modifyitems(items):
    """The smoke study's tests first (the order of the rest kept): ``make test`` hands each test
    file to one of two pytest-xdist workers in this order, so the smoke DAG, the longest single
    piece of the suite, starts at once while the other worker takes the rest."""
    items.sort(key=lambda item: item.path.name != "test_workflow.py")


def template_artefacts(text: str) -> list[str]:
    """What a filled template gives away: "1 seed(s)", "a 8", a phrase of five or more words
    said twice in one sentence ("a cosine schedule for the VAE and a cosine schedule for the
    AE"; numbers aside), or one word twice in a row."""
    found = re.findall(r"\w+\(s\)", text)
    found += re.findall(r"\b[Aa] (?:8|11|18|80)\S*|\b[Aa]n (?:[2-79]|1[02-79]|10\b)\S*", text)
    prose = re.sub(r"^\|.*$|^!\[.*$|^\*.*\*$|`[^`]*`", " ", text, flags=re.MULTILINE)
    for sentence in re.split(r"(?<=[.;:])\s+", prose):
        words = re.findall(r"-?[\w.'-]*\w", sentence.lower())
        grams = [" ".join(words[i : i + 5]) for i in range(len(words) - 4)]
        grams = [g for g in grams if not re.search(r"\d", g)]  # numbers differ where words repeat
        found += sorted({g for g in grams if grams.count(g) > 1})
        found += [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)
                  if a == b and a.isalpha()]  # fmt: skip
    return found
