"""Known answers for helpers.alignment: rotations, permutations with flips, affine maps, smooth maps and
independent codes, each scored as the module promises."""

import numpy as np
import pytest

from helpers import alignment


@pytest.fixture(scope="module")
def codes():
    """Correlated 3-D codes with unequal spreads, split into training and held-out rows."""
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3000, 3)) @ np.array([[2.0, 0.3, 0.0], [0.0, 1.0, 0.4], [0.0, 0.0, 0.5]])
    return z[:2000], z[2000:]


def test_a_known_rotation_leaves_no_procrustes_residual(codes):
    train, test = codes
    q = alignment.random_rotation(3, seed=3)
    rotate = lambda z: 3.0 * z @ q + 7.0  # noqa: E731  (shift and global scale are removed before fitting R)
    assert alignment.procrustes_residual(train, rotate(train), test, rotate(test)) < 1e-10
    assert alignment.affine_r2(train, rotate(train), test, rotate(test)) == pytest.approx(1.0, abs=1e-10)


def test_a_known_permutation_with_flips_is_recovered_exactly(codes):
    _, test = codes
    permuted = test[:, [2, 0, 1]] * np.array([-1.0, 1.0, -3.0])
    matching = alignment.axis_matching(test, permuted)
    assert matching["partner"].tolist() == [1, 2, 0]
    assert matching["sign"].tolist() == [1, -1, -1]
    np.testing.assert_allclose(matching["|ρ|"], 1.0, atol=1e-12)
    np.testing.assert_allclose(alignment.apply_matching(permuted, matching), test * [1.0, 3.0, 1.0], atol=1e-12)


def test_an_affine_map_has_affine_r2_one_and_a_rotation_does_not_match_axes(codes):
    train, test = codes
    w, c = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0], [0.0, 1.0, 1.0]]), np.array([5.0, -2.0, 1.0])
    assert alignment.affine_r2(train, train @ w + c, test, test @ w + c) == pytest.approx(1.0, abs=1e-10)
    rotated = alignment.yardsticks(train, test, seed=1).loc["rotated copy"]
    assert rotated["affine R²"] == pytest.approx(1.0, abs=1e-10)
    assert rotated["matched |ρ| min"] < 0.95  # a generic rotation mixes the axes


def test_independent_codes_score_about_zero(codes):
    train, test = codes
    rng = np.random.default_rng(5)
    other_train, other_test = rng.normal(size=train.shape), rng.normal(size=test.shape)
    row = alignment.alignment_row(train, other_train, test, other_test)
    assert abs(row["affine R²"]) < 0.02
    assert row["k-NN R²"] < 0.02
    assert row["matched |ρ| mean"] < 0.1
    assert row["Procrustes residual"] == pytest.approx(2.0, abs=0.15)  # ‖A R − B‖² ≈ ‖A‖² + ‖B‖² when unrelated
    shuffled = alignment.yardsticks(train, test, seed=2).loc["shuffled pairing"]
    assert abs(shuffled["affine R²"]) < 0.02 and shuffled["k-NN R²"] < 0.02


def test_a_smooth_nonlinear_map_is_seen_by_knn_but_not_by_linear_maps(codes):
    train, test = codes
    bend = lambda z: np.stack([np.sin(1.5 * z[:, 0]), z[:, 1] ** 2, np.cos(z[:, 2] * 2)], axis=1)  # noqa: E731
    row = alignment.alignment_row(train, bend(train), test, bend(test))
    assert row["k-NN R²"] > 0.9
    assert row["affine R²"] < 0.5
