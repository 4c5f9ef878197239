"""Bad configurations are refused, naming the key and the allowed range."""

import copy
import subprocess
import sys

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from covae.config import ConfigError, check, main_model, model_settings
from tests.conftest import ROOT

SCHEMA = str(ROOT / "workflow" / "schemas" / "config.schema.yaml")


def accept(config: dict) -> None:
    """What the Snakefile does at parse time: the schema, then the cross-key checks."""
    validate(config, SCHEMA)
    check(config)


def with_value(config: dict, dotted: str, value) -> dict:
    changed = copy.deepcopy(config)
    *parents, last = dotted.split(".")
    node = changed
    for key in parents:
        node = node[key]
    node[last] = value
    return changed


@pytest.mark.parametrize("name", ["config.yaml", "smoke.yaml"])
def test_shipped_configs_are_accepted(name):
    with open(ROOT / "config" / name) as handle:
        accept(yaml.safe_load(handle))


# (key, bad value, words the error must contain: the key and the allowed range)
SCHEMA_REFUSALS = [
    ("data.scale.start", 0.0, ["'scale'", "'start'", "minimum of 0"]),
    ("data.scale.start", -0.1, ["'scale'", "'start'", "minimum of 0"]),
    ("data.scale.step", 0.0, ["'scale'", "'step'", "minimum of 0"]),
    ("data.grid.step", -0.17, ["'grid'", "'step'", "minimum of 0"]),
    ("data.correlation.step", 0, ["'correlation'", "'step'", "minimum of 0"]),
    ("data.correlation.start", -1.0, ["'correlation'", "'start'", "minimum of -1"]),
    ("data.correlation.stop", 1.2, ["'correlation'", "'stop'", "maximum of 1"]),
    ("data.test_fraction", 0.0, ["'test_fraction'", "minimum of 0"]),
    ("data.test_fraction", 1.0, ["'test_fraction'", "maximum of 1"]),
    ("data.student_t.df_heavy", 0.0, ["'df_heavy'", "minimum of 0"]),
    ("data.seed", -1, ["'seed'", "minimum of 0"]),
    ("figures.heatmaps.rows", 0, ["'rows'", "minimum of 1"]),
]


@pytest.mark.parametrize(("key", "value", "words"), SCHEMA_REFUSALS)
def test_schema_refuses_out_of_range_values(paper_config, key, value, words):
    with pytest.raises(WorkflowError) as error:
        accept(with_value(paper_config, key, value))
    message = str(error.value) + "".join(str(arg) for arg in error.value.args)
    for word in words:
        assert word in message


@pytest.mark.parametrize("where", ["", "data.", "data.student_t."])
def test_schema_refuses_unknown_keys(paper_config, where):
    config = with_value(paper_config, where + "latent_dims", 3)
    with pytest.raises(WorkflowError) as error:
        accept(config)
    assert "'latent_dims' was unexpected" in "".join(str(arg) for arg in error.value.args)


@pytest.mark.parametrize("key", ["grid", "scale", "correlation"])
def test_empty_grids_are_refused(paper_config, key):
    start = paper_config["data"][key]["start"]
    config = with_value(paper_config, f"data.{key}.stop", start)
    with pytest.raises(ConfigError, match=rf"data\.{key}: .*empty grid; allowed: .*stop > .*start"):
        accept(config)


def test_correlation_grid_reaching_one_is_refused(paper_config):
    # stop <= 1 is allowed because arange excludes it ...
    accept(with_value(paper_config, "data.correlation", {"start": 0.5, "stop": 1.0, "step": 0.25}))
    # ... but floating point can still include it: numpy.arange(0.7, 1.0, 0.1) ends in 1.0.
    config = with_value(paper_config, "data.correlation", {"start": 0.7, "stop": 1.0, "step": 0.1})
    with pytest.raises(ConfigError, match=r"data\.correlation: reaches 1; allowed: .*\(-1, 1\)"):
        accept(config)


def test_test_fraction_that_empties_a_split_is_refused(paper_config):
    config = with_value(paper_config, "data.scale", {"start": 1.0, "stop": 2.0, "step": 1.0})
    config = with_value(config, "data.correlation", {"start": 0.0, "stop": 0.5, "step": 0.25})
    with pytest.raises(ConfigError, match=r"data\.test_fraction: .*allowed"):
        accept(with_value(config, "data.test_fraction", 0.1))


def test_snakemake_refuses_a_bad_config_before_any_job(tmp_path, paper_config):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(with_value(paper_config, "data.scale.start", -0.5)))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            "1",
            "--configfile",
            str(bad),
            "--directory",
            str(tmp_path),
            "--snakefile",
            str(ROOT / "Snakefile"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode != 0
    assert "['data']['scale']['start']" in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()


def test_command_line_numbers_are_parsed():
    from covae.config import parse_numbers

    config = {"seeds": ["0", "1"], "model": {"loss": "elbo", "beta": "0.5", "latent_dim": 3}}
    assert parse_numbers(config) == {
        "seeds": [0, 1], "model": {"loss": "elbo", "beta": 0.5, "latent_dim": 3}
    }  # fmt: skip


def test_model_settings_put_the_study_first_and_cross_every_value(paper_config):
    assert model_settings(paper_config) == [{"latent_dim": 3, "beta": 1.0}]
    paper_config["model"].update(latent_dim=[3, 8], beta=[1.0, 4.0, 0.5])
    settings = model_settings(paper_config)
    assert len(settings) == 6 and settings[0] == {"latent_dim": 3, "beta": 1.0}
    assert {(s["latent_dim"], s["beta"]) for s in settings} == {
        (d, b) for d in (3, 8) for b in (1.0, 4.0, 0.5)
    }
    main = main_model(paper_config)
    assert main["latent_dim"] == 3 and main["beta"] == 1.0 and main["loss"] == "elbo"


def test_knn_search_range_must_not_be_empty(paper_config):
    paper_config["evaluation"]["knn"].update(k_min=10, k_max=5)
    with pytest.raises(ConfigError, match=r"evaluation.knn.k_max: 5 .* k_max >= k_min"):
        check(paper_config)
