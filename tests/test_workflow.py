"""The whole DAG, through the real snakemake command, on config/smoke.yaml."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from covae import io, names, store
from tests.conftest import (
    ROOT,
    copy_workflow,
    load_config,
    repo_of,
    snakemake,
    template_artefacts,
    untimed_lines,
)

# The tables of the study's runs (not the paper's run-time and provenance tables: clocks).
STUDY_TABLES = [
    *(f"results/tables/{name}.{ext}" for ext in ("csv", "md") for name in (
        *names.TABLES, "claims",
    )),
    "results/tables/claims_seeds.csv",
]  # fmt: skip


# The smoke config, and its further studies: each trains the study's runs again.
SMOKE = load_config("smoke.yaml")
STUDIES = [name for name, study in SMOKE["studies"].items() if study]


def studies_of(workdir) -> list[str]:
    """The further studies of the config that the run in ``workdir`` runs."""
    with open(repo_of(workdir) / "config" / "smoke.yaml") as handle:
        return [name for name, study in yaml.safe_load(handle)["studies"].items() if study]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    """The smoke study run once to completion with ``--directory`` in a folder outside the
    (copied) repository, as a user runs it in a scratch or cluster directory: every path the
    workflow reads from the repository must resolve from the Snakefile's own folder.

    The copy's smoke config leaves the further studies out: `make test` runs the study at its
    main budget (the `short` study's runs would be two fifths of its model jobs). They join
    this run in the tier marked full, by the last test of this file, which checks the
    paper's verdicts at both budgets."""
    base = tmp_path_factory.mktemp("smoke")
    repo = copy_workflow((base / "repo"), make=True)
    main_budget = {**SMOKE, "studies": dict.fromkeys(SMOKE["studies"])}
    (repo / "config" / "smoke.yaml").write_text(yaml.safe_dump(main_budget, sort_keys=False))
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t",
                                                   "commit", "-qm", "the copy"]):  # fmt: skip
        subprocess.run(["git", *command], cwd=repo, check=True, capture_output=True)
    (repo / "model_store").mkdir()  # the store the run reads: it must stay empty
    workdir = base / "run"
    workdir.mkdir()
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir


@pytest.mark.slow
def test_a_run_in_another_directory_asks_git_about_the_repository(smoke_run):
    provenance = pd.read_csv(smoke_run / "results" / "tables" / "provenance.csv")
    commit = provenance.set_index("item")["value"]["git commit"]
    expected = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=repo_of(smoke_run),
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert commit == expected
    assert not (repo_of(smoke_run) / "results").exists()  # nothing written into the repository


@pytest.mark.slow
def test_smoke_dag_writes_the_data_sets_per_the_path_contract(smoke_run):
    data = load_config("smoke.yaml")["data"]
    n_scales = len(np.arange(data["scale"]["start"], data["scale"]["stop"], data["scale"]["step"]))
    cor = data["correlation"]
    n_images = n_scales**2 * len(np.arange(cor["start"], cor["stop"], cor["step"]))
    for dataset in ("gaussian", "student_t"):
        arrays = io.load_arrays(smoke_run / "results" / "data" / f"{dataset}.npz")
        assert set(arrays) == {"images", "factors", "is_test"}
        assert arrays["images"].shape == (n_images, 36, 36)
        assert arrays["images"].dtype == np.float32
        assert arrays["factors"].dtype == np.float64
        assert arrays["is_test"].sum() == round(0.2 * n_images)
        assert (smoke_run / "results" / "logs" / "data" / f"{dataset}.log").read_text()
        benchmark = (smoke_run / "results" / "benchmarks" / "data" / f"{dataset}.tsv").read_text()
        assert benchmark.startswith("s\th:m:s")


@pytest.mark.slow
def test_smoke_dag_draws_the_figures(smoke_run):
    for dataset in ("gaussian", "student_t"):
        png = (smoke_run / "figures" / f"heatmaps_{dataset}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 5_000


@pytest.mark.slow
def test_second_run_has_nothing_to_do(smoke_run):
    result = snakemake(smoke_run, "--dry-run")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.slow
def test_no_temporary_files_are_left_behind(smoke_run):
    leftovers = [p for p in smoke_run.rglob(".*.npz.*") if p.is_file()]
    for folder in ("figures", "results/tables", "results/metrics"):
        leftovers += [p for p in (smoke_run / folder).rglob(".*")]
    assert leftovers == []


@pytest.mark.slow
def test_git_ignores_every_intermediate_and_no_committed_output(smoke_run):
    """.gitignore decides what `make clean-results` deletes and what a commit can hold: every
    file a run writes under results/ is ignored except the tables and the paper."""
    files = sorted(
        str(path.relative_to(smoke_run))
        for path in (smoke_run / "results").rglob("*")
        if path.is_file()
    )
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT, input="\n".join(files), capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    committed = re.compile(r"results/((studies/\w+/)?tables/[^/]+|paper\.\w+)")
    assert any(committed.fullmatch(name) for name in files)
    assert [name for name in files if name not in ignored and not committed.fullmatch(name)] == []
    assert [name for name in ignored if committed.fullmatch(name)] == []


@pytest.mark.slow
def test_smoke_dag_trains_and_encodes_every_combination(smoke_run):
    config = load_config("smoke.yaml")
    for dataset in ("gaussian", "student_t"):
        n_images = len(io.load_arrays(smoke_run / "results" / "data" / f"{dataset}.npz")["images"])
        for model in ("vae", "ae"):
            for seed in config["seeds"]:
                run = smoke_run / "results" / "models" / dataset / model / f"seed{seed}"
                assert {p.name for p in run.iterdir() if not p.name.startswith(".")} == {
                    "encoder.keras", "decoder.keras", "history.csv", "fingerprint.json"
                }  # fmt: skip
                log = smoke_run / "results" / "logs" / "train" / dataset / model / f"seed{seed}.log"
                assert re.search(r"training with tensorflow on (CPU|GPU: \S+)", log.read_text())
                history = (run / "history.csv").read_text().splitlines()
                assert history[0] == (
                    "epoch,loss,val_loss,excess,val_excess,learning_rate,seconds,kept"
                )
                assert len(history) - 1 <= config["training"]["schedule"][model]["epochs"]
                codes = io.load_arrays(
                    smoke_run / "results" / "latents" / dataset / model / f"seed{seed}.npz"
                )
                expected = {"z_mean", "z_sample"} | ({"z_log_var"} if model == "vae" else set())
                assert set(codes) == expected
                for array in codes.values():
                    assert array.shape == (n_images, config["model"]["latent_dim"])
                    assert np.isfinite(array).all()
        png = (smoke_run / "figures" / f"training_{dataset}.png").read_bytes()
        assert png.startswith(b"\x89PNG")


def _gpu_command_lists_the_runs_trained(smoke_run, config_file):
    # covae.config.training_runs (what python -m covae.train_missing trains) against the train
    # jobs of the whole DAG, and each run's fingerprint against the one its train job sealed.
    from covae import config as configs

    result = snakemake(
        smoke_run, "--dry-run", "--forceall", "--until", "train", "--configfile", str(config_file)
    )
    assert result.returncode == 0, result.stderr[-2000:]
    trained = set(re.findall(r"output: .*?(results\S*)/history\.csv", result.stdout))
    smoke, _ = configs.load([str(config_file)], ROOT)
    runs = configs.training_runs(smoke)
    folders = {f"{r['root']}/models/{r['dataset']}/{r['model']}/seed{r['seed']}" for r in runs}
    assert folders == trained and len(runs) == len(trained)
    for run in runs:
        folder = smoke_run / run["root"] / "models" / run["dataset"] / run["model"]
        record = store.read_record(folder / f"seed{run['seed']}")
        expected = store.fingerprint(run["sections"], run["dataset"], run["model"], run["seed"])
        assert record["fingerprint"] == expected
    return runs


@pytest.mark.slow
def test_the_gpu_command_lists_exactly_the_runs_the_workflow_trains(smoke_run):
    _gpu_command_lists_the_runs_trained(smoke_run, repo_of(smoke_run) / "config" / "smoke.yaml")


@pytest.mark.slow
def test_a_run_in_a_scratch_folder_never_writes_the_model_store(smoke_run):
    assert list((repo_of(smoke_run) / "model_store").iterdir()) == []


@pytest.mark.slow
@pytest.mark.full
def test_a_stored_model_is_taken_not_trained_and_gives_the_same_codes(smoke_run, tmp_path):
    # The smoke run's Gaussian VAE of seed 0 published into a store; a second run folder of the
    # same config asks for its codes: the train job copies the model (no epoch in its log),
    # and the codes equal the first run's byte for byte. Then an edit of the training code
    # that does not change what it computes: the train job reruns, and takes the model again.
    stored = tmp_path / "store"
    run = smoke_run / "results" / "models" / "gaussian" / "vae" / "seed0"
    assert store.main(["--store", str(stored), "publish", str(run)]) == 0
    again = smoke_run.parent / "again"
    again.mkdir()
    target = "results/latents/gaussian/vae/seed0.npz"
    log = again / "results" / "logs" / "train" / "gaussian" / "vae" / "seed0.log"
    env = {"COVAE_MODEL_STORE": str(stored)}
    result = snakemake(again, target, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "taken from the model store" in log.read_text()
    assert "epoch 1/" not in log.read_text()
    assert (again / target).read_bytes() == (smoke_run / target).read_bytes()
    training_py = repo_of(smoke_run) / "src" / "covae" / "training.py"
    source, before = training_py.read_text(), training_py.stat()
    try:
        training_py.write_text(source + "\n# a comment: what training computes is unchanged\n")
        dry = snakemake(again, target, "--dry-run", env=env)
        assert _jobs(dry.stdout)["train"] == 1  # the code changed: snakemake reruns the job
        result = snakemake(again, target, env=env)
    finally:
        training_py.write_text(source)
        os.utime(training_py, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "taken from the model store" in log.read_text()
    assert "epoch 1/" not in log.read_text()
    # Without the store, the same job trains.
    shutil.rmtree(again / "results" / "models")
    result = snakemake(again, target, env={"COVAE_MODEL_STORE": ""})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "epoch 1/" in log.read_text()


@pytest.mark.slow
def test_config_override_on_the_command_line_adds_the_new_seed_only(smoke_run):
    result = snakemake(smoke_run, "--dry-run", "--config", "seeds=[0,7]")
    assert result.returncode == 0, result.stderr[-2000:]
    stats = (result.stdout + result.stderr).split("Job stats:")[1]
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", stats, flags=re.MULTILINE))
    # 2 data sets x 2 models, seed 7 only, in the study and in each further study it runs
    runs = 4 * (1 + len(studies_of(smoke_run)))
    assert counts["train"] == counts["encode"] == str(runs)


@pytest.mark.slow
def test_smoke_dag_evaluates_every_run(smoke_run):
    config = load_config("smoke.yaml")
    config_setting = {key: config["model"][key] for key in ("latent_dim", "beta")}
    for dataset in ("gaussian", "student_t"):
        data = io.load_arrays(smoke_run / "results" / "data" / f"{dataset}.npz")
        n_test = int(data["is_test"].sum())
        for model in ("vae", "ae"):
            # Decoded: the VAE from its mean and sampled codes, the AE from its codes and from
            # them plus the same seed's VAE noise (the seed's protocol); the VAE's protocol
            # error is its sampled codes' error.
            decoded_kinds = (
                {"z_mean", "z_sample"} if model == "vae" else {"z_mean", "seed_protocol"}
            )
            kinds = decoded_kinds | {"seed_protocol"}
            for seed in config["seeds"]:
                name = f"{dataset}/{model}/seed{seed}"
                decoded = io.load_arrays(smoke_run / "results" / "reconstructions" / f"{name}.npz")
                assert set(decoded) == decoded_kinds | {"index"}
                np.testing.assert_array_equal(decoded["index"], np.flatnonzero(data["is_test"]))
                assert decoded["z_mean"].shape == (n_test, 36, 36)
                errors = io.load_arrays(smoke_run / "results" / "metrics" / f"{name}.npz")
                assert set(errors) == kinds and errors["z_mean"].shape == (n_test,)
                perturbed = errors["z_sample" if model == "vae" else "seed_protocol"]
                np.testing.assert_array_equal(errors["seed_protocol"], perturbed)
                assert not np.array_equal(errors["seed_protocol"], errors["z_mean"])
                metrics = json.loads(
                    (smoke_run / "results" / "metrics" / f"{name}.json").read_text()
                )
                assert metrics["run"] == {
                    "dataset": dataset, "model": model, "seed": seed, **config_setting
                }  # fmt: skip
                assert metrics["sizes"]["n_test"] == n_test
                assert metrics["reconstruction"]["z_mean"]["mean"] == pytest.approx(
                    errors["z_mean"].mean()
                )
                assert set(metrics["reconstruction"]) == kinds
                assert ("knn" in metrics) == (dataset == "student_t")
                assert {"r2_linear", "r2_knn", "mig", "dci"} <= set(metrics["factors"])
                assert set(metrics["density"]) == {"nn_ratio", "gap_fraction"}


@pytest.mark.slow
def test_smoke_dag_writes_every_table_and_figure_of_the_evaluation(smoke_run):
    seeds = load_config("smoke.yaml")["seeds"]
    for table in names.TABLES:
        frame = pd.read_csv(smoke_run / "results" / "tables" / f"{table}.csv")
        markdown = (smoke_run / "results" / "tables" / f"{table}.md").read_text().splitlines()
        assert len(frame) > 0 and len(markdown) == len(frame) + 2, table
        assert (frame["n"] == len(seeds)).all(), table
    summary = pd.read_csv(smoke_run / "results" / "tables" / "reconstruction.csv")
    assert set(summary["model"]) == {"vae", "ae"}
    assert (summary["ci_low"] <= summary["mean"]).all() and (
        summary["mean"] <= summary["ci_high"]
    ).all()
    for figure in ("reconstruction_errors", "reconstructions", "metrics"):
        for dataset in ("gaussian", "student_t"):
            png = (smoke_run / "figures" / f"{figure}_{dataset}.png").read_bytes()
            assert png.startswith(b"\x89PNG") and len(png) > 5_000, (figure, dataset)


@pytest.mark.slow
def test_smoke_dag_decodes_paths_and_fits_their_realism(smoke_run):
    config = load_config("smoke.yaml")
    explore = config["exploration"]
    pairs, steps = explore["interpolation"]["pairs"], explore["interpolation"]["steps"]
    size = explore["latent_grid"]["size"]
    chosen = {}
    for dataset in ("gaussian", "student_t"):
        data = io.load_arrays(smoke_run / "results" / "data" / f"{dataset}.npz")
        for model in ("vae", "ae"):
            for seed in config["seeds"]:
                name = f"{dataset}/{model}/seed{seed}"
                paths = io.load_arrays(smoke_run / "results" / "paths" / f"{name}.npz")
                assert paths["interpolation_images"].shape == (pairs, steps, 36, 36)
                assert paths["grid_uniform_images"].shape == (size * size, 36, 36)
                chosen.setdefault(dataset, paths["pairs"])
                np.testing.assert_array_equal(paths["pairs"], chosen[dataset])  # same pairs
                fits = io.load_arrays(smoke_run / "results" / "realism" / f"{name}.npz")
                assert fits["interpolation_residual"].shape == (pairs * steps,)
                assert np.all(fits["grid_quantile_residual"] >= 0)
                df = fits["interpolation_factors"][:, 3]
                assert np.isinf(df).all() == (dataset == "gaussian")  # df fitted on the t set
                summary = json.loads(
                    (smoke_run / "results" / "realism" / f"{name}.json").read_text()
                )
                assert summary["run"]["model"] == model
                assert set(summary["realism"]) == {
                    "reconstruction", "interpolation", "grid_uniform", "grid_quantile",
                    "correlation_line", "variance_line", "rotation", "hull", "near_hull",
                    "plane_upper", "plane_lower", "gap",
                }  # fmt: skip
                hull = summary["realism"]["hull"]
                assert -1 <= hull["spearman_cor"] <= 1
                assert hull["spearman_abs_cor"] == pytest.approx(abs(hull["spearman_cor"]))
                span = np.ptp(fits["hull_factors"][:, 2]) / np.ptp(data["factors"][:, 2])
                assert hull["cor_span"] == pytest.approx(span)
                gap = summary["realism"]["gap"]
                assert gap["minus_near_hull"] == pytest.approx(
                    gap["median_residual"] - summary["realism"]["near_hull"]["median_residual"]
                )
                # The range of each fitted factor along a path is that of its fitted values.
                fitted = fits["plane_upper_factors"]
                plane = summary["realism"]["plane_upper"]
                assert plane["range_var_y"] == pytest.approx(np.ptp(fitted[:, 1]))
                assert plane["range_cor"] == pytest.approx(np.ptp(fitted[:, 2]))
                ranges = sorted((plane["range_var_x"], plane["range_var_y"]))
                assert plane["variance_ratio"] == pytest.approx(ranges[1] / ranges[0])
                for traversal in ("hull", "plane_upper", "gap"):
                    assert paths[f"{traversal}_images"].shape[1:] == (36, 36)
                    assert paths[f"{traversal}_codes"].shape[1] == config["model"]["latent_dim"]
    realism = pd.read_csv(smoke_run / "results" / "tables" / "realism.csv")
    assert "realism.interpolation.median_residual_between" in set(realism["metric"])
    figures = [
        f"{kind}_{dataset}"
        for kind in ("realism", "traversal_factors")
        for dataset in ("gaussian", "student_t")
    ] + [
        f"{kind}_{dataset}_{model}"
        for kind in (
            "latent",
            "latent_grid",
            "trajectories",
            "hull_traversal",
            "plane_traversal",
            "gap_traversal",
        )  # fmt: skip
        for dataset in ("gaussian", "student_t")
        for model in ("vae", "ae")
    ]
    for figure in figures:
        png = (smoke_run / "figures" / f"{figure}.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 5_000, figure


@pytest.mark.slow
def test_interactive_figures_open_offline(smoke_run):
    assert (smoke_run / "figures" / "plotly.min.js").stat().st_size > 1_000_000
    for dataset in ("gaussian", "student_t"):
        for model in ("vae", "ae"):
            html = (smoke_run / "figures" / f"latent3d_{dataset}_{model}.html").read_text()
            sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]*)\"", html)
            assert sources == ["plotly.min.js"]  # beside it, never fetched from the network
            assert not re.search(r"(src|href)=\"(https?:)?//", html)
            assert ('"label":"df"' in html) == (dataset == "student_t")  # df colouring
            png = (smoke_run / "figures" / f"latent3d_{dataset}_{model}.png").read_bytes()
            assert png.startswith(b"\x89PNG")


@pytest.mark.slow
def test_smoke_dag_trains_the_wide_code_and_views_it(smoke_run):
    config = load_config("smoke.yaml")
    wide = config["exploration"]["wide"]
    root = (
        smoke_run
        / "results"
        / "sweep"
        / f"latent{wide['latent_dim']}_beta{config['model']['beta']:g}"
    )
    for dataset in ("gaussian", "student_t"):
        for model in ("vae", "ae"):
            codes = io.load_arrays(
                root / "latents" / dataset / model / f"seed{wide['seeds'][0]}.npz"
            )
            assert codes["z_mean"].shape[1] == wide["latent_dim"]
            for method in ("pca", "tsne"):
                png = (
                    smoke_run / "figures" / f"latent_{method}_{dataset}_{model}.png"
                ).read_bytes()
                assert png.startswith(b"\x89PNG")
    table = pd.read_csv(smoke_run / "results" / "tables" / "wide.csv")
    assert set(table["latent_dim"]) == {config["model"]["latent_dim"], wide["latent_dim"]}
    assert {"factors.mig", "realism.grid_uniform.median_residual"} <= set(table["metric"])


# A number as the paper writes it (covae.paper.fmt): optional minus, thousands commas, decimals;
# not a part of a word, a version or a file name.
NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?![\w.])")


def _numbers(text: str) -> set[str]:
    return {token.rstrip(",").replace(",", "").lstrip("-") for token in NUMBER.findall(text)}


@pytest.mark.slow
def test_smoke_paper_renders_every_placeholder_and_no_nan(smoke_run):
    _paper_renders_every_placeholder_and_no_nan(smoke_run)
    # At one budget no section compares budgets (the last test of this file adds a second).
    assert "## At each training budget" not in (smoke_run / "results" / "paper.md").read_text()


def _paper_renders_every_placeholder_and_no_nan(smoke_run):
    text = (smoke_run / "results" / "paper.md").read_text()
    assert "{{" not in text and "{%" not in text
    assert not re.search(r"\bnan\b|\bn/a\b|\binf\b", text, flags=re.IGNORECASE)
    for section in ("## The question", "## Data", "## Models", "## Training", "## Reconstruction",
                    "## Latent structure and density", "## Traversals",
                    "## Realism of decoded images", "## df separability", "## Factor recovery",
                    "## A wider code: latent dimension above three",
                    "## What replicates across seeds",
                    "## The source study's published numbers beside ours", "## Limitations",
                    "## How to reproduce"):  # fmt: skip
        assert section in text
    # Every figure the paper links exists.
    for link in re.findall(r"\]\((\.\./figures/[^)]+)\)", text):
        assert (smoke_run / "results" / link).is_file(), link


def test_the_template_artefact_check_finds_what_it_should_and_passes_good_prose():
    bad = (
        "Both models trained on 1 seed(s) with a 8-dimensional code. The rate follows a "
        "cosine schedule for the VAE and a cosine schedule for the AE. It is is done."
    )
    assert template_artefacts(bad) == ["seed(s)", "a 8-dimensional", "a cosine schedule for the",
                                       "is is"]  # fmt: skip
    good = (
        "Both models trained on 1 seed with an 8-dimensional code and a 3-dimensional one; "
        "var_x from 0.5 in steps of 0.1 and cor from -0.9 in steps of 0.1."
    )
    assert template_artefacts(good) == []


@pytest.mark.slow
def test_the_smoke_paper_has_no_template_artefacts_and_gives_findings_before_methods(smoke_run):
    text = (smoke_run / "results" / "paper.md").read_text()
    assert template_artefacts(text) == []
    order = [text.index(s) for s in ("## Abstract", "## What replicates across seeds",
                                     "## Discussion", "## Data", "## Models")]  # fmt: skip
    assert order == sorted(order)


def test_the_paper_template_types_no_number():
    # Every number of the paper comes from a table (below): the template's own text, outside
    # its placeholders and statements, holds none ("the 3-D code" would be one).
    template = (ROOT / "workflow" / "templates" / "paper.md").read_text()
    typed = _numbers(re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", template, flags=re.DOTALL))
    assert typed == set(), f"numbers typed into the template: {typed}"
    assert _numbers("as the 3-D code") == {"3"}  # what the check would find


@pytest.mark.slow
def test_every_number_of_the_smoke_paper_is_in_a_table(smoke_run):
    _every_number_of_the_paper_is_in_a_table(smoke_run)


def _every_number_of_the_paper_is_in_a_table(smoke_run):
    from covae.paper import fmt

    in_tables: set[str] = set()
    for table in (smoke_run / "results" / "tables").glob("*.csv"):
        for value in pd.read_csv(table).to_numpy().ravel():
            if isinstance(value, str):  # a column of words and numbers is read as text
                # as written (a commit hash may be all digits: 010817797356), and as a number
                in_tables |= _numbers(value)
                try:
                    value = float(value.replace(",", ""))
                except ValueError:
                    continue
            if not pd.isna(value):
                in_tables |= _numbers(fmt(value))
    paper_numbers = _numbers((smoke_run / "results" / "paper.md").read_text())
    assert len(paper_numbers) > 100
    missing = paper_numbers - in_tables
    assert not missing, f"numbers of the paper found in no table: {sorted(missing)[:20]}"


@pytest.mark.slow
def test_smoke_paper_html_is_self_contained(smoke_run):
    _paper_html_is_self_contained(smoke_run)


def _paper_html_is_self_contained(smoke_run):
    page = (smoke_run / "results" / "paper.html").read_text()
    assert page.count("data:image/png;base64,") == len(
        re.findall(r"!\[", (smoke_run / "results" / "paper.md").read_text())
    )
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "<script" not in page and "<link" not in page


@pytest.mark.slow
def test_smoke_claims_give_a_verdict_for_every_claim(smoke_run):
    verdicts = pd.read_csv(smoke_run / "results" / "tables" / "claims.csv")
    config = load_config("smoke.yaml")
    assert set(verdicts["verdict"]) <= {"holds", "fails", "not shown"}
    assert (verdicts["n"] == len(config["seeds"])).all()
    assert ((verdicts["k"] >= 0) & (verdicts["k"] <= verdicts["n"])).all()
    from covae.claims import BOTH, seed_claims

    # Every claim of the config gets its verdicts, the shape claim on both models together.
    assert set(verdicts["claim"]) == {c.key for c in seed_claims(config["paper"]["claims"])}
    assert set(verdicts.query("claim == 'same_shape'")["subject"]) == {BOTH}
    seeds = pd.read_csv(smoke_run / "results" / "tables" / "claims_seeds.csv")
    assert len(seeds) == verdicts["n"].sum()
    png = (smoke_run / "figures" / "claims.png").read_bytes()
    assert png.startswith(b"\x89PNG")


def _jobs(output: str) -> dict[str, int]:
    """The job counts of a dry run's "Job stats" table."""
    table = output.split("Job stats:")[1].split("Reasons:")[0]
    rows = re.findall(r"^(\w+)\s+(\d+)$", table, flags=re.MULTILINE)
    return {rule: int(count) for rule, count in rows if rule != "total"}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["decoder.keras", "history.csv"])
def test_a_file_deleted_from_a_run_reruns_the_run_and_what_reads_it(smoke_run, name):
    run = smoke_run / "results" / "models" / "gaussian" / "ae" / "seed0"
    aside = smoke_run / name
    (run / name).rename(aside)
    try:
        result = snakemake(smoke_run, "--dry-run")
    finally:
        aside.rename(run / name)
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = _jobs(result.stdout)
    assert jobs["train"] == 1 and jobs["encode"] == 1 and jobs["evaluate"] == 1
    assert jobs["decode_paths"] == 1
    assert f"Missing output files: results/models/gaussian/ae/seed0/{name}" in result.stdout


@pytest.mark.slow
def test_an_exploration_setting_reruns_the_paths_not_the_encoding(smoke_run):
    # The hull spline's point count changes only the paths: their rule and what reads them
    # rerun, never training, encoding or the per-run metrics.
    repo = repo_of(smoke_run)
    override = smoke_run / "more_hull_points.yaml"
    override.write_text("exploration:\n  hull: {points: 7}\n")
    result = snakemake(
        smoke_run, "--dry-run", "--configfile", str(repo / "config" / "smoke.yaml"), str(override)
    )
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = _jobs(result.stdout)
    # every run: 8 of the study's, 4 wide ones and 8 of each further study it runs
    assert jobs["decode_paths"] == 12 + 8 * len(studies_of(smoke_run))
    assert {"realism", "figure_traversals", "claims", "paper"} <= set(jobs)
    assert not {"train", "encode", "evaluate", "heatmaps"} & set(jobs)


def _dry_run_after_editing(smoke_run, module, old, new):
    """Job counts of a dry run with ``old`` replaced by ``new`` in ``covae/<module>.py`` (an
    edit, not a touch: snakemake ignores a newer input whose checksum it has recorded)."""
    path = repo_of(smoke_run) / "src" / "covae" / f"{module}.py"
    source, before = path.read_text(), path.stat()
    try:
        path.write_text(source.replace(old, new, 1))
        result = snakemake(smoke_run, "--dry-run")
        assert result.returncode == 0, result.stderr[-2000:]
        return _jobs(result.stdout)
    finally:
        path.write_text(source)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.slow
def test_editing_one_figure_family_reruns_its_figures_and_the_paper_only(smoke_run):
    jobs = _dry_run_after_editing(
        smoke_run, "draw_claims", "def claims_chart(", "def claims_chart( "
    )
    assert set(jobs) == {"figure_claims", "figure_claims_by_budget", "paper", "all"}


@pytest.mark.slow
def test_editing_the_style_reruns_every_figure_and_the_paper_only(smoke_run):
    jobs = _dry_run_after_editing(smoke_run, "style", '"font.size": 9', '"font.size": 9.0')
    assert "paper" in jobs and "figure_traversals" in jobs and "figure_claims" in jobs
    assert {rule for rule in jobs if not rule.startswith("figure_")} == {"paper", "all"}


@pytest.mark.slow
def test_snakemake_report_collects_figures_claims_and_paper(smoke_run):
    result = snakemake(smoke_run, "--report", "report.html")
    assert result.returncode == 0, result.stderr[-2000:]
    report = (smoke_run / "report.html").read_text(errors="replace")
    for category in ("Claims", "Paper", "Traversals", "Realism"):
        assert category in report


def _modules_by_rule(workdir) -> dict[str, set[str]]:
    """Each rule whose script is a file, and the ``covae`` modules its script imports, directly
    or through the package."""
    from covae import deps

    rules = "".join(path.read_text() for path in (workdir / "workflow" / "rules").glob("*.smk"))
    reached = {}
    for block in re.split(r"(?m)^(?=[ \t]*(?:rule |use rule ))", rules):  # (some under an if)
        # a rule of its own, or one made from a template (its script named in params.script)
        name = re.match(r"\s*(?:rule (\w+):|use rule \w+ as (\w+) with:)", block)
        script = re.search(r'script:\n\s+"\.\./scripts/(\w+)\.py"', block) or re.search(
            r'\n\s+script="(\w+)",', block
        )
        if name and script:
            path = workdir / "workflow" / "scripts" / f"{script.group(1)}.py"
            reached[name.group(1) or name.group(2)] = set(
                deps.modules_of(path, workdir / "src" / "covae")
            )
    return reached


def _rules_reaching(workdir, module):
    """Rules whose scripts import ``covae.<module>``, directly or through the package."""
    return {rule for rule, modules in _modules_by_rule(workdir).items() if module in modules}


MODULES = sorted(
    path.stem
    for path in (ROOT / "src" / "covae").glob("*.py")
    if path.stem not in {"__init__", "bench"}
)


@pytest.fixture(scope="module")
def default_jobs(smoke_run):
    """Job counts of the default target's whole DAG (not the convergence study's or the
    sweep's), and each rule's rules downstream (from ``--rulegraph``)."""
    result = snakemake(smoke_run, "--dry-run", "--forceall")
    assert result.returncode == 0, result.stderr[-2000:]
    graph = snakemake(smoke_run, "--rulegraph")
    assert graph.returncode == 0, graph.stderr[-2000:]
    label = dict(re.findall(r'^\s*(\d+)\[label = "(\w+)"', graph.stdout, flags=re.MULTILINE))
    children = {}
    for parent, child in re.findall(r"^\s*(\d+) -> (\d+)", graph.stdout, flags=re.MULTILINE):
        children.setdefault(label[parent], set()).add(label[child])
    return _jobs(result.stdout), children


def _downstream(rules, children):
    """``rules`` and every rule that reads what they write, transitively."""
    seen, todo = set(), list(rules)
    while todo:
        rule = todo.pop()
        if rule not in seen:
            seen.add(rule)
            todo.extend(children.get(rule, ()))
    return seen


@pytest.mark.slow
def test_every_job_s_code_inputs_are_the_modules_its_script_reaches(smoke_run):
    # One summary of the smoke DAG gives each output's job and its input files: for every
    # package module, the jobs that take its file as an input (and so rerun when it is edited:
    # snakemake reruns a job whose input is newer than its outputs, shown for a few modules
    # below) are exactly every job of the rules whose scripts import it, and no other job.
    summary = snakemake(smoke_run, "--detailed-summary")
    assert summary.returncode == 0, summary.stderr[-2000:]
    rows = [line.split("\t") for line in summary.stdout.splitlines()[1:] if line.count("\t") > 4]
    assert len(rows) > 100  # every output of the default target
    package = repo_of(smoke_run) / "src" / "covae"
    inputs = [
        (rule, {Path(f).stem for f in files.split(",") if Path(f).parent == package})
        for _, _, rule, _, files, *_ in rows
    ]  # fmt: skip
    rules = {rule for rule, _ in inputs}
    reached = _modules_by_rule(repo_of(smoke_run))
    for module in MODULES:
        reaching = {rule for rule in rules if module in reached.get(rule, ())}
        taking = {rule for rule, modules in inputs if module in modules}
        assert taking == reaching, module
        assert all(module in modules for rule, modules in inputs if rule in reaching), module


# Modules whose edit is dry-run for real: one no rule reaches, one every figure and table job
# reaches, the claims' and the training's (which reruns every job downstream of training).
EDITED = ["readme", "names", "budgets", "training"]


@pytest.mark.slow
@pytest.mark.parametrize("module", EDITED)
def test_editing_a_module_reruns_exactly_the_jobs_whose_scripts_reach_it(
    smoke_run, default_jobs, module
):
    # The oracle: every job of the rules whose scripts import the module (of those the default
    # target runs), and jobs only of the rules downstream of them; nothing else.
    counts, children = default_jobs
    reaching = _rules_reaching(repo_of(smoke_run), module) & set(counts)
    path = repo_of(smoke_run) / "src" / "covae" / f"{module}.py"
    source, before = path.read_text(), path.stat()
    try:
        path.write_text(source + "\n# an edit\n")
        edited = snakemake(smoke_run, "--dry-run")
    finally:
        path.write_text(source)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert edited.returncode == 0, edited.stderr[-2000:]
    if not reaching:
        assert "Nothing to be done" in edited.stdout + edited.stderr
        return
    jobs = _jobs(edited.stdout)
    assert {rule: jobs.get(rule) for rule in reaching} == {rule: counts[rule] for rule in reaching}
    assert set(jobs) <= _downstream(reaching, children) | {"all"}


# A run's files under results/, by kind: its model folder, and one file per kind of per-run job.
RUN_FILES = (
    "models/{run}", "latents/{run}.npz", "reconstructions/{run}.npz", "metrics/{run}.json",
    "metrics/{run}.npz", "paths/{run}.npz", "realism/{run}.npz", "realism/{run}.json",
)  # fmt: skip


@pytest.mark.slow
@pytest.mark.full
def test_a_second_run_in_another_folder_gives_the_same_bytes(smoke_run, tmp_path):
    # A copy of the finished smoke study (without snakemake's records) in another folder, its
    # seed-0 runs and every table deleted, run again up to the tables: each of those runs trains,
    # encodes, decodes its paths, is evaluated and fitted again, and every table is recomputed
    # from them and the untouched seed-1 runs. Every table and every file of those runs must
    # equal the first run's byte for byte (the same config and seed on the same machine), but
    # for what a clock measured: the rows of training.seconds, each epoch's seconds; the
    # run-time and provenance tables are not among these targets. (That the data sets are the
    # same bytes for the same seed: tests/test_heatmaps.py.)
    (tmp_path / "repo").symlink_to(repo_of(smoke_run), target_is_directory=True)
    again = tmp_path / "run"
    shutil.copytree(smoke_run, again, ignore=shutil.ignore_patterns(".snakemake"))
    runs = [names.run_folder(dataset, model, 0) for dataset in names.DATASETS
            for model in names.MODELS]  # fmt: skip
    redone = [f"results/{kind.format(run=run)}" for run in runs for kind in RUN_FILES]
    for name in [*redone, *STUDY_TABLES]:
        path = again / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    done = snakemake(again, *STUDY_TABLES)
    assert done.returncode == 0, done.stderr[-3000:]
    trained = re.findall(r"rule train:", done.stdout + done.stderr)
    assert len(trained) == len(runs)  # the seed-0 runs only
    for name in redone:
        if name.startswith("results/models/"):
            continue  # below: the history's clock column aside, and the fingerprint's record
        if name.startswith("results/metrics/") and name.endswith(".json"):
            records = [io.load_record(base / name) for base in (smoke_run, again)]
            assert [r["training"].pop("seconds") > 0 for r in records] == [True, True]
            assert records[0] == records[1], name  # every number but the clock's
            continue
        assert (again / name).read_bytes() == (smoke_run / name).read_bytes(), name
    for name in STUDY_TABLES:  # but for the rows of a clock: each run's training.seconds
        assert untimed_lines(again / name) == untimed_lines(smoke_run / name), name
    for run in runs:
        folder = f"results/models/{run}"
        first = pd.read_csv(smoke_run / folder / "history.csv")
        second = pd.read_csv(again / folder / "history.csv")
        pd.testing.assert_frame_equal(first.drop(columns="seconds"), second.drop(columns="seconds"))


def _convergence_summary(cosine1_final):
    """A convergence summary of the smoke grid for every (data set, model): the reference
    cosine2_b32 ends at 0.30; cosine1_b64 at ``cosine1_final``; cosine2_b64 at 0.40."""
    from covae import convergence

    frames = []
    for dataset in ("gaussian", "student_t"):
        for model in ("vae", "ae"):
            for run, errors in (
                ("exponential2_b64", [0.9, 0.8]), ("cosine1_b64", [cosine1_final]),
                ("cosine2_b64", [0.9, 0.40]), ("cosine2_b32", [0.9, 0.30]),
            ):  # fmt: skip
                frames.append(pd.DataFrame({
                    "dataset": dataset, "model": model, "run": run, "peak": 1e-3,
                    "epoch": range(1, len(errors) + 1), "val_excess": 1.0,
                    convergence.ERROR: errors,
                }))  # fmt: skip
    summary = convergence.summarize(pd.concat(frames), 0.05)
    chosen = convergence.choose_protocol(summary)
    return summary.assign(chosen=summary["run"] == (chosen.name if chosen else None))


@pytest.mark.slow
@pytest.mark.parametrize("cosine1_final", [0.31, 0.5])
def test_the_paper_reports_the_convergence_study_it_is_given(smoke_run, tmp_path, cosine1_final):
    # The smoke study's tables with a committed convergence study beside them: the paper names
    # the reference and the chosen run, or says that none qualifies (cosine1_b64 at 0.5 is far
    # from the reference, 0.30); the smoke study trained at batch 64, the reference at 32.
    from covae import paper

    summary_path = tmp_path / "convergence_summary.csv"
    _convergence_summary(cosine1_final).to_csv(summary_path, index=False)
    names = [path.stem for path in (smoke_run / "results" / "tables").glob("*.csv")]
    tables = paper.Tables(smoke_run / "results" / "tables", names,
                          extra={"convergence_summary": str(summary_path)})  # fmt: skip
    text = paper.render_markdown(
        ROOT / "workflow" / "templates" / "paper.md", t=tables, datasets=["gaussian", "student_t"],
        models=["vae", "ae"], convergence_figure="convergence.png",
    )  # fmt: skip
    text = " ".join(text.split())
    assert "The run of most optimizer steps (`cosine2_b32`)" in text
    assert "batches of 64 images; the reference, `cosine2_b32`, on batches of 32" in text
    if cosine1_final == 0.31:
        assert "That is `cosine1_b64`." in text and "No protocol is shown" not in text
    else:
        assert "**No run qualifies**" in text and "No protocol is shown to converge" in text
    # The smoke tables hold no distances from this reference: the paper claims no convergence
    # and says why.
    assert "within 5 % of its convergence reference" not in text
    assert "**Not compared with the convergence reference.**" in text
    assert "above reference" not in text  # no column of distances in the training table


@pytest.mark.slow
def test_the_paper_warns_where_models_are_far_from_the_reference(smoke_run, tmp_path):
    # The smoke tables with distances from the reference added: the Gaussian AE 50 % above it
    # over its whole interval; the t set's VAE 50 % above it on average, but its interval
    # reaches below the tolerance (the seeds' spread); every other model within 5 %. The
    # Discussion and the Limitations name the Gaussian AE only.
    from covae import paper

    tables = tmp_path / "tables"
    shutil.copytree(smoke_run / "results" / "tables", tables)
    training = pd.read_csv(tables / "training.csv")
    far, spread = ("gaussian", "ae"), ("student_t", "vae")
    rows = [
        {"dataset": dataset, "model": model, "metric": "training.reference_distance", "n": 2,
         "mean": 0.5 if (dataset, model) in (far, spread) else 0.01,
         "ci_low": {far: 0.2, spread: -0.1}.get((dataset, model), -0.02),
         "ci_high": 0.8 if (dataset, model) in (far, spread) else 0.04}
        for dataset in ("gaussian", "student_t") for model in ("vae", "ae")
    ]  # fmt: skip
    pd.concat([training, pd.DataFrame(rows)]).to_csv(tables / "training.csv", index=False)
    summary = tmp_path / "convergence_summary.csv"
    _convergence_summary(0.31).to_csv(summary, index=False)
    names = [path.stem for path in tables.glob("*.csv")]
    text = paper.render_markdown(
        ROOT / "workflow" / "templates" / "paper.md",
        t=paper.Tables(tables, names, extra={"convergence_summary": str(summary)}),
        datasets=["gaussian", "student_t"], models=["vae", "ae"],
        convergence_figure="convergence.png",
    )  # fmt: skip
    text = " ".join(text.split())
    assert (
        "with care:** the test error of the Gaussian set's AE ends more than 5 % above its "
        "convergence reference over the whole interval of its seeds" in text
    )
    assert (
        "**Not every model is trained to convergence.** The test error of the Gaussian "
        "set's AE is" in text
    )
    assert "t set's VAE ends" not in text and "and the t set's VAE" not in text
    assert "| above reference |" in text.replace("  ", " ")


@pytest.mark.slow
def test_the_smoke_report_holds_every_figure_with_its_caption(smoke_run, tmp_path):
    import zipfile

    archive = tmp_path / "report.zip"
    result = snakemake(smoke_run, "--report", str(archive))
    assert result.returncode == 0, result.stderr[-3000:]
    with zipfile.ZipFile(archive) as report:
        names = report.namelist()
        text = " ".join(
            report.read(name).decode("utf-8", "replace")
            for name in names
            if name.endswith((".html", ".js", ".json"))
        )
    figures = sorted(p.name for p in (smoke_run / "figures").glob("*.png"))
    assert figures
    missing = [name for name in figures if not any(n.endswith("/" + name) for n in names)]
    assert missing == []
    # Each caption's text reaches the report for every figure and table the run made; only
    # the convergence study's figures (not part of a run) and a sweep's (none here) are absent.
    captions = sorted((repo_of(smoke_run) / "workflow" / "report" / "captions").glob("*.rst"))
    stems = {p.stem for p in (smoke_run / "figures").glob("*.png")}
    always = {"paper", "claims_table", "claims_by_budget_table", "claims_sensitivity"}
    absent = []
    for caption in captions:
        made = caption.stem in always or any(
            s == caption.stem or s.startswith(caption.stem + "_") for s in stems
        )
        if not made:
            absent.append(caption.stem)
            continue
        words = caption.read_text().split()
        assert " ".join(words[:4]) in " ".join(text.split()), caption.name
    assert sorted(absent) == ["convergence", "lr_range", "sweep"]


@pytest.mark.slow
def test_the_smoke_explorer_decodes_as_the_run_s_own_decoder(smoke_run, chromium):
    from covae import inference
    from tests.test_explorer import _in_browser

    for dataset in ("gaussian", "student_t"):
        page = smoke_run / "figures" / f"explorer_{dataset}.html"
        assert page.is_file() and page.stat().st_size < 5_000_000
    decoder = inference.load_model(smoke_run / "results/models/student_t/ae/seed0/decoder.keras")
    codes = [[0.0, 0.0, 0.0], [1.0, -0.5, 0.25]]
    got = _in_browser(chromium, smoke_run / "figures" / "explorer_student_t.html",
                      "decode=" + json.dumps({"model": "ae", "codes": codes}))  # fmt: skip
    decoded = np.array(got["pixels"]).reshape(2, 36, 36, 1)
    assert np.abs(decoded - np.asarray(decoder(np.array(codes, dtype="float32")))).max() < 1e-4


@pytest.mark.slow
@pytest.mark.parametrize(
    ("damaged", "cut", "target"),
    [
        ("results/metrics/gaussian/vae/seed0.json", False, "results/tables/reconstruction.csv"),
        ("results/models/gaussian/ae/seed0/history.csv", False, "figures/training_gaussian.png"),
        ("results/latents/gaussian/vae/seed0.npz", True, "figures/latent_gaussian_vae.png"),
        ("results/models/gaussian/vae/seed0/decoder.keras", True,
         "results/explorer/gaussian/vae.json"),
    ],
)  # fmt: skip
def test_a_damaged_file_of_a_finished_run_stops_its_reader_naming_it(
    smoke_run, tmp_path, damaged, cut, target
):
    # A copy of the finished smoke run (the shared one stays whole) with one file emptied or
    # cut in half: the job that reads it fails with one line naming it and the fix.
    (tmp_path / "repo").symlink_to(repo_of(smoke_run), target_is_directory=True)
    run = tmp_path / "run"
    shutil.copytree(smoke_run, run, ignore=shutil.ignore_patterns(".snakemake"))
    path = run / damaged
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2] if cut else b"")
    result = snakemake(run, target)
    assert result.returncode != 0
    logs = " ".join(p.read_text() for p in (run / "results" / "logs").rglob("*.log"))
    message = re.search(rf"{re.escape(damaged)} is damaged or incomplete \(.+?\); [^\n]+",
                        logs)  # fmt: skip
    assert message, (result.stderr[-2000:], logs[-2000:])
    assert "rerun snakemake" in message.group(0)


@pytest.mark.slow
@pytest.mark.full
def test_the_doubling_trains_the_study_s_runs_longer_and_the_paper_reports_it(smoke_run):
    # `snakemake doubling` after the smoke study: its four runs train (the study's protocol at
    # convergence.doubling.epochs, seed 0) and are evaluated by the study's own rules; the
    # table sets them beside the study's seed-0 runs, and the paper tells it.
    from covae import config as configs
    from covae import paper

    result = snakemake(smoke_run, "doubling")
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(smoke_run / "results" / "tables" / "doubling.csv")
    smoke, _ = configs.load([str(ROOT / "config" / "smoke.yaml")], ROOT)
    assert len(table) == 4
    assert (table["epochs_doubled"] == smoke["convergence"]["doubling"]["epochs"]).all()
    assert (table["epochs"] == 2).all()
    study_metrics = io.load_record(smoke_run / "results/metrics/gaussian/ae/seed0.json")
    row = table[(table["dataset"] == "gaussian") & (table["model"] == "ae")].iloc[0]
    assert row["test_error_z_mean"] == study_metrics["reconstruction"]["z_mean"]["mean"]
    doubled = [run for run in configs.training_runs(smoke, doubling=True)
               if run["root"] == configs.DOUBLING_ROOT]  # fmt: skip
    for run in doubled:
        folder = (
            smoke_run
            / run["root"]
            / "models"
            / names.run_folder(run["dataset"], run["model"], run["seed"])
        )
        expected = store.fingerprint(run["sections"], run["dataset"], run["model"], run["seed"])
        assert store.read_record(folder)["fingerprint"] == expected
    tables_dir = smoke_run / "results" / "tables"
    tables = paper.Tables(tables_dir, [p.stem for p in tables_dir.glob("*.csv")])
    text = paper.render_markdown(
        ROOT / "workflow" / "templates" / "paper.md", t=tables, datasets=["gaussian", "student_t"],
        models=["vae", "ae"], convergence_figure="convergence.png",
    )  # fmt: skip
    assert template_artefacts(text) == []
    # The table stands apart from the paragraph (a table line right after prose is not a table
    # in every Markdown reader).
    assert "\n\n| dataset | model | epochs | epochs_doubled |" in text
    text = " ".join(text.split())
    assert "**The next doubling.** The study's protocol run for 4 epochs instead of 2" in text


@pytest.mark.slow
def test_a_sweep_of_the_code_gets_its_figures_and_its_study_table_names_the_study_s_code(
    smoke_run, default_jobs, tmp_path
):
    # `model.latent_dim: [3, 2]` and `beta: [1.0, 4.0]` sweep the code. Its DAG draws the sweep
    # per data set for the paper (a config without a sweep draws none). The study's runs are
    # those of the first values, and its settings table (which the paper reads) says so: that
    # job alone runs here, on the finished smoke study's tables.
    assert "figure_sweep" not in default_jobs[0]
    (tmp_path / "repo").symlink_to(repo_of(smoke_run), target_is_directory=True)
    again = tmp_path / "run"
    shutil.copytree(smoke_run, again, ignore=shutil.ignore_patterns(".snakemake"))
    for done_before in ("tables/study.csv", "paper.md"):  # without records: gone, so redone
        (again / "results" / done_before).unlink()
    sweep = again / "sweep.yaml"
    sweep.write_text("model:\n  latent_dim: [3, 2]\n  beta: [1.0, 4.0]\n")
    configs = ("--configfile", str(repo_of(smoke_run) / "config" / "smoke.yaml"), str(sweep))
    planned = snakemake(again, "results/paper.md", "--dry-run", *configs)
    assert planned.returncode == 0, planned.stderr[-3000:]
    printed = planned.stdout + planned.stderr
    assert _jobs(printed)["figure_sweep"] == 2
    paper_job = printed[printed.index("rule paper:") :].split("\n\n")[0]
    for needed in ("results/tables/sweep.csv", "figures/sweep_gaussian.png",
                   "figures/sweep_student_t.png"):  # fmt: skip
        assert needed in paper_job
    done = snakemake(again, "results/tables/study.csv", "--allowed-rules", "paper_tables", *configs)
    assert done.returncode == 0, done.stderr[-3000:]
    study = pd.read_csv(again / "results" / "tables" / "study.csv").set_index("quantity")
    assert study.loc[["latent_dim", "beta"], "value"].astype(float).tolist() == [3.0, 1.0]
    assert (again / "results" / "tables" / "study.md").read_text().count("| latent_dim | 3 |") == 1


# Last in this file: it adds the further studies to the shared run, which then holds both budgets.
@pytest.mark.slow
@pytest.mark.full
def test_the_further_studies_join_the_finished_run_and_the_paper_judges_each_budget(smoke_run):
    # The smoke config as committed (the `short` study with it) on the finished main-budget run:
    # snakemake trains only the further studies' runs (their per-run jobs, nothing of the main
    # study's runs), then judges every claim at each budget, and the paper says so; every
    # check of the paper's prose holds for that paper too.
    from covae import config as configs

    config_file = ROOT / "config" / "smoke.yaml"
    assert studies_of(smoke_run) == [] and STUDIES  # (else this test would check nothing)
    planned = snakemake(smoke_run, "--dry-run", "--configfile", str(config_file))
    assert planned.returncode == 0, planned.stderr[-2000:]
    jobs = _jobs(planned.stdout)
    runs = 4 * len(SMOKE["seeds"]) * len(STUDIES)  # 2 data sets x 2 models x seeds, each study
    per_run = ("train", "encode", "evaluate", "decode_paths", "realism")
    assert {rule: jobs.get(rule) for rule in per_run} == dict.fromkeys(per_run, runs)
    assert {"claims_by_budget", "figure_claims_by_budget", "paper"} <= set(jobs)
    assert not {"heatmaps", "embed", "explorer_decoder", "wide_table"} & set(jobs)
    assert not [rule for rule in jobs if rule.startswith("figure_") and "claims" not in rule]
    done = snakemake(smoke_run, "--configfile", str(config_file))
    assert done.returncode == 0, done.stderr[-3000:]
    again = snakemake(smoke_run, "--dry-run", "--configfile", str(config_file))
    assert "Nothing to be done" in again.stdout + again.stderr

    smoke, _ = configs.load([str(config_file)], ROOT)
    budgets = pd.read_csv(smoke_run / "results" / "tables" / "claims_by_budget.csv")
    assert set(budgets["budget"]) == {"main", *configs.budget_studies(smoke)}
    assert len(set(budgets["budget"])) > 1
    for study in STUDIES:  # each study's own claims, judged on its own runs
        claims = pd.read_csv(smoke_run / configs.study_root(study) / "tables" / "claims.csv")
        assert (claims["n"] == len(SMOKE["seeds"])).all()
    text = (smoke_run / "results" / "paper.md").read_text()
    assert "## At each training budget" in text
    assert "| budget | holds | fails | not shown |" in text
    assert all(f"| {budget} |" in text for budget in configs.budget_studies(smoke))
    _paper_renders_every_placeholder_and_no_nan(smoke_run)
    assert template_artefacts(text) == []
    _every_number_of_the_paper_is_in_a_table(smoke_run)
    _paper_html_is_self_contained(smoke_run)
    trained = _gpu_command_lists_the_runs_trained(smoke_run, config_file)
    assert sum(run["root"].startswith(configs.STUDIES_ROOT) for run in trained) == runs
    seed7 = snakemake(smoke_run, "--dry-run", "--configfile", str(config_file), "--config",
                      "seeds=[0,7]")  # fmt: skip
    assert _jobs(seed7.stdout)["train"] == 4 * (1 + len(STUDIES))  # seed 7, in each study
    # An exploration setting redoes every run's paths, the studies' too (12 + 8 per study).
    override = smoke_run / "more_hull_points.yaml"
    override.write_text("exploration:\n  hull: {points: 7}\n")
    hull = snakemake(smoke_run, "--dry-run", "--configfile", str(config_file), str(override))
    assert _jobs(hull.stdout)["decode_paths"] == 12 + runs
