"""Benchmarks that print numbers: ``python -m covae.bench data [--config PATH]``.

``data`` builds both full data sets with the package (best of ``--repeat`` runs) and with a
per-image reference loop in the same run (one frozen scipy distribution per image, the way
the seed study builds them), checks that both agree, and ends with ``ratio <reference/ours>``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np
import yaml
from scipy import stats

from covae import heatmaps


def _best_of(repeat: int, build: Callable[[], object]) -> tuple[float, object]:
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = build()
        best = min(best, time.perf_counter() - start)
    return best, result


def reference_images(axis: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """One scipy distribution per image, evaluated on the grid and max-normalized."""
    x, y = np.meshgrid(axis, axis, indexing="ij")
    points = np.dstack([x, y])
    out = np.empty((len(factors), axis.size, axis.size), dtype=np.float32)
    for n, (var_x, var_y, cor, df) in enumerate(factors):
        scale = heatmaps.scale_matrices(var_x, var_y, cor)
        if np.isinf(df):
            pdf = stats.multivariate_normal(mean=np.zeros(2), cov=scale).pdf(points)
        else:
            pdf = stats.multivariate_t(loc=np.zeros(2), shape=scale, df=df).pdf(points)
        out[n] = pdf / pdf.max()
    return out


def bench_data(spec: heatmaps.DataSpec, repeat: int, threads: int) -> float:
    factors = {name: spec.factors(name) for name in heatmaps.DATASETS}
    n_images = sum(len(f) for f in factors.values())
    ours, built = _best_of(
        repeat,
        lambda: {
            name: heatmaps.make_dataset(spec, name, threads=threads)["images"]
            for name in heatmaps.DATASETS
        },
    )
    print(
        f"package   : both sets, {n_images} images, {threads} threads: {ours:.3f} s "
        f"(best of {repeat}), {n_images / ours:,.0f} images/s"
    )
    reference, ref_images = _best_of(
        1, lambda: {name: reference_images(spec.axis, factors[name]) for name in factors}
    )
    print(
        f"reference : per-image scipy loop, {n_images} images: {reference:.3f} s, "
        f"{n_images / reference:,.0f} images/s"
    )
    worst = max(np.abs(built[name] - ref_images[name]).max() for name in factors)
    print(f"max |package - reference| pixel difference: {worst:.2e}")
    ratio = reference / ours
    print(f"data: ratio {ratio:.1f} (reference time / package time)")
    return ratio


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m covae.bench", description=__doc__)
    parser.add_argument("what", choices=["data"], help="which benchmark to run")
    parser.add_argument("--config", default="config/config.yaml", help="config file to read")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the package")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args(argv)
    with open(args.config) as handle:
        config = yaml.safe_load(handle)
    spec = heatmaps.DataSpec.from_config(config["data"])
    if args.what == "data":
        bench_data(spec, args.repeat, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
