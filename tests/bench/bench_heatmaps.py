"""Benchmarks of study 2, measured side by side in one run (prints ratios; never a test).

1. The vectorised heatmap generator vs the original study's per-image scipy loop (all 11,875 images).
2. Epoch time of the configurations ("fast", the default; "lean", the default before it; "original") with
   oneDNN on (the project's default) and with TensorFlow's defaults (oneDNN off), each in a fresh process
   because the switch is read when TensorFlow is imported; the test error each VAE reaches after the same
   few epochs; the achieved training GFLOP/s as a fraction of a numpy float32 matrix multiply in this run.
3. Time to quality: the old ("lean") and the new ("fast") default VAE and AE trained one epoch at a time until
   their test errors meet the original study's bar, side by side in one run: the curves of test error against
   training seconds and the ratio of the totals.

    .venv/bin/python tests/bench/bench_heatmaps.py [--epochs 2] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED_EPOCHS = {"vae": 30, "ae": 25}  # the original study trained its VAE for 20 + 10 epochs, its AE for 20 + 5


def worker(config: str, epochs: int) -> dict:
    """Train a fresh VAE of ``config`` for ``epochs`` epochs; report epoch times and test errors."""
    import keras
    from reference import forward_flops

    import helpers  # noqa: F401
    from helpers import conv_models, heatmaps
    from helpers.studies.gaussian_heatmaps import recovery

    data = heatmaps.load_heatmaps()
    keras.utils.set_random_seed(0)
    vae = conv_models.build_conv_vae(config, seed=0)
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    vae.fit(data.x_train, epochs=epochs, batch_size=conv_models.conv_config(config).batch_size, verbose=0,
            callbacks=[Timer()])
    ae = conv_models.build_conv_ae(config)
    errors = {k: float(v.mean()) for k, v in (
        (name, recovery.frobenius_errors(data.x_test, images))
        for name, images in recovery.reconstructions(vae, ae, data.x_test, 0).items()) if k.startswith("VAE")}
    flops = forward_flops(vae.encoder) + forward_flops(vae.decoder)
    return {"epoch_seconds": times, "errors": errors, "forward_flops": flops, "images": len(data.x_train)}


def time_to_bar_worker(config: str, max_epochs: int) -> dict:
    """Train notebook 02's VAE and AE (its β, the 90 % fit split, seed 19) in configuration ``config`` one epoch
    at a time, each until its test error meets the bar (the VAE decoding the mean z); report the curve of test
    error against training seconds (evaluation excluded) and whether the bar was reached."""
    import keras

    import helpers.env  # noqa: F401
    from helpers import conv_models, heatmaps
    from helpers.inference import decode, encode_mean
    from helpers.studies.gaussian_heatmaps import recovery
    from tests.conftest import notebook_defaults

    p = notebook_defaults("02_gaussian_heatmaps")
    data = heatmaps.load_heatmaps()
    x_fit = conv_models.validation_split(data.x_train, p["seed"])[0]
    batch = conv_models.conv_config(config).batch_size
    out = {}
    for kind, bar in (("vae", recovery.ORIGINAL_ERRORS["VAE"]), ("ae", recovery.ORIGINAL_ERRORS["AE"])):
        keras.utils.set_random_seed(p["seed"])
        model = (conv_models.build_conv_vae(config, beta=p["beta"], seed=p["seed"]) if kind == "vae"
                 else conv_models.build_conv_ae(config))
        seconds, error, curve = 0.0, float("inf"), []
        while len(curve) < max_epochs and error > bar:
            start = time.perf_counter()
            model.fit(x_fit, epochs=1, batch_size=batch, verbose=0, shuffle=True)
            seconds += time.perf_counter() - start
            decoded = decode(model.decoder, encode_mean(model, data.x_test))  # the VAE from its mean z
            error = float(recovery.frobenius_errors(data.x_test, decoded).mean())
            curve.append([seconds, error])
        out[kind] = {"epochs": len(curve), "seconds": seconds, "error": error, "bar": bar, "reached": error <= bar,
                     "curve": curve}
    return out


def time_to_quality(configs=("lean", "fast"), max_epochs: int = 40) -> dict:
    """Time-to-quality curves of the old ("lean") and the new ("fast") default, side by side in one run, each
    in a fresh process; prints each curve (test error vs training seconds) and the ratio of the totals."""
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    results = {}
    for config in configs:
        out = subprocess.run([sys.executable, __file__, "--time-to-bar", config, str(max_epochs)], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True)
        results[config] = json.loads(out.stdout.strip().splitlines()[-1])
    print("\ntime to the original study's quality bar (test error vs training seconds, one epoch per point):")
    for config, bar in results.items():
        for kind, r in bar.items():
            points = " ".join(f"{t:.0f}s:{e:.3f}" for t, e in r["curve"])
            status = "reached" if r["reached"] else "NOT reached"
            print(f"  {config:5s} {kind:3s} bar {r['bar']} {status} after {r['epochs']} epochs, {r['seconds']:.0f} s | "
                  f"{points}")
    totals = {config: sum(r["seconds"] for r in bar.values()) for config, bar in results.items()}
    old, new = configs
    print(f"VAE + AE to the bar: {old} {totals[old] / 60:.1f} min, {new} {totals[new] / 60:.1f} min "
          f"-> {totals[old] / totals[new]:.1f}x faster")
    return results


def run_worker(config: str, epochs: int, onednn: str) -> dict:
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": onednn, "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run([sys.executable, __file__, "--worker", config, str(epochs)], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def matmul_gflops(n: int = 2048, repeats: int = 5) -> float:
    import numpy as np

    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    a @ a
    start = time.perf_counter()
    for _ in range(repeats):
        a @ a
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def bench_generator() -> None:
    sys.path.insert(0, str(ROOT))
    from reference import gaussian_heatmaps_loop

    from helpers import heatmaps
    from helpers.studies.t_distribution import t_data

    factors = heatmaps.factor_grid()
    start = time.perf_counter()
    heatmaps.gaussian_heatmaps(factors)
    fast = time.perf_counter() - start
    start = time.perf_counter()
    gaussian_heatmaps_loop(factors)
    slow = time.perf_counter() - start
    print(f"generator, {len(factors)} images: vectorised {fast:.2f} s, per-image scipy loop {slow:.2f} s "
          f"-> {slow / fast:.0f}x")
    from scipy.stats import multivariate_t

    df = t_data.degrees_of_freedom(factors, __import__("numpy").random.default_rng(0))
    start = time.perf_counter()
    t_data.t_heatmaps(factors, df)
    fast = time.perf_counter() - start
    x, y = heatmaps.grid_points()
    pos = __import__("numpy").dstack((x, y))
    start = time.perf_counter()
    for cov, nu in zip(heatmaps.covariances(factors), df, strict=True):
        values = multivariate_t([0, 0], cov, df=nu).pdf(pos)
        values / values.max()
    slow = time.perf_counter() - start
    print(f"t generator, {len(factors)} images: vectorised {fast:.2f} s, per-image scipy loop {slow:.2f} s "
          f"-> {slow / fast:.0f}x")


def shipped_default_epochs() -> dict:
    """Epochs each shipped default model ran (early stopping), from the shipped history files."""
    manifest = ROOT / "data" / "weights" / "manifest.json"
    epochs = {}
    for name, entry in (json.loads(manifest.read_text()) if manifest.exists() else {}).items():
        for kind in ("vae", "ae"):
            if entry.get("name") == f"heatmap_{kind}_fast":
                record = json.loads((manifest.parent / name.replace(".weights.h5", ".history.json")).read_text())
                epochs[kind] = record["epochs_run"]
    return epochs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6, help="epochs per oneDNN-on run (errors compared after these)")
    parser.add_argument("--quick", action="store_true", help="skip the TensorFlow-defaults runs")
    parser.add_argument("--skip-time-to-bar", action="store_true", help="skip training the defaults to the bar")
    args = parser.parse_args()
    bench_generator()
    gflops = matmul_gflops()
    print(f"numpy float32 matmul: {gflops:.0f} GFLOP/s")
    rows = {}
    for config in ("original", "lean", "fast"):
        rows[(config, "oneDNN")] = run_worker(config, args.epochs, "1")
        if not args.quick:
            rows[(config, "TF defaults")] = run_worker(config, 1, "0")
    print(f"\nper-epoch time on {rows[('original', 'oneDNN')]['images']} training images "
          f"(the last epoch of each run; first epochs include tracing):")
    for (config, mode), r in rows.items():
        epoch = r["epoch_seconds"][-1]
        achieved = 3 * r["forward_flops"] * r["images"] / epoch / 1e9  # training ≈ 3 × forward
        errors = ", ".join(f"{k} {v:.3f}" for k, v in r["errors"].items())
        print(f"  {config:5s} {mode:12s} {epoch:6.1f} s/epoch  {achieved:5.1f} GFLOP/s "
              f"= {achieved / gflops:5.1%} of matmul  | after {len(r['epoch_seconds'])} epochs: {errors}")
    seed_on, lean_on = rows[("original", "oneDNN")]["epoch_seconds"][-1], rows[("lean", "oneDNN")]["epoch_seconds"][-1]
    fast_on = rows[("fast", "oneDNN")]["epoch_seconds"][-1]
    print(f"\nper epoch, oneDNN on: lean {seed_on / lean_on:.2f}x faster than original; fast (batch 32, stride-2 "
          f"first block) {fast_on / lean_on:.2f}x lean's time")
    if not args.quick:
        seed_off = rows[("original", "TF defaults")]["epoch_seconds"][-1]
        lean_off = rows[("lean", "TF defaults")]["epoch_seconds"][-1]
        print(f"oneDNN on vs TF defaults: seed {seed_off / seed_on:.2f}x, lean {lean_off / lean_on:.2f}x")
        shipped = shipped_default_epochs()
        if shipped:
            seed_epochs, default_epochs = sum(SEED_EPOCHS.values()), sum(shipped.values())
            seed_total, default_total = seed_epochs * seed_off, default_epochs * fast_on
            print(f"total training time, VAE + AE (estimated from these epoch times): original config "
                  f"{seed_epochs} epochs with TF defaults {seed_total / 60:.0f} min vs the default (fast) "
                  f"{default_epochs} epochs (shipped, early stopping) with oneDNN {default_total / 60:.1f} min "
                  f"-> {seed_total / default_total:.1f}x")
    if not args.skip_time_to_bar:
        time_to_quality()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(worker(sys.argv[2], int(sys.argv[3]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--time-to-bar":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(time_to_bar_worker(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
