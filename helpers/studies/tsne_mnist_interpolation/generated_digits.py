"""Generating digits: codes from the VAE's prior and from a Gaussian and a mixture fitted to the AE's codes,
and the judge's scores of what they decode to."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import inference, samplers, spread
from helpers.studies.tsne_mnist_interpolation.digit_judge import ACCEPTED, DigitJudge
from helpers.studies.tsne_mnist_interpolation.latent_grids import grid_codes, prior_quantile_axis


def sample_like_codes(codes, n: int, rng):
    """``n`` points from the Gaussian with the mean and covariance of ``codes`` (float32)."""

    codes = np.asarray(codes, dtype=np.float64)
    samples = rng.multivariate_normal(codes.mean(axis=0), np.cov(codes, rowvar=False), size=n)
    return samples.astype(np.float32)


def prior_generation_scores(judge: DigitJudge, decoder, latent_dim: int, *, tiles: int, draws: int,
                            seed: int) -> dict:
    """How well a VAE's decoder generates, as the anchor benchmark and the training levers score it: with a 2-D
    code, the share of the ``tiles`` × ``tiles`` quantile grid (:func:`prior_quantile_axis`) the judge accepts
    and how many different digits the accepted tiles show; for any code size, the share of ``draws`` decoded
    prior draws z ~ N(0, I) it accepts (± its binomial standard error) and how many digits they show."""
    scores = {}
    if latent_dim == 2:
        axis = prior_quantile_axis(tiles)
        tiles_read = judge.readings(inference.decode(decoder, grid_codes(axis, axis)))
        scores |= {"grid accepted": tiles_read["accepted share"], "grid digits": tiles_read["digits"]}
    drawn = judge.readings(inference.decode(decoder, samplers.sample_prior(draws, latent_dim, seed)))
    return scores | {"prior accepted": drawn["accepted share"], "prior accepted se": drawn["accepted se"],
                     "prior digits": drawn["digits"]}


def generated_codes(ae_train_codes, n: int, latent_dim: int, components: int, seed: int) -> dict:
    """``n`` codes from each generator, keyed by source: the VAE's prior N(0, I), and for the AE (which has no
    prior) a full-covariance Gaussian and a ``components``-component Gaussian mixture fitted to its training
    codes (:mod:`helpers.samplers`). Each source draws from its own generator seeded by ``seed``.

    The fits run with one BLAS thread: their matrices are small (codes × latent_dim, latent_dim²), and on a
    busy 2-core machine OpenBLAS' threads waiting for each other made the mixture's EM 10–50× slower."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, "blas"):
        gaussian = samplers.fit_gaussian(ae_train_codes)
        mixture = samplers.fit_mixture(ae_train_codes, components, seed=seed)
    return {"VAE prior": samplers.sample_prior(n, latent_dim, seed),
            "AE Gaussian": samplers.sample_gaussian(*gaussian, n, seed),
            f"AE mixture ({components})": samplers.sample_mixture(mixture, n, seed)}


def generation_scores(judge: DigitJudge, images: dict, real, real_sample=None) -> pd.DataFrame:
    """Per source of decoded samples ``{source: images}``, after the real test digits ``real`` as the yardstick:
    mean classifier confidence, the share accepted (confidence ≥ :data:`ACCEPTED`), the mean distance ratio
    (nearest training image over a typical real digit's, :meth:`DigitJudge.distance_ratio`) and the share of
    samples *nearer* to a training image than 95 % of real test digits are — the memorisation check: a source
    that copies training digits puts far more than 5 % there. Each with its standard error over the images
    (sd/√n; for a share, that of its 0/1 flags). Then diversity and fidelity: the effective number of digits
    (:meth:`DigitJudge.effective_digits`) and the Fréchet distance of the judge's features to those of ``real``
    (:meth:`DigitJudge.frechet_distance`). The real row's distance is that of ``real_sample`` (other real
    digits, as many as the draws: the distance is biased upward for small samples, so this is its floor for that
    size), NaN without one."""
    real_ratio = judge.distance_ratio(real)
    near = np.quantile(real_ratio, 0.05)
    rows = {}
    for source, x in {"real test digits": real, **images}.items():
        confidence = judge.confidence(x)
        ratio = real_ratio if source == "real test digits" else judge.distance_ratio(x)
        row = {}
        for column, values in (("mean confidence", confidence), ("accepted share", confidence >= ACCEPTED),
                               ("mean distance ratio", ratio), ("nearer than 95 % of real", ratio < near)):
            values = np.asarray(values, np.float64)
            row[column], row[f"{column} se"] = float(values.mean()), spread.standard_error(values)
        row["effective digits"] = judge.effective_digits(x)
        fidelity = real_sample if source == "real test digits" else x
        row["Fréchet distance"] = np.nan if fidelity is None else judge.frechet_distance(fidelity, real)
        rows[source] = row
    return pd.DataFrame(rows).T


def generation_fields(table: pd.DataFrame, components: int) -> dict:
    """The generation numbers the notebook's prose quotes, by field name: for each source (``prior``, ``gauss``,
    ``mixture``) of :func:`generation_scores`' table, the accepted share (``_ok``), its standard error
    (``_ok_err``), the share nearer to a training image than 95 % of real digits (``_near``), the effective number
    of digits (``_effective``) and the Fréchet distance (``_fd``); and for the real digits (``real``) the last two."""
    sources = {"prior": "VAE prior", "gauss": "AE Gaussian", "mixture": f"AE mixture ({components})"}
    fields = {"real_effective": table.loc["real test digits", "effective digits"],
              "real_fd": table.loc["real test digits", "Fréchet distance"]}
    for short, source in sources.items():
        fields |= {f"{short}_ok": table.loc[source, "accepted share"],
                   f"{short}_ok_err": table.loc[source, "accepted share se"],
                   f"{short}_near": table.loc[source, "nearer than 95 % of real"],
                   f"{short}_effective": table.loc[source, "effective digits"],
                   f"{short}_fd": table.loc[source, "Fréchet distance"]}
    return fields
