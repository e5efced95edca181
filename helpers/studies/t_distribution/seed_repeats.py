"""The probes repeated over seeds (data draw and training): the shipped table, its mean ± sd summary, paired
differences between representations with their verdicts (paired over seeds, Holm across the family), a rerun of
one seed against the table, and the original study's figures beside them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import verdicts
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


def paired_verdicts(table: pd.DataFrame, pairs, probe: str = "KNN", metric: str = "accuracy") -> dict:
    """One verdict per (first, second) pair of :func:`paired_differences`: the paired t-test over seeds with
    Holm's correction across *all* the pairs given (:func:`helpers.verdicts.paired_family`), keyed as
    ``"first − second"``."""
    wide = table[table["probe"] == probe].pivot(index="seed", columns="representation", values=metric)
    return verdicts.paired_family({f"{a} − {b}": (wide[a].to_numpy(), wide[b].to_numpy()) for a, b in pairs},
                                  words=("higher", "lower", "not resolved"))


def probe_table_from_record(record: dict) -> pd.DataFrame:
    """A recorded ``t_probes_this_seed`` (``{"('AE z', 'KNN')": {"accuracy": …}}``, e.g. from an exercise run) back
    as a probe table with ``representation`` and ``probe`` columns."""
    import ast

    rows = [{"representation": key[0], "probe": key[1], **values}
            for key, values in ((ast.literal_eval(k), v) for k, v in record.items())]
    return pd.DataFrame(rows)


def rerun_check(table: pd.DataFrame, rerun: pd.DataFrame, seed: int, first: str, second: str, spreads: dict,
                z: float = 2.0, probe: str = "KNN") -> tuple[pd.DataFrame, dict]:
    """A second training run of one ``seed`` (``rerun``: a probe table made by the same code) against the repeats
    table's rows of that seed: the accuracy of ``first`` and of ``second``, and the difference first − second.
    Each rerun value is judged by :func:`helpers.verdicts.within_tolerance` with the tolerance z × its spread over
    seeds (``spreads``, keyed by the three names): "within" when retraining moves it no more than the seeds
    differ, "beyond" when the training run alone moves it more. Returns the table and the verdicts."""
    shipped = table[(table["seed"] == seed) & (table["probe"] == probe)].set_index("representation")["accuracy"]
    again = rerun[rerun["probe"] == probe].set_index("representation")["accuracy"]
    gap = f"{first} − {second}"
    values = {first: (again[first], shipped[first]), second: (again[second], shipped[second]),
              gap: (again[first] - again[second], shipped[first] - shipped[second])}
    found = {name: verdicts.within_tolerance(value, reference, abs_tol=z * spreads[name], words=("within", "beyond"))
             for name, (value, reference) in values.items()}
    rows = {name: {"shipped": reference, "rerun": value, "change": value - reference,
                   f"{z:g} sd over seeds": z * spreads[name], "verdict": found[name].words}
            for name, (value, reference) in values.items()}
    return pd.DataFrame(rows).T.infer_objects(), found


def against_original(mean: float, sd: float, seeds: int, original: float) -> verdicts.Verdict:
    """Our mean over ``seeds`` (standard error sd/√seeds) against the original study's single run, whose spread is
    taken to be one seed's (sd): :func:`helpers.verdicts.difference`, two standard errors."""
    return verdicts.difference(mean, sd / np.sqrt(seeds), original, sd,
                               words=("above the original study's", "below the original study's",
                                      "consistent with the original study's"))


def single_run_change(value: float, reference: float, sd: float, words: tuple[str, str, str]) -> verdicts.Verdict:
    """One run with changed parameters against this notebook's run: two single runs, each with the spread of one
    seed (``sd``, from the repeats), compared by :func:`helpers.verdicts.difference`."""
    return verdicts.difference(value, sd, reference, sd, words=words)


#: What a verdict on recorded values renders where this run has no repeats table (non-default parameters).
NOT_COMPUTED = "(not computed in this run: it needs the shipped repeats table)"


def _knn(values: dict, representation: str) -> float:
    return values["t_probes_this_seed"][str((representation, "KNN"))]["accuracy"]


def recorded_changes(run: dict, here: dict, representations, words: tuple[str, str, str]) -> dict:
    """For exercise solutions: each representation's KNN accuracy in an exercise's recorded ``run`` against this
    notebook's (``here``, :func:`helpers.report.recorded_here`) by :func:`single_run_change`, with the repeats'
    standard deviation of that accuracy as one run's spread. :data:`NOT_COMPUTED` where ``here`` has no repeats."""
    try:
        return {rep: single_run_change(_knn(run, rep), _knn(here, rep),
                                       here["t_repeats"][str((rep, "KNN"))]["accuracy std"], words)
                for rep in representations}
    except KeyError:
        return dict.fromkeys(representations, NOT_COMPUTED)


def recorded_noise_change(run: dict, here: dict, words: tuple[str, str, str]):
    """For exercise solutions: the VAE's means − samples KNN accuracy in a recorded ``run`` against this notebook's,
    with the repeats' standard deviation of that paired difference as one run's spread (:func:`single_run_change`);
    :data:`NOT_COMPUTED` where ``here`` has no repeats."""
    try:
        gaps = [_knn(values, "VAE mean z") - _knn(values, "VAE sampled z") for values in (run, here)]
        return single_run_change(*gaps, here["t_paired"]["VAE mean z − VAE sampled z"]["std"], words)
    except KeyError:
        return NOT_COMPUTED


def recorded_within_repeats(run: dict, here: dict, representations) -> dict:
    """For exercise solutions: whether each KNN accuracy of a recorded ``run`` lies within two standard deviations of
    the repeats' mean (:func:`helpers.verdicts.within_tolerance`, words "within" / "beyond");
    :data:`NOT_COMPUTED` where ``here`` has no repeats."""
    try:
        return {rep: verdicts.within_tolerance(_knn(run, rep), here["t_repeats"][str((rep, "KNN"))]["accuracy mean"],
                                               abs_tol=2 * here["t_repeats"][str((rep, "KNN"))]["accuracy std"],
                                               words=("within", "beyond"))
                for rep in representations}
    except KeyError:
        return dict.fromkeys(representations, NOT_COMPUTED)
