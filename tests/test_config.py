"""Bad configurations are refused, naming the key and the allowed range."""

import copy
import os
import subprocess
import sys

import pytest
import yaml
from snakemake.utils import update_config

from covae import config as covae_config
from covae.config import (
    ConfigError,
    check,
    check_files,
    drop_other_kinds,
    load,
    main_model,
    model_settings,
    validate,
)
from tests.conftest import ROOT, with_value

SCHEMA = str(ROOT / "workflow" / "schemas" / "config.schema.yaml")


def accept(config: dict) -> None:
    """What the Snakefile does at parse time: the schema, then the cross-key checks."""
    validate(config, SCHEMA)
    check(config)


def refusal(config: dict) -> str:
    """The one-line message a bad config gets."""
    with pytest.raises(ConfigError) as error:
        accept(config)
    message = str(error.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("name", ["config.yaml", "smoke.yaml"])
def test_shipped_configs_are_accepted(name):
    with open(ROOT / "config" / name) as handle:
        accept(yaml.safe_load(handle))


# (key, bad value, words the error must contain: the key and the allowed range)
SCHEMA_REFUSALS = [
    ("data.scale.start", 0.0, ["data.scale.start: 0.0", "minimum of 0", "allowed: "]),
    ("data.scale.start", -0.1, ["data.scale.start: -0.1", "minimum of 0"]),
    ("data.scale.step", 0.0, ["data.scale.step: 0.0", "minimum of 0"]),
    ("data.grid.step", -0.17, ["data.grid.step: -0.17", "minimum of 0"]),
    ("data.correlation.step", 0, ["data.correlation.step: 0", "minimum of 0"]),
    ("data.correlation.start", -1.0, ["data.correlation.start: -1.0", "minimum of -1"]),
    ("data.correlation.stop", 1.2, ["data.correlation.stop: 1.2", "maximum of 1"]),
    ("data.test_fraction", 0.0, ["data.test_fraction: 0.0", "minimum of 0"]),
    ("data.test_fraction", 1.0, ["data.test_fraction: 1.0", "maximum of 1"]),
    ("data.student_t.df_heavy", 0.0, ["data.student_t.df_heavy: 0.0", "minimum of 0"]),
    ("data.seed", -1, ["data.seed: -1", "minimum of 0"]),
    ("figures.heatmaps.rows", 0, ["figures.heatmaps.rows: 0", "minimum of 1"]),
]


@pytest.mark.parametrize(("key", "value", "words"), SCHEMA_REFUSALS)
def test_schema_refuses_out_of_range_values(paper_config, key, value, words):
    message = refusal(with_value(paper_config, key, value))
    for word in words:
        assert word in message


@pytest.mark.parametrize("where", ["", "data.", "data.student_t."])
def test_schema_refuses_unknown_keys(paper_config, where):
    message = refusal(with_value(paper_config, where + "latent_dims", 3))
    assert message.startswith(f"{where.rstrip('.') or 'the config' + chr(39) + 's top level'}: ")
    assert "unknown key 'latent_dims'; allowed keys: " in message


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


@pytest.mark.slow
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
    output = result.stdout + result.stderr
    assert "Invalid configuration: data.scale.start: -0.5 is less than" in output
    assert len(output.splitlines()) < 10  # the line, not the schema and the config
    assert f"(set in {bad})" in output  # the file the value came from
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_a_refusal_names_the_command_line_where_it_overrides_a_file(tmp_path):
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text("seeds: [0, 1]\n")
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--configfile", str(seeds), "--config",
         "seeds=[0,-1]", "--directory", str(tmp_path), "--snakefile", str(ROOT / "Snakefile")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "seeds.1: -1 is less than the minimum of 0" in result.stdout + result.stderr
    assert "(set by --config)" in result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("beta", "variables", "refusal"),
    [
        (-1, {}, "model.beta: -1"),
        # A mistyped model store would train every run instead of taking it.
        (1, {"COVAE_MODEL_STORE": "{tmp}/no-store"}, "COVAE_MODEL_STORE={tmp}/no-store: no such"),
        # A backend the package is not tested under would stop the first job that imports Keras.
        (1, {"KERAS_BACKEND": "jaxx"}, "KERAS_BACKEND=jaxx: covae runs under tensorflow"),
    ],
)
def test_a_refused_dry_run_leaves_no_folder_behind(tmp_path, beta, variables, refusal):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"model:\n  beta: {beta}\n")
    folder = tmp_path / "runs" / "new"
    env = {**os.environ, **{key: value.format(tmp=tmp_path) for key, value in variables.items()}}
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--configfile", str(bad), "--directory",
         str(folder), "--snakefile", str(ROOT / "Snakefile")],
        capture_output=True, text=True, cwd=tmp_path, check=False, env=env,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode != 0 and refusal.format(tmp=tmp_path) in output
    assert len(output.splitlines()) < 10  # the refusal, not a chain of tracebacks
    assert not folder.exists()  # snakemake made it for -d; the refusal removes it


def test_a_refusal_names_where_its_key_was_set(tmp_path):
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text("model:\n  beta: -1\nseeds: [0, 1]\n")
    second.write_text("seeds: [0, 1, 2]\n")
    with pytest.raises(ConfigError, match=r"model\.beta: .*\(set in .*first\.yaml\)$"):
        load([str(first), str(second)], ROOT)
    message = "seeds: [0, 0] repeats a seed"
    assert covae_config.with_source(message, [first, second]).endswith(f"(set in {second})")
    assert covae_config.with_source(message, [], {"seeds": [0, 0]}).endswith("(set by --config)")
    assert covae_config.with_source(message, []).endswith("(set in config/config.yaml)")
    assert covae_config.with_source("no key here", [first]) == "no key here"
    # A list's item, as the schema's refusal names it (seeds.1) or as the checks do (runs[1]).
    item = "seeds.1: -1 is less than the minimum of 0"
    assert covae_config.with_source(item, [first], {"seeds": [0, -1]}).endswith("(set by --config)")
    assert covae_config.with_source(item, [second]).endswith(f"(set in {second})")
    third = tmp_path / "third.yaml"
    third.write_text("seeds: [0]\nconvergence:\n  cosine:\n    runs: [{batch_size: 8}]\n")
    assert covae_config.with_source(item, [third]).endswith("(set in config/config.yaml)")
    typo = tmp_path / "typo.yaml"
    typo.write_text("modle:\n  beta: 2\ntraining:\n  epochz: 3\n")
    top = "the config's top level: unknown key 'modle'; allowed keys: data, model"
    assert covae_config.with_source(top, [typo, first]).endswith(f"(set in {typo})")
    assert covae_config.with_source(top, [first], {"modle": 1}).endswith("(set by --config)")
    inner = "training: unknown key 'epochz'; allowed keys: batch_size, patience"
    assert covae_config.with_source(inner, [typo, second]).endswith(f"(set in {typo})")
    run = "convergence.cosine.runs[0].batch_size: 8 is not a power of two"
    assert covae_config.with_source(run, [first, third]).endswith(f"(set in {third})")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a list\n"])
def test_an_empty_override_file_is_refused_by_name(tmp_path, text):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"mine\.yaml: (empty|not a mapping).*seeds: \[0, 1\]"):
        load([str(path)], ROOT)


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


def test_knn_k_max_above_the_rows_of_a_fold_is_refused_naming_the_limit(smoke_config):
    # 405 smoke images, 324 training rows, 5 folds: the largest fold leaves 259 rows to fit.
    smoke_config["evaluation"]["knn"].update(k_max=260)
    with pytest.raises(ConfigError, match=r"evaluation.knn.k_max: 260 exceeds the 259 .*<= 259"):
        check(smoke_config)
    smoke_config["evaluation"]["knn"].update(k_max=259)
    check(smoke_config)


def test_a_wide_code_of_the_study_s_own_size_is_refused(paper_config):
    # The wide code is compared with the study's: at its size (3, or the first of a sweep's
    # sizes) it would be compared with itself. A sweep's other size may be the wide code's.
    assert main_model(paper_config)["latent_dim"] == 3
    paper_config["exploration"]["wide"]["latent_dim"] = 3
    with pytest.raises(ConfigError, match=r"^exploration.wide.latent_dim: 3 is the study's own "):
        check(copy.deepcopy(paper_config))
    paper_config["model"]["latent_dim"] = [2, 3]
    check(copy.deepcopy(paper_config))
    paper_config["model"]["latent_dim"] = [3, 2]
    assert "model.latent_dim = 3); allowed: any other latent dim" in refusal(paper_config)


def test_seed_protocol_override_is_accepted_on_top_of_the_paper_config(paper_config):
    with open(ROOT / "config" / "seed_protocol.yaml") as handle:
        override = yaml.safe_load(handle)
    merged = copy.deepcopy(paper_config)
    update_config(merged, override)  # how snakemake merges --configfile files
    # The merge keeps the cosine keys of the paper's schedule beside the seed's kinds ...
    assert "peak" in merged["training"]["schedule"]["vae"]
    with pytest.raises(ConfigError, match="no meaning for kind exponential"):
        check(copy.deepcopy(merged))
    # ... and those are dropped, said, before the check.
    notes = drop_other_kinds(merged)
    assert notes == [
        "training.schedule.vae: kind exponential ignores peak, warmup_epochs (keys of another "
        "kind, from a config file this one overrides)",
        "training.schedule.ae: kind constant ignores peak, warmup_epochs (keys of another kind, "
        "from a config file this one overrides)",
    ]
    accept(merged)
    assert merged["training"]["schedule"]["ae"] == {"kind": "constant", "rate": 0.001, "epochs": 25}


def test_a_misspelt_schedule_key_is_not_dropped_but_refused(paper_config):
    entry = paper_config["training"]["schedule"]["vae"]
    entry["peek"] = entry.pop("peak")
    assert drop_other_kinds(paper_config) == []
    with pytest.raises(ConfigError, match="needs peak, warmup_epochs; missing peak"):
        check(paper_config)


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (
            {"kind": "cosine", "peak": 0.003, "epochs": 10},
            ["training.schedule.vae", "warmup_epochs"],
        ),
        (
            {"kind": "constant", "rate": 0.001, "peak": 0.003, "epochs": 10},
            ["training.schedule.vae", "peak", "no meaning for kind constant"],
        ),
        (
            {"kind": "cosine", "peak": 0.003, "warmup_epochs": 10, "epochs": 10},
            ["training.schedule.vae.warmup_epochs", "warmup_epochs < epochs"],
        ),
        (
            {"kind": "exponential", "initial": 0.001, "decay_steps": 30, "epochs": 10},
            ["training.schedule.vae", "decay_rate"],
        ),
    ],
)
def test_a_schedule_missing_or_mixing_keys_is_refused_by_name(paper_config, schedule, words):
    with pytest.raises(ConfigError) as error:
        accept(with_value(paper_config, "training.schedule.vae", schedule))
    for word in words:
        assert word in str(error.value)
    # The oracle's other side: the same kinds with their own keys pass.
    accept(
        with_value(
            paper_config, "training.schedule.vae", {"kind": "constant", "rate": 0.001, "epochs": 3}
        )
    )


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("training.schedule.vae.kind", "linear", ["training.schedule.vae.kind: ", "cosine"]),
        ("training.schedule.ae.epochs", 0, ["training.schedule.ae.epochs: 0"]),
        ("training.patience", 0, ["training.patience: 0"]),
        ("convergence.tolerance", 0, ["convergence.tolerance: 0", "allowed: "]),
    ],
)
def test_schema_refuses_bad_training_values(paper_config, key, value, words):
    message = refusal(with_value(paper_config, key, value))
    for word in words:
        assert word in message


def test_the_range_test_needs_low_below_high(paper_config):
    with pytest.raises(ConfigError, match=r"convergence.lr_range.low.*low < high"):
        accept(with_value(paper_config, "convergence.lr_range.low", 0.5))


def test_a_seed_bound_beyond_the_seed_schedule_s_run_is_refused(paper_config):
    accept(paper_config)  # the paper's bounds (25-40) lie within its 40-epoch seed run
    with pytest.raises(ConfigError, match=r"convergence.seed_bounds.vae.student_t: 41.*1..40"):
        accept(with_value(paper_config, "convergence.seed_bounds.vae.student_t", 41))


def test_each_batch_size_of_the_convergence_study_has_one_entry(paper_config):
    accept(paper_config)  # batch 64 and batch 16, one entry each
    runs = paper_config["convergence"]["cosine"]["runs"]
    twice = with_value(paper_config, "convergence.cosine.runs", [*runs, {**runs[0]}])
    with pytest.raises(ConfigError, match=r"convergence.cosine.runs: batch size 64 .*one entry"):
        accept(twice)
    bad = with_value(paper_config, "convergence.cosine.runs", [{"batch_size": 0, "epochs": [5]}])
    assert "convergence.cosine.runs.0.batch_size: 0" in refusal(bad)


def test_a_missing_section_is_named_with_the_keys_it_needs(paper_config):
    del paper_config["evaluation"]["knn"]
    message = refusal(paper_config)
    assert message.startswith("evaluation: 'knn' is a required property; needed keys: knn")


def test_a_yaml_error_names_the_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("seeds: [0, 1]\ntraining:\n  patience: [3\n  batch_size: 64\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: not valid YAML at line 4, column 13"):
        check_files([str(bad)], ROOT)
    good = tmp_path / "good.yaml"
    good.write_text("seeds: [0, 1]\n")
    assert check_files([str(good)], ROOT).startswith("valid: config/config.yaml + ")


@pytest.mark.parametrize(
    ("override", "allowed"),
    [
        ({"model": {"beta": -1}}, "weight of the KL term, >= 0"),
        ({"data": {"correlation": {"start": 1.5}}}, "all in (-1, 1)"),
        ({"model": {"latent_dim": 1}}, "size of the code, 2..64"),
        ({"seeds": [-1]}, "distinct integers >= 0"),
        ({"seeds": [1, 1]}, "distinct integers >= 0"),
        ({"training": {"schedule": {"vae": {"epochs": 0}}}}, "epochs of the run, >= 1"),
        ({"studies": {"short": {"training": {"batch_size": 0}}}}, "images per step, >= 1"),
    ],
)
def test_every_schema_refusal_says_what_is_allowed(tmp_path, override, allowed):
    # A failing branch of a oneOf or of a shared definition has no words of its own: the
    # message takes the nearest description of the key it sits under.
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump(override))
    with pytest.raises(ConfigError) as caught:
        load([str(path)], ROOT)
    message = str(caught.value)
    assert "; allowed: " in message and allowed in message
    assert "Configuration of the covae study" not in message


def test_the_schema_and_the_paper_know_every_schedule_kind_and_key():
    """The schedule kinds and their keys are defined once (covae.names.SCHEDULES); the schema,
    which cannot import them, and the paper's study table must list the same."""
    from covae import names, paper

    with open(SCHEMA) as handle:
        schedule = yaml.safe_load(handle)["$defs"]["schedule"]
    assert schedule["properties"]["kind"]["enum"] == list(names.SCHEDULES)
    keys = {key for keys in names.SCHEDULES.values() for key in keys}
    assert set(schedule["properties"]) == {"kind", "epochs", *keys}
    rows = paper._schedule_rows({"vae": {"kind": "cosine", "epochs": 1, **dict.fromkeys(keys, 1)}})
    assert {quantity.split(".")[1] for quantity, _, _ in rows} == {"kind", "epochs", *keys}


def test_the_doubling_trains_the_study_s_protocol_longer_on_the_convergence_seed(paper_config):
    from covae import config as configs

    training = configs.doubling_training(paper_config)
    epochs = paper_config["convergence"]["doubling"]["epochs"]
    for model, entry in training["schedule"].items():
        assert entry["epochs"] == epochs
        assert {k: v for k, v in entry.items() if k != "epochs"} == {
            k: v for k, v in paper_config["training"]["schedule"][model].items() if k != "epochs"
        }
    assert training["patience"] == epochs  # the study's patience lets its runs finish: so here
    guarded = with_value(paper_config, "training.patience", 3)
    assert configs.doubling_training(guarded)["patience"] == 3  # a real guard stays one
    plain = configs.training_runs(paper_config)
    runs = configs.training_runs(paper_config, doubling=True)
    added = [run for run in runs if run not in plain]
    assert len(runs) == len(plain) + 4 and len(added) == 4
    assert {run["root"] for run in added} == {configs.DOUBLING_ROOT}
    assert {run["seed"] for run in added} == {paper_config["convergence"]["seed"]}
    assert all(run["sections"]["training"] == training for run in added)


def test_a_study_with_its_own_losses_trains_under_them_and_is_no_budget(paper_config):
    # The source study's protocol as a further study: its own losses (model: loss, ae_loss)
    # beside its training. Its runs carry those losses (their fingerprints do), the main
    # study's and the budget study's keep the ELBO, and only the budget is stacked in
    # claims_by_budget.
    from covae import config as configs

    protocol = {"model": {"loss": "seed", "ae_loss": "mean"},
                "training": paper_config["studies"]["short"]["training"]}  # fmt: skip
    config = copy.deepcopy(paper_config)
    config["studies"]["source_protocol"] = protocol
    accept(config)
    assert configs.study_names(config) == ["short", "source_protocol"]
    assert configs.budget_studies(config) == ["short"]
    model = configs.study_config(config, "source_protocol")["model"]
    assert model == {**main_model(config), "loss": "seed", "ae_loss": "mean"}
    assert configs.study_config(config, "short")["model"] == main_model(config)
    for run in configs.training_runs(config):
        losses = {key: run["sections"]["model"][key] for key in ("loss", "ae_loss")}
        if run["root"] == "results/studies/source_protocol":
            assert losses == {"loss": "seed", "ae_loss": "mean"}
        else:
            assert losses == {"loss": "elbo", "ae_loss": "summed"}, run["root"]
    # The code's size and beta stay the main study's: a study cannot set them.
    config["studies"]["source_protocol"]["model"]["latent_dim"] = 8
    assert "studies.source_protocol.model" in refusal(config)


@pytest.mark.parametrize(
    "module", ["bench", "config", "explorer", "locks", "readme", "store", "train_missing"]
)
def test_every_command_answers_help_and_does_nothing_else(module, capsys):
    # `python -m covae.<module> --help`: its usage, and no run (readme would rewrite README.md,
    # locks remove locks, config read a file named --help).
    import importlib

    readme = (ROOT / "README.md").stat().st_mtime_ns
    with pytest.raises(SystemExit) as exit_:
        importlib.import_module(f"covae.{module}").main(["--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: python -m covae.{module}")
    assert (ROOT / "README.md").stat().st_mtime_ns == readme


def test_a_config_file_that_cannot_be_read_is_named_in_one_line(capsys):
    assert covae_config.main([str(ROOT / "no-such.yaml")]) == 1
    assert capsys.readouterr().err == (
        f"invalid configuration: {ROOT / 'no-such.yaml'}: cannot be read (No such file or "
        "directory)\n"
    )
