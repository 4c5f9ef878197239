"""Benchmarks that print numbers: ``python -m covae.bench {data,train,evaluate,realism}``.

``data`` builds both full data sets with the package (best of ``--repeat`` runs) and with a
per-image reference loop in the same run (one frozen scipy distribution per image, the way
the source study builds them), checks that both agree, and ends with ``ratio <reference/ours>``.

``train`` times epochs of our VAE and AE (``covae.models`` with ``compute_loss``) against a
plain functional Keras model of the same architecture and ``model.fit`` on the same images
(batch from the config), after one warm-up epoch each; then the VAE again under the
``mixed_bfloat16`` policy, with its loss beside the float32 one. It ends with
``ratio <ours/reference>`` (images/s of our VAE over the reference's).

``evaluate`` times every metric of one full-size run (``covae.evaluation``) on the Student-t
set, the costliest case (KNN on two code kinds, four factors). Without ``--latents`` the codes
are synthetic (factors mixed by a fixed rotation plus noise; the cost of the metrics does not
depend on how good the codes are); with ``--latents`` and ``--reconstructions`` a real run's
files are timed. It prints the time of each part and ends with ``ratio <budget/time>`` against
the 30 s budget of issue 4.

``converge`` trains one (data set, model) on seed 0 under the source study's exponential schedule
and under the config's warmup + cosine runs (``convergence`` section: lengths and batch sizes,
all at the study's peak rate), measures the test error after every epoch, and prints for each
cosine run the epochs it needs to reach the error the source study's schedule has after 25 epochs;
it ends with ``ratio <25 / fewest epochs>``. ``--table results/tables/convergence.csv`` reads the
committed convergence study instead of training (every data set and model; the ratio is the
smallest of them).
``--quick`` trains on a few hundred images with a target epoch of 4, for the tests.

``realism`` fits ``--images`` heatmaps of the Student-t set (the costlier fit: df is a fourth
parameter), made unlike the data by noise and a blur, and extrapolates to every image one run
decodes (test reconstructions from both code kinds, interpolations, two latent grids). It ends
with ``ratio <budget/time>`` against the 60 s budget of issue 5.
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

from covae import heatmaps, names


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
    factors = {name: spec.factors(name) for name in names.DATASETS}
    n_images = sum(len(f) for f in factors.values())
    ours, built = _best_of(
        repeat,
        lambda: {
            name: heatmaps.make_dataset(spec, name, threads=threads)["images"]
            for name in names.DATASETS
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
    print(f"data: ratio {ratio:.3g} (reference time / package time)")
    return ratio


def _images_per_second(model, x, batch_size: int, epochs: int) -> tuple[float, float]:
    """Best images/s over ``epochs`` timed epochs after one warm-up; and the last loss."""
    from covae.training import EpochLog

    timer = EpochLog(epochs + 1)
    history = model.fit(
        x, x, batch_size=batch_size, epochs=epochs + 1, verbose=0, shuffle=True, callbacks=[timer]
    )
    seconds = min(row["seconds"] for row in timer.rows[1:])
    return len(x) / seconds, float(history.history["loss"][-1])


def bench_train(
    spec: heatmaps.DataSpec, config: dict, n_images: int, epochs: int, threads: int
) -> float:
    import keras

    from covae import models

    factors = spec.factors("gaussian")
    rows = np.random.default_rng(0).choice(len(factors), size=n_images, replace=False)
    x = heatmaps.images(spec.axis, factors[rows], threads=threads)[..., None]
    batch = int(config["training"]["batch_size"])
    from covae.config import main_model

    latent = int(main_model(config)["latent_dim"])

    results = {}
    for name in ("reference", "vae", "ae", "vae_bf16"):
        keras.mixed_precision.set_global_policy(
            "mixed_bfloat16" if name.endswith("bf16") else "float32"
        )
        keras.utils.set_random_seed(0)
        if name == "reference":  # plain functional model, Keras' own loss
            images = keras.Input(shape=models.IMAGE_SHAPE)
            encoder = models.build_encoder(latent, variational=False)
            model = keras.Model(images, models.build_decoder(latent)(encoder(images)))
            model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
        else:  # ours: the loss is the model's compute_loss
            model = models.build(name.removesuffix("_bf16"), latent_dim=latent, seed=0)
            model.compile(optimizer=keras.optimizers.Adam(1e-3))
        results[name] = _images_per_second(model, x, batch, epochs)
        print(f"{name:10s}: {results[name][0]:7.1f} images/s  (loss after {epochs + 1} epochs "
              f"{results[name][1]:.4f})")  # fmt: skip
    keras.mixed_precision.set_global_policy("float32")
    bf16 = results["vae_bf16"][0] / results["vae"][0]
    print(f"mixed_bfloat16 / float32 VAE speed: {bf16:.2f}x; loss {results['vae_bf16'][1]:.2f} "
          f"vs {results['vae'][1]:.2f}")  # fmt: skip
    print(f"ae / reference: {results['ae'][0] / results['reference'][0]:.3f}")
    ratio = results["vae"][0] / results["reference"][0]
    print(f"train: ratio {ratio:.3f} (our VAE images/s / reference functional model images/s)")
    return ratio


EVALUATE_BUDGET_S = 30.0


def _synthetic_run(data: dict[str, np.ndarray], seed: int = 0) -> tuple[dict, dict]:
    """VAE-like codes and test reconstructions for ``data``: a rotated, noisy copy of the
    standardized factors, and the test images plus noise."""
    rng = np.random.default_rng(seed)
    factors = data["factors"][:, :3]
    standardized = (factors - factors.mean(0)) / factors.std(0)
    rotation = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    z_mean = (standardized @ rotation + 0.1 * rng.normal(size=factors.shape)).astype(np.float32)
    z_log_var = np.full_like(z_mean, -4.0)
    z_sample = z_mean + np.exp(0.5 * z_log_var) * rng.normal(size=z_mean.shape).astype(np.float32)
    latents = {"z_mean": z_mean, "z_log_var": z_log_var, "z_sample": z_sample}
    index = np.flatnonzero(data["is_test"])
    test = data["images"][index]
    reconstructions = {
        "index": index,
        "z_mean": test + 0.01 * rng.normal(size=test.shape).astype(np.float32),
        "z_sample": test + 0.02 * rng.normal(size=test.shape).astype(np.float32),
    }
    return latents, reconstructions


def bench_evaluate(
    spec: heatmaps.DataSpec, config: dict, latents: str | None, reconstructions: str | None
) -> float:
    from covae import evaluation, io

    data = heatmaps.make_dataset(spec, "student_t")
    if latents is None:
        codes, decoded = _synthetic_run(data)
        source = "synthetic codes"
    else:
        codes, decoded = io.load_arrays(latents), io.load_arrays(reconstructions)
        source = latents
    eval_spec = evaluation.EvalSpec.from_config(config)
    start = time.perf_counter()
    errors = evaluation.reconstruction_errors(data["images"], decoded)
    middle = time.perf_counter()
    evaluation.evaluate_run(data, codes, errors, eval_spec, seed=0)
    end = time.perf_counter()
    n = len(data["images"])
    print(f"evaluate  : student_t, {n} images ({int(data['is_test'].sum())} test), {source}")
    print(f"errors    : {middle - start:.3f} s")
    print(f"metrics   : {end - middle:.3f} s (KNN, R^2, MIG, DCI, density)")
    ratio = EVALUATE_BUDGET_S / (end - start)
    print(
        f"evaluate: {end - start:.2f} s; ratio {ratio:.1f} (budget {EVALUATE_BUDGET_S:g} s / time)"
    )
    return ratio


REALISM_BUDGET_S = 60.0


def decoded_per_run(config: dict, n_test: int) -> int:
    """Images one VAE run asks the realism fit for: a sample of both code kinds' test
    reconstructions, the interpolations and the two latent grids."""
    explore = config["exploration"]
    interpolation = explore["interpolation"]["pairs"] * explore["interpolation"]["steps"]
    reconstructions = 2 * min(explore["realism"]["sample"], n_test)
    return reconstructions + interpolation + 2 * explore["latent_grid"]["size"] ** 2


def bench_realism(spec: heatmaps.DataSpec, config: dict, count: int, threads: int) -> float:
    from scipy.ndimage import uniform_filter

    from covae import realism

    factors = spec.factors("student_t")
    rows = np.random.default_rng(0).choice(
        len(factors), size=min(count, len(factors)), replace=False
    )
    truth = heatmaps.images(spec.axis, factors[rows])
    noise = np.random.default_rng(1).normal(scale=0.02, size=truth.shape)
    images = uniform_filter(truth, size=(1, 3, 3)) + noise  # a decoder's blur and grain
    seconds, result = _best_of(
        1, lambda: realism.fit(spec.axis, images, fit_df=True, threads=threads)
    )
    per_image = seconds / len(images)
    n_test = round(len(factors) * spec.test_fraction)
    per_run = decoded_per_run(config, n_test)
    median = np.median(result["residual"])
    print(
        f"realism   : {len(images)} blurred noisy t heatmaps, {threads} threads: "
        f"{seconds:.2f} s, {1 / per_image:,.0f} images/s; median residual {median:.3f}"
    )
    print(f"one run   : {per_run} decoded images -> {per_run * per_image:.1f} s")
    ratio = REALISM_BUDGET_S / (per_run * per_image)
    print(f"realism: ratio {ratio:.1f} (budget {REALISM_BUDGET_S:g} s / estimated time of one run)")
    return ratio


def _print_speedup(summary, target_epoch: int) -> float:
    from covae import convergence

    for row in summary[summary["schedule"] == "cosine"].itertuples():
        needed = row.epochs_to_seed_target
        print(
            f"{row.dataset:9s} {row.model:3s} {row.run:18s}: "
            f"final error {row.test_error_z_mean:.3f}"
            f" (source study's schedule at epoch {target_epoch}: {row.seed_target:.3f});"
            + (
                f" reaches it after {int(needed)} epochs"
                if np.isfinite(needed)
                else " never reaches it"
            )
        )
    speed = convergence.speedup(summary, target_epoch)
    ratio = float(speed["ratio"].min()) if speed["ratio"].notna().all() else 0.0
    print(f"converge: ratio {ratio:.2f} (seed epochs {target_epoch} / fewest cosine epochs "
          f"reaching its error; worst of {len(speed)} data set x model)")  # fmt: skip
    return ratio


def bench_converge(config: dict, dataset: str, model: str, quick: bool, table: str | None) -> float:
    import pandas as pd

    from covae import convergence

    settings = config["convergence"]
    if table is not None:  # the committed study's numbers: no training, no Keras import
        summary = convergence.summarize(
            pd.read_csv(table), settings["tolerance"], settings.get("seed_bounds")
        )
        return _print_speedup(summary, convergence.SEED_TARGET_EPOCH)
    from covae import probes, protocol, training

    target = 4 if quick else convergence.SEED_TARGET_EPOCH
    data = heatmaps.make_dataset(heatmaps.DataSpec.from_config(config["data"]), dataset)
    images, is_test = data["images"], data["is_test"]
    if quick:  # a few hundred images, short runs: the mechanics, not the numbers
        keep = np.random.default_rng(0).choice(len(images), size=400, replace=False)
        images, is_test = images[keep], is_test[keep]
    peak = float(config["training"]["schedule"][model].get("peak", 1e-3))
    if quick:  # the source study's schedule and two cosine lengths at the study's batch size
        batch = config["training"]["batch_size"]
        runs = [f"exponential{target}_b{batch}", f"cosine2_b{batch}", f"cosine3_b{batch}"]
    else:  # the convergence study's runs, at the study's peak rate for every batch size
        seed = convergence.parse_name(convergence.schedule_names(settings)[0])
        runs = [f"exponential{target}_b{seed.batch}"] + convergence.schedule_names(settings)[1:]
    curves = []
    for run in runs:
        section = convergence.training_section(run, model, settings, config["training"], peak)
        spec = protocol.TrainSpec.from_config(
            {"model": config["model"], "training": section}, model, dataset
        )
        callback = probes.TestError(images[is_test], 0, spec.loss)
        start = time.perf_counter()
        _, history = training.fit(model, images[~is_test], spec, 0, callbacks=[callback])
        seconds = time.perf_counter() - start
        print(f"{run:18s}: {len(history)} epochs in {seconds:.0f} s, final error "
              f"{history['test_error_z_mean'].iloc[-1]:.3f}")  # fmt: skip
        curves.append(
            history.assign(dataset=dataset, model=model, run=run, peak=spec.schedule.peak)
        )
    summary = convergence.summarize(pd.concat(curves), settings["tolerance"], target_epoch=target)
    return _print_speedup(summary, target)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m covae.bench", description=__doc__)
    parser.add_argument(
        "what",
        choices=["data", "train", "evaluate", "realism", "converge"],
        help="which benchmark to run",
    )
    parser.add_argument("--config", default="config/config.yaml", help="config file to read")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the package")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument(
        "--images",
        type=int,
        default=None,
        help="train: images per epoch (2048); realism: fitted (500)",
    )
    parser.add_argument("--epochs", type=int, default=2, help="train: timed epochs")
    parser.add_argument("--latents", help="evaluate: a run's results/latents/student_t/... file")
    parser.add_argument("--reconstructions", help="evaluate: the same run's reconstructions")
    parser.add_argument("--dataset", default="gaussian", help="converge: the data set")
    parser.add_argument("--model", default="vae", help="converge: the model")
    parser.add_argument("--quick", action="store_true", help="converge: tiny, for the tests")
    parser.add_argument("--table", help="converge: a committed results/tables/convergence.csv")
    args = parser.parse_args(argv)
    with open(args.config) as handle:
        config = yaml.safe_load(handle)
    spec = heatmaps.DataSpec.from_config(config["data"])
    if args.what == "data":
        bench_data(spec, args.repeat, args.threads)
    elif args.what == "evaluate":
        if (args.latents is None) != (args.reconstructions is None):
            parser.error("--latents and --reconstructions go together")
        bench_evaluate(spec, config, args.latents, args.reconstructions)
    elif args.what == "converge":
        bench_converge(config, args.dataset, args.model, args.quick, args.table)
    elif args.what == "realism":
        bench_realism(spec, config, args.images or 500, args.threads)
    else:
        bench_train(spec, config, args.images or 2048, args.epochs, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
