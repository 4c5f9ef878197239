"""Oracles for the per-run measurements: reconstruction errors, KNN separability, density,
factor recovery (R^2, MIG, DCI)."""

import json

import numpy as np
import pandas as pd
import pytest

from covae import disentanglement, evaluation, geometry, heatmaps, metrics
from tests.conftest import load_config

# ---------------------------------------------------------------------------- reconstruction


def test_the_error_figure_draws_one_line_per_run_and_code_and_names_each_code():
    from covae import draw_evaluation

    rng = np.random.default_rng(0)
    codes = {"vae": ("z_mean", "z_sample"), "ae": ("z_mean", "seed_protocol")}
    errors = pd.DataFrame(
        [
            {"model": model, "seed": seed, "code": code, "error": error}
            for model in ("vae", "ae")
            for code in codes[model]
            for seed in (0, 1)
            for error in rng.uniform(0.05, 2.0, size=50)
        ]
    )
    fig = draw_evaluation.reconstruction_error_distributions(errors, title="t")
    density, survival = fig.axes
    assert [text.get_text() for text in density.get_legend().get_texts()] == [
        "VAE (z_mean)", "VAE (z_sample)", "AE (z_mean)", "AE (code + the VAE's noise)"
    ]  # fmt: skip
    assert len(survival.lines) == 2 * 2 * 2  # models x codes x seeds
    for line in survival.lines:  # each run's share of larger errors: from 1 down to 1/50
        assert line.get_ydata()[0] == 1 and line.get_ydata()[-1] == pytest.approx(1 / 50)
        assert np.all(np.diff(line.get_xdata()) >= 0)


def _sweep_summary(latent_dims, betas):
    """A sweep table of one data set and one metric (MIG): the VAE at every setting, the AE
    once per latent dim (at the first beta), each mean known from its setting."""
    rows = [{"latent_dim": d, "beta": b, "model": "vae", "mean": d + b}
            for d in latent_dims for b in betas]  # fmt: skip
    rows += [{"latent_dim": d, "beta": betas[0], "model": "ae", "mean": -d} for d in latent_dims]
    frame = pd.DataFrame(rows).assign(dataset="gaussian", metric="factors.mig", n=2)
    return frame.assign(ci_low=frame["mean"] - 0.5, ci_high=frame["mean"] + 0.5)


def test_the_sweep_figure_draws_each_setting_against_beta_and_the_ae_as_a_level():
    import matplotlib

    matplotlib.use("Agg")
    from covae import draw_evaluation

    fig = draw_evaluation.sweep_metrics(_sweep_summary([3, 8], [1.0, 4.0, 0.5]),
                                        {"factors.mig": "MIG"}, title="t")  # fmt: skip
    panel = fig.axes[0]
    assert [t.get_text() for t in panel.get_xticklabels()] == ["0.5", "1", "4"]
    assert panel.get_xlabel() == "beta" and panel.get_title() == "MIG"
    vae = {c.get_label(): c for c in panel.containers}  # the error bars, one per latent dim
    assert sorted(vae) == ["VAE, 3-D code", "VAE, 8-D code"]
    for d in (3, 8):  # betas 0.5, 1, 4 at positions 0, 1, 2
        line = vae[f"VAE, {d}-D code"].lines[0]
        assert line.get_xdata().tolist() == [0, 1, 2]
        assert line.get_ydata().tolist() == [d + 0.5, d + 1.0, d + 4.0]
    levels = [line for line in panel.lines if line.get_label().startswith("AE")]
    assert {line.get_label(): line.get_ydata()[0] for line in levels} == {
        "AE, 3-D code (no beta)": -3, "AE, 8-D code (no beta)": -8}  # fmt: skip
    assert levels[0].get_linestyle() != levels[1].get_linestyle()
    assert len(fig.legends[0].get_texts()) == 4


def test_a_sweep_of_the_code_size_alone_draws_both_models_against_it():
    import matplotlib

    matplotlib.use("Agg")
    from covae import draw_evaluation

    fig = draw_evaluation.sweep_metrics(_sweep_summary([8, 3], [1.0]), {"factors.mig": "MIG"},
                                        title="t")  # fmt: skip
    panel = fig.axes[0]
    assert panel.get_xlabel() == "latent_dim"
    lines = {c.get_label(): c.lines[0].get_ydata().tolist() for c in panel.containers}
    assert lines == {"VAE": [4.0, 9.0], "AE": [-3, -8]}  # latent dims 3, 8 in order


def test_perfect_reconstruction_has_zero_error_and_a_known_perturbation_its_norm():
    rng = np.random.default_rng(0)
    images = rng.uniform(size=(5, 36, 36)).astype(np.float32)
    assert np.array_equal(metrics.frobenius_errors(images, images), np.zeros(5))
    perturbed = images.copy()
    perturbed[:, 3, 4] += 0.3
    perturbed[:, 10, 20] -= 0.4  # sqrt(0.3^2 + 0.4^2) = 0.5
    np.testing.assert_allclose(metrics.frobenius_errors(images, perturbed), 0.5, rtol=1e-6)
    constant = np.full_like(images, 0.1) + images  # every pixel off by 0.1: 0.1 * 36
    np.testing.assert_allclose(metrics.frobenius_errors(images, constant), 3.6, rtol=1e-5)


def test_frobenius_errors_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match="shapes differ"):
        metrics.frobenius_errors(np.zeros((2, 36, 36)), np.zeros((3, 36, 36)))


def test_error_summary_orders_its_quantiles_and_sees_a_heavier_tail():
    rng = np.random.default_rng(1)
    light = rng.normal(1.0, 0.05, 5000)
    heavy = np.concatenate([rng.normal(0.8, 0.05, 4900), rng.uniform(3, 6, 100)])
    summary = metrics.error_summary(light)
    assert summary["median"] <= summary["p90"] <= summary["p99"] <= summary["max"]
    assert summary["mean"] == pytest.approx(1.0, abs=0.01)
    heavy_summary = metrics.error_summary(heavy)
    assert heavy_summary["median"] < summary["median"]  # better typical error ...
    assert heavy_summary["tail_ratio"] > 2 * summary["tail_ratio"]  # ... with a heavy tail


# ---------------------------------------------------------------------------- KNN


def _two_clusters(n, separation, seed):
    rng = np.random.default_rng(seed)
    labels = rng.random(n) < 0.5
    codes = rng.normal(size=(n, 3)) + separation * labels[:, None]
    return codes, labels


def test_knn_scores_one_on_perfectly_separated_clusters():
    train, train_labels = _two_clusters(400, 50.0, 0)
    test, test_labels = _two_clusters(100, 50.0, 1)
    for scaled in (False, True):
        result = metrics.knn_separability(
            train, train_labels, test, test_labels,
            k_values=range(3, 8), folds=5, fixed_k=5, scaled=scaled, seed=0,
        )  # fmt: skip
        assert result["cv_accuracy"] == 1.0
        assert result["test_accuracy"] == result["test_f1"] == 1.0
        assert result["test_accuracy_fixed_k"] == result["test_f1_fixed_k"] == 1.0
        assert 3 <= result["best_k"] <= 7


def test_knn_on_unrelated_labels_is_at_chance():
    codes, _ = _two_clusters(600, 0.0, 2)
    labels = np.random.default_rng(3).random(600) < 0.5
    result = metrics.knn_separability(
        codes[:400], labels[:400], codes[400:], labels[400:],
        k_values=[5, 15], folds=5, fixed_k=15, scaled=False, seed=0,
    )  # fmt: skip
    assert 0.35 < result["test_accuracy"] < 0.65


def test_scaling_rescues_knn_when_a_noise_axis_dominates():
    train, train_labels = _two_clusters(400, 4.0, 4)
    test, test_labels = _two_clusters(200, 4.0, 5)
    rng = np.random.default_rng(6)
    # The class lives on axes 0-2; axis 3 is pure noise with a 1000x larger scale.
    train = np.column_stack([train, 1000 * rng.normal(size=400)])
    test = np.column_stack([test, 1000 * rng.normal(size=200)])
    args = dict(k_values=[5, 9], folds=5, fixed_k=9, seed=0)
    raw = metrics.knn_separability(train, train_labels, test, test_labels, scaled=False, **args)
    scaled = metrics.knn_separability(train, train_labels, test, test_labels, scaled=True, **args)
    assert raw["test_accuracy"] < 0.7 < 0.9 < scaled["test_accuracy"]


def test_knn_refuses_a_single_class():
    codes = np.zeros((20, 3))
    with pytest.raises(ValueError, match="one class"):
        metrics.knn_separability(
            codes, np.ones(20, bool), codes, np.ones(20, bool),
            k_values=[3], folds=2, fixed_k=3, scaled=False, seed=0,
        )  # fmt: skip


# ---------------------------------------------------------------------------- density


def test_uniform_in_hull_stays_inside_and_is_seeded():
    cube = np.random.default_rng(0).uniform(-1, 1, size=(500, 3))
    points = geometry.uniform_in_hull(cube, 1000, seed=3)
    assert points.shape == (1000, 3)
    assert np.abs(points).max() <= 1
    np.testing.assert_array_equal(points, geometry.uniform_in_hull(cube, 1000, seed=3))


def test_density_ranks_a_uniform_cloud_above_a_clustered_one():
    rng = np.random.default_rng(7)
    uniform = rng.uniform(-1, 1, size=(3000, 3))
    centres = rng.uniform(-1, 1, size=(12, 3))
    clustered = centres[rng.integers(12, size=3000)] + 0.05 * rng.normal(size=(3000, 3))
    kwargs = dict(probes=5000, gap_quantile=0.99, seed=0)
    even = metrics.latent_density(uniform, **kwargs)
    clumped = metrics.latent_density(clustered, **kwargs)
    assert even["nn_ratio"] == pytest.approx(1.0, abs=0.05)
    assert even["gap_fraction"] < 0.03
    assert clumped["nn_ratio"] < 0.5 * even["nn_ratio"]
    assert clumped["gap_fraction"] > 10 * even["gap_fraction"]


def test_density_is_scale_free_per_axis():
    rng = np.random.default_rng(8)
    cloud = rng.normal(size=(2000, 3))
    kwargs = dict(probes=3000, gap_quantile=0.99, seed=1)
    stretched = cloud * np.array([100.0, 1.0, 0.01]) + 5.0
    assert metrics.latent_density(cloud, **kwargs) == pytest.approx(
        metrics.latent_density(stretched, **kwargs)
    )


# ---------------------------------------------------------------------------- factors


def _factor_grid(scale_step=0.2, correlation_step=0.1):
    """var_x, var_y, cor of the paper's grid (11,875 rows), or a coarser one."""
    scales = np.arange(0.1, 5.0, scale_step)
    return heatmaps.factor_grid(scales, np.arange(-0.95, 0.95, correlation_step))[:, :3]


def test_codes_equal_to_the_factors_recover_them():
    factors = _factor_grid()
    rng = np.random.default_rng(0)
    test = rng.random(len(factors)) < 0.2
    split = (factors[~test], factors[~test], factors[test], factors[test])
    np.testing.assert_allclose(disentanglement.r2_per_factor(*split, regressor="linear"), 1)
    assert np.all(disentanglement.r2_per_factor(*split, regressor="knn", neighbors=5) > 0.97)
    mig, gaps = disentanglement.mig(factors, factors, bins=20)
    assert 0.85 < mig <= 1 and np.all(gaps > 0.8)
    dci = disentanglement.dci(*split, trees=10, seed=0)
    assert dci["disentanglement"] > 0.9
    assert dci["completeness"] > 0.9
    assert dci["informativeness"] > 0.97


def test_shuffled_codes_recover_nothing():
    factors = _factor_grid()
    rng = np.random.default_rng(1)
    codes = factors[rng.permutation(len(factors))]
    test = rng.random(len(factors)) < 0.2
    split = (codes[~test], factors[~test], codes[test], factors[test])
    assert np.all(np.abs(disentanglement.r2_per_factor(*split, regressor="linear")) < 0.02)
    assert np.all(disentanglement.r2_per_factor(*split, regressor="knn", neighbors=10) < 0.05)
    mig, _ = disentanglement.mig(codes, factors, bins=20)
    assert mig < 0.05
    assert disentanglement.dci(*split, trees=10, seed=0)["informativeness"] < 0.05


def test_a_rotated_code_is_informative_but_entangled():
    factors = _factor_grid()
    standardized = (factors - factors.mean(0)) / factors.std(0)
    rotation = np.linalg.qr(np.random.default_rng(2).normal(size=(3, 3)))[0]
    codes = standardized @ rotation  # every axis mixes every factor
    test = np.random.default_rng(3).random(len(factors)) < 0.2
    split = (codes[~test], factors[~test], codes[test], factors[test])
    np.testing.assert_allclose(disentanglement.r2_per_factor(*split, regressor="linear"), 1)
    aligned = disentanglement.mig(factors, factors)[0]
    assert disentanglement.mig(codes, factors)[0] < 0.5 * aligned


def test_mig_refuses_constant_factors_and_single_axes():
    factors = _factor_grid()
    with pytest.raises(ValueError, match="constant"):
        disentanglement.mig(factors, np.column_stack([factors, np.ones(len(factors))]))
    with pytest.raises(ValueError, match="two code axes"):
        disentanglement.mig(factors[:, :1], factors)


def test_discretize_uses_equal_width_bins():
    codes = np.array([[0.0], [0.49], [0.51], [1.0]])
    np.testing.assert_array_equal(disentanglement.discretize(codes, 2)[:, 0], [1, 1, 2, 2])


# ---------------------------------------------------------------------------- one run


def _synthetic_run(with_df):
    factors = _factor_grid(0.4, 0.2)  # 1,690 rows
    df = np.where(factors[:, 0] + factors[:, 1] > 5, 2.0, 200.0) if with_df else np.inf
    factors = np.column_stack([factors, np.broadcast_to(df, len(factors))])
    rng = np.random.default_rng(4)
    z = np.column_stack([factors[:, 0], factors[:, 1] + 2 * (factors[:, 3] == 2), factors[:, 2]])
    images = rng.uniform(size=(len(factors), 36, 36)).astype(np.float32)
    data = {"images": images, "factors": factors, "is_test": rng.random(len(factors)) < 0.2}
    latents = {"z_mean": z, "z_log_var": np.zeros_like(z), "z_sample": z + rng.normal(size=z.shape)}
    return data, latents


def test_evaluate_run_measures_what_its_data_has():
    spec = evaluation.EvalSpec.from_config(load_config("smoke.yaml"))
    data, latents = _synthetic_run(with_df=True)
    index = np.flatnonzero(data["is_test"])
    reconstructions = {
        "index": index,
        "z_mean": data["images"][index],
        "z_sample": 0 * data["images"][index],
    }
    errors = evaluation.reconstruction_errors(data["images"], reconstructions)
    result = evaluation.evaluate_run(data, latents, errors, spec, seed=0)
    assert result["reconstruction"]["z_mean"]["max"] == 0
    assert result["reconstruction"]["z_sample"]["mean"] > 0
    assert set(result["knn"]) == {"z_mean", "z_sample", "baseline"}
    assert result["knn"]["z_mean"]["scaled"]["test_accuracy"] > 0.95  # df is an offset in z
    # The baselines: chance is the majority share of the test rows; the seed's protocol error
    # of a VAE is its sampled codes' error.
    heavy = data["factors"][index, 3] == data["factors"][:, 3].min()
    chance = max(heavy.mean(), 1 - heavy.mean())
    assert result["knn"]["baseline"]["chance_accuracy"] == pytest.approx(chance)
    lift = result["knn"]["z_mean"]["scaled"]["lift_over_chance"]
    assert lift == pytest.approx(result["knn"]["z_mean"]["scaled"]["test_accuracy"] - chance)
    assert 0 <= result["knn"]["baseline"]["factors_accuracy"] <= 1
    assert result["reconstruction"]["seed_protocol"] == result["reconstruction"]["z_sample"]
    assert set(result["factors"]["r2_linear"]) == {"var_x", "var_y", "cor", "df"}
    assert result["factors"]["r2_linear"]["cor"] == pytest.approx(1)
    assert result["sizes"] == {"n_train": int((~data["is_test"]).sum()),
                               "n_test": len(index), "latent_dim": 3}  # fmt: skip
    # Same inputs and seed, same numbers.
    again = evaluation.evaluate_run(data, latents, errors, spec, seed=0)
    assert json.dumps(again, sort_keys=True) == json.dumps(result, sort_keys=True)

    gaussian, ae_latents = _synthetic_run(with_df=False)
    ae_latents = {"z_mean": ae_latents["z_mean"], "z_sample": ae_latents["z_mean"]}
    result = evaluation.evaluate_run(gaussian, ae_latents, {"z_mean": np.ones(3)}, spec, seed=0)
    assert "knn" not in result  # df does not vary on the Gaussian set
    assert set(result["factors"]["r2_linear"]) == {"var_x", "var_y", "cor"}


def test_training_summary_reads_the_kept_epoch():
    history = pd.DataFrame(
        {"epoch": [1, 2, 3], "loss": [3.0, 2.0, 1.5], "val_loss": [3.0, 2.5, 2.6],
         "seconds": [1.0, 2.0, 3.0], "kept": [False, True, False]}
    )  # fmt: skip
    assert evaluation.training_summary(history) == {
        "epochs_run": 3, "epoch_kept": 2, "val_loss_kept": 2.5, "seconds": 6.0
    }  # fmt: skip


def test_density_of_a_wide_code_is_measured_on_its_leading_components():
    rng = np.random.default_rng(9)
    flat = rng.uniform(-1, 1, size=(2000, 3)) @ rng.normal(size=(3, 8))  # a 3-D cloud in 8-D
    wide = flat + 1e-3 * rng.normal(size=flat.shape)
    kwargs = dict(probes=3000, gap_quantile=0.99, seed=0)
    result = metrics.latent_density(wide, **kwargs)
    assert 0.8 < result["nn_ratio"] < 1.2 and result["gap_fraction"] < 0.05
    with pytest.raises(ValueError, match="two code axes"):
        metrics.latent_density(wide[:, :1], **kwargs)
