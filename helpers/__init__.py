"""Shared code for the VAE latent-space notebooks.

Importing this package first sets the TensorFlow environment (quiet logs, oneDNN on)
before TensorFlow itself is imported; see :mod:`helpers.env`.
"""

from helpers import env as _env  # noqa: F401  (side effect: environment before TF import)

__all__ = ["env"]
