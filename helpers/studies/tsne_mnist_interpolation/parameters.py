"""The rules of notebook 04's parameters: the shapes section's (``SHAPES_PARAMETERS``), the MNIST part's
(``MNIST_PARAMETERS``) and both together (``PARAMETERS``); light: importing it does not load TensorFlow."""

from __future__ import annotations

import math

from helpers.validation import SEED, Choice, Constraint, Flag, Integer, Real, Rules, Widths, at_most
from helpers.retraining import Retrains

#: Parameter rules of study 4's opening section (the shapes colouring); `seed`, `learning_rate` and
#: `force_retrain` are shared with the MNIST part (MNIST_PARAMETERS), with the same rules.
SHAPES_PARAMETERS = Rules({
    "seed": SEED,
    "shapes_train": Integer(100, 100_000),
    "shapes_test": Integer(20, 20_000),
    "shapes_per_image": Integer(1, 20),
    "shape_size": Integer(4, 40),
    "shapes_epochs": Integer(1, 500),
    "shapes_batch_size": Integer(8, 4_096),
    "learning_rate": Real(0.0, 1.0, low_inclusive=False),
    "shapes_shown": Integer(1, 30),
    "force_retrain": Flag(),
}, constraints=(at_most("shown images", "shapes_shown", "shapes_test",
                         "the strips show the first shapes_shown test images"),))


DIGIT = Integer(0, 9)


def _tsne_images_fit(n_test: int, n_tsne: int) -> str | None:
    if n_tsne > n_test:
        return (f"t-SNE embeds the first n_tsne of the n_test test images (the notebook would silently embed "
                f"{n_test}): use n_tsne <= {n_test} or n_test >= {n_tsne}")
    return None


def _perplexity_fits(n_tsne: int, perplexity: float) -> str | None:
    # both t-SNE libraries need more than 3·perplexity points; helpers.embedding.tsne lowers it to (n − 1) / 3
    if 3 * perplexity > n_tsne - 1:
        return (f"t-SNE needs more than 3·perplexity points (helpers.embedding.tsne would silently lower the "
                f"perplexity to {(n_tsne - 1) / 3:.4g}): use perplexity <= (n_tsne − 1) / 3 = {(n_tsne - 1) / 3:.4g} "
                f"or n_tsne >= {math.ceil(3 * perplexity) + 1}")
    return None


def _code_gaussian_fits(n_test: int, latent_dim: int) -> str | None:
    if n_test <= latent_dim:
        return (f"the random codes come from a Gaussian fitted to the n_test test codes, whose covariance is "
                f"singular (rank < latent_dim) unless n_test > latent_dim: use n_test >= {latent_dim + 1} or "
                f"latent_dim <= {n_test - 1}")
    return None


def _held_out_fits(n_train: int, validation_images: int) -> str | None:
    if validation_images > n_train // 2:
        return (f"early stopping holds out the last validation_images of the n_train training images and fits the "
                f"rest, so at least half must be left to fit: use validation_images <= {n_train // 2} or n_train >= "
                f"{2 * validation_images}")
    return None


#: Parameter rules of notebook 04 (validated in one call right after its parameters cell).
MNIST_PARAMETERS = Rules({
    "seed": SEED,
    "n_train": Integer(100, 60_000),
    "n_test": Integer(50, 10_000),
    "latent_dim": Integer(2, 256),
    "beta": Real(0.0, 100.0),
    "epochs": Integer(1, 500),
    "max_epochs": Integer(1, 2_000),
    "kl_warmup_epochs": Integer(0, 1_000),
    "patience": Integer(0, 1_000),
    "validation_images": Integer(10, 10_000),
    "judge_epochs": Integer(1, 500),
    "plane_hidden_layers": Widths(1, 4_096, 4),
    "recompute_levers": Flag(),
    "batch_size": Integer(8, 4_096),
    "learning_rate": Real(0.0, 1.0, low_inclusive=False),
    "n_tsne": Integer(50, 10_000),
    "perplexity": Real(2.0, 100.0),
    "tsne_method": Choice(("opentsne", "sklearn")),
    "n_thumbnails": Integer(0, 5_000),
    "digit_a": DIGIT,
    "digit_b": DIGIT,
    "digit_c": DIGIT,
    "interpolate_from": DIGIT,
    "interpolate_to": DIGIT,
    "interpolation_steps": Integer(3, 50),
    "geodesic_points": Integer(3, 512),
    "geodesic_iterations": Integer(1, 10_000),
    "n_interpolation_pairs": Integer(1, 1_000),
    "force_retrain": Flag(),
    "plane_tiles": Integer(2, 40),
    "n_generated": Integer(10, 20_000),
    "generated_shown": Integer(1, 100),
    "mixture_components": Integer(1, 1_000),
    "bound_images": Integer(10, 10_000),
    "recompute_bounds": Flag(),
    "explorer_steps": Integer(2, 201),
}, constraints=(
    Constraint("t-SNE images", ("n_test", "n_tsne"), _tsne_images_fit),
    Constraint("t-SNE perplexity", ("n_tsne", "perplexity"), _perplexity_fits),
    at_most("thumbnails", "n_thumbnails", "n_tsne", "the thumbnails are drawn from the n_tsne embedded images"),
    at_most("geodesic strip", "interpolation_steps", "geodesic_points",
            "the straight-vs-geodesic strips pick interpolation_steps images from the geodesic_points points of "
            "each path, so more steps than points would repeat images"),
    Constraint("Gaussian of the codes", ("n_test", "latent_dim"), _code_gaussian_fits),
    at_most("shown samples", "generated_shown", "n_generated", "the grids show the first generated_shown of the "
            "n_generated decoded samples of each source"),
    at_most("mixture components", "mixture_components", "n_train",
            "each component of the Gaussian mixture is fitted to the AE's codes of the n_train training images"),
    at_most("bound images", "bound_images", "n_test", "the ELBO and IWAE bounds are computed on the first "
            "bound_images test images"),
    Constraint("held-out images", ("n_train", "validation_images"), _held_out_fits),
    at_most("KL warm-up", "kl_warmup_epochs", "max_epochs", "the KL weight would never reach β: the warm-up is "
            "part of the at most max_epochs epochs"),
))

#: Every parameter of notebook 04: the shapes section's and the MNIST part's (``seed``, ``learning_rate`` and
#: ``force_retrain`` are shared, with the same rules).
PARAMETERS = SHAPES_PARAMETERS | MNIST_PARAMETERS

_DATA = {"seed": 0, "n_train": 4000, "n_test": 1000, "learning_rate": 0.001, "batch_size": 128}
_RECIPE = {"max_epochs": 300, "patience": 20, "validation_images": 500, "kl_warmup_epochs": 10}

#: The models and the parameters that feed their cache keys, with the settings of the shipped weights.
RETRAINS = (
    Retrains("the colouring network", "shapes_colouring", ({"seed": 0, "learning_rate": 0.001, "shapes_epochs": 20,
                                                             "shapes_batch_size": 64, "shapes_train": 3000,
                                                             "shapes_per_image": 5, "shape_size": 12},)),
    Retrains("the AE", "mnist_ae_linear", ({**_DATA, **_RECIPE, "latent_dim": 32},)),
    Retrains("the original study's AE", "mnist_ae", ({**_DATA, "latent_dim": 32, "epochs": 25},)),
    Retrains("the VAE", "mnist_vae", ({**_DATA, **_RECIPE, "latent_dim": 32, "beta": 1.0},)),
    Retrains("the 2-D VAE", "mnist_vae_2d", ({**_DATA, **_RECIPE, "beta": 1.0, "plane_hidden_layers": [512, 256]},)),
    Retrains("the linear 2-D AE", "mnist_ae_2d_linear", ({**_DATA, **_RECIPE, "plane_hidden_layers": [512, 256]},)),
    Retrains("the ELU 2-D AE", "mnist_ae_2d", ({**_DATA, "epochs": 25},)),
    Retrains("the digit judge", "mnist_judge", ({**_DATA, "judge_epochs": 60, "validation_images": 500},)),
)
