"""Aggregation across seeds: intervals, paired comparisons, the published-numbers table."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from covae import tables


def _runs(values_vae, values_ae, dataset="gaussian"):
    runs = []
    for seed, (vae, ae) in enumerate(zip(values_vae, values_ae, strict=True)):
        runs.append((dataset, "vae", seed, {"reconstruction": {"z_mean": {"mean": vae}}}))
        runs.append((dataset, "ae", seed, {"reconstruction": {"z_mean": {"mean": ae}}}))
    return runs


def test_flatten_keeps_numeric_leaves_under_dotted_paths():
    tree = {"a": {"b": 1, "c": {"d": 2.5}}, "e": "text", "f": True, "g": 3}
    assert tables.flatten(tree) == {"a.b": 1.0, "a.c.d": 2.5, "g": 3.0}


def test_interval_of_identical_values_has_zero_width_and_n_counts_seeds():
    frame = tables.long_frame(_runs([0.3] * 4, [0.2] * 4))
    summary = tables.summarize(frame, 0.95)
    vae = summary[summary["model"] == "vae"].iloc[0]
    assert vae["n"] == 4
    assert vae["ci_low"] == vae["ci_high"] == vae["mean"] == 0.3
    assert vae["std"] == 0


def test_interval_matches_the_student_t_formula():
    values = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    low, high = tables.t_interval(values, 0.95)
    half = stats.t.ppf(0.975, 4) * values.std(ddof=1) / math.sqrt(5)
    assert (low, high) == pytest.approx((values.mean() - half, values.mean() + half))
    assert tables.t_interval(values, 0.5)[1] < high  # a lower level gives a narrower interval
    assert all(math.isnan(x) for x in tables.t_interval(values[:1], 0.95))


def test_paired_comparison_uses_the_same_seeds():
    vae = [0.30, 0.35, 0.32, 0.40, 0.31]
    ae = [0.25, 0.28, 0.27, 0.41, 0.22]
    runs = _runs(vae, ae)
    runs.append(("gaussian", "vae", 99, {"reconstruction": {"z_mean": {"mean": 9.0}}}))  # unpaired
    paired = tables.paired(tables.long_frame(runs), 0.95).iloc[0]
    difference = np.subtract(vae, ae)
    assert paired["n"] == 5
    assert paired["difference"] == pytest.approx(difference.mean())
    assert paired["vae_higher"] == 4
    assert paired["p_value"] == pytest.approx(stats.ttest_rel(vae, ae).pvalue)
    assert (paired["ci_low"], paired["ci_high"]) == pytest.approx(
        tables.t_interval(difference, 0.95)
    )


def test_distances_from_each_models_own_reference_are_summarized_but_not_paired():
    frame = tables.with_reference(
        tables.long_frame(_runs([0.30, 0.33], [0.20, 0.22])),
        {"gaussian/vae": 0.25, "gaussian/ae": 0.10},
    )
    summary = tables.summarize(frame, 0.95).set_index(["model", "metric"])
    assert summary.loc[("vae", "training.reference_distance"), "mean"] == pytest.approx(0.26)
    assert summary.loc[("ae", "training.reference_distance"), "mean"] == pytest.approx(1.1)
    paired = tables.paired(frame, 0.95).set_index("metric")
    assert "training.reference_distance" not in paired.index
    assert paired.loc["training.test_error", "difference"] == pytest.approx(0.105)


def test_published_table_sits_beside_our_matching_metric():
    runs = []
    for seed, (own, perturbed) in enumerate([(0.25, 0.30), (0.27, 0.34)]):
        errors = {"z_mean": {"mean": own}, "seed_protocol": {"mean": perturbed}}
        runs.append(("gaussian", "ae", seed, {"reconstruction": errors}))
    frame = tables.long_frame(runs)
    rows = tables.published(tables.summarize(frame, 0.95), frame).set_index(
        ["dataset", "model", "quantity"]
    )
    ae = rows.loc[("gaussian", "ae", "mean test reconstruction error")]
    # Ours is measured as the source study measured it (codes plus the VAE's noise), not the
    # AE's own codes, and the note says so.
    assert ae["metric"] == "reconstruction.seed_protocol.mean"
    assert ae["ours_mean"] == pytest.approx(0.32)
    assert "like for like" in ae["note"]
    assert ae["n"] == 2
    # The published 0.256 lies below both seeds (0.30, 0.34): outside our spread.
    assert (ae["ours_min"], ae["ours_max"]) == (0.30, 0.34)
    assert ae["within_spread"] in (False,) and not pd.isna(ae["within_spread"])
    knn = rows.loc[("student_t", "vae", "KNN CV accuracy")]
    assert math.isnan(knn["ours_mean"]) and knn["n"] == 0  # not measured in these runs
    assert pd.isna(knn["within_spread"])


def test_a_published_number_between_our_seeds_is_within_their_spread():
    runs = [("gaussian", "vae", seed, {"reconstruction": {"seed_protocol": {"mean": value}}})
            for seed, value in enumerate([0.30, 0.35, 0.33])]  # fmt: skip
    frame = tables.long_frame(runs)
    rows = tables.published(tables.summarize(frame, 0.95), frame).set_index(["model", "quantity"])
    vae = rows.loc[("vae", "mean test reconstruction error")]  # published 0.322
    assert vae["within_spread"] in (True,) and vae["n"] == 3


def test_markdown_twin_has_a_row_per_csv_row_and_no_nan_text():
    frame = pd.DataFrame({"metric": ["a", "b"], "mean": [0.123456, math.nan], "n": [5, 5]})
    lines = tables.to_markdown(frame).splitlines()
    assert lines[0] == "| metric | mean | n |"
    assert len(lines) == 2 + len(frame)
    assert "0.1235" in lines[2] and "nan" not in lines[3].lower()


def test_markdown_writes_large_counts_as_integers():
    frame = pd.DataFrame(
        {"quantity": ["images", "share", "big"], "value": [11875.0, 0.25, 1.5e5 + 0.5]}
    )
    lines = tables.to_markdown(frame).splitlines()
    assert lines[2] == "| images | 11,875 |"
    assert lines[3] == "| share | 0.25 |"
    assert lines[4] == "| big | 1.5e+05 |"  # not whole: still four digits


def test_markdown_writes_booleans_as_words_with_or_without_a_number_format():
    frame = pd.DataFrame({"run": ["a", "b"], "epochs": [10, 20], "chosen": [False, True]})
    for number in (None, lambda value: f"<{value}>"):
        lines = tables.to_markdown(frame, number=number).splitlines()
        assert lines[2].endswith("| False |") and lines[3].endswith("| True |")
    assert tables.to_markdown(frame, number=lambda value: f"<{value}>").splitlines()[2] == (
        "| a | <10> | False |"
    )


def test_load_runs_reads_identity_from_the_run_section(tmp_path):
    path = tmp_path / "seed3.json"
    metrics = {"sizes": {"n_test": 10}, "density": {"nn_ratio": 0.9}}
    run = {"dataset": "student_t", "model": "ae", "seed": 3}
    path.write_text(json.dumps({"run": run, **metrics}))
    runs = tables.load_runs([path])
    assert runs == [("student_t", "ae", 3, metrics)]
    frame = tables.long_frame(runs)
    assert list(frame["metric"]) == ["density.nn_ratio"]  # sizes describe a run; not a metric


def test_sweep_summary_keeps_settings_apart():
    runs = [
        (
            latent_dim,
            1.0,
            "gaussian",
            "vae",
            seed,
            {"density": {"nn_ratio": latent_dim + seed / 10}},
        )
        for latent_dim in (3, 8)
        for seed in range(3)
    ]
    frame = tables.long_frame(runs, keys=tables.SWEEP_KEYS)
    summary = tables.summarize(frame, 0.95, by=("latent_dim", "beta", "dataset", "model"))
    assert list(summary["latent_dim"]) == [3, 8]
    assert list(summary["n"]) == [3, 3]
    assert summary["mean"].tolist() == pytest.approx([3.1, 8.1])


def test_a_run_is_one_tree_from_its_metrics_and_realism_files(tmp_path):
    run = {"dataset": "gaussian", "model": "vae", "seed": 0}
    (tmp_path / "m.json").write_text(json.dumps({"run": run, "density": {"nn_ratio": 0.5}}))
    (tmp_path / "r.json").write_text(json.dumps({"run": run, "realism": {"hull": {"x": 1.0}}}))
    runs = tables.load_run_files([tmp_path / "m.json"], [tmp_path / "r.json"])
    assert runs == [
        ("gaussian", "vae", 0, {"density": {"nn_ratio": 0.5}, "realism": {"hull": {"x": 1.0}}})
    ]


@pytest.mark.parametrize(
    ("metric", "values", "bounds"),
    [
        ("realism.hull.spearman_cor", [1.0, 0.99, 0.95, 1.0, 0.99], (-1.0, 1.0)),
        ("realism.hull.spearman_cor", [1.0, 1.0, 1.0, 1.0, 0.2], (-1.0, 1.0)),
        ("knn.z_mean.raw.test_accuracy", [0.99, 1.0, 0.98, 1.0, 1.0], (0.0, 1.0)),
        ("knn.z_mean.raw.test_f1", [0.0, 0.0, 0.1, 0.0, 0.02], (0.0, 1.0)),
        ("factors.r2_linear.cor", [0.999, 0.998, 1.0, 0.97, 0.999], (-np.inf, 1.0)),
        ("factors.dci.disentanglement", [0.1, 0.9, 0.5, 0.98, 0.02], (0.0, 1.0)),
        # how far a fitted factor moves along a path (the committed study's values: bimodal)
        ("realism.plane_upper.range_cor", [0.0972, 1.87, 1.8658, 0.0312, 1.842], (0.0, 2.0)),
        ("realism.plane_lower.range_var_x", [0.02, 0.9, 0.05, 0.03, 0.04], (0.0, np.inf)),
        ("realism.hull.cor_span", [0.0043, 1.0226, 1.0138, 0.056, 0.0086], (0.0, np.inf)),
        # nats over the entropy floor, which no loss goes below
        ("training.val_excess_kept", [0.002, 0.09, 0.03, 0.08, 0.02], (0.0, np.inf)),
    ],
)
def test_intervals_of_bounded_metrics_stay_in_range(metric, values, bounds):
    frame = pd.DataFrame(
        {"group": "g", "dataset": "d", "model": "m", "metric": metric, "value": values}
    )
    row = tables.summarize(frame, 0.95).iloc[0]
    assert bounds[0] <= row["ci_low"] <= row["ci_high"] <= bounds[1]
    assert row["ci_low"] < row["ci_high"]
    assert row["mean"] == pytest.approx(np.mean(values))
    assert row["summary"] == "mean, t-interval (bounded scale)"
    # The plain t-interval of the same values leaves the range (the oracle's other side),
    # except for the wide DCI case, which stays inside either way.
    low, high = tables.t_interval(np.array(values), 0.95)
    assert low < bounds[0] or high > bounds[1] or metric.endswith("disentanglement")


@pytest.mark.parametrize(
    ("metric", "values"),
    [
        ("density.nn_ratio", [0.2, 0.4, 0.3]),
        # what training measures keeps the mean: only the guard's epochs are choices
        ("training.seconds", [2000.0, 2100.0, 2200.0]),
    ],
)
def test_an_unbounded_metric_keeps_the_plain_t_interval_and_a_constant_its_value(metric, values):
    frame = pd.DataFrame(
        {"group": "g", "dataset": "d", "model": "m", "metric": metric, "value": values}
    )
    row = tables.summarize(frame, 0.95).iloc[0]
    assert row["mean"] == pytest.approx(np.mean(values))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        tables.t_interval(np.array(values), 0.95)
    )
    assert row["summary"] == "mean, t-interval"
    assert tables.t_interval(np.array([1.0, 1.0]), 0.95, (0.0, 1.0)) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("metric", "values", "expected"),
    [
        ("knn.z_mean.raw.best_k", [13, 21, 24, 24, 23], (23, 13, 24)),
        # an 80-epoch budget: the t-interval of the mean would reach past epoch 80
        ("training.epoch_kept", [80, 71, 80, 79, 80], (80, 71, 80)),
        ("training.epochs_run", [80, 80, 52, 80, 80], (80, 52, 80)),
    ],
)
def test_integer_choices_are_reported_as_median_and_range(metric, values, expected):
    frame = pd.DataFrame(
        {"group": metric.split(".")[0], "dataset": "t", "model": "vae", "metric": metric,
         "value": values}
    )  # fmt: skip
    row = tables.summarize(frame, 0.95).iloc[0]
    assert (row["mean"], row["ci_low"], row["ci_high"]) == expected
    assert row["summary"] == "median, range"
    assert tables.t_interval(np.array(values), 0.95)[1] > max(values)  # what a mean would say
    one = tables.summarize(frame.head(1), 0.95).iloc[0]  # one seed: the value, no range
    assert one["mean"] == values[0] and np.isnan(one["ci_low"]) and np.isnan(one["ci_high"])
