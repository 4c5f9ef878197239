"""The realism fit: true heatmaps are recovered exactly, blends and smears are not."""

import numpy as np
import pytest

from covae import heatmaps, realism

AXIS = heatmaps.axis_grid(-3.0, 3.0, 0.17)


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(0)
    scales = heatmaps.axis_grid(0.1, 5.0, 0.2)
    factors = heatmaps.factor_grid(scales, heatmaps.axis_grid(-0.95, 0.95, 0.1))
    rows = rng.choice(len(factors), 24, replace=False)
    df = np.where(rng.random(24) < 0.5, 2.0, 200.0)
    return np.column_stack([factors[rows], df])


def test_model_heatmaps_equal_the_data_sets_scipy_densities(sample):
    for df in (sample[:, 3], np.full(len(sample), np.inf)):
        factors = np.column_stack([sample[:, :3], df])
        np.testing.assert_allclose(
            realism.model_images(AXIS, factors), heatmaps.images(AXIS, factors), atol=1e-6
        )


@pytest.mark.parametrize("fit_df", [False, True])
def test_fit_recovers_the_factors_of_true_heatmaps(sample, fit_df):
    factors = sample if fit_df else np.column_stack([sample[:, :3], np.full(len(sample), np.inf)])
    result = realism.fit(AXIS, heatmaps.images(AXIS, factors), fit_df=fit_df)
    assert result["residual"].max() < 1e-5
    np.testing.assert_allclose(result["factors"][:, :3], factors[:, :3], rtol=1e-4, atol=1e-5)
    if fit_df:
        np.testing.assert_allclose(result["factors"][:, 3], factors[:, 3], rtol=1e-3)
    else:
        assert np.isinf(result["factors"][:, 3]).all()


def test_a_blend_of_two_heatmaps_fits_badly():
    crossed = np.array([[0.3, 3.0, 0.0, np.inf], [3.0, 0.3, 0.0, np.inf]])
    tilted = np.array([[2.0, 2.0, 0.9, np.inf], [2.0, 2.0, -0.9, np.inf]])
    for pair in (crossed, tilted):
        images = heatmaps.images(AXIS, pair)
        blend = images.mean(axis=0, keepdims=True)  # an X shape: no ellipse makes it
        result = realism.fit(AXIS, blend, fit_df=False)
        assert result["residual"][0] > 0.15
        truth = realism.fit(AXIS, images, fit_df=False)
        assert truth["residual"].max() < 1e-5


def test_noise_raises_the_residual_in_proportion():
    truth = heatmaps.images(AXIS, np.array([[1.5, 0.7, 0.3, np.inf]]))
    noise = np.random.default_rng(1).normal(size=truth.shape)
    residuals = [
        realism.fit(AXIS, truth + level * noise, fit_df=False)["residual"][0]
        for level in (0.01, 0.05)
    ]
    assert residuals[0] < residuals[1]
    relative = 0.05 * np.linalg.norm(noise) / np.linalg.norm(truth)
    assert residuals[1] == pytest.approx(relative, rel=0.1)  # the noise is what is left


def test_moment_start_reads_scale_and_sign_of_correlation():
    images = heatmaps.images(AXIS, np.array([[0.3, 0.5, 0.6, np.inf], [0.5, 0.3, -0.6, np.inf]]))
    start = realism.moment_factors(AXIS, images)
    assert start[0, 0] < start[0, 1] and start[1, 0] > start[1, 1]
    assert start[0, 2] == pytest.approx(0.6, abs=0.05) and start[1, 2] < 0


def test_fit_is_deterministic_and_threads_do_not_change_it(sample):
    images = heatmaps.images(AXIS, sample[:6]) * 0.9 + 0.05
    one = realism.fit(AXIS, images, fit_df=True, threads=1)
    two = realism.fit(AXIS, images, fit_df=True, threads=2)
    np.testing.assert_array_equal(one["factors"], two["factors"])
    np.testing.assert_array_equal(one["residual"], two["residual"])


def _realism_arrays(seed_value, df, pairs=2, steps=3):
    """The realism arrays of one run: interpolations, one reconstruction set, one traversal."""
    factors = np.tile([1.0, 2.0, 0.5, df], (pairs * steps, 1)) + seed_value
    return {
        "interpolation_factors": factors,
        "interpolation_residual": np.arange(pairs * steps, dtype=float) + seed_value,
        "reconstruction_z_mean_factors": factors[:4],
        "reconstruction_z_mean_residual": np.full(4, 0.1),
        "hull_factors": factors[:5],
        "hull_residual": np.full(5, 0.2),
    }


@pytest.mark.parametrize(("df", "has_df"), [(np.inf, False), (2.0, True)])
def test_figure_frames_lay_out_every_runs_residuals_and_the_first_seeds_pairs(df, has_df):
    runs = {
        ("vae", 0): _realism_arrays(0.0, df),
        ("ae", 0): _realism_arrays(1.0, df),
        ("vae", 1): _realism_arrays(2.0, df),
    }
    frames = realism.figure_frames(runs, steps=3, pairs_shown=1)
    along = frames["along"]
    assert len(along) == 3 * 2 * 3  # runs x pairs x steps
    assert sorted(along["t"].unique()) == [0.0, 0.5, 1.0]
    ae = along[along["model"] == "ae"]
    np.testing.assert_array_equal(ae["residual"], np.arange(6) + 1.0)
    sets = frames["sets"]
    assert set(sets["set"]) == {"recon. z_mean", "interpolation", "hull"}
    assert set(sets["model"]) == {"VAE", "AE"}
    # The first seed's first pair only, for both models; steps numbered from 1.
    pairs = frames["interpolations"]
    assert sorted(map(tuple, pairs[["model", "seed"]].drop_duplicates().to_numpy())) == [
        ("ae", 0), ("vae", 0)
    ]  # fmt: skip
    assert set(pairs["path"]) == {"pair 1"} and list(pairs["step"][:3]) == [1, 2, 3]
    traversals = frames["traversals"]
    assert len(traversals) == 3 * 5 and set(traversals["path"]) == {"hull"}
    # df is a column only where it was fitted (the t set), never all-infinite.
    for frame in (pairs, traversals):
        assert ("df" in frame) == has_df


# Every set of decoded images covae.realism.assess_run fits (its arrays, `<set>_residual`).
SETS = [
    "reconstruction_z_mean", "reconstruction_z_sample", "interpolation", "grid_uniform",
    "grid_quantile", *realism.TRAVERSALS,
]  # fmt: skip


def _overlapping(labels) -> list[tuple[str, str]]:
    boxes = [(label.get_text(), label.get_window_extent()) for label in labels]
    return [
        (a, b)
        for i, (a, box) in enumerate(boxes)
        for b, other in boxes[i + 1 :]
        if box.overlaps(other)
    ]


def test_the_realism_figure_names_every_set_legibly():
    from covae import draw_evaluation, names

    rng = np.random.default_rng(0)
    runs = {
        (model, seed): {
            "interpolation_factors": np.ones((6, 4)),
            **{f"{name}_residual": rng.random(6) for name in SETS},
        }
        for model in names.MODELS
        for seed in (0, 1)
    }
    frames = realism.figure_frames(runs, steps=3, pairs_shown=1)
    fig = draw_evaluation.realism_summary(
        frames["along"], frames["sets"], title=names.label("student_t")
    )
    fig.canvas.draw()
    assert fig.get_suptitle().startswith("Student-t set: ")
    labels = fig.axes[1].get_yticklabels()
    assert [label.get_text() for label in labels][:3] == [
        "recon. z_mean", "recon. z_sample", "interpolation"
    ]  # fmt: skip
    assert _overlapping(labels) == []
    # The check sees overlaps: were the names under the boxes, side by side, they would.
    fig.axes[1].set_xticks(range(len(labels)), labels)
    fig.canvas.draw()
    assert _overlapping(fig.axes[1].get_xticklabels())
