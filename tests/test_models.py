"""The seed's architecture, the losses against known answers, and seeded training."""

from dataclasses import replace

import keras
import numpy as np
import pandas as pd
import pytest

from covae import heatmaps, inference, io, models, probes, protocol, training
from tests.conftest import load_config

PAPER = heatmaps.DataSpec.from_config(load_config("config.yaml")["data"])
SMOKE = load_config("smoke.yaml")


def test_parameter_counts_match_the_seed_study():
    assert models.build_encoder(3, variational=True).count_params() == 232_454
    assert models.build_encoder(3, variational=False).count_params() == 232_259
    assert models.build_decoder(3).count_params() == 96_705


@pytest.mark.parametrize("latent_dim", [3, 8])
def test_output_shapes(latent_dim):
    images = np.zeros((5, 36, 36, 1), dtype=np.float32)
    z_mean, z_log_var = models.build_encoder(latent_dim)(images)
    assert z_mean.shape == z_log_var.shape == (5, latent_dim)
    assert models.build_encoder(latent_dim, variational=False)(images).shape == (5, latent_dim)
    decoded = keras.ops.convert_to_numpy(models.build_decoder(latent_dim)(z_mean))
    assert decoded.shape == (5, 36, 36, 1)
    assert ((decoded >= 0) & (decoded <= 1)).all()
    vae = models.build("vae", latent_dim=latent_dim, seed=0)
    reconstructions, mean, log_var = vae(images)
    assert reconstructions.shape == (5, 36, 36, 1) and mean.shape == (5, latent_dim)


def test_kl_is_zero_at_the_prior_and_positive_elsewhere():
    zeros = np.zeros((4, 3), dtype=np.float32)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(models.kl_divergence(zeros, zeros)), 0)
    rng = np.random.default_rng(0)
    mean = rng.normal(size=(100, 3)).astype(np.float32)
    log_var = rng.normal(size=(100, 3)).astype(np.float32)
    assert (keras.ops.convert_to_numpy(models.kl_divergence(mean, log_var)) > 0).all()
    # closed form for one dimension: 0.5 * (mu^2 + sigma^2 - 1 - log sigma^2)
    expected = 0.5 * (mean**2 + np.exp(log_var) - 1 - log_var).sum(axis=1)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(models.kl_divergence(mean, log_var)), expected, rtol=1e-5
    )


def test_vae_loss_of_a_perfect_reconstruction_is_the_bce_floor():
    factors = PAPER.factors("student_t")[::1000]
    images = heatmaps.images(PAPER.axis, factors)[..., None]
    zeros = np.zeros((len(images), 3), dtype=np.float32)
    loss = float(models.vae_loss(images, images, zeros, zeros))
    p = np.clip(images.astype(np.float64), 1e-7, 1 - 1e-7)
    entropy = -(images * np.log(p) + (1 - images) * np.log(1 - p))  # the binary entropy
    floor = entropy.reshape(len(images), -1).sum(axis=1).mean()
    np.testing.assert_allclose(loss, floor, rtol=1e-4)
    worse = float(models.vae_loss(images, np.clip(images * 0.9, 0, 1), zeros, zeros))
    assert worse > loss


def test_seed_loss_averages_the_kl_over_latent_dims():
    rng = np.random.default_rng(1)
    images = rng.random((8, 36, 36, 1)).astype(np.float32)
    mean, log_var = (rng.normal(size=(8, 3)).astype(np.float32) for _ in range(2))
    elbo = float(models.vae_loss(images, images, mean, log_var, kind="elbo"))
    seed = float(models.vae_loss(images, images, mean, log_var, kind="seed"))
    kl = float(keras.ops.mean(models.kl_divergence(mean, log_var)))
    np.testing.assert_allclose(elbo - seed, kl - kl / 3, rtol=1e-4)
    with pytest.raises(ValueError, match="unknown loss"):
        models.vae_loss(images, images, mean, log_var, kind="iwae")


TINY = replace(protocol.TrainSpec.from_config(SMOKE, "vae", "gaussian"), validation_fraction=0.25)


def _spec(schedule: dict, **changes) -> protocol.TrainSpec:
    """TINY with another ``training.schedule`` entry (and other fields changed)."""
    return replace(TINY, schedule=protocol.Schedule.from_config(schedule, "gaussian"), **changes)


@pytest.fixture(scope="module")
def tiny_images():
    spec = heatmaps.DataSpec.from_config(SMOKE["data"])
    return heatmaps.make_dataset(spec, "gaussian")["images"][:192]


def _weights(model):
    return [np.asarray(w) for w in model.get_weights()]


@pytest.mark.slow
@pytest.mark.parametrize("model_name", models.MODELS)
def test_same_seed_same_weights_and_codes_other_seed_different(tiny_images, model_name):
    first, history = training.fit(model_name, tiny_images, TINY, seed=3)
    again, _ = training.fit(model_name, tiny_images, TINY, seed=3)
    other, _ = training.fit(model_name, tiny_images, TINY, seed=4)
    for a, b in zip(_weights(first), _weights(again), strict=True):
        np.testing.assert_array_equal(a, b)
    pairs = zip(_weights(first), _weights(other), strict=True)
    assert any(not np.array_equal(a, b) for a, b in pairs)
    codes = inference.encode(first.encoder, tiny_images, seed=3)
    codes_again = inference.encode(again.encoder, tiny_images, seed=3)
    for name in codes:
        np.testing.assert_array_equal(codes[name], codes_again[name])
    assert list(history.columns) == [*training.HISTORY_COLUMNS, "kept"]
    assert history["kept"].sum() == 1
    assert history.loc[history["kept"], "val_loss"].item() == history["val_loss"].min()
    # The excess is the loss over the entropy floor of the same rows: the two differ by one
    # constant per split.
    held_out = training.validation_mask(len(tiny_images), TINY.validation_fraction, 3)
    floor = heatmaps.entropy_floor(tiny_images[held_out]).mean()
    np.testing.assert_allclose(history["val_loss"] - history["val_excess"], floor, rtol=1e-6)


def test_nan_loss_stops_training_with_a_clear_error(tiny_images, tmp_path):
    broken = tiny_images.copy()
    broken[5, 3, 3] = np.nan
    with pytest.raises(training.TrainingDiverged, match="NaN/inf .*training.schedule.vae"):
        training.fit("vae", broken, TINY, seed=0)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's tracing")
def test_training_and_the_range_test_trace_their_step_once(tiny_images, monkeypatch):
    # Keras runs train_step's Python code only when TensorFlow traces the step.
    traces = []
    step = keras.Model.train_step
    monkeypatch.setattr(
        keras.Model, "train_step", lambda m, data: traces.append(1) or step(m, data)
    )
    one_epoch = _spec({"kind": "constant", "rate": 1e-3, "epochs": 1})
    training.fit("ae", tiny_images[:32], one_epoch, seed=0)
    assert len(traces) == 1
    traces.clear()
    probes.lr_range_test("ae", tiny_images[:32], one_epoch, 0, low=1e-4, high=1e-3, steps=2)
    assert len(traces) == 1
    # The oracle: Adam's state left to the first step is created inside its trace, and
    # TensorFlow traces that step a second time.
    traces.clear()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    x = np.ones((8, 4), dtype=np.float32)
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    assert len(traces) == 2


class _Snapshots(keras.callbacks.Callback):
    """The model's weights after every epoch."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(_weights(self.model))


def test_guard_stops_a_run_that_stopped_improving_and_keeps_the_best_epoch(tiny_images):
    # A constant rate far too high for this model: the validation excess jumps after the
    # first epochs and never comes back, so the guard ends the run `patience` epochs after
    # its best one and restores that epoch's weights.
    spec = _spec({"kind": "constant", "rate": 1.0, "epochs": 12}, patience=2)
    snapshots = _Snapshots()
    model, history = training.fit("ae", tiny_images, spec, seed=0, callbacks=[snapshots])
    best = int(history["val_excess"].to_numpy().argmin())
    assert len(history) == best + 1 + 2 < 12
    assert history["kept"].tolist() == [n == best for n in range(len(history))]
    assert len(snapshots.weights) == len(history)
    for a, b in zip(_weights(model), snapshots.weights[best], strict=True):
        np.testing.assert_array_equal(a, b)
    last = snapshots.weights[-1]
    assert any(not np.array_equal(a, b) for a, b in zip(_weights(model), last, strict=True))


def _feed(stopper, val_excess):
    """Epochs run before ``stopper`` ends training on a synthetic validation history."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.stop_training = False
    stopper.set_model(model)
    stopper.on_train_begin()
    for epoch, value in enumerate(val_excess):
        stopper.on_epoch_end(epoch, {"val_excess": value})
        if model.stop_training:
            return epoch + 1
    return len(val_excess)


def test_guard_never_stops_a_model_whose_validation_loss_still_falls():
    # Falls of 0.01 nats per epoch on a loss of ~445: what min_delta 1.0 took for "converged".
    still_learning = 5.0 - 0.01 * np.arange(30)
    assert _feed(training.guard(patience=2), still_learning) == 30
    # The oracle's other side: a plateau after epoch 5 ends the run two epochs later.
    plateau = np.r_[5.0 - np.arange(5), np.full(25, 1.5)]
    assert _feed(training.guard(patience=2), plateau) == 7
    # ... which the old rule also did to the model that was still learning.
    old = keras.callbacks.EarlyStopping(monitor="val_excess", mode="min", patience=2, min_delta=1.0)
    assert _feed(old, still_learning) == 3


def test_cosine_schedule_warms_up_to_the_peak_and_decays_to_zero():
    schedule = protocol.Schedule.from_config(
        {"kind": "cosine", "peak": 3e-3, "warmup_epochs": 1, "epochs": 10}, "gaussian"
    )
    rate = training.learning_rate(schedule, 100)
    value = lambda step: float(keras.ops.convert_to_numpy(rate(step)))  # noqa: E731
    assert value(0) == 0.0
    np.testing.assert_allclose(value(50), 1.5e-3, rtol=1e-6)  # half way up the warmup
    np.testing.assert_allclose(value(100), 3e-3, rtol=1e-6)  # the peak at the warmup's end
    np.testing.assert_allclose(value(550), 1.5e-3, rtol=1e-5)  # half way down the cosine
    assert value(999) < 1e-7 and value(1000) == 0.0
    rates = [value(step) for step in range(100, 1001, 50)]
    assert all(a > b for a, b in zip(rates, rates[1:], strict=False))


def test_exponential_schedule_is_the_seed_formula_and_epochs_may_differ_per_data_set():
    entry = {
        "kind": "exponential", "initial": 1e-3, "decay_steps": 30, "decay_rate": 0.99,
        "epochs": {"gaussian": 30, "student_t": 40},
    }  # fmt: skip
    schedule = protocol.Schedule.from_config(entry, "gaussian")
    assert schedule.epochs == 30
    assert protocol.Schedule.from_config(entry, "student_t").epochs == 40
    rate = training.learning_rate(schedule, 149)
    for step in (0, 1, 29, 30, 4470):
        expected = 1e-3 * 0.99 ** (step / 30)
        np.testing.assert_allclose(
            float(keras.ops.convert_to_numpy(rate(step))), expected, rtol=1e-5
        )
    constant = protocol.Schedule.from_config({"kind": "constant", "rate": 1e-3, "epochs": 25}, "t")
    assert training.learning_rate(constant, 149) == 1e-3 and constant.epochs == 25


def test_seed_protocol_trains_the_ae_at_a_constant_rate_on_the_mean_cross_entropy(tiny_images):
    config = load_config("config.yaml")
    override = load_config("seed_protocol.yaml")
    for section in ("model", "training"):
        config[section] = {**config[section], **override[section]}
    vae = protocol.TrainSpec.from_config(config, "vae", "student_t")
    assert (vae.loss, vae.schedule.kind, vae.epochs, vae.patience) == (
        "seed",
        "exponential",
        40,
        None,
    )
    assert protocol.TrainSpec.from_config(config, "vae", "gaussian").epochs == 30
    ae = protocol.TrainSpec.from_config(config, "ae", "gaussian")
    assert (ae.ae_loss, ae.schedule.kind, ae.schedule.peak, ae.epochs) == (
        "mean",
        "constant",
        1e-3,
        25,
    )
    model, history = training.fit(
        "ae", tiny_images, replace(ae, schedule=replace(ae.schedule, epochs=2)), seed=0
    )
    # The optimizer's rate is the same number after training as before.
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(1e-3)
    assert history["learning_rate"].tolist() == pytest.approx([1e-3, 1e-3])
    # The loss on a known input is the mean binary cross-entropy over pixels, 1/1,296 of the sum.
    x = tiny_images[:4, ..., None]
    reconstructions = np.full_like(x, 0.5)
    mean_loss = float(model.compute_loss(x=x, y_pred=reconstructions))
    np.testing.assert_allclose(mean_loss, np.log(2), rtol=1e-5)
    summed = models.build("ae", ae_loss="summed")
    np.testing.assert_allclose(
        float(summed.compute_loss(x=x, y_pred=reconstructions)), 1296 * np.log(2), rtol=1e-5
    )
    # Its excess is still reported in nats per image.
    assert history["val_excess"].iloc[-1] > 1


def test_entropy_floor_is_the_loss_of_a_perfect_reconstruction():
    factors = PAPER.factors("gaussian")[::500]
    images = heatmaps.images(PAPER.axis, factors)
    floor = heatmaps.entropy_floor(images)
    loss = keras.ops.convert_to_numpy(
        models.reconstruction_loss(images[..., None], images[..., None])
    )
    np.testing.assert_allclose(floor, loss, rtol=1e-4)
    assert (floor > 0).all()
    # On the paper's data: ~444 nats per training image and ~442.4 per test image (issue 12).
    data = heatmaps.make_dataset(PAPER, "gaussian", threads=2)
    test_floor = heatmaps.entropy_floor(data["images"][data["is_test"]]).mean()
    np.testing.assert_allclose(test_floor, 442.4, atol=0.05)
    np.testing.assert_allclose(
        heatmaps.entropy_floor(data["images"][~data["is_test"]]).mean(), 444.0, atol=0.5
    )


def test_range_test_suggests_a_fraction_of_the_rate_of_least_loss():
    rates = np.geomspace(1e-5, 1e-1, 200)
    # A loss that falls until 1e-2 and rises after it.
    excess = 100 * (np.log10(rates) + 2) ** 2 + 10
    test = pd.DataFrame({"learning_rate": rates, "excess": excess})
    smoothed_min = rates[int(np.argmin(probes.smooth(excess)))]
    assert probes.suggest_rate(test, divisor=3) == pytest.approx(smoothed_min / 3)
    assert 5e-3 < smoothed_min <= 2e-2  # the smoothing lags the minimum a little, no more


def test_range_test_records_every_batch_and_stops_once_training_diverges(tiny_images):
    spec = replace(TINY, batch_size=16)
    test = probes.lr_range_test("ae", tiny_images, spec, 0, low=1e-4, high=1e5, steps=80)
    assert list(test.columns) == ["step", "learning_rate", "excess"]
    assert test["learning_rate"].iloc[0] == pytest.approx(1e-4)
    # The rate climbs far past divergence, so the test stops before its last step: after 40-42
    # of the 80 steps (rates 3-5) with TensorFlow's oneDNN or Eigen kernels. Where it stops turns
    # on round-off: up to a rate of 1,000 in 60 steps, it stopped after 30-37 steps with oneDNN
    # and after 54 (a rate of 194) with Eigen.
    assert len(test) < 80
    smoothed = probes.smooth(test["excess"].to_numpy())
    assert smoothed[-1] > 4 * smoothed.min() or not np.isfinite(test["excess"].iloc[-1])


def test_validation_rows_come_from_the_seed():
    a = training.validation_mask(1000, 0.1, seed=0)
    assert a.sum() == 100
    np.testing.assert_array_equal(a, training.validation_mask(1000, 0.1, seed=0))
    assert not np.array_equal(a, training.validation_mask(1000, 0.1, seed=1))


def test_saved_run_round_trips_and_leaves_no_partial_folder(tiny_images, tmp_path):
    model, history = training.fit("vae", tiny_images, TINY, seed=0)
    out = tmp_path / "vae" / "seed0"
    with pytest.raises(RuntimeError), io.atomic_folder(out) as partial:
        training.save_run(model, history, partial)
        raise RuntimeError("killed before the run was whole")
    assert not out.parent.exists() or list(out.parent.iterdir()) == []
    with io.atomic_folder(out) as partial:
        training.save_run(model, history, partial)
    files = sorted(p.name for p in out.iterdir())
    assert files == ["decoder.keras", "encoder.keras", "history.csv"]
    assert [p.name for p in out.parent.iterdir()] == ["seed0"]
    encoder = keras.models.load_model(out / "encoder.keras")
    np.testing.assert_array_equal(
        inference.encode(encoder, tiny_images, seed=0)["z_mean"],
        inference.encode(model.encoder, tiny_images, seed=0)["z_mean"],
    )


class FixedHeadsEncoder(keras.Model):
    """An 'encoder' whose two heads are known constants."""

    def call(self, images):
        batch = keras.ops.shape(images)[0]
        return keras.ops.zeros((batch, 3)), keras.ops.full((batch, 3), np.log(4.0))


@pytest.mark.parametrize(("loss", "std"), [("elbo", 2.0), ("seed", 4.0)])
def test_sampled_codes_use_the_std_the_loss_trained_with(loss, std):
    images = np.zeros((20_000, 36, 36), dtype=np.float32)
    codes = inference.encode(FixedHeadsEncoder(), images, seed=0, loss=loss, batch_size=5_000)
    np.testing.assert_allclose(codes["z_sample"].std(axis=0), std, rtol=0.03)
    np.testing.assert_array_equal(codes["z_mean"], 0.0)
