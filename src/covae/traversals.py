"""Paths through a latent space, each derived from the codes by a rule (no hand-picked point).

Functions take codes (N, d) and return the codes to decode; the workflow decodes them.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from covae.geometry import principal_axes, svd_axes, uniform_in_hull


def choose_pairs(rows: np.ndarray, pairs: int, seed: int) -> np.ndarray:
    """(pairs, 2) distinct rows drawn from ``rows`` with ``seed``: the same for every model."""
    rows = np.asarray(rows)
    if rows.size < 2:
        raise ValueError("at least two rows are needed to draw pairs")
    rng = np.random.default_rng(seed)
    return np.array([rng.choice(rows, size=2, replace=False) for _ in range(pairs)])


def linear_paths(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """(P, steps, d) evenly spaced codes from each ``start`` (P, d) to its ``end``, both ends
    included."""
    t = np.linspace(0.0, 1.0, steps)[None, :, None]
    return (1 - t) * start[:, None, :] + t * end[:, None, :]


def widest_axes(codes: np.ndarray) -> tuple[int, int]:
    """The two code axes of largest spread (interquartile range), in axis order."""
    q75, q25 = np.percentile(codes, [75, 25], axis=0)
    first, second = np.argsort(q75 - q25)[::-1][:2]
    return int(min(first, second)), int(max(first, second))


def latent_grids(
    codes: np.ndarray, size: int, low: float, high: float, prior: bool = False
) -> dict[str, np.ndarray]:
    """Two size x size grids over the two widest code axes.

    ``uniform``: evenly spaced from the ``low`` to the ``high`` quantile of the codes on each
    axis, the other axes at the codes' medians. ``quantile``: the inverse-CDF grid of seed 000,
    at the normal quantiles ``norm.ppf(linspace(low, high))``. With ``prior`` (a VAE) these are
    quantiles of its N(0, I) prior itself, the other axes at the prior's median 0, as the source
    study drew them; without (an AE, which has no prior) they are scaled by the codes' mean and std
    on each axis, a normal fitted to the cloud, the other axes at the codes' medians.
    Codes are (size * size, d), row-major over (first axis, second axis); ``axes`` names them.
    """
    codes = np.asarray(codes, dtype=np.float64)
    first, second = widest_axes(codes)
    levels = np.linspace(low, high, size)
    uniform_values = np.quantile(codes[:, [first, second]], [low, high], axis=0)
    normal = stats.norm.ppf(levels)
    median = np.median(codes, axis=0)
    if prior:
        centre, spread, rest = np.zeros(codes.shape[1]), np.ones(codes.shape[1]), 0 * median
    else:
        centre, spread, rest = codes.mean(axis=0), codes.std(axis=0), median
    grids = {}
    for name, values, others in (
        ("uniform", [np.linspace(*uniform_values[:, k], size) for k in range(2)], median),
        ("quantile", [centre[a] + spread[a] * normal for a in (first, second)], rest),
    ):
        along_first, along_second = np.meshgrid(values[0], values[1], indexing="ij")
        grid = np.tile(others, (size * size, 1))
        grid[:, first], grid[:, second] = along_first.ravel(), along_second.ravel()
        grids[name] = grid
    grids["axes"] = np.array([first, second])
    return grids


def hull_traversal(
    codes: np.ndarray,
    var_x: np.ndarray,
    var_y: np.ndarray,
    *,
    threshold: float,
    bins: int,
    smoothing: float,
    points: int,
) -> dict[str, np.ndarray]:
    """The source study's spline along the hull of the isovariance strip, from geometry alone.

    Codes with ``|var_x - var_y| < threshold`` form the strip (the source study's definition). They
    are binned along the strip's widest principal axis, not along any factor, so a factor that
    turns out to run along the path is a finding, not a choice. Each bin gives its centre
    (mean code) and its extreme point (the strip code farthest from that centre across the
    axis: on the cloud's hull). A ``scipy.interpolate.UnivariateSpline`` per coordinate, over
    the bins' positions along the axis with smoothing ``smoothing * bins * variance of the
    coordinate`` (scale-free: 0 interpolates, larger values straighten), is sampled at
    ``points`` evenly spaced positions, once through the centres and once through the extremes
    (the hull path). ``bin_positions`` and ``path_positions`` place the bins and the samples
    along the axis, to draw the spline against the points it was fitted to.
    """
    from scipy.interpolate import UnivariateSpline

    strip = np.abs(var_x - var_y) < threshold
    if strip.sum() < 4 * bins:
        raise ValueError(
            f"{strip.sum()} codes within |var_x - var_y| < {threshold} for {bins} bins; "
            "raise the threshold or lower the bins"
        )
    inside = codes[strip]
    direction = principal_axes(inside)[0]
    position = (inside - inside.mean(axis=0)) @ direction
    edges = np.quantile(position, np.linspace(0, 1, bins + 1))
    which = np.clip(np.searchsorted(edges, position, side="right") - 1, 0, bins - 1)
    centres, extremes, where = [], [], []
    for b in range(bins):
        members = inside[which == b]
        centre = members.mean(axis=0)
        centres.append(centre)
        across = members - centre
        across -= np.outer(across @ direction, direction)  # the bin's cross-section
        extremes.append(members[np.argmax(np.linalg.norm(across, axis=1))])
        where.append(position[which == b].mean())
    where = np.array(where)
    samples = np.linspace(where[0], where[-1], points)

    def spline(knots: np.ndarray) -> np.ndarray:
        return np.column_stack(
            [
                UnivariateSpline(where, knots[:, k], s=smoothing * bins * knots[:, k].var())(
                    samples
                )
                for k in range(knots.shape[1])
            ]
        )

    centres, extremes = np.array(centres), np.array(extremes)
    return {
        "direction": direction,
        "strip_rows": np.flatnonzero(strip),
        "bin_positions": where,
        "path_positions": samples,
        "bin_centres": centres,
        "bin_extremes": extremes,
        "centre_path": spline(centres),
        "hull_path": spline(extremes),
    }


def fit_plane(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares plane through 3-D ``points``: unit normal n and offset c with n.x = c."""
    centroid = points.mean(axis=0)
    normal = svd_axes(points)[-1]
    return normal, float(normal @ centroid)


def bounding_planes(
    codes: np.ndarray, cells: int, up: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Planes fitted to the codes on top of and under the cloud (the source study's two planes).

    "Up" is the cloud's thinnest principal axis (what the study uses: geometry alone) or a
    given ``up`` (the source study chose the code direction of cor, so that its planes held the
    codes of the most positive and the most negative correlation). Over a ``cells`` x ``cells`` grid
    of the two leading principal axes across "up", each occupied cell gives its highest and
    its lowest code; a least-squares plane is fitted through each set. Returns the planes
    (``upper_normal``, ``upper_offset``, ...) and the rows of the extreme codes behind them.
    """
    centre = codes.mean(axis=0)
    centred = codes - centre
    if up is None:
        axes = principal_axes(codes)
    else:
        up = np.asarray(up, dtype=np.float64) / np.linalg.norm(up)
        across = centred - np.outer(centred @ up, up)
        _, _, flat = np.linalg.svd(across, full_matrices=False)
        axes = np.vstack([flat[0], flat[1], up])
    coordinates = centred @ axes.T
    cell = [
        np.clip(((c - c.min()) / np.ptp(c) * cells).astype(int), 0, cells - 1)
        for c in coordinates[:, :2].T
    ]
    key = cell[0] * cells + cell[1]
    upper, lower = [], []
    for k in np.unique(key):
        members = np.flatnonzero(key == k)
        upper.append(members[np.argmax(coordinates[members, 2])])
        lower.append(members[np.argmin(coordinates[members, 2])])
    result: dict[str, np.ndarray] = {}
    for name, rows in (("upper", upper), ("lower", lower)):
        normal, offset = fit_plane(codes[rows])
        result[f"{name}_rows"] = np.array(rows)
        result[f"{name}_normal"], result[f"{name}_offset"] = normal, np.array(offset)
    return result


def _in_plane(direction: np.ndarray, normal: np.ndarray) -> np.ndarray:
    direction = direction - (direction @ normal) * normal
    return direction / np.linalg.norm(direction)


def plane_path(
    codes: np.ndarray,
    normal: np.ndarray,
    offset: float,
    points: int,
    within: np.ndarray | None = None,
) -> np.ndarray:
    """A straight path on a plane through ``codes`` (its extreme codes), along their widest
    in-plane principal axis, spanning their extent that way: chosen by geometry alone, so what
    the factors do along it is measured, not built in. With ``within`` (the whole cloud), the
    path is cut to the part inside the cloud's bounding boxes, along the code's axes and along
    its principal axes, so that it walks the cloud and does not measure the decoder's
    extrapolation beyond it."""
    projected = codes - np.outer(codes @ normal - offset, normal)
    direction = _in_plane(principal_axes(projected)[0], normal)
    centre = projected.mean(axis=0)
    along = (projected - centre) @ direction
    start, stop = along.min(), along.max()
    if within is not None:
        start, stop = _inside_boxes(within, centre, direction, start, stop)
    t = np.linspace(start, stop, points)
    return centre + np.outer(t, direction)


def _inside_boxes(
    cloud: np.ndarray, centre: np.ndarray, direction: np.ndarray, start: float, stop: float
) -> tuple[float, float]:
    """[start, stop] cut to the t where centre + t * direction lies inside the cloud's bounding
    box along the code's axes and along its principal axes (both are intersections of slabs).
    Where the line misses a box, the path shrinks to one point (its ranges, and the ratio of
    ranges measured on it, are then undefined and left out of the claims)."""
    frames = (np.eye(cloud.shape[1]), principal_axes(cloud))
    for axes in frames:
        coordinates = cloud @ axes.T
        low, high = coordinates.min(axis=0), coordinates.max(axis=0)
        origin, step = centre @ axes.T, direction @ axes.T
        for lo, hi, o, d in zip(low, high, origin, step, strict=True):
            if abs(d) < 1e-12:
                continue
            first, second = sorted(((lo - o) / d, (hi - o) / d))
            start, stop = max(start, first), min(stop, second)
    if start > stop:  # the boxes and the plane's extent do not meet
        start = stop = (start + stop) / 2
    return start, stop


def gap_path(codes: np.ndarray, probes: np.ndarray, points: int) -> dict[str, np.ndarray]:
    """A straight path through the largest empty region of the cloud.

    The gap's centre is the probe (points spread through the cloud's hull) farthest from every
    code. The path runs from the code nearest to that centre, through the centre, to the code
    nearest to the mirror image of the first one: from one side of the gap to the other.
    """
    from scipy.spatial import cKDTree

    tree = cKDTree(codes)
    distance, _ = tree.query(probes)
    centre = probes[np.argmax(distance)]
    start = codes[tree.query(centre)[1]]
    end = codes[tree.query(2 * centre - start)[1]]
    return {
        "centre": centre,
        "radius": np.array(distance.max()),
        "path": linear_paths(start[None], end[None], points)[0],
    }


# The traversals of a 3-D code space, in the order figures and tables list them.
TRAVERSALS_3D = ("hull", "near_hull", "plane_upper", "plane_lower", "gap")


def outward(codes: np.ndarray, points: np.ndarray, fraction: float) -> np.ndarray:
    """``points`` moved away from the cloud's centre by ``fraction`` of their distance from it:
    for points on the hull, codes just outside the cloud (the source study's near-hull
    perturbations)."""
    centre = codes.mean(axis=0)
    return centre + (1.0 + fraction) * (points - centre)


def traversals_3d(codes: np.ndarray, factors: np.ndarray, explore: dict) -> dict[str, np.ndarray]:
    """The hull spline and its copy just outside the cloud, the two bounding-plane paths and the
    gap path of one code cloud (the names of ``TRAVERSALS_3D``), and ``hull_bins``, the bin
    points the hull spline was fitted to; with
    the ``exploration`` section of the config; factors are (N, 4) var_x, var_y, cor, df."""
    var_x, var_y = factors[:, 0], factors[:, 1]
    hull = explore["hull"]
    strip = hull_traversal(
        codes, var_x, var_y, threshold=hull["threshold"], bins=hull["bins"],
        smoothing=hull["smoothing"], points=hull["points"],
    )  # fmt: skip
    on_hull = strip["hull_path"]
    paths = {"hull": on_hull, "near_hull": outward(codes, on_hull, hull["outside"])}
    # The source study's two planes, on top of and under the cloud: here "up" is the cloud's
    # thinnest principal axis and each plane is walked along its widest axis, so no factor chooses
    # them; each walk stays inside the cloud's bounding boxes (no extrapolation).
    planes = bounding_planes(codes, explore["planes"]["cells"])
    for side in ("upper", "lower"):
        rows = planes[f"{side}_rows"]
        paths[f"plane_{side}"] = plane_path(
            codes[rows], planes[f"{side}_normal"], float(planes[f"{side}_offset"]),
            explore["planes"]["points"], within=codes,
        )  # fmt: skip
    gap = explore["gap"]
    probes = uniform_in_hull(codes, gap["probes"], gap["seed"])
    paths["gap"] = gap_path(codes, probes, gap["points"])["path"]
    paths["hull_bins"] = strip["bin_extremes"]  # the points the hull spline was fitted to
    return paths


def extreme_correlation_pair(factors: np.ndarray, rows: np.ndarray) -> tuple[int, int]:
    """Two of ``rows`` with matched scales (var_x == var_y, at the middle such scale) and the
    most negative and the most positive correlation: the ends of the source study's rotation of the
    ellipse from one diagonal to the other, which "spans the complete available values for the
    correlation" when ``rows`` are every image."""
    rows = np.asarray(rows)
    matched = rows[np.isclose(factors[rows, 0], factors[rows, 1])]
    if matched.size < 2:
        raise ValueError("no two rows with var_x == var_y; a correlation line needs them")
    scales = np.unique(factors[matched, 0])
    scale = scales[len(scales) // 2]
    candidates = matched[np.isclose(factors[matched, 0], scale)]
    cor = factors[candidates, 2]
    return int(candidates[np.argmin(cor)]), int(candidates[np.argmax(cor)])


def variance_swap_pair(factors: np.ndarray) -> tuple[int, int]:
    """Two rows at the same cor (the one nearest 0) where var_x and var_y swap their extremes:
    (largest var_x, smallest var_y) and (smallest var_x, largest var_y). The line between their
    codes is the source study's "horizontal" line, along which var_x turns into var_y at a fixed
    cor."""
    cor = factors[:, 2]
    fixed = np.isclose(cor, cor[np.argmin(np.abs(cor))])
    low, high = factors[:, 0].min(), factors[:, 0].max()
    ends = []
    for var_x, var_y in ((high, low), (low, high)):
        rows = np.flatnonzero(fixed & np.isclose(factors[:, 0], var_x)
                              & np.isclose(factors[:, 1], var_y))  # fmt: skip
        if rows.size == 0:
            raise ValueError(f"no image with var_x = {var_x:g}, var_y = {var_y:g} at one cor")
        ends.append(int(rows[0]))
    return ends[0], ends[1]


def rotation_path(codes: np.ndarray, points: int) -> np.ndarray:
    """A closed circle about the cloud's centre in the plane of its two leading principal axes,
    with the radius of the median code's distance from the centre in that plane."""
    centre = codes.mean(axis=0)
    axes = svd_axes(codes)
    radius = np.median(np.linalg.norm((codes - centre) @ axes[:2].T, axis=1))
    angle = np.linspace(0, 2 * np.pi, points, endpoint=False)
    return centre + radius * (np.outer(np.cos(angle), axes[0]) + np.outer(np.sin(angle), axes[1]))


def paths_of(
    codes: np.ndarray,
    factors: np.ndarray,
    is_test: np.ndarray,
    explore: dict,
    prior: bool = False,
) -> dict[str, np.ndarray]:
    """Every path of one run, as codes to decode (keys ending in ``_codes``), from the
    ``exploration`` section of the config: interpolations between the same random test pairs
    for every model, the two latent grids, a line between the test codes of extreme
    correlation at matched scales, a line along which var_x and var_y swap at a fixed cor, a
    rotation about the cloud's centre and, for 3-D codes, the hull, plane and gap paths
    (``prior``: the codes are a VAE's, whose quantile grid comes from its N(0, I) prior).
    Also ``pairs`` (the test rows joined) and ``grid_axes``."""
    line = explore["interpolation"]
    pairs = choose_pairs(np.flatnonzero(is_test), line["pairs"], line["seed"])
    grid = explore["latent_grid"]
    grids = latent_grids(codes, grid["size"], grid["low"], grid["high"], prior=prior)
    paths = {
        "pairs": pairs,
        "grid_axes": grids["axes"],
        "interpolation_codes": linear_paths(codes[pairs[:, 0]], codes[pairs[:, 1]], line["steps"]),
        "grid_uniform_codes": grids["uniform"],
        "grid_quantile_codes": grids["quantile"],
        "rotation_codes": rotation_path(codes, explore["trajectories"]["points"]),
    }
    # Its ends from every image, not the test rows alone: at one matched scale the test split
    # holds only a few correlations (two of the paper's 19 at its middle scale).
    low, high = extreme_correlation_pair(factors, np.arange(len(factors)))
    paths["correlation_line_rows"] = np.array([low, high])
    paths["correlation_line_codes"] = linear_paths(
        codes[[low]], codes[[high]], explore["trajectories"]["points"]
    )[0]
    first, last = variance_swap_pair(factors)
    paths["variance_line_rows"] = np.array([first, last])
    paths["variance_line_codes"] = linear_paths(
        codes[[first]], codes[[last]], explore["trajectories"]["points"]
    )[0]
    if codes.shape[1] == 3:  # the hull, plane and gap traversals are defined in 3-D
        found = traversals_3d(codes, factors, explore)
        for name in TRAVERSALS_3D:
            paths[f"{name}_codes"] = found[name]
        paths["hull_bins"] = found["hull_bins"]
    return paths
