"""Study 4's 2-D VAE against the best-known anchor, on the same data, scored by the same judge, in one run.

The anchor is keras.io's VAE recipe (examples/generative/vae.py): Conv 32 and 64 with stride 2 (ReLU), Dense 16,
a 2-D code, a transposed-convolution decoder, the Bernoulli loss summed over pixels plus the KL summed over
dimensions, Adam, batch 128. It is trained here on notebook 04's training images (the 4,000-image offline subset
by default) for 30 epochs (as published) and for 150, and set beside the shipped 2-D VAE (loaded, not trained).
Each is scored by notebook 04's judge (``train_or_load_judge``, shipped weights) on its 15 × 15 grid at the
prior's 5–95 % quantiles and on 1,000 prior draws (``prior_generation_scores``): the accepted share, and beside it
the effective number of digits (exp of the entropy of the predicted labels) and the Fréchet distance (FD) of the
judge's penultimate-layer features to the real test digits' — acceptance alone rewards a generator that draws
mostly one easy digit. And by its test ELBO.

    .venv/bin/python tests/bench/bench_mnist_anchor.py [--epochs 30 150]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import helpers.env  # noqa: F401,E402  (TensorFlow's environment before keras loads)
import keras  # noqa: E402
from conftest import notebook_defaults  # noqa: E402
from keras import layers  # noqa: E402

from helpers import inference, likelihood, models, samplers, training  # noqa: E402
from helpers.studies.tsne_mnist_interpolation import (  # noqa: E402
    digit_judge,
    generated_digits,
    latent_grids,
    mnist_data,
    mnist_models,
)


def keras_io_vae(seed: int) -> models.VAE:
    """keras.io's recipe, with the VAE class of this project (same loss: Bernoulli summed over pixels + KL)."""
    keras.utils.set_random_seed(seed)
    x_in = keras.Input((28, 28, 1))
    h = layers.Conv2D(32, 3, strides=2, activation="relu", padding="same")(x_in)
    h = layers.Conv2D(64, 3, strides=2, activation="relu", padding="same")(h)
    h = layers.Dense(16, activation="relu")(layers.Flatten()(h))
    encoder = keras.Model(x_in, [layers.Dense(2, name="z_mean")(h), layers.Dense(2, name="z_log_var")(h)])
    z_in = keras.Input((2,))
    h = layers.Reshape((7, 7, 64))(layers.Dense(7 * 7 * 64, activation="relu")(z_in))
    h = layers.Conv2DTranspose(64, 3, strides=2, activation="relu", padding="same")(h)
    h = layers.Conv2DTranspose(32, 3, strides=2, activation="relu", padding="same")(h)
    decoder = keras.Model(z_in, layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(h))
    model = models.VAE(encoder, decoder, beta=1.0, seed=seed, reconstruction="bernoulli", name="keras_io_vae")
    model.compile(optimizer=keras.optimizers.Adam())
    return model


def diversity_and_fidelity(judge, decoder, data, p) -> dict:
    """Beside acceptance (which rewards a generator that draws mostly one easy digit): the effective number of digits
    (exp of the entropy of the judge's predicted labels) and the Fréchet distance of the judge's penultimate-layer
    features to the real test digits', for the prior-quantile grid and for the 1,000 prior draws."""
    axis = latent_grids.prior_quantile_axis(p["plane_tiles"])
    sets = {"grid": inference.decode(decoder, latent_grids.grid_codes(axis, axis)),
            "prior": inference.decode(decoder, samplers.sample_prior(1000, 2, p["seed"]))}
    return {f"{name} {measure}": value for name, images in sets.items() for measure, value in
            (("effective digits", judge.effective_digits(images)), ("FD", judge.frechet_distance(images, data.x_test)))}


def row(model, judge, data, p, seconds, epochs) -> dict:
    elbo = likelihood.elbo_per_image(model, data.x_test, p["seed"])
    scores = generated_digits.prior_generation_scores(judge, model.decoder, 2, tiles=p["plane_tiles"], draws=1000,
                                           seed=p["seed"])
    return {**scores, **diversity_and_fidelity(judge, model.decoder, data, p), "test ELBO": float(elbo.mean()),
            "epochs": epochs, "train s": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, nargs="+", default=[30, 150])
    args = parser.parse_args()
    p = notebook_defaults("04_tsne_mnist_interpolation")
    data = mnist_data.load_mnist(p["n_train"], p["n_test"], p["seed"])
    print(data.describe())
    recipe = mnist_models.Recipe(p["max_epochs"], p["patience"], p["validation_images"], p["kl_warmup_epochs"])
    judge_recipe = mnist_models.Recipe(p["judge_epochs"], mnist_models.JUDGE_PATIENCE, p["validation_images"])
    classifier, _ = mnist_models.train_or_load_judge(data, judge_recipe, seed=p["seed"],
                                                     learning_rate=p["learning_rate"], batch_size=p["batch_size"])
    judge = digit_judge.DigitJudge(classifier, data.x_train, data.x_test)
    vae, fit = mnist_models.train_or_load_vae(data, recipe, latent_dim=2, beta=p["beta"], seed=p["seed"],
                                       learning_rate=p["learning_rate"], batch_size=p["batch_size"],
                                       hidden_units=p["plane_hidden_layers"], name="mnist_vae_2d")
    rows = {"study 4's 2-D VAE (shipped)": row(vae, judge, data, p, fit.train_seconds, fit.epochs_run)}
    for epochs in args.epochs:
        anchor = keras_io_vae(p["seed"])
        start = time.perf_counter()
        anchor.fit(data.x_train, epochs=epochs, batch_size=128, shuffle=True, verbose=0)
        rows[f"keras.io recipe, {epochs} epochs"] = row(anchor, judge, data, p, time.perf_counter() - start, epochs)
    table = pd.DataFrame(rows).T
    pd.set_option("display.width", 200)
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    ours = table.iloc[0]
    for name, other in table.iloc[1:].iterrows():
        print(f"shipped / {name}: grid accepted ×{ours['grid accepted'] / max(other['grid accepted'], 1e-9):.2f}, "
              f"prior accepted ×{ours['prior accepted'] / max(other['prior accepted'], 1e-9):.2f}, "
              f"digits {int(ours['grid digits'])} vs {int(other['grid digits'])}, "
              f"effective digits (grid) {ours['grid effective digits']:.1f} vs {other['grid effective digits']:.1f}, "
              f"FD (grid) {ours['grid FD']:.1f} vs {other['grid FD']:.1f}, "
              f"test ELBO {ours['test ELBO'] - other['test ELBO']:+.1f} nats")


if __name__ == "__main__":
    training.set_seed(0)
    main()
