"""The probes repeated over seeds (data draw and training): the shipped table, its mean ± sd summary, paired
differences between representations, and the original study's figures beside them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.locations import RESULTS_DIR
from helpers.studies.t_distribution.probing import ORIGINAL_KNN, probe_table

#: The shipped table of repeated probes (``make weights`` writes it; the notebook reads it).
REPEATS_FILE = RESULTS_DIR / "t_distribution_repeats.json"


def repeat_seeds(seed: int, repeats: int) -> list[int]:
    """The seeds of the repeats: the notebook's seed and the next ``repeats − 1`` integers."""
    return [seed + k for k in range(repeats)]


def repeated_probes(seeds, train_models, load_data) -> pd.DataFrame:
    """:func:`probe_table` for each seed, concatenated with a ``seed`` column.

    ``load_data(seed)`` draws the data set (ν and the split) and ``train_models(seed, data)`` returns a
    trained (vae, ae) pair, so the notebook decides how models are trained or loaded.
    """
    tables = []
    for s in seeds:
        data = load_data(s)
        vae, ae = train_models(s, data)
        tables.append(probe_table(vae, ae, data, s).assign(seed=s))
        print(f"seed {s}: probes done", flush=True)
    return pd.concat(tables, ignore_index=True)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation (ddof = 1) over seeds of accuracy and F1, per representation and probe."""
    grouped = table.groupby(["representation", "probe"], sort=False)
    summary = grouped[["accuracy", "f1"]].agg(["mean", "std"])
    summary.columns = [f"{metric} {stat}" for metric, stat in summary.columns]
    return summary.assign(seeds=grouped.size())


def paired_differences(table: pd.DataFrame, pairs, probe: str = "KNN", metric: str = "accuracy") -> pd.DataFrame:
    """Per-seed differences metric(first) − metric(second) of one probe, for each (first, second) pair,
    with their mean and standard deviation over seeds. Pairing by seed removes what the two share
    (the draw of ν, the split), so a small but consistent gap shows up as such."""
    wide = table[table["probe"] == probe].pivot(index="seed", columns="representation", values=metric)
    diffs = pd.DataFrame({f"{a} − {b}": wide[a] - wide[b] for a, b in pairs})
    return diffs.T.assign(mean=diffs.mean(), std=diffs.std())


def with_original_figures(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with the original study's single-run KNN figures beside the matching rows."""
    out = summary.copy()
    out["original study's accuracy"], out["original study's F1"] = np.nan, np.nan
    for model, rep in (("VAE", "VAE sampled z"), ("AE", "AE z")):
        if (rep, "KNN") in out.index:
            figures = ORIGINAL_KNN[model]
            out.loc[(rep, "KNN"), ["original study's accuracy", "original study's F1"]] = [figures["accuracy"],
                                                                                          figures["f1"]]
    return out
