"""Are the latent axes the factors? Axis traversals and their sensitivity to each factor, the alignment scores
(MIG, DCI, SAP; :mod:`helpers.disentanglement`) and their random-rotation nulls."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import disentanglement, latent_paths
from helpers.heatmaps import FACTORS
from helpers.studies.gaussian_heatmaps.trajectories import path_factors

#: DCI's gradient-boosted regressors are fitted on the first this many training codes (a random subset: the
#: split is shuffled). One DCI costs about 0.2 s on 500 codes and 3 s on all 9,500 (2 cores), and its rotation
#: null needs one DCI per rotation; the VAE's DCI-D was 0.187 on 500 codes, 0.189 on 1,000 and 0.176 on all.
DCI_TRAINING_CODES = 500


def axis_traversals(decoder, codes, n_points: int, basis=None, label: str = "z") -> dict:
    """Per-direction latent traversals, decoded and read back: ``{f"{label}{k + 1}": (images (n_points, 36, 36, 1),
    recovered factors (n_points, 3), moment-fit residuals (n_points,))}`` for each direction k of ``basis`` (the
    latent axes by default; see :func:`helpers.latent_paths.percentile_sweeps`: coordinate k from its 2nd to its
    98th percentile over ``codes``, the others at their median)."""
    sweeps = latent_paths.percentile_sweeps(codes, n_points, basis)
    images, factors, residuals = path_factors(decoder, sweeps.reshape(-1, sweeps.shape[-1]))
    return {f"{label}{k + 1}": (images[k * n_points:(k + 1) * n_points], factors[k * n_points:(k + 1) * n_points],
                                residuals[k * n_points:(k + 1) * n_points]) for k in range(len(sweeps))}


def sensitivity_table(traversals: dict, train_factors) -> pd.DataFrame:
    """One row per traversal: the sensitivity S[j, k] of each recovered factor (total variation along the
    sweep over the factor's range in the training images, :func:`helpers.disentanglement.sensitivity_matrix`);
    the top share max_k S[j, k] / Σ_k S[j, k] (1: the sweep moves one factor only; 1/3: all three alike); and
    the largest moment-fit residual along the sweep (large: the sweep decodes images that are no heatmap, and
    their factors mean little)."""
    factors = np.stack([found for _, found, _ in traversals.values()])
    s = disentanglement.sensitivity_matrix(factors, np.ptp(np.asarray(train_factors, np.float64), axis=0))
    table = pd.DataFrame(s, index=list(traversals), columns=list(FACTORS))
    table["top share"] = s.max(axis=1) / np.clip(s.sum(axis=1), 1e-12, None)
    table["max residual"] = [float(residual.max()) for _, _, residual in traversals.values()]
    return table


def alignment_scores(train_codes, train_factors, test_codes, test_factors) -> pd.Series:
    """MIG (on the test codes, 20 equal-width bins), DCI disentanglement, completeness and informativeness
    (regressors fitted on the first :data:`DCI_TRAINING_CODES` training codes, R² on the test codes) and SAP
    (fitted on the training codes, scored on the test codes), against the factors (var_x, var_y, cor); the
    formulas are in :mod:`helpers.disentanglement`."""
    n = DCI_TRAINING_CODES
    d = disentanglement.dci(train_codes[:n], train_factors[:n], test_codes, test_factors, FACTORS)
    return pd.Series({"MIG": disentanglement.mig(test_codes, test_factors).overall, "DCI D": d.disentanglement,
                      "DCI C": d.completeness, "DCI I": d.informativeness,
                      "SAP": disentanglement.sap(train_codes, train_factors, test_codes, test_factors).overall})


def rotation_nulls(train_codes, train_factors, test_codes, test_factors, rotations: int, dci_rotations: int,
                   seed: int) -> dict:
    """{score: :class:`helpers.disentanglement.RotationNull`} for MIG and SAP (``rotations`` random rotations)
    and DCI disentanglement (``dci_rotations``): each score of the codes as they are against the same score of
    the codes rotated by Haar-random rotations Q. The training and test codes are turned by the same Q (they
    are stacked before rotating), and every score draws the same sequence of rotations (one seed)."""
    n_train, n = len(train_codes), DCI_TRAINING_CODES
    stacked = np.concatenate([np.asarray(train_codes, np.float64), np.asarray(test_codes, np.float64)])
    scores = {
        "MIG": (rotations, lambda z: disentanglement.mig(z[n_train:], test_factors).overall),
        "SAP": (rotations, lambda z: disentanglement.sap(z[:n_train], train_factors, z[n_train:],
                                                         test_factors).overall),
        "DCI D": (dci_rotations, lambda z: disentanglement.dci(z[:min(n, n_train)], train_factors[:n],
                                                                z[n_train:], test_factors).disentanglement),
    }
    return {name: disentanglement.rotation_null(score, stacked, count, seed) for name, (count, score) in scores.items()}


def null_table(nulls: dict) -> pd.DataFrame:
    """One row per score: the observed value, the median and 95th percentile of the rotated copies, the
    observed value's percentile among them, the one-sided p-value (1 + #{null ≥ observed}) / (1 + rotations),
    and how many rotations."""
    table = pd.DataFrame({name: {"observed": r.observed, "null median": float(np.median(r.null)),
                                 "null 95th pct": float(np.quantile(r.null, 0.95)), "percentile": r.percentile,
                                 "p-value": r.p_value, "rotations": len(r.null)} for name, r in nulls.items()}).T
    return table.astype({"rotations": int})


def alignment_verdict(null, alpha: float = 0.05) -> str:
    """A sentence on one :class:`helpers.disentanglement.RotationNull`: more axis-aligned than a random rotation
    (p-value ≤ ``alpha``), less aligned than most (percentile ≤ 100·``alpha``), or neither."""
    if null.p_value <= alpha:
        return "more axis-aligned than a random rotation of its own codes"
    if null.percentile <= 100 * alpha:
        return "less axis-aligned than almost every random rotation of its own codes"
    return "no more axis-aligned than a random rotation of its own codes"
