# %% [raw]
# # ASSIGNMENT CONFIG
# name: 02_gaussian_heatmaps
# init_cell: true
# check_all_cell: false
# export_cell: false
# solutions_pdf: false
# generate: true
# run_tests: false
# tests:
#   ok_format: false
# files: []

# %% [markdown]
# # Assignment 2 — the measurements of study 2: reconstruction error, a linear probe, random rotations, active units
#
# Study 2 (Gaussian heatmaps) knows the three factors behind every image, so it can turn claims about a latent space
# into numbers. Here you write the code behind five of those numbers yourself: the reconstruction error, the linear
# probe's held-out $R^2$, a uniformly random rotation, the percentile of a score among rotated copies of the codes,
# and the count of active latent units. The grader compares each function with the project's own implementation on
# seeded inputs, with known answers (closed forms, invariances, distributions) and with the study's own numbers.
#
# **How to work.** Run the cells from the top. Under each question, replace every `...` with your code,
# then run the `grader.check(...)` cell under it: it runs the *public* tests (shapes and sanity) and
# tells you what failed. Passing them does not mean full marks: the grader also runs hidden tests with
# known answers. Use NumPy (scikit-learn is allowed in question 2); do not import from `helpers` in your answers.
#
# **How to submit.** Save the notebook and hand in the `.ipynb` file as your course asks. Your lecturer
# grades all submissions with `make grade SUBMISSIONS=folder`.

# %%
import numpy as np

from helpers import inference
from helpers.disentanglement import mig
from helpers.studies.gaussian_heatmaps import model_pair

# %% [markdown]
# ## The study's VAE and its codes
#
# The study's VAE with its default parameters (the shipped weights: nothing trains here), the 11,875 heatmaps split
# as in the study, and the VAE's posterior means $\mu(x)$ (3-D codes): of all 2,375 test images, and of the first
# 2,000 training images (the study uses all 9,500; 2,000 keep this notebook fast). `data.y_train` and `data.y_test`
# hold the factors $(v_x, v_y, \rho)$ of each image, one row per image.

# %%
vae, data = model_pair.study_vae()
test_codes = inference.encode_mean(vae, data.x_test)  # (2375, 3)
train_codes = inference.encode_mean(vae, data.x_train[:2000])  # (2000, 3)
train_factors = data.y_train[:2000]
test_reconstructions = inference.decode(vae.decoder, test_codes)  # each test image decoded from its mean code
print(f"images {data.x_test.shape}, codes {test_codes.shape}, reconstructions {test_reconstructions.shape}")

# %% [markdown]
# ## 1. The reconstruction error
#
# The study scores a reconstruction $\hat x$ of an image $x$ by the Frobenius norm of the difference over its
# $36 \times 36$ pixels, one number per image:
#
# $$e = \lVert \hat x - x \rVert_F = \Big(\sum_{p} (\hat x_p - x_p)^2\Big)^{1/2}.$$
#
# Write `frobenius_errors(images, reconstructions)`: two arrays of the same shape, `(n, 36, 36, 1)` or `(n, 36, 36)`
# (any shape whose first axis counts the images), returning the `n` errors, shape `(n,)`.

# %% [raw]
# # BEGIN QUESTION
# name: q1_frobenius
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def frobenius_errors(images, reconstructions):
    a = np.asarray(images, np.float64).reshape(len(images), -1)  # SOLUTION
    b = np.asarray(reconstructions, np.float64).reshape(len(reconstructions), -1)  # SOLUTION
    return np.linalg.norm(a - b, axis=1)  # SOLUTION


vae_errors = frobenius_errors(data.x_test, test_reconstructions)
print(f"VAE, mean code: mean test error {np.mean(vae_errors):.4f}, median {np.median(vae_errors):.4f}")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_frobenius_shape_and_zero(frobenius_errors, np):
    images = np.random.default_rng(0).uniform(size=(4, 36, 36, 1))
    errors = frobenius_errors(images, images)
    assert np.shape(errors) == (4,), f"expected one error per image, shape (4,); got {np.shape(errors)}"
    assert np.allclose(errors, 0.0), "an exact reconstruction has error 0"

# %%
# HIDDEN
def test_frobenius_of_known_images(frobenius_errors, np):
    # all 1296 pixels off by 1: √1296 = 36 (a sum of squares would give 1296, a mean over pixels 1)
    assert np.allclose(frobenius_errors(np.zeros((2, 36, 36, 1)), np.ones((2, 36, 36, 1))), 36.0)
    # one pixel off by 0.5 in the second image only: errors 0 and 0.5
    a, b = np.zeros((2, 36, 36)), np.zeros((2, 36, 36))
    b[1, 7, 30] = 0.5
    assert np.allclose(frobenius_errors(a, b), [0.0, 0.5])

# %%
# HIDDEN
def test_frobenius_is_a_norm(frobenius_errors, np):
    rng = np.random.default_rng(1)
    x, y = rng.uniform(size=(10, 36, 36, 1)), rng.uniform(size=(10, 36, 36, 1))
    e = frobenius_errors(x, y)
    assert np.allclose(frobenius_errors(x, x + 3.0 * (y - x)), 3.0 * e), "the error grows linearly with the difference"
    assert np.allclose(frobenius_errors(y, x), e), "the error is symmetric"

# %%
# HIDDEN
def test_frobenius_matches_the_project(frobenius_errors, np):
    from helpers.studies.gaussian_heatmaps.recovery import frobenius_errors as reference

    rng = np.random.default_rng(2)
    x, y = rng.uniform(size=(30, 36, 36, 1)), rng.uniform(size=(30, 36, 36, 1))
    assert np.allclose(frobenius_errors(x, y), reference(x, y), rtol=1e-10)

# %%
# HIDDEN
def test_frobenius_gives_the_study_number(frobenius_errors, data, test_reconstructions, np):
    # the study's table "Test Frobenius errors": VAE, mean z, mean 0.232764 (seed 19, shipped weights); band: the
    # tolerance of network outputs in tests/tolerances.yaml (1e-3 relative, 10x the deviation measured with other
    # CPU kernels, tests/portability)
    mean = float(np.mean(frobenius_errors(data.x_test, test_reconstructions)))
    assert abs(mean - 0.232764) <= 1e-3 * 0.232764, f"mean test error {mean:.6f}, the study's 0.232764"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 2. A linear probe's held-out $R^2$
#
# How linearly does the code hold a factor? Fit factor $k$ as an affine function of the code on the *training*
# codes by least squares,
#
# $$v_k \approx a_k + b_k^\top z, \qquad
# (a_k, b_k) = \arg\min \sum_{i \in \text{train}} (v_{ik} - a_k - b_k^\top z_i)^2,$$
#
# and score the fit on the *test* codes, which it has not seen:
#
# $$R^2_k = 1 - \frac{\sum_{i \in \text{test}} (v_{ik} - a_k - b_k^\top z_i)^2}
# {\sum_{i \in \text{test}} (v_{ik} - \bar v_k)^2},$$
#
# where $\bar v_k$ is the mean of $v_{ik}$ over the test rows.
#
# $R^2 = 1$: the factor is an exact affine function of the code; $R^2 \approx 0$: the probe does no better than the
# test mean; a held-out $R^2$ can be negative. Write `probe_r2(train_codes, train_factors, test_codes, test_factors)`:
# codes `(n, d)`, factors `(n, K)` (training and test rows may differ in number), returning the $K$ held-out $R^2$
# values, shape `(K,)`. Don't forget the intercept $a_k$ (a column of ones, or `LinearRegression`).

# %% [raw]
# # BEGIN QUESTION
# name: q2_probe
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def probe_r2(train_codes, train_factors, test_codes, test_factors):
    design = np.column_stack([np.ones(len(train_codes)), train_codes])  # SOLUTION
    coefficients = np.linalg.lstsq(design, train_factors, rcond=None)[0]  # SOLUTION
    predicted = np.column_stack([np.ones(len(test_codes)), test_codes]) @ coefficients  # SOLUTION
    residual = np.sum((test_factors - predicted) ** 2, axis=0)  # SOLUTION
    return 1.0 - residual / np.sum((test_factors - test_factors.mean(axis=0)) ** 2, axis=0)  # SOLUTION


study_probe = probe_r2(train_codes, train_factors, test_codes, data.y_test)
print("held-out R² of (var_x, var_y, cor):", np.round(study_probe, 3))

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_probe_shape_and_exact_map(probe_r2, np):
    rng = np.random.default_rng(3)
    z_train, z_test = rng.normal(size=(50, 3)), rng.normal(size=(20, 3))
    weights = np.array([[1.0, 0.0], [2.0, -1.0], [0.5, 3.0]])
    r2 = probe_r2(z_train, z_train @ weights + 4.0, z_test, z_test @ weights + 4.0)
    assert np.shape(r2) == (2,), f"expected one R² per factor, shape (2,); got {np.shape(r2)}"
    assert np.allclose(r2, 1.0), f"factors that are an exact affine map of the code have R² = 1; got {r2}"

# %%
# HIDDEN
def test_probe_of_noise_is_about_zero(probe_r2, np):
    # factors independent of the codes, n = 200 training rows, p = 4 coefficients: held out, the fitted noise makes
    # R² slightly negative, about −p / (n − p − 1) = −0.02; scored on its own training rows it is never below 0
    # (about (p − 1) / (n − 1) = +0.015 by chance)
    rng = np.random.default_rng(4)
    r2 = probe_r2(rng.normal(size=(200, 3)), rng.normal(size=(200, 2)), rng.normal(size=(5000, 3)),
                  rng.normal(size=(5000, 2)))
    assert np.all(r2 < 0.0) and np.all(r2 > -0.1), f"held-out R² of pure noise should be just below 0; got {r2}"

# %%
# HIDDEN
def test_probe_matches_the_project(probe_r2, np):
    from helpers.probes import linear_probe_r2

    rng = np.random.default_rng(5)
    z_train, z_test = rng.normal(size=(80, 3)), rng.normal(size=(40, 3))
    mix = rng.normal(size=(3, 3))
    f_train = np.tanh(z_train @ mix) + 0.3 * rng.normal(size=(80, 3))
    f_test = np.tanh(z_test @ mix) + 0.3 * rng.normal(size=(40, 3))
    expected = linear_probe_r2(z_train, f_train, z_test, f_test, ["a", "b", "c"]).to_numpy()
    assert np.allclose(probe_r2(z_train, f_train, z_test, f_test), expected, atol=1e-9)

# %%
# HIDDEN
def test_probe_gives_the_study_numbers(probe_r2, train_codes, train_factors, test_codes, data, np):
    # the study's table "Test R² of a linear probe from the codes", VAE: var_x 0.7049, var_y 0.7214, cor 0.9193
    # (all 9,500 training codes). The first 2,000 training codes move them by at most 0.0024 (measured), and
    # tests/tolerances.yaml allows 1e-3 relative for other CPU kernels: band 0.005
    r2 = probe_r2(train_codes, train_factors, test_codes, data.y_test)
    assert np.allclose(r2, [0.7049, 0.7214, 0.9193], atol=0.005), f"got {np.round(r2, 4)}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 3. A uniformly random rotation
#
# Is the VAE's choice of axes special? To answer, the study compares its codes with copies turned by *random*
# rotations, drawn uniformly: from the Haar measure on the rotations $SO(d)$, which favours no direction. A recipe
# (Mezzadri 2007): draw a $d \times d$ matrix $G$ of independent standard normals and factor it as $G = QR$
# (`np.linalg.qr`). $Q$ is orthogonal, but the factorisation is only unique up to the signs of $R$'s diagonal, and
# the library's choice of signs biases $Q$. Fix it: multiply column $j$ of $Q$ by the sign of $R_{jj}$. Then $Q$ is
# uniform on all orthogonal matrices, half of which are reflections ($\det Q = -1$): for those, flip the sign of
# the first column, which maps the reflections one to one onto the rotations.
#
# Write `haar_rotation(d, rng)`: `rng` is a `np.random.Generator`; draw $G$ with exactly one call
# `rng.standard_normal((d, d))` (so the grader can replay your draw), and return $Q$, shape `(d, d)`, with
# $Q^\top Q = I$ and $\det Q = +1$.

# %% [raw]
# # BEGIN QUESTION
# name: q3_rotation
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def haar_rotation(d, rng):
    q, r = np.linalg.qr(rng.standard_normal((d, d)))  # SOLUTION
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)  # SOLUTION
    q[:, 0] *= np.sign(np.linalg.det(q))  # SOLUTION
    return q  # SOLUTION


example_rotation = haar_rotation(3, np.random.default_rng(0))
print(np.round(example_rotation, 3), f"det {np.linalg.det(example_rotation):+.6f}")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_rotation_is_a_rotation(haar_rotation, np):
    rng = np.random.default_rng(6)
    for d in (2, 3, 5):
        q = haar_rotation(d, rng)
        assert np.shape(q) == (d, d), f"expected shape ({d}, {d}); got {np.shape(q)}"
        assert np.allclose(q.T @ q, np.eye(d)), "the columns must be orthonormal: QᵀQ = I"
        assert np.isclose(np.linalg.det(q), 1.0), f"a rotation has det +1; got {np.linalg.det(q):+.3f}"

# %%
# HIDDEN
def test_rotation_matches_the_project(haar_rotation, np):
    from helpers.disentanglement import random_rotation

    for d in (2, 3, 4, 7):
        for seed in range(10):
            expected = random_rotation(d, np.random.default_rng(seed))
            assert np.allclose(haar_rotation(d, np.random.default_rng(seed)), expected), f"d = {d}, seed {seed}"

# %%
# HIDDEN
def test_rotation_is_uniform(haar_rotation, np):
    # under the Haar measure the first column is uniform on the sphere: mean 0, E[Q_11²] = 1/d, and for d = 3 each
    # coordinate is uniform on [−1, 1] (Archimedes). 4,000 draws: the standard error of a mean is 0.009, of the
    # mean of Q_11² 0.005, so the bands are 5 and 4 standard errors. Without the sign fix Q_11 is always ≤ 0
    rng = np.random.default_rng(7)
    q = np.stack([haar_rotation(3, rng) for _ in range(4000)])
    first = q[:, :, 0]
    assert np.all(np.abs(first.mean(axis=0)) < 0.05), f"mean of the first column {first.mean(axis=0)}, not 0"
    assert abs(np.mean(first[:, 0] ** 2) - 1 / 3) < 0.02
    counts = np.histogram(first[:, 0], bins=4, range=(-1, 1))[0]
    assert np.all(np.abs(counts - 1000) < 150), f"Q_11 should be uniform on [−1, 1]; quarter counts {counts}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 4. A score's percentile among rotated copies of the codes
#
# MIG, the mutual information gap, is about 1 when each factor is carried by one latent axis and about 0 when the
# axes mix the factors alike (its formula is in study 2, `helpers.disentanglement.mig`). A score alone says little:
# is the VAE's MIG higher than that of the *same* codes with their axes turned at random? A rotation keeps all the
# information in the codes and moves only the axes. Given a score $s$ (a function of the codes), the codes $Z$
# (one code per row) and rotations $Q_1, \dots, Q_R$, the rotated copies are $Z Q_r^\top$, and
#
# $$\text{percentile} = \frac{100}{R}\,\#\{r : s(Z Q_r^\top) \le s(Z)\}, \qquad
# p = \frac{1 + \#\{r : s(Z Q_r^\top) \ge s(Z)\}}{1 + R}.$$
#
# The $+1$ counts the observed codes as one of the copies, so $p$ is never 0: with $R$ rotations the smallest
# possible $p$ is $1/(1 + R)$.
#
# Write `rotation_percentile(score, codes, rotations)`: `score` maps an array `(n, d)` to a float, `codes` is
# `(n, d)`, `rotations` is `(R, d, d)`; return the pair `(percentile, p)` as two floats.

# %% [raw]
# # BEGIN QUESTION
# name: q4_percentile
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def rotation_percentile(score, codes, rotations):
    observed = score(codes)  # SOLUTION
    null = np.array([score(codes @ q.T) for q in rotations])  # SOLUTION
    percentile = 100.0 * np.mean(null <= observed)  # SOLUTION
    return float(percentile), float((1 + np.sum(null >= observed)) / (1 + len(null)))  # SOLUTION


generator = np.random.default_rng(19)  # the study's seed: with a correct question 3 this replays the study's rotations
study_rotations = np.stack([haar_rotation(3, generator) for _ in range(40)])
mig_percentile, mig_p = rotation_percentile(lambda z: mig(z, data.y_test).overall, test_codes, study_rotations)
print(f"the VAE's MIG {mig(test_codes, data.y_test).overall:.3f}: percentile {mig_percentile:.1f} "
      f"among 40 rotated copies, p = {mig_p:.2f}")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_percentile_of_an_invariant_score(rotation_percentile, np):
    codes = np.random.default_rng(8).normal(size=(100, 3))
    # permutations of the axes are rotations; the total variance does not change under any of them
    rotations = np.stack([np.eye(3), np.eye(3)[[1, 2, 0]], np.eye(3)[[2, 0, 1]]])
    result = rotation_percentile(lambda z: float(np.round(np.sum(np.var(z, axis=0)), 9)), codes, rotations)
    assert len(result) == 2, "return the pair (percentile, p)"
    percentile, p = result
    assert np.isclose(percentile, 100.0), f"every copy ties with the observed score: percentile 100; got {percentile}"
    assert np.isclose(p, 1.0), f"every copy ties with the observed score: p = (1 + 3) / (1 + 3) = 1; got {p}"

# %%
# HIDDEN
def test_percentile_of_aligned_codes(rotation_percentile, np):
    from helpers.disentanglement import mig, random_rotation

    # codes that are the factors plus a little noise: every axis carries one factor, and no rotated copy comes
    # close, so the percentile is 100 and p its smallest possible value, 1/(1 + R) (not 0)
    rng = np.random.default_rng(9)
    factors = rng.uniform(size=(500, 3))
    codes = factors + 0.01 * rng.normal(size=(500, 3))
    rotations = np.stack([random_rotation(3, rng) for _ in range(19)])
    percentile, p = rotation_percentile(lambda z: mig(z, factors).overall, codes, rotations)
    assert np.isclose(percentile, 100.0) and np.isclose(p, 1 / 20), f"got percentile {percentile}, p = {p}"

# %%
# HIDDEN
def test_percentile_matches_the_project(rotation_percentile, np):
    from helpers.disentanglement import random_rotation, rotation_null

    rng = np.random.default_rng(10)
    codes = rng.normal(size=(300, 3)) * [2.0, 1.0, 0.5]

    def score(z):
        return float(np.max(np.abs(z[:, 0])) / np.sum(np.std(z, axis=0)))

    for seed in range(3):
        expected = rotation_null(score, codes, 25, seed)  # draws its rotations as below, from default_rng(seed)
        generator = np.random.default_rng(seed)
        rotations = np.stack([random_rotation(3, generator) for _ in range(25)])
        percentile, p = rotation_percentile(score, codes, rotations)
        assert np.isclose(percentile, expected.percentile) and np.isclose(p, expected.p_value), \
            f"seed {seed}: got ({percentile}, {p}), expected ({expected.percentile}, {expected.p_value})"

# %%
# HIDDEN
def test_percentile_gives_the_study_number(rotation_percentile, test_codes, data, np):
    from helpers.disentanglement import mig, random_rotation

    # the study's table "Each score against the same score of randomly rotated copies", VAE MIG: percentile 70.0,
    # p = 0.317 among 40 rotations drawn from default_rng(19). Bands from tests/tolerances.yaml
    # (heatmap_rotation_null): 5.1 percentile points and 0.05 in p, two crossings of the closest rotated copy
    generator = np.random.default_rng(19)
    rotations = np.stack([random_rotation(3, generator) for _ in range(40)])
    percentile, p = rotation_percentile(lambda z: mig(z, data.y_test).overall, test_codes, rotations)
    assert abs(percentile - 70.0) <= 5.1 and abs(p - 0.317) <= 0.05, f"got percentile {percentile}, p = {p}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 5. Active units
#
# A latent dimension whose posterior mean $\mu_j(x)$ hardly changes from image to image carries nothing the decoder
# could use: it has *collapsed* onto the prior. Burda et al. (2016) count the *active units*, the dimensions whose
# posterior mean varies over the data by more than a threshold $\delta$ (the study uses $\delta = 0.01$):
#
# $$A = \#\big\{j : \operatorname{Var}_x\big(\mu_j(x)\big) > \delta\big\},$$
#
# with the population variance over the $n$ images (divide by $n$). It asks how much a coordinate *moves*, not
# where it sits. Write `active_units(code_means, threshold=0.01)`: posterior means `(n, d)`, returning the count
# as an `int`.

# %% [raw]
# # BEGIN QUESTION
# name: q5_active
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def active_units(code_means, threshold=0.01):
    variances = np.var(np.asarray(code_means, np.float64), axis=0)  # SOLUTION
    return int(np.sum(variances > threshold))  # SOLUTION


print(f"the study's VAE uses {active_units(test_codes)} of its {test_codes.shape[1]} latent dimensions")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_active_units_counts(active_units, np):
    rng = np.random.default_rng(11)
    codes = np.column_stack([rng.normal(size=200), np.zeros(200), rng.normal(size=200)])
    count = active_units(codes)
    assert int(count) == count and count == 2, f"two dimensions vary, one is constant: expected 2, got {count}"

# %%
# HIDDEN
def test_active_units_ignore_where_a_unit_sits(active_units, np):
    # a collapsed unit may sit far from 0 (here at 3, with a spread of 0.03, variance 9e-4); an active one may have
    # mean 0. Moving every code by a constant changes no variance
    rng = np.random.default_rng(12)
    codes = np.column_stack([3.0 + 0.03 * rng.normal(size=1000), rng.normal(size=1000), 0.03 * rng.normal(size=1000)])
    assert active_units(codes) == 1
    assert active_units(codes - 10.0) == 1 and active_units(codes + 10.0) == 1

# %%
# HIDDEN
def test_active_units_threshold(active_units, np):
    # variances exactly 0.04, 0.25 and 1 (the population variance of ±a is a²): thresholds between them
    codes = np.array([[0.2, 0.5, 1.0], [-0.2, -0.5, -1.0]] * 50)
    assert [active_units(codes, t) for t in (0.01, 0.1, 0.5, 2.0)] == [3, 2, 1, 0]

# %%
# HIDDEN
def test_active_units_match_the_project(active_units, test_codes, np):
    from helpers.disentanglement import active_units as reference

    rng = np.random.default_rng(13)
    for _ in range(5):
        codes = rng.normal(size=(50, 6)) * rng.uniform(0.0, 0.3, size=6) + rng.normal(size=6)
        assert active_units(codes) == reference(codes)
    # the study's β sweep records 3 active units for its VAE (β = 0.33); each variance is near 1, far from 0.01
    assert active_units(test_codes) == 3

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Done
#
# Compare your numbers with study 2's page: the mean test error of the VAE decoding its mean code, the linear
# probe's $R^2$ per factor, the MIG's percentile among rotated copies, and the active units across the β sweep.
