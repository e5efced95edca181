"""Image blends, latent interpolation/arithmetic on a linear toy model, and the digit judge."""

import numpy as np
import pytest

from helpers.studies.tsne_mnist_interpolation import digit_judge, interpolation, mnist_data


class LinearDecoder:
    """g(z) = z Wᵀ with orthonormal columns, so the encoder f(x) = x W inverts it on its range."""

    def __init__(self, latent=3, out=8, seed=0):
        q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(out, latent)))
        self.w = q.astype(np.float64)

    def predict(self, z, batch_size=None, verbose=0):
        return (np.asarray(z, np.float64) @ self.w.T).astype(np.float32)

    def encode(self, x):
        return np.asarray(x, np.float64) @ self.w


class FixedClassifier:
    """Softmax-like outputs: confident (0.9) for images whose mean is below 0.5, else 0.5."""

    def predict(self, images, batch_size=None, verbose=0):
        mean = np.asarray(images).reshape(len(images), -1).mean(axis=1)
        top = np.where(mean < 0.5, 0.9, 0.5)
        return np.stack([top, 1 - top], axis=1)


def test_image_blend_endpoints_and_midpoint():
    a, b = np.zeros((4, 4, 1)), np.ones((4, 4, 1))
    blend = interpolation.image_blend(a, b, 5)
    assert blend.shape == (5, 4, 4, 1)
    np.testing.assert_array_equal(blend[0], a)
    np.testing.assert_array_equal(blend[-1], b)
    np.testing.assert_allclose(blend[2], 0.5)


def test_latent_interpolation_endpoints_decode_the_inputs():
    decoder = LinearDecoder()
    x_a, x_b = decoder.predict(np.array([[1.0, 0, 0], [0, 2.0, -1]]))
    z_a, z_b = decoder.encode([x_a, x_b])
    strip = interpolation.latent_interpolation(decoder, z_a, z_b, 7)
    assert strip.shape == (7, 8)
    np.testing.assert_allclose(strip[0], x_a, atol=1e-6)
    np.testing.assert_allclose(strip[-1], x_b, atol=1e-6)
    # a linear decoder makes latent interpolation equal to the pixel blend
    np.testing.assert_allclose(strip, interpolation.image_blend(x_a, x_b, 7), atol=1e-6)


def test_latent_arithmetic_on_linear_model_equals_pixel_arithmetic():
    decoder = LinearDecoder(seed=2)
    x = decoder.predict(np.random.default_rng(3).normal(size=(3, 3)))
    codes = interpolation.latent_arithmetic(*decoder.encode(x))
    assert list(codes) == ["A", "B", "C", "A + B", "A + B − C"]
    decoded = interpolation.decode_named(decoder, codes)
    np.testing.assert_allclose(decoded["A + B − C"], x[0] + x[1] - x[2], atol=1e-5)
    np.testing.assert_allclose(decoded["A"], x[0], atol=1e-5)


def test_random_pairs_have_different_labels():
    labels = np.array([0, 0, 0, 1, 2])
    pairs = mnist_data.random_pairs(labels, 50, np.random.default_rng(0))
    assert pairs.shape == (50, 2)
    assert np.all(labels[pairs[:, 0]] != labels[pairs[:, 1]])


def test_digit_judge_scores():
    train = np.zeros((5, 2, 2))
    train[:, 0, 0] = np.arange(5)  # distances between training images: 1
    reference = train + np.array([[0.0, 0.5], [0, 0]])  # each 0.5 from a training image
    judge = digit_judge.DigitJudge(FixedClassifier(), train, reference)
    assert judge.scale == pytest.approx(0.5)
    np.testing.assert_allclose(judge.distance_ratio(train), 0.0)
    far = train[:1].copy()
    far[0, 1, 1] = 2.0  # distance 2 from the nearest training image → ratio 4
    assert judge.distance_ratio(far)[0] == pytest.approx(4.0)
    np.testing.assert_allclose(judge.confidence(np.zeros((2, 2, 2))), 0.9)
    table = judge.table({"strip": np.zeros((3, 2, 2))})
    assert list(table.columns) == ["t=0.00", "t=0.50", "t=1.00"]


def test_pair_means_has_a_row_per_source():
    decoder = LinearDecoder(latent=3, out=4)
    images = decoder.predict(np.random.default_rng(0).normal(size=(6, 3)) * 0.1)
    labels = np.array([0, 1, 0, 1, 0, 1])
    judge = digit_judge.DigitJudge(FixedClassifier(), images, images + 0.01)
    pairs = mnist_data.random_pairs(labels, 4, np.random.default_rng(0))
    scores = interpolation.interpolation_scores(judge, images, {"lin": decoder.encode(images)}, {"lin": decoder},
                                                pairs, 5)
    study = interpolation.pair_means(scores)
    assert list(study.index) == ["pixel blend", "lin latent"]
    # linear model: latent interpolation is the pixel blend, so both rows agree
    np.testing.assert_allclose(study.loc["pixel blend"].to_numpy(), study.loc["lin latent"].to_numpy(), atol=1e-5)


def test_pixel_arithmetic_clips_to_unit_range():
    a, b, c = np.full((2, 2), 0.8), np.full((2, 2), 0.6), np.full((2, 2), 0.1)
    result = interpolation.pixel_arithmetic(a, b, c)
    assert list(result) == ["A", "B", "C", "A + B", "A + B − C"]
    np.testing.assert_allclose(result["A + B"], 1.0)
    np.testing.assert_allclose(result["A + B − C"], 1.0)
    np.testing.assert_allclose(interpolation.pixel_arithmetic(c, c, a)["A + B − C"], 0.0)
