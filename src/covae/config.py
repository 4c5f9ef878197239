"""Checks of the configuration that a JSON schema cannot express.

The schema (workflow/schemas/config.schema.yaml) bounds each key on its own; the rules here
involve several keys at once, such as a grid whose ``stop`` does not exceed its ``start``.
Both run when the Snakefile is parsed, so a bad value stops the workflow before any job.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np
import yaml

from covae import names
from covae.convergence import batch_sizes
from covae.heatmaps import axis_grid

_CORRELATION_MARGIN = 1e-6


class ConfigError(ValueError):
    """A configuration value out of its allowed range; the message names the key."""


def _number(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_numbers(node: Any) -> Any:
    """Numbers given as strings become numbers, recursively, in place where possible.

    ``snakemake --config seeds=[0,1]`` hands the list items over as the strings "0" and "1";
    this makes such overrides validate like the same values written in a YAML file.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            node[key] = parse_numbers(value)
        return node
    if isinstance(node, list):
        node[:] = [parse_numbers(value) for value in node]
        return node
    return _number(node) if isinstance(node, str) else node


def as_list(value: Any) -> list:
    """A sweepable key's values: a list as it is, a single value as a list of one."""
    return list(value) if isinstance(value, list) else [value]


def model_settings(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every (latent_dim, beta) the config sweeps, the study's own (the first of each) first.

    ``model.latent_dim`` and ``model.beta`` take one value or a list; the runs of the first
    pair are the study's, every other pair is a sweep setting.
    """
    model = config["model"]
    return [
        {"latent_dim": latent_dim, "beta": beta}
        for latent_dim in as_list(model["latent_dim"])
        for beta in as_list(model["beta"])
    ]


def main_model(config: Mapping[str, Any]) -> dict[str, Any]:
    """The ``model`` section with the study's own setting in place of any list."""
    return {**config["model"], **model_settings(config)[0]}


def training_sections(config: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Every training section by its key in the config: ``training`` (the main study's) and
    ``studies.<name>.training`` for each further study."""
    sections = {"training": config["training"]}
    for name in study_names(config):
        sections[f"studies.{name}.training"] = config["studies"][name]["training"]
    return sections


def study_names(config: Mapping[str, Any]) -> list[str]:
    """The further studies that run (an entry set to null is switched off)."""
    return [name for name, study in (config.get("studies") or {}).items() if study is not None]


def budget_studies(config: Mapping[str, Any]) -> list[str]:
    """The further studies that differ from the main study in their training alone: its
    budgets. A study with losses of its own is another protocol; its claims are judged in its
    folder but not stacked with the budgets' (``claims_by_budget``)."""
    main = main_model(config)
    return [name for name in study_names(config) if study_model(config, name) == main]


# Where the next doubling's runs live (``convergence.doubling``; ``snakemake doubling``).
DOUBLING_ROOT = "results/convergence/doubling"
# Where each further study's runs, tables and claims live (``studies``).
STUDIES_ROOT = "results/studies"


def study_root(study: str) -> str:
    """The results root of the further study ``study``."""
    return f"{STUDIES_ROOT}/{study}"


def doubling_training(config: Mapping[str, Any]) -> dict[str, Any]:
    """The main study's ``training`` section at ``convergence.doubling.epochs`` for every model
    and data set. A patience that lets the main study's runs finish (at least their epochs)
    lets the doubled runs finish too; a shorter one is kept as it is."""
    training = copy.deepcopy(dict(config["training"]))
    epochs = int(config["convergence"]["doubling"]["epochs"])
    longest = 0
    for entry in training["schedule"].values():
        length = entry["epochs"]
        longest = max(longest, *(length.values() if isinstance(length, Mapping) else [length]))
        entry["epochs"] = epochs
    if training.get("patience") is not None and training["patience"] >= longest:
        training["patience"] = epochs
    return training


def study_model(config: Mapping[str, Any], study: str | None) -> dict[str, Any]:
    """The ``model`` section of ``study``'s runs (``None``: the main study's): the main setting,
    with the study's own losses (``studies.<name>.model``) where it gives them."""
    own = {} if study is None else config["studies"][study].get("model") or {}
    return {**main_model(config), **own}


def study_config(config: Mapping[str, Any], study: str | None) -> dict[str, Any]:
    """The ``data``, ``model`` (the main setting, the study's losses) and ``training`` sections
    that train the runs of ``study`` (``None``: the main study)."""
    training = config["training"] if study is None else config["studies"][study]["training"]
    return {"data": config["data"], "model": study_model(config, study), "training": training}


def _grid(data: Mapping[str, Any], key: str) -> np.ndarray:
    start, stop, step = (data[key][name] for name in ("start", "stop", "step"))
    values = axis_grid(start, stop, step)
    if values.size == 0:
        raise ConfigError(
            f"data.{key}: start={start}, stop={stop}, step={step} gives an empty grid; "
            f"allowed: data.{key}.stop > data.{key}.start"
        )
    return values


def check(config: Mapping[str, Any]) -> None:
    """Raise ConfigError naming the key and the allowed range of the first bad value."""
    data = config["data"]
    _grid(data, "grid")
    scales = _grid(data, "scale")
    if scales.min() <= 0:
        raise ConfigError(f"data.scale: smallest value {scales.min():g}; allowed: > 0")
    correlations = _grid(data, "correlation")
    # numpy.arange may return its excluded stop up to rounding (arange(0.7, 1.0, 0.1) ends
    # in 0.9999999999999999), which would make a singular scale matrix.
    if np.abs(correlations).max() > 1 - _CORRELATION_MARGIN:
        raise ConfigError(
            f"data.correlation: reaches {correlations[np.abs(correlations).argmax()]:g}; "
            f"allowed: every value in (-1, 1), at least {_CORRELATION_MARGIN:g} away from +-1"
        )
    n_images = scales.size**2 * correlations.size
    n_test = round(n_images * data["test_fraction"])
    if not 0 < n_test < n_images:
        raise ConfigError(
            f"data.test_fraction: {data['test_fraction']} of {n_images} images leaves "
            f"{n_test} test rows; allowed: at least one train and one test image"
        )
    _check_schedules(config)
    knn = config["evaluation"]["knn"]
    if knn["k_max"] < knn["k_min"]:
        raise ConfigError(
            f"evaluation.knn.k_max: {knn['k_max']} is below evaluation.knn.k_min = "
            f"{knn['k_min']}; allowed: k_max >= k_min"
        )
    # The KNN searches k on the training rows of each cross-validation fold: the smallest fold
    # must hold at least k_max rows, or scikit-learn fails for every larger k.
    n_train = n_images - n_test
    fit_rows = n_train - -(-n_train // knn["folds"])  # rows left for fitting by the largest fold
    if knn["k_max"] > fit_rows:
        raise ConfigError(
            f"evaluation.knn.k_max: {knn['k_max']} exceeds the {fit_rows} training rows of a "
            f"{knn['folds']}-fold cross-validation fold ({n_train} training images); allowed: "
            f"k_max <= {fit_rows}"
        )
    # The wide code is compared with the study's own: at the same latent dim it would be
    # compared with itself (the same runs, under the study's folder).
    wide, study = config["exploration"]["wide"]["latent_dim"], main_model(config)["latent_dim"]
    if wide == study:
        raise ConfigError(
            f"exploration.wide.latent_dim: {wide} is the study's own code (model.latent_dim = "
            f"{study}); allowed: any other latent dim"
        )
    grid = config["exploration"]["latent_grid"]
    if grid["low"] >= grid["high"]:
        raise ConfigError(
            f"exploration.latent_grid.low: {grid['low']} is not below "
            f"exploration.latent_grid.high = {grid['high']}; allowed: low < high"
        )


def drop_other_kinds(config: MutableMapping[str, Any]) -> list[str]:
    """Remove from each ``training.schedule`` entry the keys of another kind than its own, in
    place, and say which.

    Snakemake merges config files key by key, so an override that switches a model's schedule
    (``config/seed_protocol.yaml``: cosine -> exponential) keeps the keys of the kind it
    replaces (``peak``, ``warmup_epochs``). Those are dropped here; a key of no kind (a typo)
    stays, for ``check`` to refuse."""
    known = {key for keys in names.SCHEDULES.values() for key in keys}
    notes = []
    sections = {"training": config.get("training", {})}
    studies = config.get("studies")
    for name, study in studies.items() if isinstance(studies, Mapping) else ():
        if isinstance(study, Mapping):
            sections[f"studies.{name}.training"] = study.get("training", {})
    for prefix, section in sections.items():
        if isinstance(section, Mapping):
            notes += _drop_stale(section.get("schedule", {}), prefix, known)
    return notes


def _drop_stale(schedules: Any, prefix: str, known: set[str]) -> list[str]:
    notes = []
    for model, entry in schedules.items() if isinstance(schedules, Mapping) else ():
        if not isinstance(entry, MutableMapping):
            continue  # the schema says what is wrong with it
        own = set(names.SCHEDULES.get(entry.get("kind"), ()))
        stale = sorted(name for name in entry if name in known - own)
        for name in stale:
            del entry[name]
        if stale:
            notes.append(
                f"{prefix}.schedule.{model}: kind {entry['kind']} ignores {', '.join(stale)} "
                "(keys of another kind, from a config file this one overrides)"
            )
    return notes


def _check_schedules(config: Mapping[str, Any]) -> None:
    for prefix, section in training_sections(config).items():
        _check_training(section, prefix)
    _check_convergence(config["convergence"])


def _check_training(section: Mapping[str, Any], prefix: str) -> None:
    for model, entry in section["schedule"].items():
        key = f"{prefix}.schedule.{model}"
        kind = entry["kind"]
        needed, allowed = names.SCHEDULES[kind], {"kind", "epochs", *names.SCHEDULES[kind]}
        missing = [name for name in needed if name not in entry]
        if missing:
            raise ConfigError(
                f"{key}: kind {kind} needs {', '.join(needed)}; missing {', '.join(missing)}"
            )
        extra = sorted(set(entry) - allowed)
        if extra:
            raise ConfigError(
                f"{key}: {', '.join(extra)} has no meaning for kind {kind}; allowed keys: "
                f"{', '.join(sorted(allowed))}"
            )
        epochs = entry["epochs"]
        shortest = min(epochs.values()) if isinstance(epochs, Mapping) else epochs
        if kind == "cosine" and entry["warmup_epochs"] >= shortest:
            raise ConfigError(
                f"{key}.warmup_epochs: {entry['warmup_epochs']} leaves no decay in "
                f"{shortest} epochs; allowed: warmup_epochs < epochs"
            )


def _check_convergence(convergence: Mapping[str, Any]) -> None:
    seed_epochs = convergence["exponential"]["epochs"]
    for model, bounds in convergence.get("seed_bounds", {}).items():
        for dataset, bound in bounds.items():
            if bound > seed_epochs:
                raise ConfigError(
                    f"convergence.seed_bounds.{model}.{dataset}: {bound} is beyond the source "
                    f"study's schedule run (convergence.exponential.epochs = {seed_epochs}); "
                    f"allowed: 1..{seed_epochs}"
                )
    batches = batch_sizes(convergence)
    repeated = sorted({batch for batch in batches if batches.count(batch) > 1})
    if repeated:
        raise ConfigError(
            f"convergence.cosine.runs: batch size {repeated[0]} has more than one entry; "
            "allowed: one entry per batch size (list all its lengths there)"
        )
    lr_range = convergence["lr_range"]
    if lr_range["low"] >= lr_range["high"]:
        raise ConfigError(
            f"convergence.lr_range.low: {lr_range['low']} is not below "
            f"convergence.lr_range.high = {lr_range['high']}; allowed: low < high"
        )


def validate(config: Mapping[str, Any], schema_path: str | os.PathLike) -> None:
    """Check ``config`` against the JSON schema at ``schema_path``; raise ConfigError with one
    short line naming the key and what it allows (snakemake's own ``validate`` prints the whole
    schema and config after the first line)."""
    import jsonschema

    with open(schema_path) as handle:
        schema = yaml.safe_load(handle)
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is not None:
        raise ConfigError(_short(error, schema))


def _description(root: Mapping[str, Any], path) -> str | None:
    """The description of the innermost schema below the top along ``path`` (an error's
    absolute schema path, which runs through a ``$ref`` as if it were written in place): the
    key's own words, where the failing branch (a ``oneOf`` alternative) has none."""
    node: Any = root
    found = None
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return found
        if isinstance(node, Mapping) and "$ref" in node:
            target: Any = root
            for name in node["$ref"].removeprefix("#/").split("/"):
                target = target[name]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        if isinstance(node, Mapping) and node.get("description"):
            found = node["description"]
    return found


def _short(error, root: Mapping[str, Any] | None = None) -> str:
    key = ".".join(map(str, error.absolute_path)) or "the config's top level"
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(schema.get("properties", {})))
        return (
            f"{key}: unknown key {', '.join(map(repr, extra))}; allowed keys: "
            f"{', '.join(sorted(schema.get('properties', {})))}"
        )
    if error.validator == "required":
        return f"{key}: {error.message}; needed keys: {', '.join(schema['required'])}"
    allowed = schema.get("description")
    if not allowed and root is not None:
        allowed = _description(root, error.absolute_schema_path)
    return f"{key}: {error.message}" + (f"; allowed: {allowed}" if allowed else "")


def read_yaml(path: str | os.PathLike) -> Any:
    """A YAML config file, or ConfigError naming its file, line and column."""
    try:
        with open(path) as handle:
            return yaml.safe_load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror})") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise ConfigError(f"{path}: not valid YAML at {where}: {error.problem}") from None


# The sections that define the study; `resources` and `figures` only size jobs and draw.
STUDY_SECTIONS = (
    "seeds", "data", "model", "training", "studies", "convergence", "evaluation", "exploration"
)  # fmt: skip


def differs_from_study(config: Mapping[str, Any], default: Mapping[str, Any]) -> list[str]:
    """The study-defining sections in which ``config`` differs from the repository's default
    config (what the committed tables, figures and paper come from)."""
    return [key for key in STUDY_SECTIONS if config.get(key) != default.get(key)]


def prepare(config: MutableMapping[str, Any], schema_path: str | os.PathLike) -> list[str]:
    """What the Snakefile does with the merged config, in place: numbers given as strings
    parsed, keys of a replaced schedule kind dropped (the returned notes say which), then the
    schema and the cross-key checks (ConfigError on the first mistake)."""
    parse_numbers(config)
    notes = drop_other_kinds(config)
    validate(config, schema_path)
    check(config)
    return notes


def merge(base: MutableMapping[str, Any], override: Mapping[str, Any]) -> None:
    """Merge ``override`` into ``base`` in place, key by key at every depth, as snakemake merges
    ``--configfile`` files (a value that is not a mapping replaces the whole key)."""
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), MutableMapping):
            merge(base[key], value)
        else:
            base[key] = value


def load(
    paths: list[str], repository: str | os.PathLike, *, schema: bool = True
) -> tuple[dict[str, Any], list[str]]:
    """What the Snakefile does with ``--configfile paths``, without snakemake: the repository's
    config/config.yaml, each file merged over it, then ``prepare`` (``schema=False`` skips the
    JSON schema, for a machine without jsonschema; the cross-key checks still run). Returns the
    config and the notes; raises ConfigError (naming the file, line and column of a YAML
    error)."""
    from pathlib import Path

    repository = Path(repository)
    config = read_yaml(repository / "config" / "config.yaml")
    for path in paths:
        override = read_yaml(path)
        if not isinstance(override, dict) or not override:
            raise ConfigError(
                f"{path}: {'empty' if not override else 'not a mapping of keys'}; an override "
                "file holds the keys it changes at the top level, e.g. `seeds: [0, 1]` "
                "(snakemake refuses such a file too)"
            )
        merge(config, override)
    try:
        if schema:
            notes = prepare(config, repository / "workflow" / "schemas" / "config.schema.yaml")
        else:
            parse_numbers(config)
            notes = drop_other_kinds(config)
            check(config)
    except ConfigError as error:
        raise ConfigError(with_source(str(error), paths)) from None
    return config, notes


def _sets(tree: Any, key: str) -> bool:
    """Whether the nested mapping ``tree`` holds the dotted ``key``; a list's item is named by
    its index either way a refusal writes it (``seeds.1``, ``runs[0].epochs``)."""
    node = tree
    for part in re.findall(r"[^.\[\]]+", key):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def with_source(
    message: str, paths: Sequence[str | os.PathLike], command_line: Mapping[str, Any] | None = None
) -> str:
    """``message`` (a refusal that starts with its dotted key, "model.beta: ...", or names an
    unknown key) followed by where that key's value came from, in snakemake's order of
    precedence: ``--config``, the last override file that sets it, or config/config.yaml."""
    unknown = re.match(
        r"(?:the config's top level|([A-Za-z_][\w.\[\]]*)): unknown key '(\w+)'", message
    )
    match = unknown or re.match(r"([A-Za-z_][\w.\[\]]*): ", message)
    if not match:
        return message
    key = ".".join(part for part in match.groups() if part)  # an unknown key: where it is
    if command_line and _sets(command_line, key):
        return f"{message} (set by --config)"
    for path in reversed(list(paths)):
        try:
            if _sets(read_yaml(path), key):
                return f"{message} (set in {path})"
        except (OSError, ConfigError):
            continue
    return f"{message} (set in config/config.yaml)"


def check_files(paths: list[str], repository: str | os.PathLike) -> str:
    """``load`` the files; a summary line of what was checked."""
    _, notes = load(paths, repository)
    return "; ".join([*notes, f"valid: config/config.yaml + {' + '.join(paths) or 'nothing'}"])


def training_runs(config: Mapping[str, Any], doubling: bool = False) -> list[dict[str, Any]]:
    """Every run a full run of the workflow trains, as the workflow lays them out: its
    ``root`` folder (``results``, a sweep's or a further study's), data set, model, seed, and
    ``sections``, the ``data``, ``model`` and ``training`` sections that train it (its model
    store fingerprint is made of them). ``doubling``: also the runs of ``snakemake doubling``
    (``convergence.doubling``), which the paper's run does not train."""
    from covae.names import DATASETS, MODELS

    settings = model_settings(config)
    first = settings[0]

    def root_of(setting: Mapping[str, Any]) -> str:
        if setting == first:
            return "results"
        return f"results/sweep/latent{setting['latent_dim']}_beta{setting['beta']:g}"

    def sections(setting: Mapping[str, Any], training: Mapping[str, Any], losses=None) -> dict:
        model = {**config["model"], **setting, **(losses or {})}
        return {"data": config["data"], "model": model, "training": training}

    runs: dict[tuple, dict[str, Any]] = {}

    def add(root, setting, training, datasets, models, seeds, losses=None) -> None:
        for model in models:
            for dataset in datasets:
                for seed in seeds:
                    runs.setdefault(
                        (root, dataset, model, seed),
                        {"root": root, "dataset": dataset, "model": model, "seed": int(seed),
                         "sections": sections(setting, training, losses)},
                    )  # fmt: skip

    for setting in settings:
        models = [m for m in MODELS if m == "vae" or setting["beta"] == first["beta"]]
        add(root_of(setting), setting, config["training"], DATASETS, models, config["seeds"])
    wide = {"latent_dim": config["exploration"]["wide"]["latent_dim"], "beta": first["beta"]}
    for setting in (first, wide):
        seeds = config["exploration"]["wide"]["seeds"]
        add(root_of(setting), setting, config["training"], DATASETS, MODELS, seeds)
    for study in study_names(config):
        entry = config["studies"][study]
        add(study_root(study), first, entry["training"], DATASETS, MODELS,
            config["seeds"], entry.get("model"))  # fmt: skip
    if doubling:
        seed = [config["convergence"]["seed"]]
        add(DOUBLING_ROOT, first, doubling_training(config), DATASETS, MODELS, seed)
    return list(runs.values())


def main(argv: list[str] | None = None) -> int:
    """``python -m covae.config [FILE ...]``: check config files before snakemake runs."""
    import argparse
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="python -m covae.config",
        description="Check config files the way the workflow reads them: merged, in order, "
        "over config/config.yaml, then validated; prints one line naming the key and what it "
        "allows for a bad value, the file, line and column for bad YAML.",
    )
    parser.add_argument("files", nargs="*", help="override files, as given to --configfile")
    paths = parser.parse_args(argv).files
    repository = Path(__file__).resolve().parents[2]
    try:
        print(check_files(paths, repository))
    except ConfigError as error:
        print(f"invalid configuration: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
