"""Spreads of noisy quantities: bootstrap standard errors, and paired differences.

A rate over a few hundred pairs or a score over a thousand points moves when other points are drawn
(or, equally, when another CPU's kernels move a few borderline points). The notebooks therefore report
such a quantity as mean ± standard error, estimated by the bootstrap: draw the n items with
replacement B times, recompute the mean each time, and take the standard deviation of those B means
(≈ s/√n for a plain mean). Named samples of equal length are resampled *jointly*, so a difference
between two of them keeps its pairing (same points, same pairs) and its spread is that of the paired
difference, usually much smaller than either spread alone.

The plain standard error of a mean, sd/√n (:func:`standard_error`), is the project's one such function. A share
of n yes/no outcomes (how many decoded images are valid) needs no bootstrap: its binomial standard error is
√(s(1 − s)/n) (:func:`share_and_error`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def standard_error(values: np.ndarray) -> float:
    """Standard error of a mean over n items: sd / √n (sample sd, ddof = 1); NaN for fewer than two items."""
    values = np.asarray(values, np.float64)
    return float(np.std(values, ddof=1) / math.sqrt(len(values))) if len(values) > 1 else float("nan")


def bootstrap_median_error(values, rng: np.random.Generator, resamples: int = 500) -> float:
    """Bootstrap standard error of a median: the sd (ddof = 1) of the medians of ``resamples`` resamples drawn with
    replacement (≈ 1.25 σ/√n for normal data); NaN for fewer than two values."""
    values = np.asarray(values, np.float64).ravel()
    if len(values) < 2:
        return float("nan")
    medians = np.median(values[rng.integers(0, len(values), size=(resamples, len(values)))], axis=1)
    return float(np.std(medians, ddof=1))


def bootstrap_means(samples: dict, rng: np.random.Generator, resamples: int = 2000) -> np.ndarray:
    """(resamples, len(samples)) means of jointly resampled items; every sample has the same n items."""
    values = np.stack([np.asarray(v, dtype=np.float64) for v in samples.values()], axis=1)
    index = rng.integers(0, len(values), size=(resamples, len(values)))
    return values[index].mean(axis=1)


def mean_and_error(samples: dict, rng: np.random.Generator, resamples: int = 2000) -> pd.DataFrame:
    """Per named sample: its mean and the bootstrap standard error of that mean."""
    means = bootstrap_means(samples, rng, resamples)
    return pd.DataFrame({"mean": [np.mean(v) for v in samples.values()], "± se": means.std(axis=0, ddof=1)},
                        index=list(samples))


def paired_differences(samples: dict, pairs, rng: np.random.Generator, resamples: int = 2000) -> pd.DataFrame:
    """For each (a, b): mean(a) − mean(b), its bootstrap standard error, and the share of resamples in
    which the difference is positive (near 1 or 0: the sign holds up; near ½: it does not)."""
    names = list(samples)
    means = bootstrap_means(samples, rng, resamples)
    rows = {}
    for a, b in pairs:
        gaps = means[:, names.index(a)] - means[:, names.index(b)]
        rows[f"{a} − {b}"] = {"difference": np.mean(samples[a]) - np.mean(samples[b]),
                              "± se": gaps.std(ddof=1), "share > 0": np.mean(gaps > 0)}
    return pd.DataFrame(rows).T


def share_and_error(flags) -> tuple[float, float]:
    """(share, standard error) of a share: s = (1/n) Σ 1[flag_i] over n items, and its binomial standard
    error √(s(1 − s)/n) (0 when every flag agrees: then the spread is better bounded by about 1/n)."""
    flags = np.asarray(flags, dtype=bool).ravel()
    share = float(flags.mean())
    return share, float(np.sqrt(share * (1 - share) / len(flags)))
