"""Paths derived from the codes by rule: pairs, straight lines, latent grids."""

import warnings

import numpy as np
import pytest
from scipy import stats

from covae import traversals
from tests.conftest import load_config


def test_pairs_are_seeded_distinct_and_drawn_from_the_given_rows():
    rows = np.arange(100, 200)
    pairs = traversals.choose_pairs(rows, 50, seed=5)
    assert pairs.shape == (50, 2)
    assert np.isin(pairs, rows).all() and (pairs[:, 0] != pairs[:, 1]).all()
    np.testing.assert_array_equal(pairs, traversals.choose_pairs(rows, 50, seed=5))
    assert not np.array_equal(pairs, traversals.choose_pairs(rows, 50, seed=6))
    with pytest.raises(ValueError, match="two rows"):
        traversals.choose_pairs(np.array([3]), 1, seed=0)


def test_linear_paths_run_from_start_to_end_in_even_steps():
    start, end = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]), np.array([[4.0, 0, 0], [1, 2, -1]])
    paths = traversals.linear_paths(start, end, steps=5)
    assert paths.shape == (2, 5, 3)
    np.testing.assert_array_equal(paths[:, 0], start)
    np.testing.assert_array_equal(paths[:, -1], end)
    np.testing.assert_allclose(
        np.diff(paths, axis=1), np.broadcast_to((end - start)[:, None] / 4, (2, 4, 3))
    )


def test_latent_grids_span_the_two_widest_axes_and_hold_the_rest_at_the_median():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(5000, 3)) * np.array([0.1, 3.0, 1.0]) + np.array([5.0, -1.0, 2.0])
    grids = traversals.latent_grids(codes, size=6, low=0.05, high=0.95)
    assert tuple(grids["axes"]) == (1, 2)
    for name in ("uniform", "quantile"):
        grid = grids[name]
        assert grid.shape == (36, 3)
        np.testing.assert_allclose(grid[:, 0], np.median(codes[:, 0]))
        assert np.unique(grid[:, 1]).size == 6 and np.unique(grid[:, 2]).size == 6
    uniform = np.unique(grids["uniform"][:, 1])
    np.testing.assert_allclose(uniform[[0, -1]], np.quantile(codes[:, 1], [0.05, 0.95]))
    np.testing.assert_allclose(np.diff(uniform), np.diff(uniform)[0])  # evenly spaced
    quantile = np.unique(grids["quantile"][:, 2])
    expected = codes[:, 2].mean() + codes[:, 2].std() * stats.norm.ppf(np.linspace(0.05, 0.95, 6))
    np.testing.assert_allclose(quantile, expected)
    assert np.diff(quantile)[0] > np.diff(quantile)[2]  # wider apart in the tails


def test_a_vae_s_quantile_grid_comes_from_its_prior_whatever_its_codes():
    rng = np.random.default_rng(1)
    codes = rng.normal(size=(4000, 3)) * np.array([0.1, 3.0, 1.0]) + np.array([5.0, -1.0, 2.0])
    vae = traversals.latent_grids(codes, size=5, low=0.05, high=0.95, prior=True)
    ae = traversals.latent_grids(codes, size=5, low=0.05, high=0.95, prior=False)
    prior = stats.norm.ppf(np.linspace(0.05, 0.95, 5))
    for axis in (1, 2):  # the widest axes: N(0, 1) quantiles, not the cloud's
        np.testing.assert_allclose(np.unique(vae["quantile"][:, axis]), prior)
    np.testing.assert_allclose(vae["quantile"][:, 0], 0.0)  # the prior's median elsewhere
    spread = np.unique(ae["quantile"][:, 1])  # the AE's: a normal fitted to its codes
    np.testing.assert_allclose(spread, codes[:, 1].mean() + codes[:, 1].std() * prior)
    np.testing.assert_array_equal(vae["uniform"], ae["uniform"])  # the data grid is shared


def _curve(t):
    """A smooth curve in 3-D (a helix arc), parameterized by t in [-1, 1]."""
    return np.column_stack([np.cos(1.5 * t), np.sin(1.5 * t), 2 * t])


def test_hull_spline_passes_near_known_points_on_a_curve():
    rng = np.random.default_rng(0)
    t = rng.uniform(-1, 1, 6000)
    codes = _curve(t) + 0.02 * rng.normal(size=(6000, 3))
    var_x = rng.choice([1.0, 2.0], 6000)
    var_y = np.where(rng.random(6000) < 0.7, var_x, 3.0)  # 70 % on the isovariance strip
    result = traversals.hull_traversal(
        codes, var_x, var_y, threshold=0.1, bins=12, smoothing=0.001, points=50
    )
    path = result["centre_path"]
    assert path.shape == (50, 3)
    # Every sampled point lies near the curve, and the path runs from one end to the other.
    dense = _curve(np.linspace(-1, 1, 4001))
    nearest = np.min(np.linalg.norm(path[:, None] - dense[None], axis=2), axis=1)
    assert nearest.max() < 0.05
    assert np.linalg.norm(path[0] - _curve(np.array([-1.0]))[0]) < 0.3
    assert np.linalg.norm(path[-1] - _curve(np.array([1.0]))[0]) < 0.3
    assert abs(result["direction"] @ np.array([0, 0, 1.0])) > 0.8  # the arc leans towards y
    hull = result["hull_path"]
    assert np.all(np.linalg.norm(hull - path, axis=1) < 0.3)  # the extremes hug the thin curve
    again = traversals.hull_traversal(
        codes, var_x, var_y, threshold=0.1, bins=12, smoothing=0.001, points=50
    )
    np.testing.assert_array_equal(again["hull_path"], hull)
    # The spline is drawn against its bins: their positions run along the axis in order.
    assert np.all(np.diff(result["bin_positions"]) > 0)
    assert result["path_positions"][[0, -1]] == pytest.approx(result["bin_positions"][[0, -1]])


def test_hull_direction_is_geometry_whatever_the_factors_do():
    """The strip is binned along its widest axis: a factor that grows across it instead does
    not turn the path (the old rule followed cor and so found cor along the path by design)."""
    rng = np.random.default_rng(11)
    codes = rng.normal(size=(4000, 3)) * np.array([3.0, 1.0, 0.3])
    var_x = np.ones(4000)
    for factor in (codes[:, 0], codes[:, 1], rng.normal(size=4000)):
        result = traversals.hull_traversal(
            codes, var_x, var_x + 0 * factor, threshold=0.1, bins=8, smoothing=0.1, points=10
        )
        assert abs(result["direction"][0]) > 0.99


def test_hull_traversal_says_when_the_strip_is_too_thin():
    codes = np.random.default_rng(1).normal(size=(100, 3))
    with pytest.raises(ValueError, match="raise the threshold"):
        traversals.hull_traversal(
            codes, np.ones(100), np.full(100, 3.0),
            threshold=0.1, bins=10, smoothing=0.1, points=10,
        )  # fmt: skip


def test_fitted_plane_contains_coplanar_points():
    rng = np.random.default_rng(2)
    xy = rng.uniform(-3, 3, size=(200, 2))
    points = np.column_stack([xy, 0.5 * xy[:, 0] - 0.2 * xy[:, 1] + 1.0])
    normal, offset = traversals.fit_plane(points)
    np.testing.assert_allclose(points @ normal, offset, atol=1e-10)
    assert np.linalg.norm(normal) == pytest.approx(1)


def test_bounding_planes_sit_on_top_of_and_under_a_slab():
    rng = np.random.default_rng(3)
    xy = rng.uniform(-5, 5, size=(20000, 2))
    height = rng.uniform(-0.5, 0.5, 20000)
    codes = np.column_stack([xy, 0.3 * xy[:, 0] + height])
    planes = traversals.bounding_planes(codes, cells=8)
    slab_normal = np.array([-0.3, 0.0, 1.0]) / np.linalg.norm([-0.3, 0.0, 1.0])
    offsets = []
    for name in ("upper", "lower"):
        normal = planes[f"{name}_normal"]
        assert abs(normal @ slab_normal) > 0.995  # parallel to the slab
        sign = np.sign(normal @ slab_normal)
        offsets.append(sign * float(planes[f"{name}_offset"]))
    # Offsets along the slab's normal: about +-0.5 (in z) scaled by cos of the tilt.
    assert sorted(offsets) == pytest.approx([-0.5 * slab_normal[2], 0.5 * slab_normal[2]], abs=0.05)


def test_plane_path_stays_on_the_plane_and_runs_along_its_widest_axis():
    rng = np.random.default_rng(4)
    xy = rng.uniform(-2, 2, size=(500, 2)) * np.array([0.3, 1.0])  # widest along y
    codes = np.column_stack([xy, 0.5 * xy[:, 0] + 1])
    normal, offset = traversals.fit_plane(codes)
    path = traversals.plane_path(codes, normal, offset, points=7)
    np.testing.assert_allclose(path @ normal, offset, atol=1e-9)
    assert np.all(np.abs(np.diff(path[:, 1])) > 0.5)  # along y, end to end
    assert np.ptp(path[:, 0]) < 0.1 * np.ptp(path[:, 1])
    assert np.ptp(path[:, 1]) == pytest.approx(np.ptp(xy[:, 1]), rel=0.05)


def test_bounding_planes_along_a_given_up_direction_hold_its_extremes():
    rng = np.random.default_rng(6)
    codes = rng.uniform(-1, 1, size=(20000, 3))  # a cube: every axis is as thin as another
    up = np.array([0.0, 0.0, 1.0])
    planes = traversals.bounding_planes(codes, cells=6, up=up)
    for name, side in (("upper", 1.0), ("lower", -1.0)):
        assert abs(planes[f"{name}_normal"] @ up) > 0.999  # horizontal planes
        heights = codes[planes[f"{name}_rows"], 2]
        assert np.all(side * heights > 0.8)  # the top (bottom) codes of the cube


def test_bounding_planes_without_up_use_the_thinnest_axis_with_a_fixed_sign():
    rng = np.random.default_rng(7)
    codes = rng.uniform(-1, 1, size=(20000, 3)) * np.array([2.0, 0.2, 1.0])  # thin along y
    first = traversals.bounding_planes(codes, cells=6)
    flipped = traversals.bounding_planes(-codes, cells=6)
    for name in ("upper", "lower"):
        assert abs(first[f"{name}_normal"][1]) > 0.99
    # The same cloud mirrored gives the mirrored planes under the same names.
    heights = codes[first["upper_rows"], 1]
    assert np.all(np.sign(heights) == np.sign(heights[0]))
    np.testing.assert_array_equal(np.sort(first["upper_rows"]), np.sort(flipped["lower_rows"]))


def test_variance_line_swaps_var_x_and_var_y_at_one_correlation():
    scales, cors = np.array([0.1, 0.3, 0.5]), np.array([-0.35, -0.05, 0.05, 0.45])
    grid = np.array(np.meshgrid(scales, scales, cors, indexing="ij")).reshape(3, -1).T
    factors = np.column_stack([grid, np.full(len(grid), np.inf)])
    first, last = traversals.variance_swap_pair(factors)
    assert tuple(factors[first, :3]) == (0.5, 0.1, factors[first, 2])
    assert tuple(factors[last, :3]) == (0.1, 0.5, factors[first, 2])
    assert abs(factors[first, 2]) == 0.05  # the cor nearest 0
    with pytest.raises(ValueError, match="no image"):
        missing = np.isclose(factors[:, 0], 0.1) & np.isclose(factors[:, 1], 0.5)
        traversals.variance_swap_pair(factors[~missing])


def test_gap_path_crosses_the_empty_region_between_two_clouds():
    rng = np.random.default_rng(5)
    left = rng.normal(size=(1500, 3)) * 0.3 + np.array([-2.0, 0, 0])
    right = rng.normal(size=(1500, 3)) * 0.3 + np.array([2.0, 0, 0])
    codes = np.vstack([left, right])
    probes = rng.uniform(-2.5, 2.5, size=(20000, 3)) * np.array([1, 0.3, 0.3])
    gap = traversals.gap_path(codes, probes, points=11)
    assert abs(gap["centre"][0]) < 0.5 and gap["radius"] > 1.0
    path = gap["path"]
    assert path[0, 0] * path[-1, 0] < 0  # from one cloud to the other
    np.testing.assert_array_equal(path, traversals.gap_path(codes, probes, points=11)["path"])


def test_every_3d_traversal_is_the_same_for_the_same_codes():
    from tests.conftest import load_config

    rng = np.random.default_rng(6)
    scales = np.arange(0.1, 5.0, 0.4)
    factors = np.column_stack(
        [*np.meshgrid(scales, scales, indexing="ij"), np.zeros((scales.size, scales.size))]
    ).reshape(-1, 3)
    factors = np.repeat(factors, 5, axis=0)
    factors[:, 2] = rng.uniform(-0.9, 0.9, len(factors))
    factors = np.column_stack([factors, np.full(len(factors), np.inf)])
    codes = np.column_stack(
        [factors[:, 0] - factors[:, 1], factors[:, 2], factors[:, 0] + factors[:, 1]]
    )
    codes += 0.05 * rng.normal(size=codes.shape)
    explore = load_config("config.yaml")["exploration"]
    first = traversals.traversals_3d(codes, factors, explore)
    second = traversals.traversals_3d(codes, factors, explore)
    assert list(first) == [*traversals.TRAVERSALS_3D, "hull_bins"]
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    hull = first["hull"]
    assert hull.shape == (explore["hull"]["points"], 3)
    # The strip (var_x = var_y: axis 0 near 0) is widest along its two other axes; the path
    # runs along it from one end to the other.
    assert np.ptp(hull[:, 1:], axis=0).max() > 0.5 * np.ptp(codes[:, 1:], axis=0).min()
    centre = codes.mean(axis=0)
    near = first["near_hull"]
    ratio = np.linalg.norm(near - centre, axis=1) / np.linalg.norm(hull - centre, axis=1)
    np.testing.assert_allclose(ratio, 1 + explore["hull"]["outside"])


def test_embedding_views_are_seeded_and_separate_clusters():
    from covae import embedding

    rng = np.random.default_rng(7)
    labels = rng.random(600) < 0.5
    codes = rng.normal(size=(600, 8)) + 6.0 * labels[:, None]
    views = embedding.embed(codes, points=300, perplexity=20.0, seed=0)
    assert views["pca"].shape == views["tsne"].shape == (300, 2)
    assert 0 < views["explained"].sum() <= 1
    chosen = labels[views["rows"]]
    for key in ("pca", "tsne"):  # the two clusters stay apart on the first axis
        first = views[key][:, 0]
        assert min(first[chosen].max(), first[~chosen].max()) < max(
            first[chosen].min(), first[~chosen].min()
        )
    again = embedding.embed(codes, points=300, perplexity=20.0, seed=0)
    np.testing.assert_array_equal(views["tsne"], again["tsne"])


@pytest.mark.parametrize("name", ["config.yaml", "smoke.yaml"])
def test_the_correlation_line_spans_every_correlation_of_the_real_factor_grid(name):
    from covae import heatmaps

    spec = heatmaps.DataSpec.from_config(load_config(name)["data"])
    factors = spec.factors("gaussian")
    is_test = spec.is_test(len(factors))
    explore = load_config(name)["exploration"]
    codes = np.random.default_rng(0).normal(size=(len(factors), 3))
    rows = traversals.paths_of(codes, factors, is_test, explore)["correlation_line_rows"]
    low, high = factors[rows]
    assert low[0] == low[1] == high[0] == high[1]  # matched scales
    assert (low[2], high[2]) == (factors[:, 2].min(), factors[:, 2].max())
    # The oracle's other side: the test rows alone span less of it at the paper's size.
    if name == "config.yaml":
        t_low, t_high = traversals.extreme_correlation_pair(factors, np.flatnonzero(is_test))
        span = factors[:, 2].max() - factors[:, 2].min()
        assert factors[t_high, 2] - factors[t_low, 2] < 0.5 * span


def test_extreme_correlation_pair_matches_scales_and_spans_the_correlations():
    scales = np.arange(0.1, 5.0, 0.6)
    factors = np.column_stack(
        [
            *(
                g.ravel()
                for g in np.meshgrid(scales, scales, np.linspace(-0.9, 0.9, 5), indexing="ij")
            )
        ]
    )
    rows = np.arange(len(factors))
    low, high = traversals.extreme_correlation_pair(factors, rows)
    assert factors[low, 0] == factors[low, 1] == factors[high, 0] == factors[high, 1]
    assert factors[low, 2] == -0.9 and factors[high, 2] == 0.9
    with pytest.raises(ValueError, match="var_x == var_y"):
        traversals.extreme_correlation_pair(factors, rows[factors[:, 0] != factors[:, 1]])


def test_rotation_path_is_a_circle_about_the_centre_in_the_leading_plane():
    rng = np.random.default_rng(8)
    codes = rng.normal(size=(4000, 3)) * np.array([3.0, 2.0, 0.2]) + np.array([1.0, -1.0, 5.0])
    path = traversals.rotation_path(codes, points=16)
    centre = codes.mean(axis=0)
    radii = np.linalg.norm(path - centre, axis=1)
    np.testing.assert_allclose(radii, radii[0])
    np.testing.assert_allclose(path[:, 2], centre[2], atol=0.05)  # the thin axis stays put
    np.testing.assert_allclose(path.mean(axis=0), centre, atol=1e-9)


def test_a_plane_walk_over_a_curved_cloud_stays_inside_its_bounding_boxes():
    # A bowl: the plane fitted through its rim (the upper extremes) lies above most of the
    # cloud, and the rim's widest extent reaches corners no code occupies.
    rng = np.random.default_rng(8)
    xy = rng.uniform(-3, 3, size=(20000, 2)) * np.array([1.0, 0.4])
    codes = np.column_stack([xy, 0.3 * (xy**2).sum(axis=1) + rng.normal(0, 0.05, 20000)])
    codes = codes @ np.linalg.qr(rng.normal(size=(3, 3)))[0]  # tilted: boxes differ by frame
    planes = traversals.bounding_planes(codes, cells=8)
    for side in ("upper", "lower"):
        rows, normal = planes[f"{side}_rows"], planes[f"{side}_normal"]
        offset = float(planes[f"{side}_offset"])
        free = traversals.plane_path(codes[rows], normal, offset, points=50)
        kept = traversals.plane_path(codes[rows], normal, offset, points=50, within=codes)
        for axes in (np.eye(3), traversals.principal_axes(codes)):
            inside = codes @ axes.T
            walk = kept @ axes.T
            assert np.all(walk >= inside.min(axis=0) - 1e-9)
            assert np.all(walk <= inside.max(axis=0) + 1e-9)
        np.testing.assert_allclose(kept @ normal, offset, atol=1e-9)  # still on its plane
        assert np.ptp(kept @ normal) < 1e-9 and np.linalg.norm(np.ptp(kept, axis=0)) > 0
    # The uncut walk over the bowl's rim plane does leave the axis box: the cut is doing work.
    box_low, box_high = codes.min(axis=0), codes.max(axis=0)
    rows, normal = planes["upper_rows"], planes["upper_normal"]
    free = traversals.plane_path(codes[rows], normal, float(planes["upper_offset"]), points=50)
    assert np.any((free < box_low - 1e-6) | (free > box_high + 1e-6))


def test_a_plane_walk_inside_a_wider_cloud_is_not_cut():
    rng = np.random.default_rng(9)
    xy = rng.uniform(-2, 2, size=(500, 2)) * np.array([0.3, 1.0])
    codes = np.column_stack([xy, 0.5 * xy[:, 0] + 1])
    normal, offset = traversals.fit_plane(codes)
    free = traversals.plane_path(codes, normal, offset, points=7)
    wider = np.vstack([codes, 3 * codes, -3 * codes])  # the same plane's codes inside a cloud
    cut = traversals.plane_path(codes, normal, offset, 7, within=wider)
    np.testing.assert_allclose(cut, free, atol=1e-12)


def test_traversal_figure_keeps_the_cloud_in_view_and_its_insets_off_the_paths():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.offsetbox import AnnotationBbox

    from covae import draw_latent

    rng = np.random.default_rng(0)
    codes = rng.normal(size=(3000, 3)) * np.array([3.0, 1.0, 0.3])
    codes[:5] += 100  # far outliers, as one AE run had
    t = np.linspace(-3, 3, 9)
    paths = {"line": (np.column_stack([t, 0.2 * t, 0 * t]), rng.uniform(size=(9, 36, 36)))}
    fig = draw_latent.traversal(codes, rng.uniform(size=3000), "cor", paths, title="t",
                                insets=True)  # fmt: skip
    cloud = fig.axes[0]
    low, high = cloud.get_xlim()
    assert high - low < 20  # the outliers at ~100 do not set the axis
    labels = cloud.get_legend_handles_labels()[1]
    assert any("beyond the axes" in label for label in labels)
    boxes = [a for a in cloud.artists if isinstance(a, AnnotationBbox)]
    assert len(boxes) == 9 and all(box.xybox[1] > 1 for box in boxes)  # above the panel
    low, high = draw_latent.robust_limits(np.array([[0.0, 0.0], [1.0, 1.0]]),
                                          [np.array([[5.0, -5.0]])])  # fmt: skip
    assert low[1] < -5 and high[0] > 5  # a path is always in view


def test_a_code_without_3d_traversals_draws_its_cloud_alone():
    # A study code of 2 or 4+ axes has no hull, plane or gap path: the figure is the cloud and
    # its title, with no rows of images.
    import matplotlib

    matplotlib.use("Agg")
    from covae import draw_latent

    rng = np.random.default_rng(0)
    for dims in (2, 4):
        # A 3:1 rectangle (its principal axes its sides: no code beyond the view, nothing for a
        # legend to name), thin along any further axis.
        flat = rng.uniform(size=(500, 2)) * [3.0, 1.0]
        codes = np.column_stack([flat, 1e-3 * rng.uniform(size=(500, dims - 2))])
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # (an empty legend warns)
            fig = draw_latent.traversal(codes, rng.uniform(size=500), "cor", {},
                                        title="no hull traversal")  # fmt: skip
        cloud, colourbar = fig.axes
        assert len(cloud.collections[0].get_offsets()) == 500
        assert fig.get_suptitle() == "no hull traversal" and cloud.get_legend() is None


@pytest.mark.parametrize(
    ("dims", "kind"),
    [
        (2, "2-D codes, drawn in the plane z2 = 0"),
        (3, "codes in 3-D"),
        (5, "first three code axes"),
    ],
)
def test_the_3d_views_draw_the_first_three_axes_and_a_2d_code_flat(dims, kind):
    import matplotlib

    matplotlib.use("Agg")
    from covae import draw_latent

    rng = np.random.default_rng(0)
    codes = rng.normal(size=(400, dims))
    colours = {"var_x": rng.uniform(size=400), "cor": rng.uniform(size=400)}
    fig = draw_latent.latent_3d(codes, colours, title="t")
    assert fig.get_suptitle() == f"t: {kind}"
    drawn = fig.axes[-2].collections[-1]._offsets3d  # the last panel's coloured points
    expected = np.column_stack([codes[:, :3], np.zeros((400, 3 - min(dims, 3)))])
    np.testing.assert_allclose(np.column_stack([np.asarray(a) for a in drawn]), expected)
    html = draw_latent.latent_3d_html(codes, colours, title="t")
    np.testing.assert_allclose(html.data[0].z, expected[:, 2])
