"""The convergence study's bookkeeping: references, the chosen length, the speed-up."""

import numpy as np
import pandas as pd
import pytest

from covae import convergence
from tests.conftest import load_config


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
            _curve("gaussian", "vae", "exponential40", seed),
            _curve("gaussian", "vae", "cosine5", [0.9, 0.6, 0.5, 0.45, cosine5_final]),
            _curve("gaussian", "vae", "cosine10", np.linspace(0.9, 0.305, 10)),
            _curve("gaussian", "vae", "cosine20", np.linspace(0.9, 0.30, 20)),
        ]
    )


def test_the_longest_cosine_run_is_the_reference_and_distances_are_relative():
    summary = convergence.summarize(_study(0.40), tolerance=0.05).set_index("run")
    assert (summary["reference"] == 0.30).all()
    assert summary.loc["cosine10", "distance"] == pytest.approx(0.305 / 0.30 - 1)
    assert summary.loc["cosine10", "within_tolerance"]
    assert not summary.loc["cosine5", "within_tolerance"]
    assert summary.loc["exponential40", "seed_target"] == pytest.approx(0.40)
    # cosine5 ends exactly at the seed's epoch-25 error; cosine10 passes it on its way down.
    assert summary.loc["cosine5", "epochs_to_seed_target"] == 5
    first = int(np.argmax(np.linspace(0.9, 0.305, 10) <= 0.40)) + 1
    assert summary.loc["cosine10", "epochs_to_seed_target"] == first


def test_the_chosen_length_is_the_shortest_within_tolerance_on_every_pair():
    # cosine5 far from the reference: 10 epochs are chosen.
    assert convergence.choose_epochs(convergence.summarize(_study(0.40), 0.05)) == 10
    # cosine5 within 5 % of the reference and below the seed's final error: 5 epochs.
    assert convergence.choose_epochs(convergence.summarize(_study(0.31), 0.05)) == 5
    # A second pair on which only 20 epochs come close: 20 for the study.
    other = _study(0.40).assign(dataset="student_t")
    other.loc[other["run"] == "cosine10", convergence.ERROR] *= 1.2
    both = pd.concat([_study(0.31), other])
    assert convergence.choose_epochs(convergence.summarize(both, 0.05)) == 20


def test_the_seed_schedule_is_judged_at_the_pair_s_bound_not_at_its_last_epoch():
    # The seed schedule ends at 0.36 after 40 epochs, 0.40 at epoch 25. cosine5 at 0.38 beats
    # the seed's epoch-25 error but not its final one; cosine10 (0.305) is far from 0.38.
    study = _study(0.38)
    study.loc[study["run"] == "cosine10", convergence.ERROR] *= 1.2
    study.loc[study["run"] == "cosine20", convergence.ERROR] = np.linspace(0.9, 0.37, 20)
    at_last = convergence.summarize(study, 0.05)
    assert (at_last["seed_bound"] == 40).all()
    assert at_last["seed_at_bound"].iloc[0] == pytest.approx(0.36)
    assert convergence.choose_epochs(at_last) is None
    at_25 = convergence.summarize(study, 0.05, bounds={"vae": {"gaussian": 25}})
    assert at_25["seed_at_bound"].iloc[0] == pytest.approx(0.40)
    assert convergence.choose_epochs(at_25) == 5
    with pytest.raises(ValueError, match="no epoch 41"):
        convergence.summarize(study, 0.05, bounds={"vae": {"gaussian": 41}})


def test_no_length_is_chosen_when_the_seed_schedule_beats_every_cosine_run():
    study = _study(0.40)
    seed = study["run"] == "exponential40"
    study.loc[seed, convergence.ERROR] = np.linspace(1.0, 0.2, seed.sum())
    assert convergence.choose_epochs(convergence.summarize(study, 0.05)) is None


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


def test_run_names_map_to_schedules():
    settings = load_config("config.yaml")["convergence"]
    names = convergence.schedule_names(settings)
    assert names == ["exponential40", "cosine5", "cosine10", "cosine20"]
    assert convergence.schedule_entry("cosine10", settings, 2e-3) == {
        "kind": "cosine", "peak": 2e-3, "warmup_epochs": 1, "epochs": 10,
    }  # fmt: skip
    seed = convergence.schedule_entry("exponential40", settings, 2e-3)
    assert (seed["kind"], seed["initial"], seed["decay_steps"], seed["decay_rate"]) == (
        "exponential", 1e-3, 30, 0.99,
    )  # fmt: skip
    with pytest.raises(ValueError, match="not a convergence run"):
        convergence.parse_name("linear10")


def test_references_are_keyed_by_data_set_and_model():
    summary = convergence.summarize(_study(0.40), 0.05)
    assert convergence.references(summary) == {"gaussian/vae": pytest.approx(0.30)}
