"""Diversity and fidelity of generated samples (helpers.sample_quality): known answers and closed forms."""

import numpy as np
import pytest

from helpers.sample_quality import effective_count, feature_frechet_distance, frechet_distance


@pytest.mark.parametrize("k", [1, 2, 7, 10])
def test_uniform_labels_over_k_classes_count_k(k):
    assert effective_count(np.repeat(np.arange(k), 13), classes=10) == pytest.approx(k)


def test_effective_count_is_exp_of_the_entropy_and_ignores_empty_classes():
    labels = np.array([0] * 6 + [3] * 3 + [9] * 1)
    shares = np.array([0.6, 0.3, 0.1])
    assert effective_count(labels, 10) == pytest.approx(np.exp(-(shares * np.log(shares)).sum()))
    assert 1 < effective_count(labels) < 3
    with pytest.raises(ValueError):
        effective_count([])


def test_identical_gaussians_are_at_distance_zero():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 6))
    cov = a @ a.T + np.eye(6)
    assert frechet_distance(np.ones(6), cov, np.ones(6), cov) == pytest.approx(0.0, abs=1e-6)


def test_two_gaussians_match_the_closed_form():
    # commuting (diagonal) covariances: FD² = |μ₁ − μ₂|² + Σ_j (√s₁ⱼ − √s₂ⱼ)²
    mean_1, mean_2 = np.array([0.0, 1.0, -2.0]), np.array([3.0, 1.0, 2.0])
    var_1, var_2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 9.0])
    expected = np.sqrt(np.sum((mean_1 - mean_2) ** 2) + np.sum((np.sqrt(var_1) - np.sqrt(var_2)) ** 2))
    assert frechet_distance(mean_1, np.diag(var_1), mean_2, np.diag(var_2)) == pytest.approx(expected)
    # one dimension: the 2-Wasserstein distance of N(m₁, s₁²) and N(m₂, s₂²) is √((m₁ − m₂)² + (s₁ − s₂)²)
    assert frechet_distance(1.0, 4.0, -2.0, 1.0) == pytest.approx(np.sqrt(9 + 1))


def test_a_rotated_covariance_and_the_symmetry_of_the_distance():
    # Σ₂ = R Σ₁ Rᵀ with equal means: FD² = tr Σ₁ + tr Σ₂ − 2 tr (Σ₁^½ Σ₂ Σ₁^½)^½, checked in 2-D by hand:
    # Σ₁ = diag(4, 1), Σ₂ = diag(1, 4) (a 90° rotation): FD² = 5 + 5 − 2·(2 + 2) = 2
    assert frechet_distance([0, 0], np.diag([4.0, 1.0]), [0, 0], np.diag([1.0, 4.0])) == pytest.approx(np.sqrt(2))
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(500, 4)), rng.normal(size=(400, 4)) * 2 + 1
    assert feature_frechet_distance(a, b) == pytest.approx(feature_frechet_distance(b, a), rel=1e-9)


def test_feature_distance_of_large_samples_approaches_the_gaussians_distance():
    rng = np.random.default_rng(2)
    a = rng.normal(0.0, 1.0, size=(200_000, 2))
    b = rng.normal([2.0, 0.0], [1.0, 3.0], size=(200_000, 2))
    assert feature_frechet_distance(a, b) == pytest.approx(np.sqrt(4 + 4), rel=0.01)
