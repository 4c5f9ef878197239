"""Every shell command the documentation shows works as written: each is dry-run (snakemake
-n on the smoke config in a scratch copy of the workflow, make -n) or run where it only reads,
and the few that cannot run here name the test that covers them."""

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_workflow

PAGES = [ROOT / "README.md", ROOT / "config" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Commands that need what a test machine lacks (a finished run, the network, a GPU machine's
# archives, a desktop), with the test that checks what they do.
ELSEWHERE = {
    "snakemake --report report.zip": "test_workflow::test_the_smoke_report_holds_every_figure_"
    "with_its_caption",
    "unzip -q report.zip && xdg-open report/report.html": "a desktop's browser",
    "bash tools/gpu_wheels.sh": "the network (downloads wheels from PyPI)",
    "python -m covae.store import trained/runs-*.tar.gz": "test_store (archives a GPU run returns)",
    "python -m covae.store import <returned>/runs-*.tar.gz && git add model_store": "test_store",
    "make test": "this suite itself",
}


def documented_commands() -> list[tuple[str, str]]:
    """(page, command) for every command line of the pages' bash blocks: comments dropped,
    continued lines joined."""
    found = []
    for page in PAGES:
        for block in re.findall(r"```(?:bash|sh|console)\n(.*?)```", page.read_text(), re.S):
            joined = re.sub(r"\\\n\s*", " ", block)
            for line in joined.splitlines():
                line = re.split(r"\s#", line)[0].strip()
                if line and not line.startswith("#"):
                    found.append((page.relative_to(ROOT).as_posix(), line))
    return found


COMMANDS = documented_commands()


def _label(item) -> str:
    page, command = item
    return f"{page}: {command}"[:90]


def test_the_pages_show_commands_and_every_one_is_handled():
    assert len(COMMANDS) > 20
    kinds = [_kind(command) for _, command in COMMANDS]
    assert "unhandled" not in kinds, [
        c for (_, c), k in zip(COMMANDS, kinds, strict=True) if k == "unhandled"
    ]


def _plain(command: str) -> str:
    return command.removeprefix(".venv/bin/")


def _kind(command: str) -> str:
    plain = _plain(command)
    if plain in ELSEWHERE:
        return "elsewhere"
    if plain.startswith("snakemake"):
        return "snakemake"
    if plain.startswith("make "):
        return "make"
    if plain.startswith("python -m covae.store"):
        return "store"
    if plain.startswith("pip install -e"):
        return "pip"
    return "unhandled"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A copy of the workflow to dry-run in, with the override files the pages name."""
    repo = copy_workflow(tmp_path_factory.mktemp("docs") / "repo", make=True)
    for name in ("mine.yaml", "my.yaml"):
        (repo / name).write_text("seeds: [0]\n")
    return repo


def _snakemake_args(command: str, repo: Path) -> list[str]:
    """The command's arguments with the smoke config first among its config files (so that its
    own files and keys still override) and -n, placeholders filled."""
    args = shlex.split(_plain(command).replace("<account>", "acct").replace("<partition>", "p"))
    smoke = str(repo / "config" / "smoke.yaml")
    if "--configfile" in args:
        args.insert(args.index("--configfile") + 1, smoke)
    else:
        args += ["--configfile", smoke]
    return [sys.executable, "-m", *args, "-n"]


@pytest.mark.slow
@pytest.mark.parametrize("item", [c for c in COMMANDS if _kind(c[1]) == "snakemake"], ids=_label)
def test_each_documented_snakemake_command_dry_runs_on_the_smoke_config(item, scratch):
    _, command = item
    result = subprocess.run(_snakemake_args(command, scratch), cwd=scratch, capture_output=True,
                            text=True, check=False)  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Job stats:" in output or "Nothing to be done" in output


@pytest.mark.parametrize("item", [c for c in COMMANDS if _kind(c[1]) == "make"], ids=_label)
def test_each_documented_make_target_exists_and_dry_runs(item):
    _, command = item
    if _plain(command) in ELSEWHERE:
        pytest.skip(ELSEWHERE[_plain(command)])
    result = subprocess.run(["make", "-n", *shlex.split(command)[1:]], cwd=ROOT,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "snakemake" in result.stdout or "pytest" in result.stdout


@pytest.mark.slow  # each starts Python with TensorFlow
@pytest.mark.parametrize("item", [c for c in COMMANDS if _kind(c[1]) == "store"], ids=_label)
def test_each_documented_store_command_runs_on_a_scratch_store(item, tmp_path):
    _, command = item
    args = shlex.split(_plain(command))
    (tmp_path / "results").mkdir()  # publish: a results folder with no finished run
    (tmp_path / "store").mkdir()  # list, check: an empty store
    result = subprocess.run([sys.executable, *args[1:3], "--store", str(tmp_path / "store"),
                             *args[3:]], cwd=tmp_path, capture_output=True, text=True,
                            check=False)  # fmt: skip
    if args[3] == "publish":  # an empty results folder: refused, saying what to do first
        assert result.returncode == 1 and "train first" in result.stderr
    else:
        assert result.returncode == 0, result.stderr[-2000:]


def test_the_documented_pip_extra_exists():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for _, command in COMMANDS:
        if _kind(command) == "pip":
            extra = re.search(r"\[(\w+)\]", command).group(1)
            assert extra in extras, command


def test_commands_run_elsewhere_name_a_test_that_exists():
    text = "".join(path.read_text() for path in (ROOT / "tests").glob("test_*.py"))
    for reason in ELSEWHERE.values():
        if reason.startswith("test_"):
            name = reason.split("::")[-1].split(" ")[0]
            assert name in text or (ROOT / "tests" / f"{name}.py").exists(), reason
