"""Holes in the latent space: which decoded samples are valid heatmaps, samples from the prior and from
densities fitted to the AE's codes, and validity against the aggregate posterior's density."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import inference, samplers, verdicts
from helpers.spread import share_and_error
from helpers.studies.gaussian_heatmaps.recovery import estimate_factors, moment_fit_residual

#: Moment fits of decoded *samples* stop after this many fixed-point iterations (:func:`estimate_covariances`
#: allows 200). Samples that are no heatmap never converge and would use all 200; with 60 the residuals of
#: 300 decoded prior and Gaussian samples moved by at most 4e-3 at their median, 1e-3 at their 95th percentile,
#: at a third of the cost. The validity threshold is computed with the same fits.
SAMPLE_FIT_ITERATIONS = 60

#: A decoded image counts as a valid heatmap when its moment-fit residual is at most the residual that this
#: share of the same model's test reconstructions stay below (the 95th percentile).
VALID_QUANTILE = 0.95

#: The prior draws behind the estimate of the prior mass in the holes (the first ``hole_samples`` are decoded).
DENSITY_DRAWS = 1000

#: The aggregate-posterior levels: q's own mass below the level (1 % and 5 %).
HOLE_MASSES = (0.01, 0.05)


def validity_threshold(reconstructions, quantile: float = VALID_QUANTILE) -> float:
    """The ``quantile`` of the moment-fit residuals of a model's test reconstructions (fits of
    :data:`SAMPLE_FIT_ITERATIONS` iterations): a decoded image at or below it is as close to a heatmap as
    that share of the model's own reconstructions."""
    return float(np.quantile(moment_fit_residual(reconstructions, iterations=SAMPLE_FIT_ITERATIONS), quantile))


def in_training_ranges(estimated, train_factors) -> np.ndarray:
    """Whether every recovered factor of each image lies within [min, max] of that factor over the
    training images (var_x, var_y in [0.1, 4.9], cor in [−0.95, 0.85] for the full split)."""
    f = np.asarray(train_factors, np.float64)
    return np.all((estimated >= f.min(axis=0)) & (estimated <= f.max(axis=0)), axis=1)


def sample_checks(images, threshold: float, train_factors) -> pd.Series:
    """Decoded images, checked: the share of valid heatmaps (residual ≤ ``threshold``) and the share whose
    recovered factors lie in the training ranges (:func:`in_training_ranges`), each with its binomial standard
    error, and the median residual. Fits of :data:`SAMPLE_FIT_ITERATIONS` iterations."""

    residual = moment_fit_residual(images, iterations=SAMPLE_FIT_ITERATIONS)
    estimated = estimate_factors(images, iterations=SAMPLE_FIT_ITERATIONS)
    valid, valid_se = share_and_error(residual <= threshold)
    inside, inside_se = share_and_error(in_training_ranges(estimated, train_factors))
    return pd.Series({"valid": valid, "valid se": valid_se, "in ranges": inside, "in ranges se": inside_se,
                      "median residual": float(np.median(residual)), "images": len(images)})


def latent_samples(prior_draws, ae_train_codes, n: int, components: int, seed: int) -> dict:
    """Latent points to generate from, ``n`` per source: the first ``n`` of the VAE's ``prior_draws`` from
    N(0, I); for the AE, which has no prior, draws from a full-covariance Gaussian and from a ``components``-
    component Gaussian mixture fitted to its training codes (:mod:`helpers.samplers`). Keys start with the
    model's name."""
    rng = np.random.default_rng(seed)
    mixture = samplers.fit_mixture(ae_train_codes, components, seed)
    return {"VAE: prior N(0, I)": np.asarray(prior_draws[:n], np.float32),
            "AE: Gaussian fit": samplers.sample_gaussian(*samplers.fit_gaussian(ae_train_codes), n, rng),
            f"AE: mixture of {components} Gaussians": samplers.sample_mixture(mixture, n, rng)}


def holes_table(decoders: dict, samples: dict, reconstructions: dict, train_factors) -> pd.DataFrame:
    """:func:`sample_checks` for each model's test reconstructions (the reference: valid by the threshold's
    definition in ``VALID_QUANTILE`` of cases) and for each source of ``samples`` decoded by its model's decoder
    (the model is the key's first word), with the model's validity threshold in a column."""
    rows = {}
    for model, recon in reconstructions.items():
        threshold = validity_threshold(recon)
        rows[f"{model}: test reconstructions"] = {**sample_checks(recon, threshold, train_factors),
                                                  "threshold": threshold}
        for source, z in samples.items():
            if source.split(":")[0] == model:
                images = inference.decode(decoders[model], z)
                rows[source] = {**sample_checks(images, threshold, train_factors), "threshold": threshold}
    return pd.DataFrame(rows).T.astype({"images": int})


def validity_by_density(images, threshold: float, log_density, level: float) -> pd.DataFrame:
    """The share of valid decoded images (residual ≤ ``threshold``, with its binomial error) among those whose
    latent point has aggregate-posterior log density below ``level`` and among the others."""

    valid = moment_fit_residual(images, iterations=SAMPLE_FIT_ITERATIONS) <= threshold
    low = np.asarray(log_density) < level
    rows = {}
    for name, chosen in (("q below the level", low), ("q above the level", ~low)):
        share, error = share_and_error(valid[chosen]) if chosen.any() else (float("nan"), float("nan"))
        rows[name] = {"valid": share, "valid se": error, "images": int(chosen.sum())}
    return pd.DataFrame(rows).T.astype({"images": int})


def share_difference(a: float, a_se: float, b: float, b_se: float, words: tuple[str, str, str]):
    """Two shares with their binomial standard errors compared by :func:`helpers.verdicts.difference`; a sentence
    instead of a verdict when a side has no images (NaN share), as in a tiny run."""
    if any(np.isnan(v) for v in (a, a_se, b, b_se)):
        return "not compared (a side has no images)"
    return verdicts.difference(a, a_se, b, b_se, words=words)


def holes_takeaway_values(holes: pd.DataFrame, prior_mass: pd.DataFrame, by_density: pd.DataFrame,
                          mixture_source: str) -> dict:
    """The numbers and verdicts the holes' takeaway renders: the valid shares (± se) of the VAE's prior samples and
    the AE's Gaussian and mixture samples; the VAE's prior samples in the training ranges against its
    reconstructions (``in_verdict``), and the valid share where q is below its 1 % level against elsewhere
    (``q_verdict``), each by :func:`helpers.verdicts.difference` of two binomial shares with their standard
    errors; the prior mass below q's 1 % level (± se)."""
    prior, recon = holes.loc["VAE: prior N(0, I)"], holes.loc["VAE: test reconstructions"]
    low, high = by_density.loc["q below the level"], by_density.loc["q above the level"]
    return {"vae": prior["valid"], "vae_se": prior["valid se"],
            "gauss": holes.loc["AE: Gaussian fit", "valid"], "gauss_se": holes.loc["AE: Gaussian fit", "valid se"],
            "mix": holes.loc[mixture_source, "valid"], "mix_se": holes.loc[mixture_source, "valid se"],
            "vae_in": prior["in ranges"], "vae_in_se": prior["in ranges se"],
            "rec_in": recon["in ranges"], "rec_in_se": recon["in ranges se"],
            "in_verdict": share_difference(prior["in ranges"], prior["in ranges se"], recon["in ranges"],
                                           recon["in ranges se"], words=("more than", "fewer than", "as many as")),
            "mass": prior_mass["share below"].iloc[0], "mass_se": prior_mass["share se"].iloc[0],
            "low": low["valid"], "low_se": low["valid se"], "high": high["valid"], "high_se": high["valid se"],
            "q_verdict": share_difference(low["valid"], low["valid se"], high["valid"], high["valid se"],
                                          words=("more where q is low", "fewer where q is low",
                                                 "no difference beyond two standard errors"))}


def validity_verdict(residual: float, bar: float, words: tuple[str, str] = ("a valid heatmap", "not a valid heatmap")):
    """Is a decoded image (or the worst of several) a valid heatmap: is its moment-fit ``residual`` at most the
    model's validity ``bar`` (:func:`validity_threshold`)? Decided by :func:`helpers.verdicts.within_tolerance` on
    residual / bar with the stated tolerance 1, so that the rule's text does not carry the bar's last digits (the
    bar is itself measured, and differs a little between machines)."""
    return verdicts.within_tolerance(residual / bar, 0.0, abs_tol=1.0, words=words)
