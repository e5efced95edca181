# %% [raw]
# # ASSIGNMENT CONFIG
# name: 03_t_distribution
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
# # Assignment 3 — the pieces of study 3: a Bayes bound, a fair probe, and verdicts over seeds
#
# Study 3 asks whether a 3-D latent space keeps a fourth, hidden factor: the degrees of freedom $\nu$ of a
# t density. Its answer rests on six small pieces of code that decide what a probe's accuracy *means*: the
# best accuracy the known factors allow (the Bayes bound), the rule that compares two accuracies with their
# standard errors, a KNN probe whose features are standardised the right way, a paired test over seeds and
# Holm's correction for testing several differences at once. Here you write each piece yourself. The grader
# compares it with the project's own code on seeded inputs, with known answers (closed forms, invariances)
# and with the numbers study 3 reports.
#
# **How to work.** Run the cells from the top. Under each question, replace every `...` with your code,
# then run the `grader.check(...)` cell under it: it runs the *public* tests (shapes and sanity) and
# tells you what failed. Passing them does not mean full marks: the grader also runs hidden tests with
# known answers. Use NumPy, SciPy and scikit-learn; do not import from `helpers` in your answers. Nothing
# trains here: the questions use the study's factors and its shipped five-seed table.
#
# **How to submit.** Save the notebook and hand in the `.ipynb` file as your course asks. Your lecturer
# grades all submissions with `make grade SUBMISSIONS=folder`.

# %%
import json

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neighbors import KNeighborsClassifier

from helpers import heatmaps
from helpers.locations import RESULTS_DIR
from helpers.studies.t_distribution import t_data

# %% [markdown]
# ## The study's data and its five-seed table
#
# Study 3 renders 11,875 t densities, one per factor combination $(v_x, v_y, \rho)$, and draws each image's
# degrees of freedom by the original study's rule:
#
# $$\nu = 2 \ \text{ where } (v_x + v_y)^2 - U > 20,\ U \sim \mathrm{Uniform}(0, 10), \qquad \text{else } \nu = 200.$$
#
# The questions need only the factors, not the images. The cell below draws $\nu$ with the study's seed
# (19) and splits the factors 80/20 as the study does: `train_factors` and `test_factors` have the
# columns $(v_x, v_y, \rho, \nu)$. `heavy_train` and `heavy_test` are the labels (1 where $\nu = 2$), and
# `s_train`, `s_test` hold $s = v_x + v_y$ as one-column arrays.
#
# `knn_accuracy` is the study's shipped table of KNN test accuracies over five seeds (one row per seed,
# one column per representation), and `PAIRS` the seven comparisons the study tests on it.

# %%
SEED = 19
factors = heatmaps.factor_grid()
nu = t_data.degrees_of_freedom(factors, np.random.default_rng(SEED))  # the study's rule, seeded as the study
train_factors, test_factors = train_test_split(np.column_stack([factors, nu]), test_size=heatmaps.TEST_SIZE,
                                               random_state=heatmaps.SPLIT_SEED)  # the study's split
heavy_train, heavy_test = t_data.heavy_labels(train_factors), t_data.heavy_labels(test_factors)
s_train = train_factors[:, :1] + train_factors[:, 1:2]
s_test = test_factors[:, :1] + test_factors[:, 1:2]

shipped = json.loads((RESULTS_DIR / "t_distribution_repeats.json").read_text(encoding="utf-8"))
repeats = pd.DataFrame(shipped["rows"])
knn_accuracy = repeats[repeats["probe"] == "KNN"].pivot(index="seed", columns="representation", values="accuracy")
PAIRS = [("VAE mean z", "AE z"), ("VAE sampled z", "AE z"), ("VAE mean z", "VAE sampled z"),
         ("true var_x + var_y", "VAE mean z"), ("pixels", "true var_x + var_y"), ("VAE mean z", "PCA-3 of pixels"),
         ("AE z", "PCA-3 of pixels")]
print(f"{len(train_factors):,} training and {len(test_factors):,} test images; "
      f"share of ν = 2 in the test split: {heavy_test.mean():.3f}")
knn_accuracy.round(4)

# %% [markdown]
# ## 1. What the rule says about $\nu$, given $s = v_x + v_y$
#
# The rule decides $\nu$ from $s = v_x + v_y$ and a uniform coin $U$ alone. So, given $s$, the chance of heavy
# tails is the chance that the coin falls low enough:
#
# $$p(s) = P(\nu = 2 \mid s) = P(U < s^2 - 20) = \mathrm{clip}\Big(\frac{s^2 - 20}{10},\ 0,\ 1\Big).$$
#
# Below $s^2 = 20$ no coin makes the tails heavy; above $s^2 = 30$ every coin does.
#
# Write `heavy_probability(factors)`: `factors` is an array of shape `(n, k)` whose first two columns are
# $v_x$ and $v_y$ (further columns are ignored); return $p(s)$ for every row, shape `(n,)`.

# %% [raw]
# # BEGIN QUESTION
# name: q1_probability
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def heavy_probability(factors):
    s = np.asarray(factors)[:, 0] + np.asarray(factors)[:, 1]  # SOLUTION
    return np.clip((s**2 - 20.0) / 10.0, 0.0, 1.0)  # SOLUTION


p_test = heavy_probability(test_factors)
print(f"test images whose ν the coin decides (0 < p < 1): {np.mean((p_test > 0) & (p_test < 1)):.3f}")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_probability_shape_and_range(heavy_probability, test_factors, np):
    p = heavy_probability(test_factors)
    assert np.shape(p) == (len(test_factors),), f"expected one probability per row, shape (n,); got {np.shape(p)}"
    assert np.all((0 <= p) & (p <= 1)), "a probability lies between 0 and 1"

# %%
def test_probability_far_from_the_band(heavy_probability, np):
    p = heavy_probability(np.array([[1.0, 1.0, 0.0], [4.0, 4.0, 0.0]]))  # s² = 4 and s² = 64
    assert np.allclose(p, [0.0, 1.0]), f"s² = 4 is far below 20 (p = 0), s² = 64 far above 30 (p = 1); got {p}"

# %%
# HIDDEN
def test_probability_known_values_in_the_band(heavy_probability, np):
    # s = √22, 5 and √28 give s² − 20 = 2, 5 and 8: p = 0.2, 0.5, 0.8; the edges s² = 20 and 30 give 0 and 1
    s = np.sqrt([22.0, 25.0, 28.0, 20.0, 30.0])
    factors = np.column_stack([0.25 * s, 0.75 * s, np.zeros_like(s), np.full_like(s, 2.0)])
    assert np.allclose(heavy_probability(factors), [0.2, 0.5, 0.8, 0.0, 1.0], atol=1e-12)

# %%
# HIDDEN
def test_probability_matches_the_rule_by_simulation(heavy_probability, np):
    from helpers.studies.t_distribution.t_data import degrees_of_freedom

    # the rule itself, drawn 200,000 times at each s: the share of ν = 2 has a standard error ≤ 0.0012
    rng = np.random.default_rng(31)
    for s in (4.5, 4.9, 5.2, 5.45):
        factors = np.tile([s / 2, s / 2, 0.0], (200_000, 1))
        share = np.mean(degrees_of_freedom(factors, rng) == 2)
        assert abs(heavy_probability(factors[:1])[0] - share) < 0.006, f"s = {s}: rule gives {share:.4f}"

# %%
# HIDDEN
def test_probability_matches_the_project(heavy_probability, test_factors, np):
    from helpers.studies.t_distribution.t_data import heavy_probability_from_sum

    assert np.allclose(heavy_probability(test_factors), heavy_probability_from_sum(test_factors), atol=1e-12)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 2. The Bayes bound $A^*$ and its standard error
#
# A classifier that sees only $s$ does best by predicting $\nu = 2$ where $p(s) > \tfrac12$. On an image with
# probability $p_i$ it is then right with probability $\max(p_i, 1 - p_i)$, so over $n$ test images its
# expected accuracy is the **Bayes bound**
#
# $$A^* = \frac1n \sum_{i=1}^{n} \max(p_i, 1 - p_i).$$
#
# No representation that keeps only the three Gaussian factors can beat $A^*$ in expectation. An accuracy
# measured on $n$ images has a binomial standard error; the study states $A^*$ with the same one,
#
# $$\mathrm{se}(A) = \sqrt{A(1 - A)/n}.$$
#
# Write `bayes_bound(p)`: `p` is an array of shape `(n,)` of probabilities $p_i$; return the pair
# `(bound, se)` of two floats, $A^*$ and $\mathrm{se}(A^*)$.

# %% [raw]
# # BEGIN QUESTION
# name: q2_bound
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def bayes_bound(p):
    p = np.asarray(p, np.float64)  # SOLUTION
    bound = float(np.mean(np.maximum(p, 1.0 - p)))  # SOLUTION
    return bound, float(np.sqrt(bound * (1.0 - bound) / len(p)))  # SOLUTION


bound, bound_se = bayes_bound(p_test)
print(f"A* = {bound:.4f} ± {bound_se:.4f} on the {len(p_test):,} test images")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_bound_returns_two_numbers(bayes_bound, np):
    result = bayes_bound(np.full(10, 0.3))
    assert len(result) == 2, f"return the pair (bound, se); got {result!r}"
    bound, se = result
    assert 0.5 <= bound <= 1, f"the best rule is right at least half the time; got A* = {bound}"
    assert se >= 0, "a standard error is not negative"

# %%
# HIDDEN
def test_bound_known_answers(bayes_bound, np):
    bound, se = bayes_bound(np.full(400, 0.5))  # a fair coin: no rule beats ½, se = √(¼/400) = 0.025
    assert np.isclose(bound, 0.5) and np.isclose(se, 0.025)
    bound, se = bayes_bound(np.array([0.0, 1.0, 1.0, 0.0, 1.0]))  # ν certain everywhere: the rule is always right
    assert np.isclose(bound, 1.0) and np.isclose(se, 0.0)
    bound, _ = bayes_bound(np.array([0.1, 0.7, 0.5, 1.0]))  # (0.9 + 0.7 + 0.5 + 1) / 4
    assert np.isclose(bound, 0.775)

# %%
# HIDDEN
def test_bound_is_symmetric_in_the_two_classes(bayes_bound, np):
    p = np.random.default_rng(32).uniform(size=500)
    assert np.allclose(bayes_bound(p), bayes_bound(1.0 - p)), "relabelling the classes changes no accuracy"

# %%
# HIDDEN
def test_bound_reproduces_the_study(bayes_bound, test_factors, np):
    from helpers.studies.t_distribution.t_data import bayes_accuracy_from_sum, heavy_probability_from_sum

    bound, se = bayes_bound(heavy_probability_from_sum(test_factors))
    assert np.isclose(bound, bayes_accuracy_from_sum(test_factors), rtol=1e-12)
    # study 3 records A* = 0.9501 ± 0.00447 (takeaway t_classes); a closed form on the factors, so its tolerance
    # in tests/tolerances.yaml is 1e-9 relative (measured deviation 0 across kernels and threads)
    assert np.isclose(bound, 0.9500951578947369, rtol=1e-9) and np.isclose(se, 0.00446810209748646, rtol=1e-9)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 3. Is a difference resolved? The rule of two standard errors
#
# Two *independent* estimates $a \pm \mathrm{se}_a$ and $b \pm \mathrm{se}_b$ differ by $d = a - b$. Independent
# errors add in quadrature, so
#
# $$\mathrm{se}_d = \sqrt{\mathrm{se}_a^2 + \mathrm{se}_b^2},$$
#
# and the study calls the difference **resolved** when $|d| > z\,\mathrm{se}_d$ with $z = 2$ (about a 95 % two-sided
# test for normal errors). Otherwise the two "do not differ beyond their noise": not the same thing as "equal".
# The study uses this rule to set a probe's accuracy against $A^*$, and the probe on $(s, \text{code})$ against the
# probe on $s$ alone.
#
# Write `difference_rule(a, a_se, b, b_se, z=2.0)`: five floats; return the triple `(d, se_d, resolved)`:
# two floats and a bool.

# %% [raw]
# # BEGIN QUESTION
# name: q3_difference
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def difference_rule(a, a_se, b, b_se, z=2.0):
    gap, se = a - b, np.hypot(a_se, b_se)  # SOLUTION
    return float(gap), float(se), bool(abs(gap) > z * se)  # SOLUTION


# study 3, seed 19: the KNN probe on s reached 0.9507 on the 2,375 test images; A* = 0.9501 ± 0.0045
knn_on_s = 0.9507368421052631
gap, gap_se, resolved = difference_rule(knn_on_s, np.sqrt(knn_on_s * (1 - knn_on_s) / 2375), 0.9500952, 0.0044681)
print(f"KNN on s − A* = {gap:+.4f} ± {gap_se:.4f}: {'resolved' if resolved else 'within the noise'}")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_difference_returns_three_values(difference_rule, np):
    result = difference_rule(0.9, 0.01, 0.8, 0.01)
    assert len(result) == 3, f"return the triple (d, se_d, resolved); got {result!r}"
    assert np.isclose(result[0], 0.1), f"d = a − b = 0.1; got {result[0]}"
    assert result[2] in (True, False), "resolved is a bool"

# %%
# HIDDEN
def test_difference_adds_errors_in_quadrature(difference_rule, np):
    # se 0.003 and 0.004 give se_d = 0.005 (a 3-4-5 triangle): 2 se_d = 0.010
    gap, se, resolved = difference_rule(0.911, 0.003, 0.900, 0.004)
    assert np.isclose(gap, 0.011) and np.isclose(se, 0.005) and resolved
    assert not difference_rule(0.909, 0.003, 0.900, 0.004)[2], "0.009 < 2 × 0.005: not resolved"
    assert not difference_rule(0.911, 0.003, 0.900, 0.004, z=3.0)[2], "z = 3: 0.011 < 0.015"

# %%
# HIDDEN
def test_difference_is_antisymmetric(difference_rule, np):
    rng = np.random.default_rng(33)
    for a, b, a_se, b_se in rng.uniform(0, 1, size=(20, 4)) * [1, 1, 0.2, 0.2]:
        forward, backward = difference_rule(a, a_se, b, b_se), difference_rule(b, b_se, a, a_se)
        assert np.isclose(forward[0], -backward[0]) and np.isclose(forward[1], backward[1])
        assert forward[2] == backward[2]

# %%
# HIDDEN
def test_difference_matches_the_project_and_the_study(difference_rule, np):
    from helpers.verdicts import difference

    rng = np.random.default_rng(34)
    for a, b, a_se, b_se in rng.uniform(0, 1, size=(50, 4)) * [1, 1, 0.3, 0.3]:
        gap, se, resolved = difference_rule(a, a_se, b, b_se)
        verdict = difference(a, a_se, b, b_se)
        assert np.isclose(gap, verdict.numbers["difference"]) and np.isclose(se, verdict.numbers["se"])
        assert resolved == verdict.holds
    # study 3 (seed 19), takeaways t_bound_check and t_beyond_sum: closed-form arithmetic on recorded accuracies,
    # so 1e-9 relative as tests/tolerances.yaml allows numbers with a measured deviation of 0
    knn = 0.9507368421052631
    gap, se, resolved = difference_rule(knn, np.sqrt(knn * (1 - knn) / 2375), 0.9500951578947369, 0.00446810209748646)
    assert np.isclose(se, 0.006299562157172413, rtol=1e-9) and not resolved, "KNN on s: within the noise of A*"
    gap, se, resolved = difference_rule(0.9928421052631579, 0.001729820103792777, 0.9507368421052631,
                                        0.004440782252995055)
    assert resolved and gap > 0, "the AE's code beside s: carries ν beyond the sum"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 4. A KNN probe on standardised features
#
# To ask whether a code carries $\nu$ beyond $s$, the study probes $(s, \text{code})$ with a $k$-nearest-neighbour
# classifier. Distances mix the columns, so a column measured in larger units would outvote the others:
# each column is first **standardised**, $x \mapsto (x - m)/\sigma$, with the mean $m$ and standard deviation
# $\sigma$ (`ddof=0`) of the **training** features, and the *same* $m, \sigma$ are applied to the test
# features. (Statistics of the test set would move the test points by a different map than the training points,
# and make one image's prediction depend on which other images are tested with it.) A column with $\sigma = 0$
# is left unscaled (divide by 1).
#
# Then choose $k \in \{3, \dots, 24\}$ by 5-fold cross-validation on the standardised training features, as the
# study does: `GridSearchCV(KNeighborsClassifier(), {"n_neighbors": list(range(3, 25))}, cv=5)`, and score the
# classifier refitted with the chosen $k$ on all training features on the test features.
#
# Write `standardised_knn_accuracy(train, y_train, test, y_test)`: `train` `(n, d)`, `y_train` `(n,)`, `test`
# `(m, d)`, `y_test` `(m,)`; return the test accuracy, a float.

# %% [raw]
# # BEGIN QUESTION
# name: q4_knn
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def standardised_knn_accuracy(train, y_train, test, y_test):
    mean, sd = np.mean(train, axis=0), np.std(train, axis=0)  # SOLUTION
    sd = np.where(sd > 0, sd, 1.0)  # SOLUTION
    search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": list(range(3, 25))}, cv=5)  # SOLUTION
    search.fit((np.asarray(train) - mean) / sd, y_train)  # SOLUTION
    return float(search.score((np.asarray(test) - mean) / sd, y_test))  # SOLUTION


s_alone = standardised_knn_accuracy(s_train, heavy_train, s_test, heavy_test)
print(f"KNN on s alone: test accuracy {s_alone:.4f} (study 3: 0.9507)")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_knn_separable_data(standardised_knn_accuracy, np):
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 60)
    features = np.column_stack([labels * 10.0 + rng.normal(size=120), rng.normal(size=120)])
    accuracy = standardised_knn_accuracy(features[::2], labels[::2], features[1::2], labels[1::2])
    assert np.ndim(accuracy) == 0, f"return one number, the test accuracy; got {accuracy!r}"
    assert accuracy == 1.0, f"two classes 10 standard deviations apart are told apart perfectly; got {accuracy}"

# %%
# HIDDEN
def test_knn_does_not_care_about_units(standardised_knn_accuracy, np):
    # column 0 decides the label, column 1 is noise of the same spread; in other units (× 1000, shifted) the noise
    # column would outvote the signal unless the columns are standardised
    rng = np.random.default_rng(35)
    x = rng.normal(size=(400, 2))
    y = (x[:, 0] + 0.3 * rng.normal(size=400) > 0).astype(int)
    plain = standardised_knn_accuracy(x[:300], y[:300], x[300:], y[300:])
    units = np.array([1.0, 1000.0]), np.array([0.0, 50.0])
    rescaled = standardised_knn_accuracy(x[:300] * units[0] + units[1], y[:300], x[300:] * units[0] + units[1], y[300:])
    assert plain > 0.75 and np.isclose(plain, rescaled), f"accuracy {plain:.3f}, in other units {rescaled:.3f}"

# %%
# HIDDEN
def test_knn_scores_each_test_image_on_its_own(standardised_knn_accuracy, np):
    # training statistics map every test image the same way: the accuracy on the whole test set is the size-weighted
    # mean of the accuracies on its two halves (here: the lower and the upper half of the signal column)
    rng = np.random.default_rng(36)
    x = rng.normal(size=(500, 2))
    y = (x[:, 0] + 0.3 * rng.normal(size=500) > 0).astype(int)
    train, y_train, test, y_test = x[:300], y[:300], x[300:], y[300:]
    order = np.argsort(test[:, 0])
    low, high = order[:100], order[100:]
    whole = standardised_knn_accuracy(train, y_train, test, y_test)
    halves = (standardised_knn_accuracy(train, y_train, test[low], y_test[low])
              + standardised_knn_accuracy(train, y_train, test[high], y_test[high])) / 2
    assert np.isclose(whole, halves), f"whole test set {whole:.3f}, mean of its halves {halves:.3f}"

# %%
# HIDDEN
def test_knn_matches_the_project(standardised_knn_accuracy, s_train, heavy_train, s_test, heavy_test, np):
    from helpers.probes import knn_probe

    # the body of helpers.studies.t_distribution.probing.standardised_knn_accuracy (that module imports TensorFlow,
    # ~10 s, so its three lines are repeated here around the same KNN probe, helpers.probes.knn_probe)
    rng = np.random.default_rng(37)
    x = rng.normal(size=(300, 3)) * [1.0, 20.0, 0.05] + [0.0, 5.0, -3.0]
    y = (x[:, 0] + x[:, 1] / 20 + 0.5 * rng.normal(size=300) > 0).astype(int)
    mean, sd = x[:200].mean(axis=0), x[:200].std(axis=0)
    reference = knn_probe((x[:200] - mean) / sd, y[:200], (x[200:] - mean) / sd, y[200:])["accuracy"]
    assert np.isclose(standardised_knn_accuracy(x[:200], y[:200], x[200:], y[200:]), reference)
    # the study's probe on s alone (takeaway t_beyond_sum): 0.9507; band 1e-3, tests/tolerances.yaml's t_beyond_sum*
    accuracy = standardised_knn_accuracy(s_train, heavy_train, s_test, heavy_test)
    assert abs(accuracy - 0.9507368421052631) <= 1e-3, f"KNN on s alone: {accuracy:.4f}, study 3: 0.9507"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 5. A paired t-test over seeds
#
# The study trains a VAE and an AE at each of five seeds. Both see the same data at a seed, so what the seed
# changes (the draw of $\nu$, the split's labels) moves both accuracies together. Compare them **paired**: take the
# per-seed differences $d_s = a_s - b_s$, their mean $\bar d$ and standard deviation $s_d$ (`ddof=1`) over the
# $n$ seeds, and
#
# $$t = \frac{\bar d}{s_d / \sqrt n}, \qquad p = 2\,P\big(T_{n-1} > |t|\big),$$
#
# with $T_{n-1}$ Student's t distribution with $n - 1$ degrees of freedom (`scipy.stats.t.sf`). An unpaired test
# would put the seed-to-seed spread of each accuracy into the noise and hide a small but consistent gap.
#
# When all differences are equal, $s_d = 0$ and $t$ is undefined. Then return $p = 1$ if every difference is
# 0 (no difference at all) and $p = 0$ if they all equal one non-zero value (every seed agrees exactly).
#
# Write `paired_p_value(a, b)`: two arrays of shape `(n,)`, $n \ge 2$, the same seeds in the same order; return the
# two-sided p-value, a float. Work it out from the formula: `scipy.stats.ttest_rel` is what the grader compares
# with.

# %% [raw]
# # BEGIN QUESTION
# name: q5_paired
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def paired_p_value(a, b):
    gaps = np.asarray(a, np.float64) - np.asarray(b, np.float64)  # SOLUTION
    # BEGIN SOLUTION NO PROMPT
    if np.ptp(gaps) == 0:
        return float(gaps[0] == 0)
    # END SOLUTION
    t = gaps.mean() / (gaps.std(ddof=1) / np.sqrt(len(gaps)))  # SOLUTION
    return float(2 * stats.t.sf(abs(t), df=len(gaps) - 1))  # SOLUTION


vae_vs_ae = paired_p_value(knn_accuracy["VAE mean z"], knn_accuracy["AE z"])
print(f"KNN accuracy, VAE means vs AE codes over {len(knn_accuracy)} seeds: paired p = {vae_vs_ae:.4f}")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_paired_returns_a_probability(paired_p_value, np):
    p = paired_p_value(np.array([0.90, 0.85, 0.88]), np.array([0.89, 0.86, 0.86]))
    assert np.ndim(p) == 0 and 0 <= p <= 1, f"return one p-value between 0 and 1; got {p!r}"
    assert paired_p_value(np.array([0.9, 0.8]), np.array([0.9, 0.8])) == 1.0, "no difference at all: p = 1"

# %%
# HIDDEN
def test_paired_known_answer_and_conventions(paired_p_value, np):
    # d = (1, 2, 3): d̄ = 2, s_d = 1, t = 2√3 with 2 degrees of freedom, where p = 1 − t / √(t² + 2) exactly
    t = 2 * np.sqrt(3)
    assert np.isclose(paired_p_value(np.array([1.0, 2.0, 3.0]), np.zeros(3)), 1 - t / np.sqrt(t**2 + 2), rtol=1e-9)
    assert paired_p_value(np.array([0.5, 0.7, 0.6]) + 0.125, np.array([0.5, 0.7, 0.6])) == 0.0, "every seed agrees"

# %%
# HIDDEN
def test_paired_matches_scipy_and_the_project(paired_p_value, np):
    from scipy.stats import ttest_rel

    from helpers.verdicts import paired_p_value as reference

    rng = np.random.default_rng(38)
    for n in (2, 3, 5, 20):
        a, b = rng.normal(size=n), rng.normal(size=n) + 0.3
        assert np.isclose(paired_p_value(a, b), ttest_rel(a, b).pvalue, rtol=1e-9)
        assert np.isclose(paired_p_value(a, b), reference(a, b), rtol=1e-9)

# %%
# HIDDEN
def test_paired_invariances(paired_p_value, np):
    rng = np.random.default_rng(39)
    a, b = rng.normal(size=6), rng.normal(size=6)
    p = paired_p_value(a, b)
    assert np.isclose(paired_p_value(b, a), p, rtol=1e-9), "a two-sided test: swapping the sides keeps p"
    assert np.isclose(paired_p_value(a + 7.0, b + 7.0), p, rtol=1e-9), "a constant added to both sides keeps p"

# %%
# HIDDEN
def test_paired_uses_the_pairing(paired_p_value, np):
    # the seeds move both accuracies together by a lot; within each seed a is higher by 0.01 ± 0.002: the paired
    # test sees the consistent gap (t ≈ 11), an unpaired one only the seed-to-seed spread (p ≈ 0.9)
    rng = np.random.default_rng(40)
    seed_effect = rng.normal(scale=0.05, size=5)
    a = 0.85 + seed_effect + 0.01 + rng.normal(scale=0.002, size=5)
    b = 0.85 + seed_effect
    assert paired_p_value(a, b) < 0.01

# %%
# HIDDEN
def test_paired_reproduces_the_study(paired_p_value, knn_accuracy, PAIRS, np):
    # study 3's table t_paired: the raw p-values of the seven comparisons on the shipped table, arithmetic on
    # shipped numbers only, so tests/tolerances.yaml allows 1e-9 relative; 1e-6 leaves room for another summation order
    recorded = {("VAE mean z", "AE z"): 0.0026065827499947686, ("VAE sampled z", "AE z"): 3.795419891201405e-05,
                ("VAE mean z", "VAE sampled z"): 4.1562069798747544e-05,
                ("true var_x + var_y", "VAE mean z"): 4.261631454131861e-05,
                ("pixels", "true var_x + var_y"): 1.8054476814792878e-06,
                ("VAE mean z", "PCA-3 of pixels"): 0.00015153165732618003,
                ("AE z", "PCA-3 of pixels"): 0.0005245763522200769}
    for first, second in PAIRS:
        p = paired_p_value(knn_accuracy[first].to_numpy(), knn_accuracy[second].to_numpy())
        assert np.isclose(p, recorded[first, second], rtol=1e-6), f"{first} − {second}: p = {p:.3g}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 6. Holm's correction for a family of tests
#
# The study tests seven differences on the same table. At $\alpha = 0.05$ each test alone would call a
# non-existent difference real one time in twenty, so seven tests together would do it far more often. Holm's
# step-down method keeps the chance of *any* false call below $\alpha$: sort the $m$ p-values,
# $p_{(1)} \le \dots \le p_{(m)}$, multiply the $k$-th smallest by $m - k + 1$, make the results non-decreasing
# (each is at least the one before it) and cap them at 1:
#
# $$\tilde p_{(k)} = \min\Big(1,\ \max_{j \le k}\,(m - j + 1)\, p_{(j)}\Big).$$
#
# A difference holds where $\tilde p < \alpha$. Holm is never stricter than Bonferroni ($m\,p$ for all) and
# rejects at least what Bonferroni rejects.
#
# Write `holm(p_values)`: an array of shape `(m,)`; return the adjusted p-values, shape `(m,)`, **in the order
# given** (not sorted).

# %% [raw]
# # BEGIN QUESTION
# name: q6_holm
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def holm(p_values):
    p = np.asarray(p_values, np.float64)  # SOLUTION
    order = np.argsort(p)  # SOLUTION
    scaled = (len(p) - np.arange(len(p))) * p[order]  # SOLUTION
    adjusted = np.empty_like(p)  # SOLUTION
    adjusted[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)  # SOLUTION
    return adjusted  # SOLUTION


raw = [paired_p_value(knn_accuracy[first], knn_accuracy[second]) for first, second in PAIRS]
pd.DataFrame({"p": raw, "Holm p": holm(raw)}, index=[f"{first} − {second}" for first, second in PAIRS])

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_holm_shape_and_order(holm, np):
    adjusted = holm(np.array([0.04, 0.001, 0.3]))
    assert np.shape(adjusted) == (3,), f"one adjusted p-value per test, shape (3,); got {np.shape(adjusted)}"
    assert np.all(adjusted >= [0.04, 0.001, 0.3]), "an adjustment for many tests never lowers a p-value"
    assert adjusted[1] == np.min(adjusted), "keep the order given: the smallest p stays the second"

# %%
# HIDDEN
def test_holm_known_family(holm, np):
    # sorted: 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04; non-decreasing: 0.04 → 0.06
    assert np.allclose(holm(np.array([0.01, 0.04, 0.03, 0.005])), [0.03, 0.06, 0.06, 0.02])
    assert np.allclose(holm(np.array([0.2, 0.6, 0.9])), [0.6, 1.0, 1.0]), "capped at 1"
    assert np.allclose(holm(np.array([0.037])), [0.037]), "one test needs no correction"

# %%
# HIDDEN
def test_holm_matches_the_project(holm, np):
    from helpers.verdicts import holm as reference

    rng = np.random.default_rng(41)
    for m in (2, 3, 7, 12):
        p = rng.uniform(size=m) ** 3
        p[-1] = p[0]  # a tie
        adjusted = holm(p)
        assert np.allclose(adjusted, reference(p), rtol=1e-12)
        assert np.all(adjusted <= np.minimum(m * p, 1) + 1e-15), "never stricter than Bonferroni"

# %%
# HIDDEN
def test_holm_reproduces_the_study(holm, np):
    # study 3's table t_paired: raw and Holm-adjusted p-values of the seven comparisons (tolerance 1e-9 relative,
    # tests/tolerances.yaml: arithmetic on the shipped table)
    raw = np.array([0.0026065827499947686, 3.795419891201405e-05, 4.1562069798747544e-05, 4.261631454131861e-05,
                    1.8054476814792878e-06, 0.00015153165732618003, 0.0005245763522200769])
    recorded = np.array([0.0026065827499947686, 0.00022772519347208432, 0.00022772519347208432,
                         0.00022772519347208432, 1.2638133770355016e-05, 0.0004545949719785401,
                         0.0010491527044401538])
    assert np.allclose(holm(raw), recorded, rtol=1e-9, atol=0)
    assert np.all(holm(raw) < 0.05), "study 3: all seven differences hold after Holm's correction"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Done
#
# Compare your numbers with study 3's page: the Bayes bound $A^*$, the KNN on $s$ alone against it, and the
# table of paired differences with their Holm-adjusted p-values.
