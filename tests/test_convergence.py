"""The convergence study's bookkeeping: references, the chosen length, the speed-up."""

import numpy as np
import pandas as pd
import pytest

from covae import convergence
from tests.conftest import ROOT, load_config


def _curve(dataset, model, run, errors, peak=3e-3):
    epochs = np.arange(1, len(errors) + 1)
    return pd.DataFrame(
        {
            "dataset": dataset, "model": model, "run": run, "peak": peak, "epoch": epochs,
            "val_excess": 10.0 / epochs, convergence.ERROR: errors,
        }
    )  # fmt: skip


def _study(cosine5_final):
    """One (data set, model): the seed schedule falls slowly (0.40 at epoch 25, 0.36 at 40);
    cosine runs of 5, 10 and 20 epochs end at ``cosine5_final``, 0.305 and 0.30."""
    seed = np.linspace(1.0, 0.40, 25).tolist() + np.linspace(0.397, 0.36, 15).tolist()
    return pd.concat(
        [
            _curve("gaussian", "vae", "exponential40_b64", seed),
            _curve("gaussian", "vae", "cosine5_b64", [0.9, 0.6, 0.5, 0.45, cosine5_final]),
            _curve("gaussian", "vae", "cosine10_b64", np.linspace(0.9, 0.305, 10)),
            _curve("gaussian", "vae", "cosine20_b64", np.linspace(0.9, 0.30, 20)),
        ]
    )


def test_the_longest_cosine_run_is_the_reference_and_distances_are_relative():
    summary = convergence.summarize(_study(0.40), tolerance=0.05).set_index("run")
    assert (summary["reference"] == 0.30).all()
    assert summary.loc["cosine10_b64", "distance"] == pytest.approx(0.305 / 0.30 - 1)
    assert summary.loc["cosine10_b64", "within_tolerance"]
    assert not summary.loc["cosine5_b64", "within_tolerance"]
    assert summary.loc["exponential40_b64", "seed_target"] == pytest.approx(0.40)
    # cosine5 ends exactly at the seed's epoch-25 error; cosine10 passes it on its way down.
    assert summary.loc["cosine5_b64", "epochs_to_seed_target"] == 5
    first = int(np.argmax(np.linspace(0.9, 0.305, 10) <= 0.40)) + 1
    assert summary.loc["cosine10_b64", "epochs_to_seed_target"] == first


def _chosen(study, tolerance=0.05, **kwargs):
    run = convergence.choose_protocol(convergence.summarize(study, tolerance, **kwargs))
    return None if run is None else run.name


def test_the_chosen_run_is_the_shortest_within_tolerance_on_every_pair():
    # cosine5 far from the reference: 10 epochs are chosen.
    assert _chosen(_study(0.40)) == "cosine10_b64"
    # cosine5 within 5 % of the reference and below the seed's final error: 5 epochs.
    assert _chosen(_study(0.31)) == "cosine5_b64"


def test_the_reference_is_never_chosen():
    # A second pair on which only the reference (20 epochs) comes close: within 5 % of itself
    # shows nothing, so no protocol is chosen (the study is not shown to converge).
    other = _study(0.40).assign(dataset="student_t")
    other.loc[other["run"] == "cosine10_b64", convergence.ERROR] *= 1.2
    both = pd.concat([_study(0.31), other])
    summary = convergence.summarize(both, 0.05)
    assert summary.loc[summary["run"] == "cosine20_b64", "within_tolerance"].all()
    assert convergence.choose_protocol(summary) is None


def _batches(b16_finals):
    """``_study(0.40)`` at batch 64 plus cosine runs at batch 16 of 10, 20 and 40 epochs that
    end at ``b16_finals``."""
    runs = [
        _curve("gaussian", "vae", f"cosine{epochs}_b16", np.linspace(0.9, final, epochs))
        for epochs, final in zip((10, 20, 40), b16_finals, strict=True)
    ]
    return pd.concat([_study(0.40), *runs])


def test_the_reference_is_the_run_of_most_steps_and_batch_sizes_compete():
    # Batch 16 reaches 0.20 after 40 epochs, four times the steps of 40 at batch 64 and eight
    # times those of cosine20_b64 (0.30): the reference is cosine40_b16; nothing at batch 64
    # is within 5 % of it.
    summary = convergence.summarize(_batches([0.25, 0.205, 0.20]), 0.05).set_index("run")
    assert (summary["reference_run"] == "cosine40_b16").all()
    assert summary["reference"].to_numpy() == pytest.approx(0.20)
    assert summary.loc["cosine20_b64", "distance"] == pytest.approx(0.5)
    assert summary.loc["cosine10_b16", "batch_size"] == 16
    # cosine20_b16 is within 5 %: chosen over the reference and every batch-64 run.
    assert _chosen(_batches([0.25, 0.205, 0.20])) == "cosine20_b16"
    # cosine10_b16 within 5 % too: the fewest epochs win, whatever the batch.
    assert _chosen(_batches([0.209, 0.205, 0.20])) == "cosine10_b16"
    # Batch 16 no better than 64: the reference still runs most steps; at equal epochs the
    # larger batch (the cheaper epoch) is chosen.
    assert _chosen(_batches([0.305, 0.30, 0.30])) == "cosine10_b64"


def test_the_seed_schedule_is_judged_at_the_pair_s_bound_not_at_its_last_epoch():
    # The seed schedule ends at 0.36 after 40 epochs, 0.40 at epoch 25. cosine5 at 0.38 beats
    # the seed's epoch-25 error but not its final one; cosine10 (0.305) is far from 0.38.
    study = _study(0.38)
    study.loc[study["run"] == "cosine10_b64", convergence.ERROR] *= 1.2
    study.loc[study["run"] == "cosine20_b64", convergence.ERROR] = np.linspace(0.9, 0.37, 20)
    at_last = convergence.summarize(study, 0.05)
    assert (at_last["seed_bound"] == 40).all()
    assert at_last["seed_at_bound"].iloc[0] == pytest.approx(0.36)
    assert convergence.choose_protocol(at_last) is None
    at_25 = convergence.summarize(study, 0.05, bounds={"vae": {"gaussian": 25}})
    assert at_25["seed_at_bound"].iloc[0] == pytest.approx(0.40)
    assert convergence.choose_protocol(at_25).name == "cosine5_b64"
    with pytest.raises(ValueError, match="no epoch 41"):
        convergence.summarize(study, 0.05, bounds={"vae": {"gaussian": 41}})


def test_no_length_is_chosen_when_the_seed_schedule_beats_every_cosine_run():
    study = _study(0.40)
    seed = study["run"] == "exponential40_b64"
    study.loc[seed, convergence.ERROR] = np.linspace(1.0, 0.2, seed.sum())
    assert convergence.choose_protocol(convergence.summarize(study, 0.05)) is None


def test_speedup_is_the_seed_epochs_over_the_fewest_cosine_epochs():
    speed = convergence.speedup(convergence.summarize(_study(0.40), 0.05))
    first = int(np.argmax(np.linspace(0.9, 0.305, 10) <= 0.40)) + 1
    assert speed["epochs_needed"].item() == min(5, first)
    assert speed["ratio"].item() == pytest.approx(25 / min(5, first))


def test_peaks_are_the_smaller_suggestion_per_model_rounded_down():
    suggestions = pd.DataFrame(
        {
            "dataset": ["gaussian", "student_t", "gaussian", "student_t"],
            "model": ["vae", "vae", "ae", "ae"],
            "suggested": [5.76e-3, 2.357e-3, 3.7e-3, 1.6287e-3],
        }
    )
    assert convergence.choose_peaks(suggestions) == {"vae": 2.3e-3, "ae": 1.6e-3}
    # Written as the decimal it is: 3.11e-3 -> 0.0031 exactly, not 31 x 1e-4.
    suggestions["suggested"] = [3.11e-3, 4.5e-3, 2.66e-3, 2.67e-3]
    peaks = convergence.choose_peaks(suggestions)
    assert peaks == {"vae": 0.0031, "ae": 0.0026}
    assert repr(peaks["ae"]) == "0.0026"


def test_run_names_map_to_schedules_and_batch_sizes():
    settings = load_config("config.yaml")["convergence"]
    names = convergence.schedule_names(settings)
    assert names == [
        "exponential40_b64", "cosine5_b64", "cosine10_b64", "cosine20_b64",
        "cosine10_b16", "cosine20_b16", "cosine40_b16", "cosine80_b16",
    ]  # fmt: skip
    assert convergence.batch_sizes(settings) == [64, 16]
    assert convergence.parse_name("cosine80_b16") == ("cosine", 80, 16)
    assert convergence.schedule_entry("cosine10_b16", settings, 2e-3) == {
        "kind": "cosine", "peak": 2e-3, "warmup_epochs": 1, "epochs": 10,
    }  # fmt: skip
    seed = convergence.schedule_entry("exponential40_b64", settings, 2e-3)
    assert (seed["kind"], seed["initial"], seed["decay_steps"], seed["decay_rate"]) == (
        "exponential", 1e-3, 30, 0.99,
    )  # fmt: skip
    assert "batch_size" not in seed
    training = load_config("config.yaml")["training"]
    unchanged = load_config("config.yaml")["training"]
    section = convergence.training_section("cosine20_b16", "ae", settings, training, 2e-3)
    assert (section["batch_size"], section["patience"]) == (16, None)
    assert section["schedule"] == {"ae": convergence.schedule_entry("cosine20_b16", settings, 2e-3)}
    assert training == unchanged  # the study's section is not changed
    for wrong in ("linear10_b64", "cosine10", "cosine_b16"):
        with pytest.raises(ValueError, match="not a convergence run"):
            convergence.parse_name(wrong)


def test_references_are_keyed_by_data_set_and_model():
    summary = convergence.summarize(_study(0.40), 0.05)
    assert convergence.references(summary) == {"gaussian/vae": pytest.approx(0.30)}


def _finals(errors, epochs):
    return pd.DataFrame(
        [
            {"dataset": d, "model": m, "epochs": epochs, convergence.ERROR: e,
             convergence.SAMPLED_ERROR: np.nan}
            for (d, m), e in errors.items()
        ]
    )  # fmt: skip


def test_the_doubling_measures_each_study_run_from_its_doubled_run():
    study = _finals({("gaussian", "vae"): 0.21, ("gaussian", "ae"): 0.10}, 80)
    doubled = _finals({("gaussian", "vae"): 0.20, ("gaussian", "ae"): 0.05}, 160)
    table = convergence.doubling(study, doubled, tolerance=0.05).set_index("model")
    np.testing.assert_allclose(table["distance"], [0.05, 1.0])  # 0.21 / 0.20 - 1, 0.10 / 0.05 - 1
    assert table["within_tolerance"].tolist() == [True, False]
    assert table["epochs"].tolist() == [80, 80] and table["epochs_doubled"].tolist() == [160, 160]


def test_the_doubling_refuses_runs_that_do_not_pair():
    study = _finals({("gaussian", "vae"): 0.2, ("gaussian", "ae"): 0.1}, 80)
    doubled = _finals({("gaussian", "vae"): 0.2}, 160)
    with pytest.raises(ValueError, match="differ"):
        convergence.doubling(study, doubled, tolerance=0.05)


def test_the_committed_convergence_figure_draws_from_the_committed_tables():
    """One panel per (data set, model), titled as the paper names them, from the committed
    tables (the figure's own job needs the range tests, which are not committed)."""
    from covae import draw_convergence

    tables = ROOT / "results" / "tables"
    curves = pd.read_csv(tables / "convergence.csv")
    summary = pd.read_csv(tables / "convergence_summary.csv")
    fig = draw_convergence.convergence_curves(curves, summary, title="t")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert sorted(title.split(":")[0] for title in titles) == [
        "Gaussian set, AE", "Gaussian set, VAE", "Student-t set, AE", "Student-t set, VAE"
    ]  # fmt: skip
    runs = {line.get_label() for ax in fig.axes for line in ax.get_lines()}
    assert set(curves["run"]) <= {run.removesuffix(" (chosen)") for run in runs}


def test_the_range_test_figure_names_each_curve_as_the_paper_does():
    from covae import draw_convergence

    rates = np.geomspace(1e-5, 1e-1, 20)
    tests = pd.concat(
        [
            pd.DataFrame({"dataset": dataset, "model": model, "batch_size": batch,
                          "learning_rate": rates, "excess": 1 / rates, "suggested": 1e-3})
            for dataset in ("gaussian", "student_t") for model in ("vae", "ae")
            for batch in (16, 64)
        ]
    )  # fmt: skip
    fig = draw_convergence.lr_range_curves(tests, title="t")
    assert [ax.get_title() for ax in fig.axes] == ["batch 64", "batch 16"]
    labels = [line.get_label() for line in fig.axes[0].get_lines() if line.get_label()[0] != "_"]
    assert labels == ["Gaussian set, AE", "Gaussian set, VAE", "Student-t set, AE",
                      "Student-t set, VAE"]  # fmt: skip
