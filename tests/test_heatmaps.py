"""The heatmap data sets against known answers and an independent closed-form density."""

from dataclasses import replace

import numpy as np
import pytest
from scipy.special import gammaln

from covae import bench, heatmaps, io, names
from tests.conftest import load_config

PAPER = heatmaps.DataSpec.from_config(load_config("config.yaml")["data"])


def closed_form_log_pdf(x, y, var_x, var_y, cor, df):
    """Bivariate Gaussian / Student-t log density written out from the textbook formulas."""
    det = var_x * var_y * (1 - cor**2)
    quad = (x**2 / var_x - 2 * cor * x * y / np.sqrt(var_x * var_y) + y**2 / var_y) / (1 - cor**2)
    if np.isinf(df):
        return -np.log(2 * np.pi) - 0.5 * np.log(det) - 0.5 * quad
    return (
        gammaln((df + 2) / 2)
        - gammaln(df / 2)
        - np.log(df * np.pi)
        - 0.5 * np.log(det)
        - (df + 2) / 2 * np.log1p(quad / df)
    )


@pytest.fixture(scope="module")
def paper_sets():
    return {name: heatmaps.make_dataset(PAPER, name, threads=2) for name in names.DATASETS}


def test_paper_grids_have_the_seed_sizes():
    assert PAPER.axis.size == 36
    assert heatmaps.axis_grid(*PAPER.scale).size == 25
    assert heatmaps.axis_grid(*PAPER.correlation).size == 19
    np.testing.assert_allclose(PAPER.axis[[0, -1]], [-3.0, 2.95])
    np.testing.assert_allclose(heatmaps.axis_grid(*PAPER.scale)[[0, -1]], [0.1, 4.9])
    np.testing.assert_allclose(heatmaps.axis_grid(*PAPER.correlation)[[0, -1]], [-0.95, 0.85])


def test_factor_grid_holds_every_combination_once_in_seed_order():
    factors = heatmaps.factor_grid(np.array([1.0, 2.0]), np.array([-0.5, 0.5]))
    expected = [(vx, vy, c) for c in (-0.5, 0.5) for vx in (1.0, 2.0) for vy in (1.0, 2.0)]
    np.testing.assert_array_equal(factors, expected)


def test_paper_sets_follow_the_path_contract(paper_sets):
    for name, arrays in paper_sets.items():
        assert arrays["images"].shape == (11_875, 36, 36)
        assert arrays["images"].dtype == np.float32
        assert arrays["factors"].shape == (11_875, 4)
        assert arrays["factors"].dtype == np.float64
        assert arrays["is_test"].dtype == bool
        assert arrays["is_test"].sum() == 2_375
        assert np.isinf(arrays["factors"][:, 3]).all() == (name == "gaussian")


def test_every_image_peaks_at_exactly_one(paper_sets):
    for arrays in paper_sets.values():
        images = arrays["images"]
        np.testing.assert_array_equal(images.max(axis=(1, 2)), 1.0)
        assert images.min() >= 0.0


def test_sets_are_row_aligned_and_share_one_split(paper_sets):
    gaussian, student = paper_sets["gaussian"], paper_sets["student_t"]
    np.testing.assert_array_equal(gaussian["factors"][:, :3], student["factors"][:, :3])
    np.testing.assert_array_equal(gaussian["is_test"], student["is_test"])


@pytest.mark.parametrize("dataset", names.DATASETS)
def test_pixels_equal_closed_form_density(paper_sets, dataset):
    rng = np.random.default_rng(0)
    arrays = paper_sets[dataset]
    rows = rng.choice(len(arrays["factors"]), size=300, replace=False)
    axis = PAPER.axis
    x, y = np.meshgrid(axis, axis, indexing="ij")
    for row in rows:
        log_pdf = closed_form_log_pdf(x, y, *arrays["factors"][row])
        expected = np.exp(log_pdf - log_pdf.max())
        i, j = rng.integers(0, 36, size=(2, 20))
        np.testing.assert_allclose(arrays["images"][row, i, j], expected[i, j], rtol=0, atol=1e-6)


def test_log_densities_are_true_densities_not_only_up_to_scale():
    factors = np.array([[0.3, 2.1, -0.65, np.inf], [4.5, 0.7, 0.35, 2.0], [1.1, 1.1, 0.85, 200.0]])
    axis = PAPER.axis
    x, y = np.meshgrid(axis, axis, indexing="ij")
    ours = heatmaps.log_densities(axis, factors)
    for row, factor in enumerate(factors):
        np.testing.assert_allclose(ours[row], closed_form_log_pdf(x, y, *factor), rtol=1e-10)


def test_package_matches_a_per_image_scipy_loop():
    factors = PAPER.factors("student_t")[::97]
    factors[::2, 3] = np.inf
    np.testing.assert_allclose(
        heatmaps.images(PAPER.axis, factors),
        bench.reference_images(PAPER.axis, factors),
        rtol=0,
        atol=1e-6,
    )


def test_student_t_tends_to_gaussian_as_df_grows():
    base = heatmaps.factor_grid(np.array([0.3, 1.5, 4.1]), np.array([-0.75, 0.0, 0.55]))
    gaussian = heatmaps.images(PAPER.axis, np.column_stack([base, np.full(len(base), np.inf)]))
    gaps = []
    for df in (2.0, 20.0, 200.0, 2e4, 2e7):
        student = heatmaps.images(PAPER.axis, np.column_stack([base, np.full(len(base), df)]))
        gaps.append(np.abs(student - gaussian).max())
    assert all(a > b for a, b in zip(gaps, gaps[1:], strict=False)), gaps
    assert gaps[0] > 0.1
    assert gaps[-1] < 1e-5


def test_df_rule_is_about_half_heavy_on_the_paper_grid():
    df = PAPER.factors("student_t")[:, 3]
    assert set(np.unique(df)) == {2.0, 200.0}
    assert 0.45 < np.mean(df == 2.0) < 0.55


def test_df_rule_certain_cases_hold_for_any_noise():
    var_x, var_y = np.meshgrid(np.linspace(0.1, 6, 60), np.linspace(0.1, 6, 60))
    var_x, var_y = var_x.ravel(), var_y.ravel()
    total = (var_x + var_y) ** 2
    for seed in range(5):
        df = heatmaps.draw_df(var_x, var_y, np.random.default_rng(seed))
        assert (df[total > 30] == 2.0).all()
        assert (df[total <= 20] == 200.0).all()
        between = (total > 20) & (total <= 30)
        assert set(np.unique(df[between])) == {2.0, 200.0}


def test_same_seed_gives_identical_bytes_and_another_seed_another_split(tmp_path):
    small = replace(PAPER, scale=(0.1, 5.0, 0.8), correlation=(-0.9, 0.95, 0.3))
    paths = []
    for k, spec in enumerate([small, small, replace(small, seed=7)]):
        path = tmp_path / f"run{k}.npz"
        io.save_arrays(path, heatmaps.make_dataset(spec, "student_t", threads=1 + k % 2))
        paths.append(path)
    first, again, other = (io.load_arrays(p) for p in paths)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert not np.array_equal(first["is_test"], other["is_test"])
    assert not np.array_equal(first["factors"][:, 3], other["factors"][:, 3])
    assert first["is_test"].sum() == other["is_test"].sum()


def test_thread_count_does_not_change_the_images():
    factors = PAPER.factors("student_t")[::7]
    one = heatmaps.images(PAPER.axis, factors, threads=1)
    np.testing.assert_array_equal(one, heatmaps.images(PAPER.axis, factors, threads=2))


def test_unknown_dataset_is_refused():
    with pytest.raises(ValueError, match="unknown dataset"):
        PAPER.factors("cauchy")
