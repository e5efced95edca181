"""How much do study 4's scored draws and thresholded shares move when the codes move by kernel-sized amounts?

    .venv/bin/python tests/portability/jitter_mnist_draws.py

Different CPU kernels change the encoders' codes by about 1e-5 relative. The draws from the Gaussian and the
Gaussian mixture fitted to the AE's training codes pass through an EM fit and Cholesky factors, and the shares of
notebook 04 count items against a threshold (confidence ≥ 0.9, farther than m typical spacings, nearer than 95 %
of real digits). This recomputes the generation table (``mnist_generation``) from the AE's codes jittered by
1e-5 relative (5 trials) and prints the largest change per column; then, for the 2-D grids and the draws, how
close the closest item lies to its threshold. That is the spread behind the ``mnist_generation/*`` and
``mnist_plane_grids/*`` rules in tests/tolerances.yaml (measured: means 1.4e-4, shares one draw of 500).
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import notebook_defaults  # noqa: E402

from helpers import inference  # noqa: E402
from helpers.latent_paths import typical_spacing  # noqa: E402
from helpers.studies.tsne_mnist_interpolation import (
    digit_judge,
    generated_digits,
    latent_grids,
    mnist_data,
    mnist_models,
)

SEED, N_GENERATED, COMPONENTS, TILES, TRIALS = 0, 500, 10, 15, 5


def generation_table(codes, models, judge, data):
    drawn = generated_digits.generated_codes(codes, N_GENERATED, 32, COMPONENTS, SEED)
    images = {source: inference.decode(models[source.split()[0]].decoder, z) for source, z in drawn.items()}
    return generated_digits.generation_scores(judge, images, data.x_test), images


def main():
    data = mnist_data.load_mnist(4000, 1000, SEED)
    p = notebook_defaults("04_tsne_mnist_interpolation")
    recipe = mnist_models.Recipe(p["max_epochs"], p["patience"], p["validation_images"], p["kl_warmup_epochs"])
    shared = dict(seed=SEED, learning_rate=1e-3, batch_size=128)
    ae, _ = mnist_models.train_or_load_ae(data, latent_dim=32, epochs=25, **shared)
    vae, _ = mnist_models.train_or_load_vae(data, recipe, latent_dim=32, beta=1.0, **shared)
    vae_2d, _ = mnist_models.train_or_load_vae(data, recipe, latent_dim=2, beta=1.0,
                                               hidden_units=p["plane_hidden_layers"], name="mnist_vae_2d", **shared)
    ae_2d, _ = mnist_models.train_or_load_linear_ae(data, recipe, latent_dim=2, hidden_units=p["plane_hidden_layers"],
                                             name="mnist_ae_2d_linear", **shared)
    judge_recipe = mnist_models.Recipe(p["judge_epochs"], mnist_models.JUDGE_PATIENCE, p["validation_images"])
    classifier, _ = mnist_models.train_or_load_judge(data, judge_recipe, **shared)
    judge = digit_judge.DigitJudge(classifier, data.x_train, data.x_test)
    codes = inference.encode_mean(ae, data.x_train)
    models = {"VAE": vae, "AE": ae}
    base, images = generation_table(codes, models, judge, data)
    rng = np.random.default_rng(1)
    worst = base * 0
    for _ in range(TRIALS):
        jittered = codes * (1 + 1e-5 * rng.standard_normal(codes.shape))
        worst = np.maximum(worst, (generation_table(jittered, models, judge, data)[0] - base).abs())
    print(f"largest change of mnist_generation over {TRIALS} jittered fits:\n{worst.to_string()}\n")

    near = np.quantile(judge.distance_ratio(data.x_test), 0.05)
    print("closest item to its threshold:")
    closest = np.min(np.abs(judge.confidence(data.x_test) - digit_judge.ACCEPTED))
    print(f"  real digits: confidence {closest:.2g} from 0.9")
    for source, x in images.items():
        print(f"  {source}: confidence {np.min(np.abs(judge.confidence(x) - digit_judge.ACCEPTED)):.2g} from 0.9, "
              f"distance ratio {np.min(np.abs(judge.distance_ratio(x) / near - 1)):.2g} (relative) from the 5 % level")
    for name, model, prior in (("VAE 2-D", vae_2d, True), ("AE 2-D", ae_2d, False)):
        panel, _ = latent_grids.decoded_plane(model, judge, data.x_train, data.x_test, TILES, prior)
        train_codes = inference.encode_mean(model, data.x_train)
        spacing = typical_spacing(train_codes.astype(np.float64))
        closest = np.min(np.abs(judge.confidence(panel['images']) - digit_judge.ACCEPTED))
        print(f"  {name}: tile confidence {closest:.2g} "
              "from 0.9", end="")
        for label, points in (("grid", panel["grid"]), ("test codes", panel["codes"])):
            ratio = latent_grids.nearest_code_distance(points, train_codes) / spacing
            margins = [np.min(np.abs(ratio / m - 1)) for m in latent_grids.HOLE_SPACINGS]
            print(f"; {label} " + ", ".join(f"{d:.2g} from {m:g}×" for d, m in zip(margins, latent_grids.HOLE_SPACINGS,
                                                                                    strict=True)), end="")
        print()


if __name__ == "__main__":
    main()
