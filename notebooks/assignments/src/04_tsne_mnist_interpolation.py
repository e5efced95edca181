# %% [raw]
# # ASSIGNMENT CONFIG
# name: 04_tsne_mnist_interpolation
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
# # Assignment 4 — the pieces of study 4: likelihood bounds, interpolation, sampling codes, a share and its error
#
# Study 4 (t-SNE, arithmetic and interpolation on MNIST) reads a VAE's loss as a bound on $\log p(x)$ and
# tightens it by importance sampling, walks between the codes of two digits, generates digits from a Gaussian
# mixture fitted to an autoencoder's codes, and reports how often a judge accepts the results as a share with an
# error bar. Here you write those pieces yourself. The grader compares each with the project's own implementation
# on seeded inputs and with known answers: closed forms, orderings and invariances.
#
# **How to work.** Run the cells from the top. Under each question, replace every `...` with your code, then run
# the `grader.check(...)` cell under it: it runs the *public* tests (shapes and sanity) and tells you what
# failed. Passing them does not mean full marks: the grader also runs tests you do not see, with known answers.
# Use NumPy, SciPy and scikit-learn; do not import from `helpers` in your answers. Nothing here trains a network:
# every input is small and synthetic, so the whole notebook runs in seconds.
#
# **How to submit.** Save the notebook and hand in the `.ipynb` file as your course asks. Your lecturer grades all
# submissions with `make grade SUBMISSIONS=folder`.

# %%
import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture

# %% [markdown]
# ## 1. The log-mean-exp
#
# Importance sampling averages *weights* $w_i$ that are far too small to store: a decoder's $\log p(x\mid z)$ on
# a 28×28 image is about $-100$ nats, and $e^{-100}$ is $4 \times 10^{-44}$; at $-800$ it is 0 in floating point.
# So one works with $a_i = \log w_i$ and computes the log of their mean by shifting by the largest term first,
# $m = \max_i a_i$:
#
# $$\log \frac1k \sum_{i=1}^{k} e^{a_i} \;=\; m + \log \frac1k \sum_{i=1}^{k} e^{a_i - m}.$$
#
# Every $e^{a_i - m}$ lies in $(0, 1]$ and the largest is exactly 1, so nothing overflows and the sum never
# underflows to 0.
#
# Write `log_mean_exp(a, axis=-1)`: an array `a` of any shape, returning the log-mean-exp along `axis` (that axis
# removed; for `a` of shape `(n, k)` and `axis=-1`, shape `(n,)`). If every entry along the axis is $-\infty$
# (every weight is 0), return $-\infty$ there, not `nan`.

# %% [raw]
# # BEGIN QUESTION
# name: q1_log_mean_exp
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def log_mean_exp(a, axis=-1):
    a = np.asarray(a, np.float64)  # SOLUTION
    top = np.max(a, axis=axis, keepdims=True)  # SOLUTION
    top = np.where(np.isfinite(top), top, 0.0)  # SOLUTION
    return np.squeeze(top, axis) + np.log(np.mean(np.exp(a - top), axis=axis))  # SOLUTION

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_log_mean_exp_shape_and_value(log_mean_exp, np):
    values = log_mean_exp(np.zeros((3, 5)))
    assert np.shape(values) == (3,), f"one value per row expected, shape (3,); got {np.shape(values)}"
    assert np.allclose(values, 0.0), "the mean of five weights e⁰ = 1 is 1, whose log is 0"
    assert np.isclose(log_mean_exp(np.log([1.0, 3.0])), np.log(2.0)), "the mean of the weights 1 and 3 is 2"

# %%
# HIDDEN
def test_lme_survives_huge_and_tiny_weights(log_mean_exp, np):
    # e^(−1000) underflows to 0 and e^(800) overflows to ∞ in float64: without the shift by the largest term the
    # answer is −∞ or ∞ (or nan); with it, both are exact
    assert np.isclose(log_mean_exp(np.array([-1000.0, -1000.0 + np.log(3.0)])), -1000.0 + np.log(2.0))
    assert np.isclose(log_mean_exp(np.array([800.0, 800.0])), 800.0)
    assert np.isclose(log_mean_exp(np.array([-5000.0, 0.0])), -np.log(2.0))

# %%
# HIDDEN
def test_lme_axis_shift_and_jensen(log_mean_exp, np):
    rng = np.random.default_rng(10)
    a = rng.normal(scale=30.0, size=(4, 6, 7))
    assert np.shape(log_mean_exp(a, axis=1)) == (4, 7)
    assert np.allclose(log_mean_exp(a + 123.0, axis=0), log_mean_exp(a, axis=0) + 123.0)  # shifting every term
    value = log_mean_exp(a, axis=-1)
    assert np.all(value >= a.mean(axis=-1)) and np.all(value <= a.max(axis=-1))  # Jensen, and a mean ≤ its max

# %%
# HIDDEN
def test_lme_all_zero_weights(log_mean_exp, np):
    value = log_mean_exp(np.array([[-np.inf, -np.inf], [0.0, -np.inf]]))
    assert value[0] == -np.inf, "every weight 0: the log of their mean is −∞"
    assert np.isclose(value[1], -np.log(2.0))

# %%
# HIDDEN
def test_lme_matches_the_project(log_mean_exp, np):
    from helpers.likelihood import log_mean_exp as reference

    rng = np.random.default_rng(11)
    a = rng.normal(loc=-1500.0, scale=50.0, size=(20, 100))  # weights below e^(−745) underflow to 0
    assert np.allclose(log_mean_exp(a), reference(a), rtol=1e-12)
    assert np.allclose(log_mean_exp(a, axis=0), reference(a, axis=0), rtol=1e-12)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## A model whose $\log p(x)$ is known
#
# A VAE's $\log p(x)$ is an integral over all codes that nobody can compute. To check a bound on it, use a model
# where it has a closed form: a *linear Gaussian* model. With $z \sim \mathcal N(0, I_d)$ and noise
# $\eta \sim \mathcal N(0, I_D)$,
#
# $$x = W z + b + s\,\eta, \qquad p(x \mid z) = \mathcal N(x;\, Wz + b,\, s^2 I), \qquad
#   p(x) = \mathcal N(x;\, b,\, W W^\top + s^2 I).$$
#
# Its columns of $W$ are orthogonal, so $W^\top W = \operatorname{diag}(c_j^2)$ and the exact posterior is a
# diagonal Gaussian, $p(z \mid x) = \mathcal N\big(\mu, \operatorname{diag}\sigma^2\big)$ with
# $\sigma_j^2 = s^2 / (s^2 + c_j^2)$ and $\mu = \sigma^2 \odot W^\top (x - b) / s^2$: exactly the form of a VAE's
# encoder. The cell below builds it; question 2 uses it.

# %%
class LinearGaussian:
    """x = W z + b + s·η with z ~ N(0, I_d), η ~ N(0, I_D); W has orthogonal columns."""

    def __init__(self, d=2, D=5, noise=0.5, seed=0):
        rng = np.random.default_rng(seed)
        q, _ = np.linalg.qr(rng.normal(size=(D, d)))  # orthonormal columns
        self.W = q * rng.uniform(0.5, 2.0, size=d)  # scaled: still orthogonal, so WᵀW is diagonal
        self.b = rng.normal(size=D)
        self.noise = noise

    def sample_x(self, n, rng):
        """n draws of x, shape (n, D)."""
        D, d = self.W.shape
        return rng.standard_normal((n, d)) @ self.W.T + self.b + self.noise * rng.standard_normal((n, D))

    def log_likelihood(self, x, z):
        """log p(x|z) = log N(x; W z + b, s² I) for paired rows x (m, D) and z (m, d): shape (m,)."""
        residual = x - z @ self.W.T - self.b
        D = x.shape[1]
        return (-0.5 * np.sum(residual**2, axis=1) / self.noise**2 - D * np.log(self.noise)
                - 0.5 * D * np.log(2 * np.pi))

    def log_marginal(self, x):
        """The exact log p(x) = log N(x; b, W Wᵀ + s² I) of each row of x (n, D): shape (n,)."""
        covariance = self.W @ self.W.T + self.noise**2 * np.eye(len(self.b))
        return np.atleast_1d(multivariate_normal(self.b, covariance).logpdf(x))

    def posterior(self, x):
        """(mean, log variance) of the exact posterior p(z|x) of each row of x: two arrays (n, d)."""
        variance = self.noise**2 / (self.noise**2 + np.sum(self.W**2, axis=0))
        mean = (x - self.b) @ self.W * variance / self.noise**2
        return mean, np.broadcast_to(np.log(variance), mean.shape).copy()


toy = LinearGaussian()
toy_x = toy.sample_x(4, np.random.default_rng(0))
print("exact log p(x) of four draws:", np.round(toy.log_marginal(toy_x), 3))

# %% [markdown]
# ## 2. The importance-weighted bound
#
# A VAE's encoder gives $q(z \mid x) = \mathcal N(\mu, \operatorname{diag}\sigma^2)$, its prior is
# $p(z) = \mathcal N(0, I)$ and its decoder gives $\log p(x \mid z)$. Draw $k$ codes
# $z_i = \mu + \sigma \odot \varepsilon_i$ with $\varepsilon_i \sim \mathcal N(0, I)$, and weight each:
#
# $$\log w_i = \log p(x \mid z_i) + \log p(z_i) - \log q(z_i \mid x),$$
#
# $$\log p(z) = -\sum_j \big(\tfrac12 z_j^2 + \tfrac12 \log 2\pi\big), \qquad
#   \log q(z_i \mid x) = -\sum_j \big(\tfrac12 \varepsilon_{ij}^2 + \tfrac12 \log\sigma_j^2 + \tfrac12 \log 2\pi\big).$$
#
# The importance-weighted bound is the log-mean-exp of the log-weights, $L_k = \log \frac1k \sum_{i=1}^k w_i$.
# In expectation $L_1$ is the ELBO, $\log p(x) \ge \mathbb E[L_{k+1}] \ge \mathbb E[L_k]$, and $L_k \to \log p(x)$
# as $k \to \infty$. Study 4 computes it for $k$ = 1, 10, 100 and 1,000 on 300 test digits: at $k$ = 1,000 the
# bound lies 7.0 ± 0.4 nats per image above the ELBO.
#
# Write `iwae_bound(log_likelihood, x, z_mean, log_var, epsilon)`:
# * `log_likelihood(x_rows, z_rows)` takes paired rows, `x_rows` of shape `(m, D)` and `z_rows` of shape `(m, d)`,
#   and returns $\log p(x \mid z)$ per row, shape `(m,)`; call it once on all $n \cdot k$ pairs (repeat each image
#   $k$ times, e.g. with `np.repeat(..., axis=0)`);
# * `x` has shape `(n, D)`, `z_mean` and `log_var` ($\log\sigma^2$) shape `(n, d)`, the noise `epsilon` shape
#   `(n, k, d)`;
# * return $L_k$ per image, shape `(n,)`.
#
# For the log-mean-exp use `scipy.special.logsumexp` (imported above: $\log\frac1k\sum_i e^{a_i}$ is
# `logsumexp(a) − log k`), so that this question does not depend on your question 1.

# %% [raw]
# # BEGIN QUESTION
# name: q2_iwae
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def iwae_bound(log_likelihood, x, z_mean, log_var, epsilon):
    n, k, d = np.shape(epsilon)  # SOLUTION
    z = z_mean[:, None, :] + np.exp(0.5 * log_var)[:, None, :] * epsilon  # SOLUTION
    log_px_z = np.asarray(log_likelihood(np.repeat(x, k, axis=0), z.reshape(n * k, d))).reshape(n, k)  # SOLUTION
    log_pz = -0.5 * np.sum(z**2 + np.log(2 * np.pi), axis=-1)  # SOLUTION
    log_qz = -0.5 * np.sum(epsilon**2 + log_var[:, None, :] + np.log(2 * np.pi), axis=-1)  # SOLUTION
    return logsumexp(log_px_z + log_pz - log_qz, axis=1) - np.log(k)  # SOLUTION


toy_mean, toy_log_var = toy.posterior(toy_x)
toy_epsilon = np.random.default_rng(1).standard_normal((4, 10, 2))
print("L_10 with the exact posterior as q:", np.round(iwae_bound(toy.log_likelihood, toy_x, toy_mean, toy_log_var,
                                                                 toy_epsilon), 3))

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_iwae_shape(iwae_bound, LinearGaussian, np):
    model = LinearGaussian()
    x = model.sample_x(6, np.random.default_rng(0))
    mean, log_var = model.posterior(x)
    epsilon = np.random.default_rng(1).standard_normal((6, 3, 2))
    bound = iwae_bound(model.log_likelihood, x, mean, log_var + 0.5, epsilon)
    assert np.shape(bound) == (6,), f"one bound per image expected, shape (6,); got {np.shape(bound)}"
    assert np.all(np.isfinite(bound)), "the bound of this small model is a finite number of nats"
    assert np.all(bound <= model.log_marginal(x) + 5.0), "a bound far above the exact log p(x): check the weights"

# %%
# HIDDEN
def test_iwae_exact_posterior_gives_log_px(iwae_bound, LinearGaussian, np):
    # with q = p(z|x) every weight is p(x, z)/p(z|x) = p(x): the bound is exact for every k, even k = 1
    model = LinearGaussian(d=3, D=6, noise=0.3, seed=5)
    x = model.sample_x(8, np.random.default_rng(2))
    mean, log_var = model.posterior(x)
    for k in (1, 7):
        bound = iwae_bound(model.log_likelihood, x, mean, log_var, np.random.default_rng(k).standard_normal((8, k, 3)))
        assert np.allclose(bound, model.log_marginal(x), atol=1e-8), f"k = {k}"

# %%
# HIDDEN
def test_iwae_rises_from_the_elbo_to_log_px(iwae_bound, LinearGaussian, np):
    # an imperfect q (mean off by half a posterior sd, variance doubled): E[L_1] = log p(x) − KL(q ‖ p(z|x)) in
    # closed form, E[L_k] rises with k and reaches log p(x). 2,000 independent estimates of each E[L_k] for one x.
    model = LinearGaussian()
    x = np.repeat(model.sample_x(1, np.random.default_rng(3)), 2000, axis=0)
    mean_p, log_var_p = model.posterior(x)
    mean_q, log_var_q = mean_p + 0.5 * np.exp(0.5 * log_var_p), log_var_p + 0.7
    kl = 0.5 * np.sum(np.exp(log_var_q - log_var_p) + (mean_q - mean_p) ** 2 / np.exp(log_var_p) - 1
                      - (log_var_q - log_var_p), axis=1)[0]
    log_px = model.log_marginal(x[:1])[0]
    rng = np.random.default_rng(4)
    means, errors = {}, {}
    for k in (1, 10, 100, 1000):
        bound = iwae_bound(model.log_likelihood, x, mean_q, log_var_q, rng.standard_normal((2000, k, 2)))
        means[k], errors[k] = bound.mean(), bound.std(ddof=1) / np.sqrt(len(bound))
    # each band is four standard errors of the mean over the 2,000 estimates (errors[1] ≈ 0.03 nats, KL ≈ 0.56)
    assert abs(means[1] - (log_px - kl)) < 4 * errors[1], f"E[L_1] = {means[1]:.4f}, log p(x) − KL = {log_px - kl:.4f}"
    assert means[1] < means[10] < means[100], f"E[L_k] must rise with k: {means}"
    assert log_px - means[1000] < 0.01 and means[1000] < log_px + 4 * errors[1000], \
        f"L_1000 = {means[1000]:.4f}, log p(x) = {log_px:.4f} (KL of q to the posterior {kl:.3f})"

# %%
# HIDDEN
def test_iwae_is_above_the_mean_log_weight(iwae_bound, LinearGaussian, np):
    # for the same draws, log of the mean weight ≥ mean of the log-weights (Jensen), strictly unless all are equal;
    # each L_1 on one draw is that draw's log-weight
    model = LinearGaussian(seed=7)
    x = model.sample_x(5, np.random.default_rng(5))
    mean, log_var = model.posterior(x)
    epsilon = np.random.default_rng(6).standard_normal((5, 20, 2))
    log_w = np.stack([iwae_bound(model.log_likelihood, x, mean + 0.3, log_var, epsilon[:, i:i + 1]) for i in range(20)],
                     axis=1)
    assert np.all(iwae_bound(model.log_likelihood, x, mean + 0.3, log_var, epsilon) > log_w.mean(axis=1) + 1e-3)

# %%
# HIDDEN
def test_iwae_matches_the_project(iwae_bound, np):
    from helpers.likelihood import log_mean_exp, log_weights

    # a small Bernoulli decoder on grey pixels, as in study 4: p = sigmoid(z A + c),
    # log p(x|z) = Σ x log p + (1 − x) log(1 − p)
    rng = np.random.default_rng(7)
    A, c = rng.normal(size=(3, 12)), rng.normal(size=12)

    def log_likelihood(x_rows, z_rows):
        logits = z_rows @ A + c
        return np.sum(x_rows * logits - np.logaddexp(0.0, logits), axis=1)

    x = rng.uniform(size=(9, 12))
    mean, log_var, epsilon = rng.normal(size=(9, 3)), rng.normal(size=(9, 3)) - 1.0, rng.standard_normal((9, 50, 3))
    reference = log_mean_exp(log_weights(log_likelihood, x, mean, log_var, epsilon))
    assert np.allclose(iwae_bound(log_likelihood, x, mean, log_var, epsilon), reference, rtol=1e-10)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 3. Spherical interpolation
#
# Study 4 walks the straight line $z(t) = (1-t)\,z_a + t\,z_b$ between two codes. For codes drawn from a VAE's
# prior $\mathcal N(0, I_d)$ that line cuts a corner: in $d = 32$ dimensions almost every draw has a norm near
# $\sqrt{32} \approx 5.7$, and two draws are nearly orthogonal, so the midpoint $\tfrac12(z_a + z_b)$ has a norm
# near $\sqrt{16} = 4$ — a region the prior almost never visits. *Spherical* linear interpolation (slerp)
# instead turns from $z_a$ to $z_b$ at a constant rate of angle. With $\Omega$ the angle between them,
# $\cos\Omega = \dfrac{z_a \cdot z_b}{\lVert z_a\rVert\,\lVert z_b\rVert}$,
#
# $$\operatorname{slerp}(z_a, z_b; t) = \frac{\sin\big((1-t)\,\Omega\big)}{\sin\Omega}\, z_a
#   + \frac{\sin(t\,\Omega)}{\sin\Omega}\, z_b .$$
#
# Between two vectors of equal norm it stays on their sphere, and the angle from $z_a$ to the point at $t$ is
# $t\,\Omega$. When $\sin\Omega < 10^{-8}$ (the two codes point the same way, or opposite ways) the formula
# divides by zero; its limit for $\Omega \to 0$ is the straight line, so return that instead.
#
# Write `slerp(z_a, z_b, t)`: two codes of shape `(d,)` and the fractions `t`, shape `(m,)`, returning the `m`
# interpolated codes, shape `(m, d)`. (Clip $\cos\Omega$ to $[-1, 1]$ before `np.arccos`: rounding can push it
# just outside.)

# %% [raw]
# # BEGIN QUESTION
# name: q3_slerp
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def slerp(z_a, z_b, t):
    z_a, z_b = np.asarray(z_a, np.float64), np.asarray(z_b, np.float64)  # SOLUTION
    t = np.asarray(t, np.float64)[:, None]  # SOLUTION
    cos_omega = z_a @ z_b / (np.linalg.norm(z_a) * np.linalg.norm(z_b))  # SOLUTION
    omega = np.arccos(np.clip(cos_omega, -1.0, 1.0))  # SOLUTION
    if np.sin(omega) < 1e-8:
        return (1 - t) * z_a + t * z_b  # SOLUTION
    return (np.sin((1 - t) * omega) * z_a + np.sin(t * omega) * z_b) / np.sin(omega)  # SOLUTION


prior_draws = np.random.default_rng(0).standard_normal((2, 32))
halfway = slerp(prior_draws[0], prior_draws[1], np.array([0.5]))[0]
print(f"norms: the two ends {np.linalg.norm(prior_draws, axis=1).round(2)}, the straight line's midpoint "
      f"{np.linalg.norm(prior_draws.mean(axis=0)):.2f}, slerp's midpoint {np.linalg.norm(halfway):.2f}")

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_slerp_shape_and_ends(slerp, np):
    z_a, z_b = np.array([1.0, 0.0, 2.0]), np.array([0.0, -1.0, 1.0])
    path = slerp(z_a, z_b, np.linspace(0.0, 1.0, 5))
    assert np.shape(path) == (5, 3), f"one code per fraction t expected, shape (5, 3); got {np.shape(path)}"
    assert np.allclose(path[0], z_a) and np.allclose(path[-1], z_b), "t = 0 must give z_a and t = 1 must give z_b"

# %%
# HIDDEN
def test_slerp_quarter_circle(slerp, np):
    # between orthonormal vectors slerp is the quarter circle cos(tπ/2) z_a + sin(tπ/2) z_b
    rng = np.random.default_rng(20)
    q, _ = np.linalg.qr(rng.normal(size=(6, 2)))
    t = np.linspace(0.0, 1.0, 11)
    expected = np.cos(t * np.pi / 2)[:, None] * q[:, 0] + np.sin(t * np.pi / 2)[:, None] * q[:, 1]
    assert np.allclose(slerp(q[:, 0], q[:, 1], t), expected, atol=1e-10)

# %%
# HIDDEN
def test_slerp_splits_the_angle_evenly(slerp, np):
    # between codes of equal norm the angle from z_a to the point at t is t·Ω (a renormalised straight line turns
    # slowly near the ends and fast in the middle)
    rng = np.random.default_rng(21)
    z_a, z_b = rng.normal(size=8), rng.normal(size=8)
    z_b *= np.linalg.norm(z_a) / np.linalg.norm(z_b)

    def angle(u, v):
        return np.arccos(np.clip(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)), -1.0, 1.0))

    t = np.linspace(0.0, 1.0, 9)
    path = slerp(z_a, z_b, t)
    # (arccos near 1 loses half the digits: a tolerance of 1e-6 rad, where a renormalised line errs by 0.07)
    assert np.allclose([angle(z_a, p) for p in path], t * angle(z_a, z_b), atol=1e-6)

# %%
# HIDDEN
def test_slerp_keeps_an_equal_norm(slerp, np):
    rng = np.random.default_rng(22)
    z_a, z_b = rng.normal(size=32), rng.normal(size=32)
    z_b *= np.linalg.norm(z_a) / np.linalg.norm(z_b)
    path = slerp(z_a, z_b, np.linspace(0.0, 1.0, 21))
    assert np.allclose(np.linalg.norm(path, axis=1), np.linalg.norm(z_a), rtol=1e-10)

# %%
# HIDDEN
def test_slerp_parallel_codes_fall_back_to_the_line(slerp, np):
    z_a = np.array([0.6, -0.8, 0.0])
    t = np.linspace(0.0, 1.0, 5)
    path = slerp(z_a, 2.5 * z_a, t)
    assert np.all(np.isfinite(path)), "parallel codes: sin Ω = 0, return the straight line instead of dividing by 0"
    assert np.allclose(path, (1 + 1.5 * t)[:, None] * z_a)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Codes to generate from
#
# A plain autoencoder has no prior to sample. Study 4 therefore fits a Gaussian mixture
# $\sum_c \pi_c\, \mathcal N(z;\, m_c, C_c)$ to its training codes (scikit-learn's `GaussianMixture`, full
# covariances, started from one k-means++ seeding) and decodes draws from that mixture. Here three clusters of
# 2-D points stand in for the codes; the cell fits the mixture as the study does.

# %%
cluster_rng = np.random.default_rng(0)
codes = np.concatenate([cluster_rng.normal([-3.0, 0.0], [0.6, 1.0], size=(300, 2)),
                        cluster_rng.normal([2.0, 2.0], [1.0, 0.4], size=(500, 2)),
                        cluster_rng.normal([2.0, -2.5], [0.5, 0.5], size=(200, 2))])
mixture = GaussianMixture(3, covariance_type="full", init_params="k-means++", random_state=0).fit(codes)
print("weights:", mixture.weights_.round(3), "\nmeans:\n", mixture.means_.round(2))

# %% [markdown]
# ## 4. Sampling a Gaussian mixture
#
# A draw from the mixture picks a component $c \sim \operatorname{Categorical}(\pi)$, then draws from that
# component: $z = m_c + L_c\,\varepsilon$ with $\varepsilon \sim \mathcal N(0, I)$ and $L_c$ the Cholesky factor of
# its covariance, $C_c = L_c L_c^\top$ (so that $z$ has covariance $L_c L_c^\top = C_c$).
#
# Write `sample_mixture(weights, means, covariances, n, rng)`: the weights $\pi$, shape `(K,)`, the means, shape
# `(K, D)`, the covariances, shape `(K, D, D)` (a fitted `GaussianMixture` holds them as `weights_`, `means_` and
# `covariances_`), the number of draws `n` and a seed or a NumPy `Generator` `rng`; return the draws, shape
# `(n, D)`. So that the grader can compare your draws with the project's one by one, take the randomness in this
# order from `np.random.default_rng(rng)`: first all `n` labels with `.choice(K, size=n, p=weights)`, then all the
# noise at once with `.standard_normal((n, D))`.

# %% [raw]
# # BEGIN QUESTION
# name: q4_mixture
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def sample_mixture(weights, means, covariances, n, rng=None):
    rng = np.random.default_rng(rng)  # SOLUTION
    labels = rng.choice(len(weights), size=n, p=weights)  # SOLUTION
    noise = rng.standard_normal((n, np.shape(means)[1]))  # SOLUTION
    factors = np.linalg.cholesky(covariances)  # SOLUTION
    return np.asarray(means)[labels] + np.einsum("nij,nj->ni", factors[labels], noise)  # SOLUTION


drawn = sample_mixture(mixture.weights_, mixture.means_, mixture.covariances_, 1000, rng=1)
print("mean of the codes", codes.mean(axis=0).round(2), "and of 1,000 draws", drawn.mean(axis=0).round(2))

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_mixture_shape_and_seed(sample_mixture, np):
    weights, means = np.array([0.3, 0.7]), np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]])
    covariances = np.stack([np.eye(3), 2.0 * np.eye(3)])
    draws = sample_mixture(weights, means, covariances, 50, rng=0)
    assert np.shape(draws) == (50, 3), f"one draw per row expected, shape (50, 3); got {np.shape(draws)}"
    assert np.allclose(draws, sample_mixture(weights, means, covariances, 50, rng=0)), \
        "the same seed must give the same draws"

# %%
# HIDDEN
def test_mixture_draws_match_the_project(sample_mixture, np):
    from sklearn.mixture import GaussianMixture

    from helpers.samplers import fit_mixture
    from helpers.samplers import sample_mixture as reference

    rng = np.random.default_rng(30)
    codes = np.concatenate([rng.normal(-2.0, 0.5, size=(200, 4)), rng.normal(1.0, 1.0, size=(300, 4))])
    fitted = fit_mixture(codes, 3, seed=0)
    assert isinstance(fitted, GaussianMixture)
    mine = sample_mixture(fitted.weights_, fitted.means_, fitted.covariances_, 400, rng=8)
    assert np.allclose(mine, reference(fitted, 400, 8), atol=1e-5)

# %%
# HIDDEN
def test_mixture_moments(sample_mixture, np):
    # the mixture's mean Σ π_c m_c and covariance Σ π_c (C_c + m_c m_cᵀ) − mean meanᵀ, from 200,000 draws
    weights = np.array([0.2, 0.5, 0.3])
    means = np.array([[-2.0, 0.0], [1.0, 1.0], [2.0, -2.0]])
    covariances = np.array([[[1.0, 0.5], [0.5, 1.0]], [[0.3, 0.0], [0.0, 2.0]], [[0.5, -0.2], [-0.2, 0.4]]])
    mean = weights @ means
    second = np.einsum("c,cij->ij", weights, covariances + np.einsum("ci,cj->cij", means, means))
    covariance = second - np.outer(mean, mean)
    draws = sample_mixture(weights, means, covariances, 200_000, rng=9)
    # standard errors: of the mean √(var/n) < 0.004, of a covariance entry ≈ √(2/n)·var < 0.01; bands are > 5 of them
    assert np.allclose(draws.mean(axis=0), mean, atol=0.02)
    assert np.allclose(np.cov(draws, rowvar=False), covariance, atol=0.05)

# %%
# HIDDEN
def test_mixture_leaves_the_gap_between_modes_empty(sample_mixture, np):
    # two narrow components at ±6: a single Gaussian with the same mean and variance would put ~30 % of its draws
    # in |z| < 2; the mixture puts there a share Φ(−4) ≈ 3e-5 (one draw in 30,000)
    draws = sample_mixture(np.array([0.2, 0.8]), np.array([[-6.0], [6.0]]), np.ones((2, 1, 1)), 20_000, rng=10)
    assert np.mean(np.abs(draws) < 2.0) < 0.002
    assert abs(np.mean(draws > 0) - 0.8) < 0.012  # a share of 0.8 from 20,000 draws: standard error 0.0028

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## 5. A share and its binomial standard error
#
# Study 4's judge accepts or rejects each decoded image, and the page reports the share it accepts. With $n$
# yes/no outcomes of which $s$ is the share of yes, the outcomes are independent draws of a Bernoulli variable of
# variance $s(1-s)$, so the share's standard error is
#
# $$\operatorname{se}(s) = \sqrt{\frac{s\,(1-s)}{n}} .$$
#
# It is 0 when every outcome agrees (then the spread is better bounded by about $1/n$, but return 0).
#
# Write `share_and_error(flags)`: an array of booleans (or 0/1) of any shape, taken as one flat list of $n$
# outcomes, returning the pair `(share, standard_error)` as two Python floats.

# %% [raw]
# # BEGIN QUESTION
# name: q5_share
# points: 2

# %% [raw]
# # BEGIN SOLUTION

# %%
def share_and_error(flags):
    flags = np.asarray(flags, dtype=bool).ravel()  # SOLUTION
    share = float(flags.mean())  # SOLUTION
    return share, float(np.sqrt(share * (1 - share) / len(flags)))  # SOLUTION

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
def test_share_of_a_known_list(share_and_error, np):
    share, error = share_and_error(np.array([True] * 30 + [False] * 70))
    assert np.isclose(share, 0.3), f"30 yes out of 100 is a share of 0.3; got {share}"
    assert error > 0 and np.isfinite(error), "a share between 0 and 1 has a positive standard error"

# %%
# HIDDEN
def test_share_known_errors(share_and_error, np):
    assert np.allclose(share_and_error(np.array([True] * 30 + [False] * 70)), (0.3, np.sqrt(0.3 * 0.7 / 100)))
    assert np.allclose(share_and_error(np.eye(4, dtype=bool)), (0.25, np.sqrt(0.25 * 0.75 / 16)))  # 2-D: flattened
    assert np.allclose(share_and_error([1, 1, 1]), (1.0, 0.0)) and np.allclose(share_and_error([0, 0]), (0.0, 0.0))

# %%
# HIDDEN
def test_share_error_is_the_spread_of_repeated_shares(share_and_error, np):
    # 4,000 repeated experiments of 500 outcomes with p = 0.9 (about the judge's acceptance of real digits):
    # the standard deviation of their shares is √(0.09/500) = 0.0134 and each standard error is close to it
    rng = np.random.default_rng(40)
    outcomes = rng.uniform(size=(4000, 500)) < 0.9
    results = np.array([share_and_error(row) for row in outcomes])
    spread = results[:, 0].std(ddof=1)  # its own relative standard error is √(1/(2·4000)) ≈ 1.1 %
    assert abs(results[:, 1].mean() / spread - 1.0) < 0.05

# %%
# HIDDEN
def test_share_matches_the_project(share_and_error, np):
    from helpers.spread import share_and_error as reference

    rng = np.random.default_rng(41)
    for n, p in ((10, 0.5), (225, 0.3), (1000, 0.97)):
        flags = rng.uniform(size=n) < p
        assert np.allclose(share_and_error(flags), reference(flags), rtol=1e-12)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Done
#
# Compare with study 4's page: its table of bounds (the ELBO, then $L_k$ for $k$ = 1, 10, 100 and 1,000, rising
# towards $\log p(x)$), its interpolation strips (straight lines; try your `slerp` between two prior draws of its
# VAE), its generated digits (the mixture row decodes draws made as your `sample_mixture` makes them), and the
# accepted shares of its 2-D latent grids and of random codes, each given ± the standard error of your question 5.
