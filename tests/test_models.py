"""The seed's architecture, the losses against known answers, and seeded training."""

from dataclasses import replace

import keras
import numpy as np
import pytest

from covae import heatmaps, models, training
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


TINY = replace(training.TrainSpec.from_config(SMOKE, "vae"), validation_fraction=0.25)


@pytest.fixture(scope="module")
def tiny_images():
    spec = heatmaps.DataSpec.from_config(SMOKE["data"])
    return heatmaps.make_dataset(spec, "gaussian")["images"][:192]


def _weights(model):
    return [np.asarray(w) for w in model.get_weights()]


@pytest.mark.parametrize("model_name", models.MODELS)
def test_same_seed_same_weights_and_codes_other_seed_different(tiny_images, model_name):
    first, history = training.fit(model_name, tiny_images, TINY, seed=3)
    again, _ = training.fit(model_name, tiny_images, TINY, seed=3)
    other, _ = training.fit(model_name, tiny_images, TINY, seed=4)
    for a, b in zip(_weights(first), _weights(again), strict=True):
        np.testing.assert_array_equal(a, b)
    pairs = zip(_weights(first), _weights(other), strict=True)
    assert any(not np.array_equal(a, b) for a, b in pairs)
    codes = training.encode(first.encoder, tiny_images, seed=3)
    codes_again = training.encode(again.encoder, tiny_images, seed=3)
    for name in codes:
        np.testing.assert_array_equal(codes[name], codes_again[name])
    assert list(history.columns) == ["epoch", "loss", "val_loss", "seconds", "kept"]
    assert history["kept"].sum() == 1
    assert history.loc[history["kept"], "val_loss"].item() == history["val_loss"].min()


def test_nan_loss_stops_training_with_a_clear_error(tiny_images, tmp_path):
    broken = tiny_images.copy()
    broken[5, 3, 3] = np.nan
    with pytest.raises(training.TrainingDiverged, match="NaN/inf .*learning_rate"):
        training.fit("vae", broken, TINY, seed=0)


def test_min_delta_stops_when_the_loss_falls_by_less_and_keeps_the_best_epoch(tiny_images):
    # No fall of the loss is that large, so the first epoch stays the best one and training
    # ends once `patience` epochs have passed without a qualifying fall.
    spec = replace(TINY, max_epochs=6, patience=2, min_delta=1e9)
    model, history = training.fit("ae", tiny_images, spec, seed=0)
    assert len(history) == 3
    assert history["kept"].tolist() == [True, False, False]
    # The weights returned are those of epoch 1: the same as a run that stops there.
    first, _ = training.fit("ae", tiny_images, replace(spec, max_epochs=1), seed=0)
    for a, b in zip(_weights(model), _weights(first), strict=True):
        np.testing.assert_array_equal(a, b)


def test_validation_rows_come_from_the_seed():
    a = training.validation_mask(1000, 0.1, seed=0)
    assert a.sum() == 100
    np.testing.assert_array_equal(a, training.validation_mask(1000, 0.1, seed=0))
    assert not np.array_equal(a, training.validation_mask(1000, 0.1, seed=1))


def test_saved_run_round_trips_and_leaves_no_partial_folder(tiny_images, tmp_path):
    model, history = training.fit("vae", tiny_images, TINY, seed=0)
    out = tmp_path / "vae" / "seed0"
    out.parent.mkdir()
    training.save_run(model, history, out)
    files = sorted(p.name for p in out.iterdir())
    assert files == ["decoder.keras", "encoder.keras", "history.csv"]
    assert [p.name for p in out.parent.iterdir()] == ["seed0"]
    encoder = keras.models.load_model(out / "encoder.keras")
    np.testing.assert_array_equal(
        training.encode(encoder, tiny_images, seed=0)["z_mean"],
        training.encode(model.encoder, tiny_images, seed=0)["z_mean"],
    )


class FixedHeadsEncoder(keras.Model):
    """An 'encoder' whose two heads are known constants."""

    def call(self, images):
        batch = keras.ops.shape(images)[0]
        return keras.ops.zeros((batch, 3)), keras.ops.full((batch, 3), np.log(4.0))


@pytest.mark.parametrize(("loss", "std"), [("elbo", 2.0), ("seed", 4.0)])
def test_sampled_codes_use_the_std_the_loss_trained_with(loss, std):
    images = np.zeros((20_000, 36, 36), dtype=np.float32)
    codes = training.encode(FixedHeadsEncoder(), images, seed=0, loss=loss, batch_size=5_000)
    np.testing.assert_allclose(codes["z_sample"].std(axis=0), std, rtol=0.03)
    np.testing.assert_array_equal(codes["z_mean"], 0.0)
