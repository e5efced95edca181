"""Shared fixtures. Importing helpers first sets TensorFlow's environment."""

import helpers.env  # noqa: F401  (TensorFlow's environment before keras loads)
import keras
import numpy as np
import pytest

from helpers.notebook_parameters import notebook_defaults  # noqa: F401  (tests import it from here)


@pytest.fixture
def weight_folders(tmp_path):
    """(shipped, cache) folders for fit_or_load that live only for one test (see ``test_training.fit``)."""
    return tmp_path / "shipped", tmp_path / "cache"


def linear_decoder(matrix, bias):
    """A Keras decoder x = A z + b with the given weights (A is D×d)."""
    matrix = np.asarray(matrix, np.float32)
    z = keras.Input((matrix.shape[1],))
    dense = keras.layers.Dense(matrix.shape[0])
    model = keras.Model(z, dense(z))
    dense.set_weights([matrix.T, np.asarray(bias, np.float32)])
    return model
