"""The likelihood bounds: the ELBO and importance-weighted bounds (:mod:`helpers.likelihood`) of the VAE on test
images, their table and the shipped record of the expensive k."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from helpers import likelihood, spread, training
from helpers.locations import RESULTS_DIR
from helpers.studies.tsne_mnist_interpolation.mnist_data import MnistData

#: The importance-weighted bounds computed in a default run; k = 1,000 (about a minute on the default 300 test
#: images, 2 cores) is recorded instead.
LIVE_KS = (1, 10, 100)

RECORDED_K = 1000

#: The recorded k = 1,000 bound, with the settings (and the VAE's weights) that produced it.
BOUNDS_FILE = RESULTS_DIR / "mnist_likelihood_bounds.json"


def likelihood_bounds(vae, x, ks=LIVE_KS, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """The VAE's analytic-KL ELBO per image and :func:`~helpers.likelihood.summarise_bounds` of its
    importance-weighted bounds L_k for each k of ``ks`` on images ``x`` (nats per image; every k and the ELBO
    drawn with ``seed``). Returns ``(summary, elbo per image)``."""
    elbo = likelihood.elbo_per_image(vae, x, seed)
    bounds = {k: likelihood.iwae_bound(vae, x, k, seed) for k in ks}
    return likelihood.summarise_bounds(bounds, elbo), elbo


def bounds_table(summary: pd.DataFrame, elbo) -> pd.DataFrame:
    """One row for the ELBO and one per k: the mean bound (nats per image) with its standard error over images,
    and its excess over the ELBO with the paired standard error (the looseness the k samples remove)."""
    rows = {"ELBO": {"nats per image": float(np.mean(elbo)), "± se": spread.standard_error(elbo),
                     "above the ELBO": 0.0, "± se (paired)": 0.0}}
    for row in summary.itertuples():
        rows[f"IWAE k = {int(row.k):,}"] = {"nats per image": row.bound, "± se": row.se,
                                            "above the ELBO": row.gap_to_elbo, "± se (paired)": row.gap_se}
    return pd.DataFrame(rows).T


def bound_fields(summary: pd.DataFrame, elbo) -> dict:
    """The bound numbers the notebook's prose quotes: the mean ELBO and its standard error over images (``elbo``,
    ``elbo_err``), and for the largest k of ``summary`` (``top_k``) its mean bound (``top_bound``) and its rise
    above the ELBO with the paired standard error (``looseness``, ``looseness_err``)."""
    top = summary.sort_values("k").iloc[-1]
    return {"elbo": float(np.mean(elbo)), "elbo_err": spread.standard_error(elbo), "top_k": int(top["k"]),
            "top_bound": float(top["bound"]), "looseness": float(top["gap_to_elbo"]),
            "looseness_err": float(top["gap_se"])}


def bounds_settings(vae_weights: Path, data: MnistData, n_images: int, seed: int) -> dict:
    """What a recorded bound belongs to: the VAE's weights (SHA-256 of the file) and which images, drawn how."""
    return {"vae_weights_sha256": training.sha256_of(vae_weights), "data": data.source,
            "n_train": len(data.x_train), "n_test": len(data.x_test), "bound_images": n_images, "seed": seed,
            "k": RECORDED_K}
