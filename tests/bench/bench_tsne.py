"""Study 4 benchmarks, measured side by side in one run (ratios are what to trust; timings never gate a test).

1. t-SNE: scikit-learn vs openTSNE on the same PCA-50 MNIST pixels, at n = 5,000 and at notebook 04's
   default n (time, trustworthiness T(10), 10-NN accuracy in the map), one thread each (the notebook's
   setting: reproducible maps).
2. Notebook 04's default run: papermill with the shipped weights vs with ``force_retrain=True``
   (retrained weights go to the ignored data/cache/ folder; the shipped files are not touched).

    .venv/bin/python tests/bench/bench_tsne.py [--skip-notebook] [--n 5000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import helpers.env  # noqa: F401  (TensorFlow's environment before keras loads)
from helpers import embedding
from helpers.studies.tsne_mnist_interpolation.mnist_data import load_mnist

NOTEBOOK = ROOT / "notebooks" / "04_tsne_mnist_interpolation.ipynb"


def bench_tsne(n: int, seed: int = 0) -> dict:
    data = load_mnist(n_train=60_000, n_test=10_000, seed=seed)  # the subset shrinks this to its 5,000
    x = np.concatenate([data.x_test, data.x_train])[:n]
    y = np.concatenate([data.y_test, data.y_train])[:n]
    flat = x.reshape(len(x), -1)
    results = {}
    for method in embedding.METHODS:
        result = embedding.tsne(flat, perplexity=30.0, seed=seed, method=method, n_jobs=1)
        results[method] = {"seconds": result.seconds, "T(10)": embedding.trustworthiness(flat, result.points, 10),
                           "10-NN acc": embedding.knn_accuracy(result.points, y, 10)}
        print(f"  n={len(x):>5} {method:>9}: {result.seconds:6.1f} s  T(10) {results[method]['T(10)']:.4f}  "
              f"10-NN acc {results[method]['10-NN acc']:.3f}", flush=True)
    ratio = results["sklearn"]["seconds"] / results["opentsne"]["seconds"]
    print(f"  n={len(x):>5} time ratio sklearn / openTSNE = {ratio:.2f}", flush=True)
    return results


def run_notebook(parameters: dict) -> float:
    import papermill

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        papermill.execute_notebook(str(NOTEBOOK), str(Path(folder) / NOTEBOOK.name), parameters=parameters,
                                   kernel_name="vae-notebooks", cwd=str(NOTEBOOK.parent), progress_bar=False,
                                   log_output=False)
        return time.perf_counter() - start


def bench_notebook() -> None:
    os.environ.pop("HELPERS_SHIP_WEIGHTS", None)  # retrained weights must not overwrite the shipped ones
    shipped = run_notebook({})
    print(f"  default run, shipped weights: {shipped:6.1f} s", flush=True)
    retrained = run_notebook({"force_retrain": True})
    print(f"  default run, retrained:       {retrained:6.1f} s", flush=True)
    print(f"  ratio retrained / shipped = {retrained / shipped:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="*", default=[5000, 1000], help="t-SNE sizes to compare")
    parser.add_argument("--skip-notebook", action="store_true", help="only the t-SNE comparison")
    args = parser.parse_args()
    print("t-SNE after PCA-50, PCA initialisation, perplexity 30, one thread:")
    for n in args.n:
        bench_tsne(n)
    if not args.skip_notebook:
        print("notebook 04 with default parameters (papermill, includes kernel start):")
        bench_notebook()


if __name__ == "__main__":
    main()
