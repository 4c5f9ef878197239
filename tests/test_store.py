"""The model store: fingerprints, the training code's version, hits, misses and damaged entries."""

import ast
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile

import keras
import numpy as np
import pytest

from covae import heatmaps, io, protocol, store, training
from tests.conftest import ROOT, load_config, with_value

SMOKE = load_config("smoke.yaml")


def _print(config=SMOKE, dataset="gaussian", model="vae", seed=0):
    return store.fingerprint(config, dataset, model, seed)


def _changed(path, value, config=SMOKE):
    return with_value(config, path, value)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("data.seed", 20),
        ("data.grid.step", 0.2),
        ("data.scale.step", 0.5),
        ("data.correlation.start", -0.8),
        ("data.test_fraction", 0.3),
        ("model.latent_dim", 4),
        ("model.beta", 2.0),
        ("model.loss", "seed"),
        ("training.batch_size", 16),
        ("training.validation_fraction", 0.2),
        ("training.patience", None),
        ("training.schedule.vae.peak", 0.002),
        ("training.schedule.vae.epochs", 3),
        ("training.schedule.vae.warmup_epochs", 0),
    ],
)
def test_each_setting_that_shapes_a_vae_changes_its_fingerprint(path, value):
    assert store.digest(_print(_changed(path, value))) != store.digest(_print())


def test_seed_data_set_model_and_code_version_change_the_fingerprint(monkeypatch):
    digests = {
        store.digest(_print(seed=1)),
        store.digest(_print(dataset="student_t")),
        store.digest(_print(model="ae")),
        store.digest(_print()),
    }
    assert len(digests) == 4
    monkeypatch.setattr(protocol, "CODE_VERSION", protocol.CODE_VERSION + 1)
    assert store.digest(_print()) not in digests


# One entry of each schedule kind: its own keys (names.SCHEDULES) and a value for each.
KIND_ENTRIES = {
    "cosine": {"kind": "cosine", "epochs": 2, "peak": 0.003, "warmup_epochs": 1},
    "exponential": {"kind": "exponential", "epochs": 2, "initial": 0.001, "decay_steps": 50,
                    "decay_rate": 0.96},
    "constant": {"kind": "constant", "epochs": 2, "rate": 0.001},
}  # fmt: skip


@pytest.mark.parametrize("kind", list(KIND_ENTRIES))
def test_a_fingerprint_holds_its_schedule_kind_s_own_settings_and_each_shapes_it(kind):
    from covae import names

    entry = KIND_ENTRIES[kind]
    config = _changed("training.schedule.vae", entry)
    schedule = _print(config)["training"]["schedule"]
    assert list(schedule) == ["kind", "epochs", *names.SCHEDULES[kind].values()]
    assert {schedule[field] for key, field in names.SCHEDULES[kind].items()} == {
        entry[key] for key in names.SCHEDULES[kind]
    }
    for key in ["epochs", *names.SCHEDULES[kind]]:
        moved = _changed(f"training.schedule.vae.{key}", entry[key] * 2, config)
        assert store.digest(_print(moved)) != store.digest(_print(config)), key
    assert set(KIND_ENTRIES) == set(names.SCHEDULES)  # every kind is tried


@pytest.mark.parametrize(
    ("path", "value", "model", "dataset"),
    [
        ("model.beta", 2.0, "ae", "gaussian"),  # the AE has no KL term
        ("model.loss", "seed", "ae", "gaussian"),
        ("model.ae_loss", "mean", "vae", "gaussian"),
        ("training.schedule.ae.peak", 0.01, "vae", "gaussian"),  # the other model's schedule
        ("data.student_t.threshold", 25.0, "vae", "gaussian"),  # the t set's df rule
        ("training.patience", 50, "vae", "gaussian"),  # >= epochs: never stops, as 2 does
        ("evaluation.knn.k_max", 30, "vae", "student_t"),  # evaluation never shapes weights
    ],
)
def test_a_setting_a_run_does_not_use_keeps_its_fingerprint(path, value, model, dataset):
    config = _changed("training.patience", 2)
    assert store.digest(_print(_changed(path, value, config), dataset, model)) == store.digest(
        _print(config, dataset, model)
    )


def test_the_df_rule_shapes_the_t_set_runs_only():
    changed = _changed("data.student_t.threshold", 25.0)
    assert store.digest(_print(changed, "student_t")) != store.digest(_print(dataset="student_t"))


def test_numbers_written_as_integers_give_the_same_fingerprint():
    as_int = _changed("data.student_t.threshold", 20)
    assert store.digest(_print(as_int, "student_t")) == store.digest(_print(dataset="student_t"))


# A trained run folder, sealed as a train job seals it.
@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    images = heatmaps.make_dataset(heatmaps.DataSpec.from_config(SMOKE["data"]), "gaussian")
    spec = protocol.TrainSpec.from_config(SMOKE, "vae", "gaussian")
    model, history = training.fit("vae", images["images"][:128], spec, seed=0)
    run = tmp_path_factory.mktemp("results") / "models" / "gaussian" / "vae" / "seed0"
    with io.atomic_folder(run) as folder:
        training.save_run(model, history, folder)
        store.seal(folder, _print(), store.provenance(float(history["seconds"].sum())))
    return run


@pytest.fixture
def filled_store(trained_run, tmp_path):
    target = tmp_path / "store"
    done = store.publish([trained_run.parents[2]], target)
    assert [what.startswith("published") for _, what in done] == [True]
    return target


def test_a_published_run_is_found_whole_and_loads(filled_store, trained_run, tmp_path):
    entry = store.find(filled_store, _print())
    assert entry == store.entry_of(filled_store, _print())
    (tmp_path / "run").mkdir()
    store.take(entry, tmp_path / "run")
    for name in store.FILES:
        assert (tmp_path / "run" / name).read_bytes() == (trained_run / name).read_bytes()
    keras.models.load_model(tmp_path / "run" / "decoder.keras")


def _top_level_covae_imports(script):
    """The ``covae`` modules a script imports at its top level (not inside a branch)."""
    tree = ast.parse(script.read_text())
    return [
        alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "covae"
        for alias in node.names
    ]


# What a train job does before it knows whether it trains (its run's fingerprint from the config,
# the lookup, the copy); then print which of Keras and TensorFlow were imported.
TAKE = """
import json, sys
{imports}
entry = store.find(sys.argv[2], store.fingerprint(json.loads(sys.argv[1]), "gaussian", "vae", 0))
store.take(entry, sys.argv[3])
print(json.dumps([name for name in ("keras", "tensorflow") if name in sys.modules]))
"""


def test_a_run_is_taken_from_the_store_without_starting_keras(filled_store, tmp_path):
    # A train job's top-level imports (what it imports before it knows whether it must train),
    # then its fingerprint, the lookup and the copy: a stored run is restored without Keras and
    # TensorFlow, whose import alone takes seconds. The oracle: with covae.training imported
    # too, as the job does once it must train, both are there.
    top = _top_level_covae_imports(ROOT / "workflow" / "scripts" / "train.py")
    assert "store" in top and "training" not in top
    for modules, started in ((top, []), ([*top, "training"], ["keras", "tensorflow"])):
        out = tmp_path / "_".join(modules)
        out.mkdir()
        result = subprocess.run(
            [sys.executable, "-c", TAKE.format(imports=f"from covae import {', '.join(modules)}"),
             json.dumps(SMOKE), str(filled_store), str(out)],
            capture_output=True, text=True, check=False,
            env={**os.environ, "KERAS_BACKEND": "tensorflow"},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.loads(result.stdout.splitlines()[-1]) == started, modules
        assert sorted(p.name for p in out.iterdir()) == sorted([*store.FILES, store.RECORD])


def test_publishing_again_adds_nothing(filled_store, trained_run):
    done = store.publish([trained_run.parents[2]], filled_store)
    assert [what for _, what in done] == ["already stored"]


def test_another_fingerprint_misses(filled_store, caplog):
    with caplog.at_level(logging.INFO, logger="covae.store"):
        assert store.find(filled_store, _print(seed=1)) is None
    assert "not in the model store" in caplog.text


def test_a_truncated_model_in_the_store_is_named(filled_store):
    entry = store.entry_of(filled_store, _print())
    encoder = entry / "encoder.keras"
    encoder.write_bytes(encoder.read_bytes()[: encoder.stat().st_size // 2])
    with pytest.raises(store.StoreError, match=r"encoder\.keras is damaged.*git checkout"):
        store.find(filled_store, _print())


@pytest.mark.parametrize("text", ["", "{not json", '{"fingerprint": {}}'])
def test_a_fingerprint_that_does_not_parse_is_named(filled_store, text):
    entry = store.entry_of(filled_store, _print())
    (entry / "fingerprint.json").write_text(text)
    with pytest.raises(store.StoreError, match=r"fingerprint\.json is damaged"):
        store.find(filled_store, _print())


def test_an_entry_moved_under_another_runs_fingerprint_is_not_taken(filled_store, caplog):
    # The entry of seed 0 copied where seed 1's would be: its record names seed 0.
    other = _print(seed=1)
    shutil.copytree(store.entry_of(filled_store, _print()), store.entry_of(filled_store, other))
    with caplog.at_level(logging.INFO, logger="covae.store"):
        assert store.find(filled_store, other) is None
    assert "holds another run's model" in caplog.text and "seed (0 stored, 1 asked)" in caplog.text


def test_a_fingerprint_edited_by_hand_is_refused(filled_store):
    entry = store.entry_of(filled_store, _print())
    record = json.loads((entry / "fingerprint.json").read_text())
    record["fingerprint"]["seed"] = 7
    (entry / "fingerprint.json").write_text(json.dumps(record))
    with pytest.raises(store.StoreError, match="does not give its digest"):
        store.read_record(entry)


def test_a_damaged_run_is_not_published(trained_run, tmp_path):
    results = tmp_path / "results"
    run = results / "models" / "gaussian" / "vae" / "seed0"
    shutil.copytree(trained_run, run)
    (run / "decoder.keras").write_bytes(b"not a model")
    with pytest.raises(store.StoreError, match=r"decoder\.keras is damaged"):
        store.publish([results], tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_a_folder_without_runs_is_refused(tmp_path):
    with pytest.raises(store.StoreError, match="holds no finished run"):
        store.publish([tmp_path], tmp_path / "store")


def test_an_archive_of_runs_is_imported_and_a_broken_one_refused(trained_run, tmp_path):
    archive = tmp_path / "runs.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(trained_run.parents[2], arcname="results")
    assert store.main(["--store", str(tmp_path / "store"), "import", str(archive)]) == 0
    assert store.find(tmp_path / "store", _print()) is not None
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(archive.read_bytes()[:200])
    with pytest.raises(store.StoreError, match="not a readable archive"):
        store.import_archive(broken, tmp_path / "other")


def test_the_command_line_lists_and_checks_the_store(filled_store, capsys):
    assert store.main(["--store", str(filled_store), "list"]) == 0
    header, line, count = capsys.readouterr().out.splitlines()
    assert header.split()[:2] == ["run", "schedule"]
    schedule = protocol.Schedule.from_config(SMOKE["training"]["schedule"]["vae"], "gaussian")
    assert line.startswith("gaussian/vae/seed0/") and schedule.describe() in line
    assert count == f"1 run in {filled_store}"
    assert store.main(["--store", str(filled_store), "check"]) == 0
    assert f"1 entry of {filled_store} match" in capsys.readouterr().out
    for command in ("list", "check"):  # a mistyped store is not an empty one
        with pytest.raises(SystemExit):
            store.main(["--store", str(filled_store.parent / "no"), command])
        assert f"--store {filled_store.parent / 'no'}: no such folder" in capsys.readouterr().err
    (store.entry_of(filled_store, _print()) / "history.csv").write_text("epoch\n")
    assert store.main(["--store", str(filled_store), "check"]) == 1
    assert "history.csv is damaged" in capsys.readouterr().err


def test_a_listing_whose_reader_stops_early_ends_quietly(filled_store):
    # `store list | head -1`: the reader is gone before the listing is written (its end of the
    # pipe closed first, so the write fails every time, not only when the buffer fills).
    command = [sys.executable, "-m", "covae.store", "--store", str(filled_store), "list"]
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "wb") as closed:
        result = subprocess.run(command, stdout=closed, stderr=subprocess.PIPE, text=True)
    assert result.stderr == "" and result.returncode == 1


def test_the_weights_of_a_stored_model_are_those_it_was_trained_with(filled_store, trained_run):
    entry = store.find(filled_store, _print())
    stored = keras.models.load_model(entry / "encoder.keras")
    original = keras.models.load_model(trained_run / "encoder.keras")
    for a, b in zip(stored.get_weights(), original.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
@pytest.mark.full
def test_the_gpu_command_trains_missing_runs_under_jax_into_an_archive_the_store_takes(tmp_path):
    # At smoke size on the CPU: two of the smoke study's runs, two at a time, under JAX.
    # A part size below one run's files: each run gets its own archive.
    out, stored = tmp_path / "trained", tmp_path / "store"
    stored.mkdir()  # an empty store: every run is missing
    command = [
        sys.executable, "-m", "covae.train_missing", "--configfile",
        str(ROOT / "config" / "smoke.yaml"), "--store", str(stored), "--out", str(out),
        "--work", str(tmp_path / "work"), "--jobs", "2", "--limit", "2", "--part-mb", "0.5",
    ]  # fmt: skip
    result = subprocess.run(
        command, env={**os.environ, "KERAS_BACKEND": "jax"}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert '{"trained": 2, "packed": 2, "archives": 2}' in result.stdout
    archives = sorted(out.glob("runs-*.tar.gz"))
    assert [a.name for a in archives] == ["runs-01.tar.gz", "runs-02.tar.gz"]
    assert store.main(["--store", str(stored), "import", *map(str, archives)]) == 0
    assert len(store.runs_under(stored)) == 2
    for entry in store.runs_under(stored):
        record = store.read_record(entry)
        assert record["provenance"]["backend"] == "jax"
        assert store.find(stored, record["fingerprint"]) == entry
    # The store now holds them: a second call has two runs fewer to train.
    from covae import config as configs

    smoke, _ = configs.load([str(ROOT / "config" / "smoke.yaml")], ROOT)
    from covae import train_missing

    assert len(train_missing.plan(smoke, stored)) == len(configs.training_runs(smoke)) - 2


def test_the_committed_store_is_whole_and_holds_runs_of_the_committed_studies():
    # Every entry matches its record, and its fingerprint is that of a run the paper's config
    # trains (its further studies and its doubling included). No stray or stale model travels
    # with the repository. The source study's own protocol run in its own folder
    # (config/seed_protocol.yaml) trains the very runs of the further study `source_protocol`
    # (and 8-D runs of its own, not stored).
    from covae import config as configs

    committed = store.DEFAULT_STORE
    assert store.main(["--store", str(committed), "check"]) == 0
    paper, _ = configs.load([], ROOT)
    protocol, _ = configs.load([str(ROOT / "config" / "seed_protocol.yaml")], ROOT)

    def digests(runs):
        return [
            store.digest(store.fingerprint(r["sections"], r["dataset"], r["model"], r["seed"]))
            for r in runs
        ]

    wanted = digests(configs.training_runs(paper, doubling=True))
    assert len(set(wanted)) == len(wanted)  # no two runs share a fingerprint
    studied = [r for r in configs.training_runs(paper)
               if r["root"] == configs.study_root("source_protocol")]  # fmt: skip
    own = [r for r in configs.training_runs(protocol) if r["root"] == "results"]  # not the 8-D
    assert len(studied) == 20 and sorted(digests(own)) == sorted(digests(studied))
    wanted = set(wanted)
    for entry in store.runs_under(committed):
        assert store.read_record(entry)["digest"] in wanted, entry


KILLED_PUBLISH = """
import os, shutil, signal, sys
from covae import store
copies = []
real = shutil.copyfile
def copy_then_die(source, target, *args, **kwargs):
    copies.append(target)
    if len(copies) == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)  # the publisher dies here, mid-way
    return real(source, target, *args, **kwargs)
shutil.copyfile = copy_then_die
store.publish([sys.argv[1]], sys.argv[2])
"""


@pytest.mark.slow  # two Python processes that start TensorFlow: ~4 s each
@pytest.mark.parametrize("dies_at", [2, 4])  # a file in, or every file but the record
def test_a_publish_killed_mid_way_leaves_the_store_as_it_was(trained_run, tmp_path, dies_at):
    target = tmp_path / "store"
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_PUBLISH, str(trained_run.parents[2]), str(target),
         str(dies_at)], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr[-2000:]
    # Only the hidden partial folder is there: no entry a train job could take.
    assert store.find(target, _print()) is None
    entries = [p for p in target.rglob("*") if p.is_dir() and not p.name.startswith(".")]
    assert not any((p / store.RECORD).exists() for p in entries)
    assert list(target.rglob(".*.partial"))
    # Publishing again gives the whole run and clears what the killed one left.
    done = store.publish([trained_run.parents[2]], target)
    assert [what.startswith("published") for _, what in done] == [True]
    assert store.find(target, _print()) is not None
    assert not list(target.rglob(".*.partial"))


def test_the_gpu_command_trains_the_doubling_s_runs_only_when_asked(tmp_path):
    from covae import config as configs
    from covae import train_missing

    smoke, _ = configs.load([str(ROOT / "config" / "smoke.yaml")], ROOT)
    plain = train_missing.plan(smoke, tmp_path)
    doubled = train_missing.plan(smoke, tmp_path, doubling=True)
    added = [run for run in doubled if run["root"] == configs.DOUBLING_ROOT]
    assert len(doubled) == len(plain) + 4 and len(added) == 4
    assert not any(run["root"] == configs.DOUBLING_ROOT for run in plain)
    assert len({store.digest(run["fingerprint"]) for run in doubled}) == len(doubled)


def test_the_gpu_command_refuses_a_store_that_is_not_there(tmp_path, capsys):
    # A mistyped --store would train every run of the config instead of the missing ones.
    from covae import train_missing

    with pytest.raises(SystemExit) as exit_:
        train_missing.main(["--store", str(tmp_path / "no"), "--out", str(tmp_path / "out")])
    assert exit_.value.code == 2
    assert f"--store {tmp_path / 'no'}: no such folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
