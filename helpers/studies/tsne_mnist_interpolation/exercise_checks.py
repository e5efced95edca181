"""The directions that study 4's exercise solutions state, each decided by :func:`helpers.verdicts.difference` on
the recorded runs' values (``runs``, from :func:`helpers.exercises.recorded_runs`) and this notebook's (``here``,
:func:`helpers.report.recorded_here`), so that a solution says "changes" only beyond the numbers' noise."""

from __future__ import annotations

import math

from helpers import verdicts
from helpers.report import lookup

#: The spaces whose t-SNE maps exercise 1 compares.
MAP_SPACES = ("pixels", "AE codes", "VAE mean codes")


def perplexity_verdicts(runs: list[dict]) -> dict:
    """Exercise 1: for each space of :data:`MAP_SPACES`, the 10-NN accuracy in the map at perplexity 5 (``runs[0]``)
    against 100 (``runs[1]``), each with its bootstrap standard error over the images (two independent maps), as
    ``{"<space> 10-NN": verdict}`` (field names with underscores)."""
    found = {}
    for space in MAP_SPACES:
        small, large = (lookup(run, ("mnist_map_accuracy", space)) for run in runs[:2])
        found[space.replace(" ", "_")] = verdicts.difference(
            small["mean"], small["± se"], large["mean"], large["± se"],
            words=("higher at perplexity 5", "higher at perplexity 100", "the same within the noise"))
    return found


def warmup_verdicts(here: dict, run: dict, prior_grid_row: str) -> dict:
    """Exercise 4: with warm-up (``here``) against without (``run``), the 32-d and the 2-D VAE's test ELBO, each
    ± its standard error over the test images, and the 2-D VAE's prior-quantile grid's accepted share (this
    notebook's row ``prior_grid_row`` of ``mnist_plane_grids``, the run's ``mnist_plane_takeaway``/``vae_ok``: the
    same grid) with binomial standard errors over its tiles."""
    words = ("higher with warm-up", "lower with warm-up", "the same within the noise")
    found = {}
    for short, row in (("elbo_32", "VAE 32-d"), ("elbo_2", "VAE 2-D")):
        a, b = (lookup(values, ("mnist_elbo_gap", row)) for values in (here, run))
        found[short] = verdicts.difference(a["test ELBO"], a["test ± se"], b["test ELBO"], b["test ± se"], words=words)
    grid = lookup(here, ("mnist_plane_grids", prior_grid_row))
    shares = grid["accepted share"], lookup(run, ("mnist_plane_takeaway", "vae_ok"))
    ses = [math.sqrt(p * (1 - p) / grid["tiles"]) for p in shares]
    found["grid"] = verdicts.difference(shares[0], ses[0], shares[1], ses[1], words=words)
    return found
