"""Known answers for the disentanglement scores: codes equal to three independent uniform factors (and
monotone transforms of them) against a rotation of those codes, pure noise, and permuted dimensions.

The data are fixed by their seeds, so each score is one number; the thresholds sit a few hundredths
from the values measured with scikit-learn 1.9 (quoted next to them), far from where the compared
cases are.
"""

import numpy as np
import pytest

from helpers import disentanglement as dis
from helpers.probes import linear_probe_r2

N_TRAIN, N_TEST = 2000, 1000
NAMES = ["var_x", "var_y", "cor"]


@pytest.fixture(scope="module")
def factors():
    rng = np.random.default_rng(0)
    return rng.uniform(0, 1, (N_TRAIN, 3)), rng.uniform(0, 1, (N_TEST, 3))


@pytest.fixture(scope="module")
def rotation():
    return dis.random_rotation(3, 1)


TRANSFORMS = {"identity": lambda v: v, "exp": np.exp, "cube": lambda v: v**3}


def scores(train_codes, test_codes, factors) -> dict:
    (v, v_test) = factors
    return {"mig": dis.mig(train_codes, v, names=NAMES), "dci": dis.dci(train_codes, v, test_codes, v_test, NAMES),
            "sap": dis.sap(train_codes, v, test_codes, v_test, NAMES)}


@pytest.fixture(scope="module")
def aligned(factors):
    v, v_test = factors
    return {name: scores(f(v), f(v_test), factors) for name, f in TRANSFORMS.items()}


@pytest.fixture(scope="module")
def rotated(factors, rotation):
    v, v_test = factors
    return scores(v @ rotation.T, v_test @ rotation.T, factors)


def test_discretise_cuts_equal_widths_like_disentanglement_lib():
    values = np.array([[0.0, 5.0], [0.26, 5.0], [0.5, 5.0], [1.0, 5.0]])
    binned = dis.discretise(values, bins=4)
    np.testing.assert_array_equal(binned[:, 0], [0, 1, 2, 3])  # widths 0.25; the maximum goes into the last bin
    assert np.unique(binned[:, 1]).size == 1  # a constant column: one label
    grid = np.arange(40.0)[:, None]
    np.testing.assert_array_equal(np.bincount(dis.discretise(grid)[:, 0]), np.full(20, 2))  # 20 bins, 2 values each
    x = np.random.default_rng(3).normal(size=500)
    library = np.digitize(x, np.histogram(x, 20)[1][:-1])  # disentanglement_lib's labels, 1 … 20
    np.testing.assert_array_equal(dis.discretise(x[:, None])[:, 0], library - 1)


def test_mutual_information_known_answers():
    grid = np.arange(40.0)[:, None] * np.ones(2)  # two identical factors, 2 points in each of 20 bins
    mi, entropy = dis.mutual_information_matrix(grid, grid)
    np.testing.assert_allclose(entropy, np.log(20))
    np.testing.assert_allclose(mi, np.log(20))  # each code is (a copy of) each factor
    rng = np.random.default_rng(4)
    mi, _ = dis.mutual_information_matrix(rng.uniform(size=(2000, 2)), rng.uniform(size=(2000, 2)))
    assert mi.max() < 2 * 19**2 / (2 * 2000)  # independent: only the plug-in bias, about (bins − 1)² / (2n) = 0.09


@pytest.mark.parametrize("name, least_mig", [("identity", 0.94), ("exp", 0.75), ("cube", 0.58)])
def test_codes_that_are_the_factors_score_near_one(aligned, name, least_mig):
    result = aligned[name]
    # MIG measured 0.968 (identity: binned code = binned factor; short of 1 by the plug-in bias of the
    # other two dimensions), 0.785 (exp), 0.611 (cube): equal-width bins of a skewed code no longer
    # match the factor's bins, so MIG is not invariant to monotone transforms. Thresholds 0.03 below.
    assert result["mig"].overall > least_mig
    # DCI measured 0.99998 for all three: trees depend on a dimension only through the order of its values
    assert result["dci"].disentanglement > 0.999
    assert result["dci"].completeness > 0.999
    assert result["dci"].informativeness > 0.999  # test R² 0.99995
    np.testing.assert_allclose(result["dci"].importance.values, np.eye(3), atol=1e-3)
    assert result["dci"].disentanglement == pytest.approx(aligned["identity"]["dci"].disentanglement, abs=1e-4)


def test_sap_is_near_one_for_the_factors_and_lower_for_a_monotone_transform(aligned):
    assert aligned["identity"]["sap"].overall > 0.99  # measured 0.9998
    # a linear regression on z = v³ explains less of v: measured 0.984 (exp), 0.840 (cube)
    assert aligned["exp"]["sap"].overall > 0.95
    assert 0.8 < aligned["cube"]["sap"].overall < 0.9
    assert list(aligned["identity"]["sap"].per_factor.index) == NAMES


def test_a_rotation_lowers_alignment_but_keeps_information(factors, rotation, aligned, rotated):
    v, v_test = factors
    assert rotated["mig"].overall < 0.35  # measured 0.255, against 0.968 unrotated
    assert rotated["dci"].disentanglement < 0.7  # measured 0.583, against 0.99998
    assert rotated["dci"].completeness < 0.7  # measured 0.583
    assert rotated["sap"].overall < 0.8  # measured 0.711, against 0.9998
    # what can be read off is kept: a linear probe exactly, the trees nearly (0.9954 against 0.99995)
    plain = linear_probe_r2(v, v, v_test, v_test, NAMES)
    turned = linear_probe_r2(v @ rotation.T, v, v_test @ rotation.T, v_test, NAMES)
    np.testing.assert_allclose(turned.values, plain.values, atol=1e-9)
    assert rotated["dci"].informativeness == pytest.approx(aligned["identity"]["dci"].informativeness, abs=0.01)


def test_noise_codes_score_near_zero(factors):
    rng = np.random.default_rng(5)
    result = scores(rng.standard_normal((N_TRAIN, 3)), rng.standard_normal((N_TEST, 3)), factors)
    assert result["mig"].overall < 0.02  # measured 0.0037
    assert result["dci"].disentanglement < 0.03  # measured 0.0055
    assert result["sap"].overall < 0.01  # measured 9e-5
    assert result["dci"].informativeness < 0.01  # measured −0.03: nothing to predict


def test_sap_score_matrix_clips_negative_test_r2_to_zero(factors):
    v, v_test = factors
    rng = np.random.default_rng(5)
    noise, noise_test = rng.standard_normal((N_TRAIN, 3)), rng.standard_normal((N_TEST, 3))
    codes, codes_test = np.column_stack([v[:, 0], noise[:, 1:]]), np.column_stack([v_test[:, 0], noise_test[:, 1:]])
    s = dis.sap_score_matrix(codes, v, codes_test, v_test)
    assert s[0, 0] > 0.999 and s.min() == 0.0  # 6 of the 9 unclipped test R² are negative, down to −0.005
    assert s[1:].max() < 0.01  # noise dimensions: measured 0.0015


def test_permuting_code_dimensions_changes_no_score(factors, rotation, rotated):
    v, v_test = factors
    order = [2, 0, 1]
    permuted = scores((v @ rotation.T)[:, order], (v_test @ rotation.T)[:, order], factors)
    assert permuted["mig"].overall == pytest.approx(rotated["mig"].overall, abs=1e-12)
    assert permuted["sap"].overall == pytest.approx(rotated["sap"].overall, abs=1e-12)
    for field in ["disentanglement", "completeness", "informativeness"]:
        # not bit for bit: the trees visit the features in another order, and rounding then changes a
        # few near-equal late splits (measured differences up to 6e-6)
        assert getattr(permuted["dci"], field) == pytest.approx(getattr(rotated["dci"], field), abs=1e-4)
    np.testing.assert_allclose(permuted["dci"].importance.values, rotated["dci"].importance.values[order], atol=1e-4)


def test_one_minus_entropy_known_answers():
    weights = np.array([[2.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    np.testing.assert_allclose(dis._one_minus_entropy(weights), [1.0, 0.0, 0.0, 1 - np.log(2) / np.log(3)], atol=1e-12)


def test_dci_weights_dimensions_by_their_importance(rotated):
    result = rotated["dci"]
    r = result.importance.values
    assert result.disentanglement == pytest.approx(np.sum(r.sum(1) / r.sum() * result.disentanglement_per_code))
    assert result.completeness == pytest.approx(result.completeness_per_factor.mean())
    assert result.informativeness == pytest.approx(result.r2_per_factor.mean())


@pytest.mark.parametrize("dim", [1, 2, 3, 5])
def test_random_rotation_is_a_rotation(dim):
    q = dis.random_rotation(dim, dim)
    np.testing.assert_allclose(q @ q.T, np.eye(dim), atol=1e-12)
    assert np.linalg.det(q) == pytest.approx(1.0)


def test_random_rotations_are_haar_distributed():
    rng = np.random.default_rng(6)
    qs = np.array([dis.random_rotation(3, rng) for _ in range(2000)])
    # Haar: E[Q] = 0 and E[Q_ij²] = 1/3 (measured max |mean| 0.019); numpy's QR without the sign fix
    # gives a mean diagonal of about ±0.47
    assert np.abs(qs.mean(axis=0)).max() < 0.07
    np.testing.assert_allclose((qs**2).mean(axis=0), 1 / 3, atol=0.03)


def test_rotation_null_puts_the_factors_at_the_top(factors):
    v, _ = factors
    null = dis.rotation_null(lambda z: dis.mig(z, v).overall, v, rotations=40, rng=2)
    assert null.observed == pytest.approx(0.968, abs=1e-3)
    assert null.null.shape == (40,)
    assert null.null.max() < 0.6  # measured 0.46 with 50 rotations
    assert null.percentile == 100.0
    assert null.p_value == pytest.approx(1 / 41)


def test_rotation_null_of_a_rotation_invariant_score_is_the_observed_score(factors):
    v, _ = factors
    null = dis.rotation_null(lambda z: float(np.sum(z**2)), v, rotations=10, rng=3)
    np.testing.assert_allclose(null.null, null.observed, rtol=1e-12)


def test_active_units_counts_dimensions_with_variance_above_the_threshold():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((500, 5))
    x = (x - x.mean(0)) / x.std(0)  # population variance exactly 1
    variances = np.array([1.0, 0.5, 0.011, 0.009, 0.0])
    means = x * np.sqrt(variances) + 3.0
    assert dis.active_units(means) == 3
    assert dis.active_units(means, threshold=0.6) == 1
    assert dis.active_units(means, threshold=0.0) == 4


def test_sensitivity_matrix_is_total_variation_over_the_range():
    t = np.linspace(0, 1, 11)
    along = np.zeros((2, 11, 2))
    along[0, :, 0] = 3 * t  # sweep 0 moves factor 0 by 3, monotonically
    along[1, :, 1] = np.sin(np.pi * t)  # sweep 1 moves factor 1 up by 1 and back down: total variation 2
    s = dis.sensitivity_matrix(along, [6.0, 4.0])
    np.testing.assert_allclose(s, [[0.5, 0.0], [0.0, 0.5]], atol=1e-12)


def test_mutual_information_matrix_equals_scikit_learn_on_the_labels():
    from sklearn.metrics import mutual_info_score

    rng = np.random.default_rng(4)
    codes, factors = rng.normal(size=(700, 3)), rng.normal(size=(700, 2))
    factors[:, 1] += codes[:, 0]
    mi, entropy = dis.mutual_information_matrix(codes, factors)
    z, v = dis.discretise(codes), dis.discretise(factors)
    expected = np.array([[mutual_info_score(v[:, k], z[:, j]) for k in range(2)] for j in range(3)])
    np.testing.assert_allclose(mi, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(entropy, [mutual_info_score(v[:, k], v[:, k]) for k in range(2)], rtol=1e-12)


def test_sap_score_matrix_equals_one_regression_per_pair():
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import r2_score

    rng = np.random.default_rng(5)
    z, test_z = rng.normal(size=(400, 3)), rng.normal(size=(200, 3))
    v, test_v = z @ rng.normal(size=(3, 2)) + rng.normal(size=(400, 2)), test_z @ rng.normal(size=(3, 2))
    expected = np.array([[r2_score(test_v[:, k], LinearRegression().fit(z[:, [j]], v[:, k]).predict(test_z[:, [j]]))
                          for k in range(2)] for j in range(3)])
    np.testing.assert_allclose(dis.sap_score_matrix(z, v, test_z, test_v), np.clip(expected, 0, None), atol=1e-12)
