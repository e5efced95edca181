"""Benchmark of study 3's probes, measured in one run (prints times and ratios; never a test).

Runs every probe of :func:`helpers.studies.t_distribution.probing.probe_table` on the notebook's default seed with the
shipped models (trained first if they are missing): the time of each probe, their total (what the
notebook pays per seed, and ``repeats`` times that when it recomputes the repeats), and how much
more the KNN on raw pixels costs than the KNN on 3-D codes. Then, side by side on every KNN probe's
features, the choice of k by :func:`helpers.probes.knn_grid_search` (one neighbour search per fold)
against scikit-learn's GridSearchCV (one per fold and k, the original study's way): the time of
each, the ratio, and whether k, accuracy and F1 are identical. The vectorised t density against the
per-image scipy loop is in ``bench_heatmaps.py``.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for tests.conftest

import helpers.env  # noqa: F401  (TensorFlow's environment before keras loads)
from helpers import probes
from helpers.studies.t_distribution import model_pair, probing, t_data
from tests.conftest import notebook_defaults  # noqa: E402

DEFAULTS = notebook_defaults("03_t_distribution")


def main() -> None:
    p = DEFAULTS
    start = time.perf_counter()
    data = t_data.load_t_heatmaps(p["seed"], p["train_subset"], p["test_subset"])
    print(f"t data set ({len(data.x_train) + len(data.x_test)} images): {time.perf_counter() - start:.1f} s")
    vae, ae, fits = model_pair.train_or_load_vae_and_ae(
        p["seed"], data, config=p["config"], beta=p["beta"], epochs=p["epochs"], patience=p["patience"],
        train_subset=p["train_subset"], test_subset=p["test_subset"])
    print(f"models: {fits['vae'].source} / {fits['ae'].source}")
    table = probing.probe_table(vae, ae, data, p["seed"])
    total = table["seconds"].sum()
    for row in table.itertuples():
        print(f"  {row.representation:20s} {row.probe:10s} {row.seconds:7.2f} s  ({row.seconds / total:5.1%})")
    knn = table[table["probe"] == "KNN"].set_index("representation")["seconds"]
    print(f"all probes, one seed: {total:.1f} s; × {p['repeats']} seeds ≈ {total * p['repeats'] / 60:.1f} min")
    print(f"KNN on pixels vs KNN on AE codes: {knn['pixels'] / knn['AE z']:.0f}x slower")
    compare_searches(vae, ae, data, p["seed"])


def compare_searches(vae, ae, data, seed: int) -> None:
    """The KNN probe with k chosen per fold (the default) vs by GridSearchCV, on the same features."""
    y_train, y_test = t_data.heavy_labels(data.y_train), t_data.heavy_labels(data.y_test)
    print("KNN probe: k chosen with one neighbour search per fold vs GridSearchCV (one per fold and k)")
    totals = {"per fold": 0.0, "GridSearchCV": 0.0}
    for name, (train, test) in probing.probe_features(vae, ae, data, seed).items():
        results = {}
        for search in totals:
            start = time.perf_counter()
            results[search] = probes.knn_probe(train, y_train, test, y_test, search=search)
            results[search]["seconds"] = time.perf_counter() - start
            totals[search] += results[search]["seconds"]
        fast, plain = results["per fold"], results["GridSearchCV"]
        same = all(fast[key] == plain[key] for key in ("k", "accuracy", "f1"))
        print(f"  {name:20s} per fold {fast['seconds']:6.2f} s, GridSearchCV {plain['seconds']:7.2f} s "
              f"({plain['seconds'] / fast['seconds']:4.1f}x); k {fast['k']} vs {plain['k']}, "
              f"accuracy {fast['accuracy']:.4f} vs {plain['accuracy']:.4f}: {'identical' if same else 'DIFFERENT'}")
    print(f"  all KNN probes: per fold {totals['per fold']:.1f} s, GridSearchCV {totals['GridSearchCV']:.1f} s "
          f"({totals['GridSearchCV'] / totals['per fold']:.1f}x)")


if __name__ == "__main__":
    main()
