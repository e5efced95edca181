"""Verdicts: the stated rules that decide every comparative word a notebook prints.

A sentence that compares, ranks, attributes a cause or says "reproduces" renders a :class:`Verdict`, and a
verdict comes from exactly one of three rules, each a function here:

* :func:`difference` — two independent estimates a ± se_a and b ± se_b. The difference d = a − b has the
  standard error se_d = √(se_a² + se_b²); it is *resolved* when |d| > z·se_d (z = 2 by default, about a 95 %
  two-sided test for a normal estimate). Then the sign of d picks the word; otherwise the words say the two
  do not differ beyond their noise.
* :func:`paired_family` — a family of paired comparisons over the same seeds (VAE vs AE at seeds 1…n, one
  comparison per number). For each, the per-seed differences d_s give d̄ and s_d, and a paired t-test
  t = d̄ / (s_d / √n) with n − 1 degrees of freedom gives a two-sided p-value. Testing m numbers at once
  inflates the chance of a false "difference", so the p-values are adjusted by Holm's step-down method
  (statsmodels' ``multipletests``): sort them, multiply the k-th smallest by m − k + 1, keep them monotone.
  A difference holds when its Holm-adjusted p < α.
* :func:`within_tolerance` — "reproduces X": |value − reference| ≤ max(abs_tol, rel_tol·|reference|), the
  tolerance stated with the claim.

Each returns the verdict's words *and* the numbers behind them, so a takeaway shows both; a verdict passed
to :func:`helpers.report.show_takeaway` renders as its words and is recorded with its numbers and its rule,
so the value tests (``make nbval``) keep every claim true on every machine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Two standard errors: the default threshold of :func:`difference`.
Z_THRESHOLD = 2.0
#: The default significance level of :func:`paired_family`, after Holm's correction.
ALPHA = 0.05


@dataclass(frozen=True)
class Verdict:
    """The outcome of a rule: whether the claim ``holds``, the ``words`` a sentence renders, the ``rule`` in
    words, and the ``numbers`` it rests on. Formatting a verdict (``f"{verdict}"``) gives its words."""

    holds: bool
    words: str
    rule: str
    numbers: dict = field(default_factory=dict)

    def __format__(self, spec: str) -> str:
        return format(self.words, spec)

    def __str__(self) -> str:
        return self.words

    def plain(self) -> dict:
        """The record: verdict words, whether it holds, the rule, and every number behind it."""
        return {"verdict": self.words, "holds": bool(self.holds), "rule": self.rule, **self.numbers}


def difference(a: float, a_se: float, b: float, b_se: float, *, z: float = Z_THRESHOLD,
               words: tuple[str, str, str] = ("larger", "smaller", "within the noise")) -> Verdict:
    """a − b for two *independent* estimates, against its standard error √(se_a² + se_b²).

    ``words`` = (when a > b resolved, when a < b resolved, when |a − b| ≤ z·se). Raises ValueError for a
    negative or non-finite standard error, which would make the rule meaningless."""
    for name, se in (("a_se", a_se), ("b_se", b_se)):
        if not math.isfinite(se) or se < 0:
            raise ValueError(f"{name} must be a finite standard error ≥ 0, got {se!r}")
    gap, se = a - b, math.hypot(a_se, b_se)
    resolved = abs(gap) > z * se
    chosen = (words[0] if gap > 0 else words[1]) if resolved else words[2]
    return Verdict(resolved, chosen, f"|a − b| > {z:g} × √(se_a² + se_b²)",
                   {"difference": float(gap), "se": float(se), "in se": float(gap / se) if se > 0 else math.inf})


def holm(p_values, alpha: float = ALPHA) -> np.ndarray:
    """Holm-adjusted p-values of a family (statsmodels' step-down method), same order as given."""
    from statsmodels.stats.multitest import multipletests

    p_values = np.asarray(p_values, dtype=np.float64)
    if len(p_values) == 0:
        return p_values
    return multipletests(p_values, alpha=alpha, method="holm")[1]


def paired_p_value(a, b) -> float:
    """Two-sided p-value of the paired t-test of a against b (same seeds, same order). With no spread in the
    differences the test is undefined: p = 1 when every difference is 0, p = 0 when they all equal one
    non-zero value (every seed agrees exactly)."""
    from scipy.stats import ttest_rel

    gaps = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    if len(gaps) < 2:
        raise ValueError(f"a paired test needs at least two seeds, got {len(gaps)}")
    if np.ptp(gaps) == 0:
        return float(gaps[0] == 0)
    return float(ttest_rel(a, b).pvalue)


def paired_family(pairs: Mapping[str, tuple], *, alpha: float = ALPHA,
                  words: tuple[str, str, str] = ("larger", "smaller", "not resolved")) -> dict[str, Verdict]:
    """One verdict per member of a family of paired comparisons ``{name: (a_values, b_values)}`` over seeds:
    the paired t-test of a − b, with Holm's correction across the whole family (m = len(pairs)).

    ``words`` = (a > b holds, a < b holds, not resolved). Numbers: the mean difference, its sd over seeds,
    the seeds, the seeds with a > b, the raw p-value and the Holm-adjusted one."""
    names = list(pairs)
    raw = [paired_p_value(*pairs[name]) for name in names]
    adjusted = holm(raw, alpha)
    verdicts = {}
    for name, p, p_holm in zip(names, raw, adjusted, strict=True):
        gaps = np.asarray(pairs[name][0], np.float64) - np.asarray(pairs[name][1], np.float64)
        holds = bool(p_holm < alpha)
        chosen = (words[0] if gaps.mean() > 0 else words[1]) if holds else words[2]
        verdicts[name] = Verdict(holds, chosen, f"paired t-test over seeds, Holm-adjusted p < {alpha:g} "
                                                f"across {len(names)} comparisons",
                                 {"difference": float(gaps.mean()), "sd": float(gaps.std(ddof=1)),
                                  "seeds": len(gaps), "seeds a > b": int((gaps > 0).sum()),
                                  "p-value": float(p), "Holm p-value": float(p_holm)})
    return verdicts


def within_tolerance(value: float, reference: float, *, abs_tol: float = 0.0, rel_tol: float = 0.0,
                     words: tuple[str, str] = ("reproduces", "does not reproduce")) -> Verdict:
    """"reproduces" when |value − reference| ≤ max(abs_tol, rel_tol·|reference|); at least one tolerance must be
    stated (> 0)."""
    if abs_tol < 0 or rel_tol < 0 or (abs_tol == 0 and rel_tol == 0):
        raise ValueError(f"state a tolerance: abs_tol and rel_tol must be ≥ 0 and not both 0, got {abs_tol}, "
                         f"{rel_tol}")
    tolerance = max(abs_tol, rel_tol * abs(reference))
    holds = abs(value - reference) <= tolerance
    stated = " or ".join(part for part in (f"{abs_tol:g}" if abs_tol else "",
                                           f"{rel_tol:g} × |reference|" if rel_tol else "") if part)
    return Verdict(bool(holds), words[0] if holds else words[1], f"|value − reference| ≤ {stated}",
                   {"value": float(value), "reference": float(reference), "difference": float(value - reference),
                    "tolerance": float(tolerance)})


def against_seed_change(value: float, reference: float, reseeded: float, *,
                        words: tuple[str, str] = ("beyond what a new seed alone does",
                                                  "within what a new seed alone does")) -> Verdict:
    """A changed setting's effect on a number, against the change that a new seed alone makes to it: the
    setting's change |value − reference| is credited to the setting only when it exceeds |reseeded − reference|.
    One reseeded run is a crude yardstick of the spread (a lower bound on what noise can do), so "within"
    means "not attributable", never "no effect"."""
    change, noise = value - reference, reseeded - reference
    holds = abs(change) > abs(noise)
    return Verdict(bool(holds), words[0] if holds else words[1], "|value − reference| > |reseeded − reference|",
                   {"change": float(change), "seed change": float(noise)})


def verdict_table(verdicts: Mapping[str, Verdict]) -> pd.DataFrame:
    """One row per verdict: its numbers, whether it holds and its words (for a table on the page)."""
    return pd.DataFrame({name: {**v.numbers, "holds": v.holds, "verdict": v.words}
                         for name, v in verdicts.items()}).T.infer_objects()
