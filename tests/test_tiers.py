"""The test targets select what they promise: `make test` every test but those marked `full`
(and SLURM's), CI (`.ci/run`) every test but SLURM's, as a plain `pytest` does (so a test named
on its command line runs whatever its marks), `make test-fast` no `slow` one. No test is left
out of CI by a marker."""

import json
import re
import subprocess
import sys

import pytest
from _pytest.mark.expression import Expression

from tests.conftest import ROOT

# Collects the whole suite (no marker expression) in a child process and prints every test's
# id with the names of its markers.
_LIST = """
import json, sys, pytest
class Marks:
    def pytest_collection_finish(self, session):
        self.found = {i.nodeid: sorted({m.name for m in i.iter_markers()}) for i in session.items}
marks = Marks()
code = pytest.main(["--collect-only", "-q", "-m", "", "-p", "no:xdist", "-p", "no:cacheprovider",
                    "tests"], plugins=[marks])
sys.stdout.write("\\nMARKS " + json.dumps(marks.found))
sys.exit(code)
"""


@pytest.fixture(scope="module")
def marks() -> dict[str, set[str]]:
    """Every test of the suite, with its markers' names."""
    done = subprocess.run([sys.executable, "-c", _LIST], cwd=ROOT, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    found = json.loads(done.stdout.rsplit("\nMARKS ", 1)[1])
    return {test: set(names) for test, names in found.items()}


def _expression(target: str) -> str:
    """The marker expression of the pytest command a make target runs."""
    recipe = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    (line,) = [line for line in recipe.splitlines() if " pytest " in line]
    return re.search(r' -m "([^"]+)"', line).group(1)


def _ci_target() -> str:
    (line,) = re.findall(r"^make (\S+)$", (ROOT / ".ci" / "run").read_text(), re.MULTILINE)
    return line


def _selected(expression: str, marks: dict[str, set[str]]) -> set[str]:
    rule = Expression.compile(expression)
    return {test for test, names in marks.items() if rule.evaluate(names.__contains__)}


def _addopts_expression() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    return re.search(r"""^addopts = ".*-m '([^']+)'""", text, re.MULTILINE).group(1)


@pytest.mark.slow  # collects the whole suite in a child process (~10 s)
def test_each_target_selects_its_tier_and_ci_leaves_out_only_slurm(marks):
    everything = set(marks)
    full = {test for test, names in marks.items() if "full" in names}
    slurm = {test for test, names in marks.items() if "slurm" in names}
    slow = {test for test, names in marks.items() if "slow" in names}
    assert _ci_target() == "test-full"
    assert _selected(_expression("test-full"), marks) == everything - slurm
    assert _selected(_expression("test"), marks) == everything - slurm - full
    assert _selected(_addopts_expression(), marks) == everything - slurm
    fast = _selected(_expression("test-fast"), marks)
    assert fast == everything - slurm - full - slow
    # The oracle: a whole study of its own is in CI and out of `make test`; the smoke DAG's
    # own checks and the unit tests are in both; `make test-fast` has unit tests only.
    study = "tests/test_runs.py::test_the_convergence_study_runs_at_smoke_size"
    dag = "tests/test_workflow.py::test_smoke_dag_trains_and_encodes_every_combination"
    unit = "tests/test_tables.py::test_interval_matches_the_student_t_formula"
    assert study in full and study not in _selected(_expression("test"), marks)
    assert dag in _selected(_expression("test"), marks) and dag not in fast
    assert unit in fast
    assert full <= slow  # a test marked full also starts snakemake or trains
    assert len(full) < len(everything) / 10  # the few costly whole runs, not a tier of their own
