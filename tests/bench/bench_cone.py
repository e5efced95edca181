"""Benchmarks of study 1, measured side by side in one run (`make bench`).

1. Decoder Jacobians on the 100×100 latent grid: batched reverse mode and forward mode
   (compiled, warm) vs the original study's one-gradient-per-output (eager) vs a per-point loop.
2. The cone VAE's training: the original study's batch 32 vs the notebook's default (batch 256,
   32 steps per compiled call, doubled learning rate), with the latent statistics each reaches.
3. Notebook 01 with the shipped weights vs with retraining forced (papermill, end to end).
"""

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import papermill
from reference import curve_energy_looped, jacobian_per_output, jacobian_per_point

import helpers.env  # noqa: F401  (TensorFlow's environment before keras loads)
from helpers import geometry, latent_paths
from helpers.models import build_mlp_vae, make_optimizer
from helpers.studies.cone_distortion import cone_points, decoded_geometry
from helpers.training import fit_or_load, set_seed

ROOT = Path(__file__).resolve().parents[2]


def best_of(function, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def jacobians():
    decoder = build_mlp_vae(seed=0).decoder
    _, _, grid = geometry.latent_grid((-2, -2), (2, 2), 100)
    geometry.jacobian_reverse(decoder, grid), geometry.jacobian_forward(decoder, grid)  # trace (cold)
    times = {
        "batched reverse (tf.function)": best_of(lambda: geometry.jacobian_reverse(decoder, grid)),
        "batched forward (tf.function)": best_of(lambda: geometry.jacobian_forward(decoder, grid)),
        "one gradient per output (seed, eager)": best_of(lambda: jacobian_per_output(decoder, grid)),
    }
    subset = 200
    per_point = best_of(lambda: jacobian_per_point(decoder, grid[:subset]), repeats=1)
    times[f"per-point loop (timed on {subset}, scaled to 10,000)"] = per_point * len(grid) / subset
    fastest = min(times.values())
    print("Jacobians of the cone decoder on a 100x100 grid")
    for name, seconds in times.items():
        print(f"  {name:<52} {seconds * 1e3:10.1f} ms   {seconds / fastest:8.1f}x the fastest")


def training():
    print("Cone VAE training, 50 epochs on the notebook's data (seed 0)")
    set_seed(0)
    points = cone_points.make_cone_points(100_000, np.random.default_rng(0))
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, batch, lr, steps in (("seed: batch 32, lr 1e-3", 32, 1e-3, 1),
                                        ("default: batch 256, lr 2e-3, 32 steps/call", 256, 2e-3, 32)):
            set_seed(0)
            vae = build_mlp_vae(seed=0)
            vae.compile(optimizer=make_optimizer("rmsprop", lr), steps_per_execution=steps)
            fit = fit_or_load(vae, points.points, name="bench", settings={}, epochs=50, batch_size=batch, seed=0,
                              force_retrain=True, store=(Path(folder), Path(folder)), progress_lines=1)
            z_mean, z_log_var = vae.encoder.predict(points.points, batch_size=8192, verbose=0)
            results[label] = (fit.train_seconds, fit.history["loss"][-1],
                              decoded_geometry.latent_statistics(z_mean, z_log_var, points.labels))
    (seed_label, seed_result), (default_label, default_result) = results.items()
    for label, (seconds, loss, _) in results.items():
        print(f"  {label:<45} {seconds / 50:6.2f} s/epoch   final loss {loss:7.3f}")
    print(f"  speed-up of the default: {seed_result[0] / default_result[0]:.1f}x")
    print("  latent statistics (seed batch | default):")
    both = seed_result[2].join(default_result[2], lsuffix=" @32", rsuffix=" @256")
    print(both[["mean |mu| @32", "mean |mu| @256", "mean variance @32", "mean variance @256"]].round(3).to_string())


def geodesic_solve():
    print("Latent geodesics on the shipped cone VAE (32-point curve between the two farthest upper codes)")
    from helpers import geodesics
    from helpers.studies.cone_distortion import cone_points
    set_seed(0)
    points = cone_points.make_cone_points(100_000, np.random.default_rng(0))
    vae = build_mlp_vae(seed=0)
    vae.compile(optimizer=make_optimizer("rmsprop", 2e-3), steps_per_execution=32)
    settings = {"study": "cone", "n_points": 100_000, "latent_dim": 2, "hidden_units": 20, "activation": "softplus",
                "beta": 1.0, "decoder_scale": 0.1, "steps_per_execution": 32}
    fit_or_load(vae, points.points, name="cone_vae", settings=settings, epochs=50, batch_size=256, seed=0)
    upper = vae.encoder.predict(points.upper, batch_size=8192, verbose=0)[0]
    i, j = latent_paths.farthest_pair(upper)
    curve = latent_paths.straight_line(upper[i], upper[j], 32)
    geodesics.latent_geodesic(vae.decoder, upper[i], upper[j], 32, max_iterations=2)  # trace once
    solve = best_of(lambda: geodesics.latent_geodesic(vae.decoder, upper[i], upper[j], 32), repeats=2)
    batched = best_of(lambda: geodesics.curve_energy(vae.decoder, curve), repeats=5)
    looped = best_of(lambda: curve_energy_looped(vae.decoder, curve), repeats=2)
    print(f"  geodesic solve (L-BFGS from the straight line): {solve:.2f} s")
    print(f"  curve energy, batched {batched * 1e3:.1f} ms vs looped {looped * 1e3:.1f} ms: {looped / batched:.0f}x")


def notebook_runs():
    print("Notebook 01 end to end (papermill, includes kernel start)")
    notebook = ROOT / "notebooks" / "01_cone_distortion.ipynb"
    times = {}
    with tempfile.TemporaryDirectory() as folder:
        for label, retrain in (("shipped weights", False), ("retraining forced", True)):
            start = time.perf_counter()
            papermill.execute_notebook(str(notebook), f"{folder}/out.ipynb", parameters={"force_retrain": retrain},
                                       kernel_name="vae-notebooks", cwd=str(notebook.parent), progress_bar=False)
            times[label] = time.perf_counter() - start
    for label, seconds in times.items():
        print(f"  {label:<20} {seconds:6.1f} s")
    print(f"  retraining costs {times['retraining forced'] / times['shipped weights']:.1f}x the shipped-weights run")


if __name__ == "__main__":
    parts = {"jacobians": jacobians, "training": training, "geodesics": geodesic_solve, "notebook": notebook_runs}
    for name in sys.argv[1:] or parts:
        parts[name]()
