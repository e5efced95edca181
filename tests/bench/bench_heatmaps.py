"""Benchmarks of study 2, measured side by side in one run (prints ratios; never a test).

1. The vectorised heatmap generator vs the original study's per-image scipy loop (all 11,875 images).
2. Epoch time of the default ("lean") configuration vs the original study's, with oneDNN on (the project's
   default) and with TensorFlow's defaults (oneDNN off), each in a fresh process because the switch
   is read when TensorFlow is imported; the test error each VAE reaches after the same few epochs;
   the achieved training GFLOP/s as a fraction of a numpy float32 matrix multiply in this run.
3. Total training time to the quality bar: estimated from the shipped default's recorded epochs × its
   measured epoch time, and measured by training the default VAE and AE one epoch at a time until
   their test errors meet the bar; both against the original study's 30 + 25 epochs × its epoch time with
   TensorFlow's defaults.

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
    import helpers  # noqa: F401
    import keras

    from helpers.studies import gaussian_heatmaps as heatmaps
    from reference import forward_flops

    data = heatmaps.load_heatmaps()
    keras.utils.set_random_seed(0)
    vae = heatmaps.build_conv_vae(config, seed=0)
    times = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    vae.fit(data.x_train, epochs=epochs, batch_size=heatmaps.conv_config(config).batch_size, verbose=0,
            callbacks=[Timer()])
    ae = heatmaps.build_conv_ae(config)
    errors = {k: float(v.mean()) for k, v in (
        (name, heatmaps.frobenius_errors(data.x_test, images))
        for name, images in heatmaps.reconstructions(vae, ae, data.x_test, 0).items()) if k.startswith("VAE")}
    flops = forward_flops(vae.encoder) + forward_flops(vae.decoder)
    return {"epoch_seconds": times, "errors": errors, "forward_flops": flops, "images": len(data.x_train)}


def time_to_bar_worker(max_epochs: int) -> dict:
    """Train notebook 02's default VAE and AE (lean, its β, the 90 % fit split, seed 19) one epoch at a
    time and stop each as soon as its test error meets the bar (VAE decoding the mean z); report the
    training seconds (evaluation excluded) and the epochs needed."""
    import helpers  # noqa: F401
    import keras

    from helpers.studies import gaussian_heatmaps as heatmaps
    from helpers.model_io import decode, encode_mean
    from tests.conftest import notebook_defaults

    p = notebook_defaults("02_gaussian_heatmaps")
    data = heatmaps.load_heatmaps()
    x_fit = heatmaps.validation_split(data.x_train, p["seed"])[0]
    batch = heatmaps.conv_config(p["config"]).batch_size
    out = {}
    for kind, bar in (("vae", heatmaps.ORIGINAL_ERRORS["VAE"]), ("ae", heatmaps.ORIGINAL_ERRORS["AE"])):
        keras.utils.set_random_seed(p["seed"])
        model = (heatmaps.build_conv_vae(p["config"], beta=p["beta"], seed=p["seed"]) if kind == "vae"
                 else heatmaps.build_conv_ae(p["config"]))
        seconds, error, epoch = 0.0, float("inf"), 0
        while epoch < max_epochs and error > bar:
            epoch += 1
            start = time.perf_counter()
            model.fit(x_fit, epochs=1, batch_size=batch, verbose=0, shuffle=True)
            seconds += time.perf_counter() - start
            decoded = decode(model.decoder, encode_mean(model, data.x_test))  # the VAE from its mean z
            error = float(heatmaps.frobenius_errors(data.x_test, decoded).mean())
        out[kind] = {"epochs": epoch, "seconds": seconds, "error": error, "bar": bar, "reached": error <= bar}
    return out


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
    from helpers.studies import gaussian_heatmaps as heatmaps
    from helpers.studies import t_distribution as t_study
    from reference import gaussian_heatmaps_loop

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

    df = t_study.degrees_of_freedom(factors, __import__("numpy").random.default_rng(0))
    start = time.perf_counter()
    t_study.t_heatmaps(factors, df)
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
            if entry.get("name") == f"heatmap_{kind}_lean":
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
    for config in ("original", "lean"):
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
    print(f"\nlean vs seed, oneDNN on: {seed_on / lean_on:.2f}x faster per epoch")
    if not args.quick:
        seed_off = rows[("original", "TF defaults")]["epoch_seconds"][-1]
        lean_off = rows[("lean", "TF defaults")]["epoch_seconds"][-1]
        print(f"oneDNN on vs TF defaults: seed {seed_off / seed_on:.2f}x, lean {lean_off / lean_on:.2f}x")
        shipped = shipped_default_epochs()
        if shipped:
            seed_epochs, lean_epochs = sum(SEED_EPOCHS.values()), sum(shipped.values())
            seed_total, lean_total = seed_epochs * seed_off, lean_epochs * lean_on
            print(f"total training time, VAE + AE (estimated from these epoch times): original config "
                  f"{seed_epochs} epochs with TF defaults {seed_total / 60:.0f} min vs default config "
                  f"{lean_epochs} epochs (shipped, early stopping) with oneDNN {lean_total / 60:.0f} min "
                  f"-> {seed_total / lean_total:.1f}x")
        if not args.skip_time_to_bar:
            env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
            out = subprocess.run([sys.executable, __file__, "--time-to-bar", "40"], env=env, cwd=ROOT,
                                 capture_output=True, text=True, check=True)
            bar = json.loads(out.stdout.strip().splitlines()[-1])
            for kind, r in bar.items():
                status = "reached" if r["reached"] else "NOT reached"
                print(f"  default {kind}: error {r['error']:.3f} (bar {r['bar']}) {status} "
                      f"after {r['epochs']} epochs, {r['seconds']:.0f} s")
            measured = sum(r["seconds"] for r in bar.values())
            seed_total = sum(SEED_EPOCHS.values()) * seed_off
            print(f"measured time to the bar, default config with oneDNN: {measured / 60:.1f} min vs original config "
                  f"{sum(SEED_EPOCHS.values())} epochs with TF defaults {seed_total / 60:.0f} min "
                  f"-> {seed_total / measured:.1f}x")

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(worker(sys.argv[2], int(sys.argv[3]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--time-to-bar":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(time_to_bar_worker(int(sys.argv[2]))))
    else:
        main()
