"""How two latent codes of the same images relate: aligned up to what?

Two models trained from different seeds give codes A and B (n images × d) of the same images. Each
statistic here asks whether B is A seen through a map of some family, fitted on training codes and
scored on held-out codes, so a flexible map cannot win by memorising:

* **affine** — B ≈ A W + c, fitted by least squares; the score is the held-out R² (1: an affine map
  explains B; ≈ 0 or below: it does not);
* **orthogonal Procrustes** — after centring each side and scaling it to unit total variance (one
  factor per side, as in classical Procrustes analysis, so a rotation stays a rotation),
  B ≈ A R with R orthogonal (a rotation, maybe with a reflection) minimising ‖A R − B‖_F; the score is the
  held-out relative residual ‖A R − B‖²_F / ‖B‖²_F (0: a rotation explains B; 2 on average for unrelated
  codes of the same spread);
* **permutation and sign** — the absolute correlations |ρ(a_i, b_j)| between every axis pair, matched
  one-to-one by the Hungarian algorithm (maximal total |ρ|); the score is the matched |ρ| per axis (1 on
  every axis: B is A with its axes permuted, flipped and rescaled);
* **nonlinear** — a k-nearest-neighbour regression from A to B; the held-out R² is high when B is a
  smooth function of A, even one no linear map fits.

Each needs a yardstick (:func:`yardsticks`): the same statistic between A and a random rotation of A
(what "the same space, axes not aligned" scores) and between A and B with the image pairing shuffled
(what unrelated codes score).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.linalg import orthogonal_procrustes
from scipy.optimize import linear_sum_assignment
from scipy.stats import special_ortho_group
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.neighbors import KNeighborsRegressor

NEIGHBOURS = 10  # k of the nonlinear map: smooth enough for ~10⁴ codes, local enough to bend


def standardise(codes: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """(codes − mean) / sd per axis, with mean and sd taken from ``reference`` (default: the codes)."""
    reference = codes if reference is None else reference
    return (codes - reference.mean(axis=0)) / reference.std(axis=0)


def centre_and_scale(codes: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """(codes − mean) / s with s² the total variance Σ_j var(z_j), mean and s taken from ``reference``
    (default: the codes): one scale for all axes, so the shape of the cloud is kept."""
    reference = codes if reference is None else reference
    return (codes - reference.mean(axis=0)) / np.sqrt(reference.var(axis=0).sum())


def affine_r2(train_a, train_b, test_a, test_b) -> float:
    """Held-out R² (averaged over B's axes, each weighted by its variance) of the least-squares affine map
    A → B fitted on the training codes."""
    return float(r2_score(test_b, affine_map(train_a, train_b)(test_a), multioutput="variance_weighted"))


def affine_map(train_a, train_b):
    """The least-squares affine map A → B fitted on the training codes, as a function of codes."""
    return LinearRegression().fit(train_a, train_b).predict


def procrustes_residual(train_a, train_b, test_a, test_b) -> float:
    """Held-out ‖A R − B‖²_F / ‖B‖²_F for the orthogonal R = argmin ‖A R − B‖_F fitted on the training
    codes, each side centred and scaled by its own training codes (:func:`centre_and_scale`)."""
    rotation, _ = orthogonal_procrustes(centre_and_scale(train_a), centre_and_scale(train_b))
    a, b = centre_and_scale(test_a, train_a), centre_and_scale(test_b, train_b)
    return float(np.sum((a @ rotation - b) ** 2) / np.sum(b ** 2))


def axis_matching(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """The one-to-one matching of A's axes to B's that maximises Σ |ρ(a_i, b_j)| (Hungarian algorithm on
    the absolute correlations). One row per axis of A: its partner in B, the sign of their correlation
    and the matched |ρ|."""
    d = a.shape[1]
    rho = np.corrcoef(a, b, rowvar=False)[:d, d:]
    rows, cols = linear_sum_assignment(-np.abs(rho))
    return pd.DataFrame({"partner": cols, "sign": np.sign(rho[rows, cols]).astype(int),
                         "|ρ|": np.abs(rho[rows, cols])}, index=pd.Index(rows, name="axis"))


def apply_matching(b: np.ndarray, matching: pd.DataFrame) -> np.ndarray:
    """B's axes reordered and flipped onto A's: column i is sign_i · b[:, partner_i]."""
    return b[:, matching["partner"].to_numpy()] * matching["sign"].to_numpy()


def knn_r2(train_a, train_b, test_a, test_b, neighbours: int = NEIGHBOURS) -> float:
    """Held-out R² (variance-weighted over B's axes) of a k-nearest-neighbour regression A → B on the
    standardised codes: high when B is any smooth function of A."""
    fit = KNeighborsRegressor(n_neighbors=neighbours).fit(standardise(train_a), train_b)
    return float(r2_score(test_b, fit.predict(standardise(test_a, train_a)), multioutput="variance_weighted"))


def alignment_row(train_a, train_b, test_a, test_b) -> dict:
    """Every statistic of the module for one ordered pair of codes: affine R², Procrustes residual, the mean
    and the smallest matched |ρ| (on the held-out codes), and the k-NN R²."""
    matched = axis_matching(test_a, test_b)["|ρ|"]
    return {"affine R²": affine_r2(train_a, train_b, test_a, test_b),
            "Procrustes residual": procrustes_residual(train_a, train_b, test_a, test_b),
            "matched |ρ| mean": float(matched.mean()), "matched |ρ| min": float(matched.min()),
            "k-NN R²": knn_r2(train_a, train_b, test_a, test_b)}


def random_rotation(dim: int, seed: int) -> np.ndarray:
    """A (dim × dim) rotation drawn uniformly (Haar measure on SO(dim))."""
    return special_ortho_group.rvs(dim, random_state=seed)


def yardsticks(train_codes, test_codes, seed: int) -> pd.DataFrame:
    """The module's statistics for two known cases built from one model's codes A:

    * "rotated copy": B = A Q for a random rotation Q (after :func:`centre_and_scale`) —
      the same space with its axes unaligned: affine R² = 1, residual 0, k-NN R² high, matched |ρ| low;
    * "shuffled pairing": B = A with the rows of the held-out codes (and, separately, the training codes)
      permuted — codes unrelated to A: every score at chance."""
    rng = np.random.default_rng(seed)
    rotation = random_rotation(train_codes.shape[1], seed)
    train_s, test_s = centre_and_scale(train_codes), centre_and_scale(test_codes, train_codes)
    cases = {"rotated copy": (train_s @ rotation, test_s @ rotation),
             "shuffled pairing": (train_codes[rng.permutation(len(train_codes))],
                                  test_codes[rng.permutation(len(test_codes))])}
    return pd.DataFrame({name: alignment_row(train_codes, b_train, test_codes, b_test)
                         for name, (b_train, b_test) in cases.items()}).T
