"""covae.names: the study's names defined once, and a run's identity read from its path."""

import ast
import re

import numpy as np
import pytest

from covae import names
from tests.conftest import ROOT

DEFINED_ONCE = {"DATASETS", "DATASET_LABELS", "MODELS", "FACTOR_NAMES", "STREAMS"}


@pytest.mark.parametrize(
    ("path", "run"),
    [
        ("results/latents/gaussian/vae/seed0.npz", ("gaussian", "vae", 0)),
        ("results/sweep/latent8_beta4/realism/student_t/ae/seed12.json", ("student_t", "ae", 12)),
        ("results/models/student_t/vae/seed3/history.csv", ("student_t", "vae", 3)),
    ],
)
def test_a_runs_identity_is_read_from_its_path(path, run):
    assert tuple(names.run_of(path).values()) == run


@pytest.mark.parametrize(
    "path",
    [
        "results/tables/claims.csv",  # not a run's file
        "results/latents/gaussian/gan/seed0.npz",  # no such model
        "results/latents/normal/vae/seed0.npz",  # no such data set
        "results/latents/gaussian/vae/seedX.npz",
    ],
)
def test_a_file_that_is_not_a_runs_is_refused_by_name(path):
    with pytest.raises(ValueError, match=re.escape(path)):
        names.run_of(path)


def test_streams_are_independent_and_reproducible():
    first = names.stream(3, "sample").standard_normal(5)
    np.testing.assert_array_equal(first, names.stream(3, "sample").standard_normal(5))
    assert not np.allclose(first, names.stream(3, "validation").standard_normal(5))
    assert not np.allclose(first, names.stream(4, "sample").standard_normal(5))
    with pytest.raises(ValueError):
        names.stream(3, "no such stream")


def test_factor_columns_leave_out_a_constant_df():
    factors = np.array([[1.0, 2.0, 0.1, np.inf], [2.0, 1.0, -0.1, np.inf]])
    assert names.factor_columns(factors) == [0, 1, 2]
    factors[1, 3] = 5.0
    assert names.factor_columns(factors) == [0, 1, 2, 3]


def _assigned(path):
    tree = ast.parse(path.read_text())
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }


def test_a_reader_sees_each_data_set_and_model_by_its_name_not_its_key():
    assert names.label("gaussian") == "Gaussian set"
    assert names.label("student_t", "vae") == "Student-t set, VAE"
    assert set(names.DATASET_LABELS) == set(names.DATASETS)
    assert len(set(map(names.label, names.DATASETS))) == len(names.DATASETS)


def test_the_study_names_are_defined_in_covae_names_alone():
    """No other module, script or rule file spells out the data sets, models, factors or
    streams: they all read covae.names (a second definition could drift from it)."""
    package = ROOT / "src" / "covae"
    for path in [*package.glob("*.py"), *(ROOT / "workflow" / "scripts").glob("*.py")]:
        if path.name != "names.py":
            assert not _assigned(path) & DEFINED_ONCE, path
    pair = r"""["']{}["']\s*,\s*["']{}["']"""
    spelled = re.compile(pair.format("gaussian", "student_t") + "|" + pair.format("vae", "ae"))
    for path in [ROOT / "Snakefile", *(ROOT / "workflow" / "rules").glob("*.smk")]:
        assert not spelled.search(path.read_text()), path
    assert _assigned(package / "names.py") >= DEFINED_ONCE
