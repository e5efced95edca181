"""Geodesic benchmarks in each study's decoder architecture (`make bench`).

For a 32-point latent curve between two random codes: the L-BFGS solve (capped at 100
iterations, so the per-iteration cost compares across architectures), and the decoded curve
energy evaluated batched (one decoder call) vs looped (one call per point). Decoders are freshly
initialised: the cost of an iteration depends on the architecture, not on the trained weights.
"""

import time

import numpy as np
from reference import curve_energy_looped

import helpers.env  # noqa: F401  (TensorFlow's environment before keras loads)
from helpers import conv_models, geodesics
from helpers.models import build_mlp_vae
from helpers.studies.tsne_mnist_interpolation import mnist_models


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main():
    decoders = {
        "cone MLP (2-d latent -> 3)": (build_mlp_vae(seed=0).decoder, 2),
        "heatmap conv, lean (3-d -> 36x36)": (conv_models.build_conv_vae("lean", seed=0).decoder, 3),
        "MNIST conv (32-d -> 28x28)": (mnist_models.build_mnist_vae(32, seed=0).decoder, 32),
    }
    rng = np.random.default_rng(0)
    print(f"{'decoder':<36} {'solve':>8} {'iters':>6} {'ms/iter':>8} {'energy batched':>15} {'looped':>9} {'ratio':>6}")
    for name, (decoder, latent_dim) in decoders.items():
        z_a, z_b = rng.normal(size=(2, latent_dim))
        geodesics.latent_geodesic(decoder, z_a, z_b, 32, max_iterations=2)  # trace once
        result, solve = timed(lambda d=decoder, a=z_a, b=z_b: geodesics.latent_geodesic(
            d, a, b, 32, max_iterations=100, tolerance=0.0))
        curve = result.curve.astype(np.float32)
        geodesics.curve_energy(decoder, curve)
        _, batched = timed(lambda d=decoder, c=curve: geodesics.curve_energy(d, c))
        _, looped = timed(lambda d=decoder, c=curve: curve_energy_looped(d, c))
        per_iteration = solve / max(result.iterations, 1) * 1e3
        print(f"{name:<36} {solve:7.2f}s {result.iterations:6d} {per_iteration:8.1f} {batched * 1e3:13.1f}ms "
              f"{looped * 1e3:7.0f}ms {looped / batched:5.0f}x")


if __name__ == "__main__":
    main()
