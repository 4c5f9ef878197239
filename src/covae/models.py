"""The source study's convolutional encoder and decoder, and the VAE and AE built from them.

Backend-agnostic Keras 3: layers, ``keras.ops`` and ``keras.random`` only, and the losses in
an overridden ``compute_loss``, so TensorFlow (the default) or JAX run the same code.

Both models use one encoder trunk (Conv32, then three Conv + MaxPool blocks of 64, 128 and 64
filters, Dense 64) and one decoder (Dense 4*4*64, Reshape, ConvT 64 stride 1, ConvT 64 stride
3, ConvT 32 stride 3, ConvT 1 sigmoid). The VAE's encoder has a second head, ``z_log_var``.

Losses, per image, averaged over the batch:

* ``elbo`` (ours): binary cross-entropy summed over the 1,296 pixels plus ``beta`` times the
  KL divergence of N(z_mean, exp(z_log_var)) from N(0, I), summed over latent dimensions;
  codes are sampled as ``z_mean + exp(0.5 * z_log_var) * eps``.
* ``seed`` (ablation): what the source study did. It samples with ``exp(s) * eps``, treating the
  second head ``s`` as a log standard deviation, while its KL term treats ``s`` as a log
  variance and is averaged, not summed, over latent dimensions.

The AE minimizes the same reconstruction term, summed over pixels (``ae_loss: summed``) or,
as the source study's AE did, averaged over them (``ae_loss: mean``, 1/1,296 of the sum).

The summed cross-entropy has a floor: the targets' own binary entropy
(``covae.heatmaps.entropy_floor``),
about 443.6 nats per image on these heatmaps. Training progress is the excess over it.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from covae.names import MODELS

IMAGE_SHAPE = (36, 36, 1)
LOSSES = ("elbo", "seed")
# std = exp(LOG_STD_SCALE[loss] * second head): a log variance for the ELBO, while the seed
# study's sampling read the same head as a log standard deviation.
LOG_STD_SCALE = {"elbo": 0.5, "seed": 1.0}
AE_LOSSES = ("summed", "mean")
PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]


def build_encoder(latent_dim: int = 3, *, variational: bool = True) -> keras.Model:
    """Images (B, 36, 36, 1) to ``[z_mean, z_log_var]`` (VAE) or ``z_mean`` (AE)."""
    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    hidden = layers.Conv2D(32, 3, padding="same", activation="relu")(images)
    for filters in (64, 128, 64):
        hidden = layers.Conv2D(filters, 3, padding="same", activation="relu")(hidden)
        hidden = layers.MaxPooling2D(pool_size=2, strides=2)(hidden)
    hidden = layers.Dense(64, activation="relu")(layers.Flatten()(hidden))
    # Codes stay float32 under a mixed-precision policy: the loss and sampling need the range.
    z_mean = layers.Dense(latent_dim, name="z_mean", dtype="float32")(hidden)
    if not variational:
        return keras.Model(images, z_mean, name="ae_encoder")
    z_log_var = layers.Dense(latent_dim, name="z_log_var", dtype="float32")(hidden)
    return keras.Model(images, [z_mean, z_log_var], name="vae_encoder")


def build_decoder(latent_dim: int = 3) -> keras.Model:
    """Codes (B, latent_dim) to images (B, 36, 36, 1) in [0, 1]."""
    codes = keras.Input(shape=(latent_dim,), name="codes")
    hidden = layers.Dense(4 * 4 * 64, activation="relu")(codes)
    hidden = layers.Reshape((4, 4, 64))(hidden)
    for filters, strides in ((64, 1), (64, 3), (32, 3)):
        hidden = layers.Conv2DTranspose(
            filters, 3, strides=strides, padding="same", activation="relu"
        )(hidden)
    images = layers.Conv2DTranspose(1, 3, padding="same", activation="sigmoid", dtype="float32")(
        hidden
    )
    return keras.Model(codes, images, name="decoder")


def reconstruction_loss(images, reconstructions):
    """Binary cross-entropy summed over pixels, one value per image."""
    bce = ops.binary_crossentropy(images, reconstructions)
    return ops.sum(ops.reshape(bce, (ops.shape(bce)[0], -1)), axis=-1)


def kl_divergence(z_mean, z_log_var):
    """KL(N(z_mean, exp(z_log_var)) || N(0, I)) summed over latent dims, one value per image."""
    return -0.5 * ops.sum(1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)


def seed_kl_term(z_mean, z_second_head):
    """The source study's KL term: the log-variance formula averaged over latent dims."""
    return -0.5 * ops.mean(
        1.0 + z_second_head - ops.square(z_mean) - ops.exp(z_second_head), axis=-1
    )


def vae_loss(images, reconstructions, z_mean, z_log_var, *, beta: float = 1.0, kind="elbo"):
    """Mean over the batch of reconstruction + beta * KL (``kind`` as in the module doc)."""
    if kind == "elbo":
        regularizer = kl_divergence(z_mean, z_log_var)
    elif kind == "seed":
        regularizer = seed_kl_term(z_mean, z_log_var)
    else:
        raise ValueError(f"unknown loss {kind!r}; expected one of {LOSSES}")
    return ops.mean(reconstruction_loss(images, reconstructions) + beta * regularizer)


class Sampling(layers.Layer):
    """Draws ``z_mean + std * eps`` from a seeded generator (``std = exp(0.5 * z_log_var)``,
    or ``exp(z_log_var)`` for the source study's loss)."""

    def __init__(self, seed: int | None = None, kind: str = "elbo", **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.kind = kind
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, z_mean, z_log_var):
        eps = keras.random.normal(ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator)
        return z_mean + ops.exp(LOG_STD_SCALE[self.kind] * z_log_var) * eps

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "kind": self.kind}


class VAE(keras.Model):
    """Encoder, seeded sampling, decoder; the loss lives in ``compute_loss``."""

    def __init__(self, encoder, decoder, *, beta=1.0, loss="elbo", seed=None, **kwargs):
        super().__init__(**kwargs)
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {LOSSES}")
        self.encoder = encoder
        self.decoder = decoder
        self.beta = float(beta)
        self.loss_kind = loss
        self.sampling = Sampling(seed=seed, kind=loss)

    def call(self, images, training=False):
        z_mean, z_log_var = self.encoder(images, training=training)
        codes = self.sampling(z_mean, z_log_var)
        return self.decoder(codes, training=training), z_mean, z_log_var

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstructions, z_mean, z_log_var = y_pred
        return vae_loss(x, reconstructions, z_mean, z_log_var, beta=self.beta, kind=self.loss_kind)


class AE(keras.Model):
    """Encoder and decoder with the VAE's reconstruction loss (summed over pixels, or their
    mean with ``reduction="mean"``) and no regularizer."""

    def __init__(self, encoder, decoder, *, reduction="summed", **kwargs):
        super().__init__(**kwargs)
        if reduction not in AE_LOSSES:
            raise ValueError(f"unknown AE loss {reduction!r}; expected one of {AE_LOSSES}")
        self.encoder = encoder
        self.decoder = decoder
        self.reduction = reduction

    def call(self, images, training=False):
        return self.decoder(self.encoder(images, training=training), training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = ops.mean(reconstruction_loss(x, y_pred))
        return loss / PIXELS if self.reduction == "mean" else loss


def build(
    model: str,
    *,
    latent_dim: int = 3,
    beta: float = 1.0,
    loss: str = "elbo",
    ae_loss: str = "summed",
    seed=None,
) -> keras.Model:
    """A fresh ``vae`` or ``ae`` with its encoder and decoder as attributes (``loss`` is the
    VAE's, ``ae_loss`` the AE's reduction over pixels)."""
    if model == "vae":
        encoder = build_encoder(latent_dim, variational=True)
        return VAE(encoder, build_decoder(latent_dim), beta=beta, loss=loss, seed=seed, name="vae")
    if model == "ae":
        encoder = build_encoder(latent_dim, variational=False)
        return AE(encoder, build_decoder(latent_dim), reduction=ae_loss, name="ae")
    raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")
