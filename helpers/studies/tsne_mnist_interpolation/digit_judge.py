"""The digit judge (:class:`DigitJudge`): a classifier with a not-a-digit class that reads decoded images —
which digit, how confidently, and how far from the real digits — and the table of how it reads known sets."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import neighbors

from helpers import inference
from helpers.sample_quality import effective_count, feature_frechet_distance
from helpers.spread import share_and_error
from helpers.studies.tsne_mnist_interpolation.interpolation import image_blend_pairs
from helpers.studies.tsne_mnist_interpolation.mnist_data import MnistData, non_digit_images, random_pairs


def judge_table(judge: DigitJudge, data: MnistData, seed: int, n: int = 500) -> pd.DataFrame:
    """What the judge says of images whose answer is known: the test digits (accuracy, accepted share), and
    ``n`` images each of uniform noise, sparse dots and constant grey (:func:`non_digit_images`, drawn afresh
    with ``seed`` + 1: not the ones it was trained on) and of pixel blends ½(x_a + x_b) of two test digits with
    different labels, which a good judge should not call one digit. Accepted = confidence ≥ :data:`ACCEPTED`,
    with the binomial standard error."""
    rng = np.random.default_rng(seed + 1)
    noise = non_digit_images(3 * n, rng)
    pairs = random_pairs(data.y_test, n, rng)
    sets = {"test digits": data.x_test, "uniform noise": noise[0::3], "sparse dots": noise[1::3],
            "constant grey": noise[2::3], "blends of two different digits": image_blend_pairs(data.x_test, pairs)}
    rows = {}
    for name, images in sets.items():
        read = judge.readings(images)
        rows[name] = {"images": len(images), "accepted share": read["accepted share"], "± se": read["accepted se"],
                      "mean confidence": float(judge.confidence(images).mean())}
    rows["test digits"]["accuracy"] = float(np.mean(judge.predicted(data.x_test) == data.y_test))
    return pd.DataFrame(rows).T


class DigitJudge:
    """Scores how much images look like real digits (see the module docstring)."""

    def __init__(self, classifier, x_train: np.ndarray, x_reference: np.ndarray):
        self.classifier = classifier
        self.index = neighbors.NearestNeighbors(n_neighbors=1).fit(_flat(x_train))
        self.scale = float(np.median(self.index.kneighbors(_flat(x_reference))[0][:, 0]))
        self._feature_model = None

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        return inference.run(self.classifier, images)[0]

    def confidence(self, images: np.ndarray) -> np.ndarray:
        """Top softmax probability per image."""
        return self.probabilities(images).max(axis=1)

    def predicted(self, images: np.ndarray) -> np.ndarray:
        return self.probabilities(images).argmax(axis=1)

    def readings(self, images: np.ndarray) -> dict:
        """The share of ``images`` accepted as digits (confidence ≥ :data:`ACCEPTED`), its binomial standard
        error √(p(1 − p)/n), and how many different digits (0–10) the accepted images are read as."""
        probabilities = self.probabilities(images)
        accepted = probabilities.max(axis=1) >= ACCEPTED
        share, error = share_and_error(accepted)
        return {"accepted share": share, "accepted se": error,
                "digits": len(np.unique(probabilities.argmax(axis=1)[accepted]))}

    def features(self, images: np.ndarray) -> np.ndarray:
        """The classifier's penultimate layer (its Dense 128 units, after ReLU; dropout is inactive at inference)
        for each image: the space in which :meth:`frechet_distance` compares draws with real digits. A stand-in
        classifier without a Keras network may provide ``features`` itself."""
        network = getattr(self.classifier, "network", None)
        if network is None:  # a stand-in classifier
            return np.asarray(self.classifier.features(images), np.float64)
        if self._feature_model is None:
            import keras

            self._feature_model = keras.Model(network.inputs, network.layers[-3].output)
        return inference.run(self._feature_model, images)[0].astype(np.float64)

    def effective_digits(self, images: np.ndarray) -> float:
        """Diversity beside acceptance: the effective number of digits among ``images``, exp of the entropy of the
        judge's predicted labels (:func:`~helpers.sample_quality.effective_count`): 10 for ten equally common
        digits, 1 when every image reads as one digit."""
        return effective_count(self.predicted(images), 10)

    def frechet_distance(self, images: np.ndarray, real: np.ndarray) -> float:
        """Fidelity beside acceptance: the Fréchet distance between Gaussians fitted to the :meth:`features` of
        ``images`` and of the real digits ``real`` (:func:`~helpers.sample_quality.feature_frechet_distance`)."""
        return feature_frechet_distance(self.features(images), self.features(real))

    def distance_ratio(self, images: np.ndarray) -> np.ndarray:
        """Nearest-training-image distance / median for real test digits."""
        return self.index.kneighbors(_flat(images))[0][:, 0] / self.scale

    def table(self, rows: dict) -> pd.DataFrame:
        """Per named strip of images: confidence and distance ratio per step (columns t = …)."""
        frames = {}
        for name, images in rows.items():
            steps = np.linspace(0, 1, len(images))
            frames[(name, "confidence")] = pd.Series(self.confidence(images), index=steps)
            frames[(name, "distance ratio")] = pd.Series(self.distance_ratio(images), index=steps)
        table = pd.DataFrame(frames).T
        table.columns = [f"t={t:.2f}" for t in table.columns]
        return table


def _flat(images) -> np.ndarray:
    images = np.asarray(images, dtype=np.float32)
    return images.reshape(len(images), -1)


#
# The pictures every VAE tutorial shows, each with a number beside it: a decoded grid over a 2-D latent plane,
# samples decoded from each model's generator, and the ELBO with its importance-weighted tightenings.
#: The classifier accepts an image as a digit when its top softmax probability reaches this.
ACCEPTED = 0.9
