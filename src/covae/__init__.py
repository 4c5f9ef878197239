"""covae: the latent spaces of a convolutional VAE and a plain autoencoder, compared on
heatmaps of bivariate Gaussian and Student-t densities whose generating factors are known."""

__version__ = "0.1.0"
