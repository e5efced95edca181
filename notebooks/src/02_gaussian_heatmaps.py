# %% [markdown] slideshow={"slide_type": "slide"}
# # Study 2 — Gaussian heatmaps: a convolutional VAE next to an AE
#
# Every image in this study is a picture of a bivariate normal density, so we know the three
# numbers that generated it: the variances $v_x, v_y$ and the correlation $\rho$. A VAE and an AE of
# the same architecture compress the images to a **3-D** latent code. Because the truth is known,
# every statement about the latent space can be checked with a number instead of a picture:
#
# * how well each model reconstructs (Frobenius error, both VAE decodings);
# * how the factors are laid out in latent space (projections, a linear probe);
# * what the decoders make of latent paths — lines, a rotation, a spline along the hull, lines on
#   bounding planes, a walk through empty space — with the factors of every decoded image read back
#   by a moment fit, their monotonicity (Spearman's rank correlation $r_s$, so that $\rho$ always means the
#   correlation factor) and their distance from any valid heatmap;
# * which factors each latent axis moves, and whether the axes are any more aligned with the factors
#   than a random rotation of the same codes (three disentanglement scores, defined where they are used);
# * how many decoded samples — from the VAE's prior, or from densities fitted to the AE's codes — are
#   valid heatmaps, and how much of the prior falls into the holes between the VAE's codes;
# * what β trades: rate against distortion, active units, what the code holds, and valid samples, over a
#   sweep of β from 0.1 to 64.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What you will learn
#
# After this notebook you can …
#
# * use a data set with known generating factors to turn claims about a latent space into numbers:
#   reconstruction errors, a linear probe's $R^2$ for each factor, and disentanglement scores — numbers that
#   ask whether each factor is carried by one latent axis of its own (MIG, DCI and SAP, defined in
#   *Informative ≠ disentangled*) — judged against random rotations of the same codes: informative is not the
#   same as disentangled;
# * explain why the original study's VAE loss was inconsistent, and what a consistent ELBO with a
#   weight $\beta$ on the KL term does to posterior widths and to decoding a mean vs a sampled $z$; read
#   $\beta$ as a rate–distortion trade-off (Alemi et al. 2018) and spot posterior collapse from the rate,
#   the active units and a probe;
# * decode latent paths (lines, a rotation, a spline along the hull, lines on bounding planes, a traversal
#   of each latent axis) and score them by the factors read back from the decoded images (Spearman's
#   $r_s$, a sensitivity matrix, moment-fit residual);
# * find the emptiest region inside an AE's codes and measure what its decoder makes of it, and how many
#   samples from a VAE's prior, or from densities fitted to an AE's codes, decode into valid heatmaps;
# * compare how unevenly two decoders stretch their latent spaces, and say when a geodesic is worth
#   more than a straight line.

# %% slideshow={"slide_type": "skip"} tags=["boilerplate"]
from helpers.studies.gaussian_heatmaps import parameters  # the rules of this notebook's parameters (light: no TensorFlow)
from helpers.retraining import announce_retraining
from helpers.validation import validate

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
# [retrains]: a new value trains a model (the run says which first, and how long the shipped one took)
seed: int = 19  # seeds initialisation, the validation hold-out, sampling and figure draws [retrains]
config: str = "fast"  # "fast" (default: quickest to train), "lean" or "original" (the original study's network) [retrains]
vae_loss: str = "standard"  # "standard" (consistent ELBO) or "original" (the original study's inconsistent loss) [retrains]
beta: float = 0.33  # weight of the KL term (0.33 ≈ the weight the original study's averaged KL had) [retrains]
epochs: int = 20  # at most this many epochs (batch 32: ~5,400 optimiser steps); early stopping on the validation loss [retrains]
patience: int = 4  # epochs without validation improvement before stopping (best weights restored) [retrains]
train_subset: int = 0  # keep the first N training images (0: all 9,500) [retrains]
test_subset: int = 0  # keep the first N test images (0: all 2,375) [retrains]
sample_images: int = 16  # images in the sample grids
path_points: int = 40  # latent points per decoded path
plotted_points: int = 3000  # codes drawn in the interactive 3-D figures
slice_points: int = 30  # grid points per axis of the latent slice for the distortion maps
geodesic_points: int = 24  # points on each latent geodesic (ends included)
geodesic_iterations: int = 200  # at most this many L-BFGS iterations per geodesic
geodesic_steps: int = 9  # images shown and scored along the straight and geodesic paths
force_retrain: bool = False  # retrain even when cached or shipped weights exist
traversal_points: int = 11  # images per latent traversal (2nd → 98th percentile of the codes)
rotations: int = 40  # random rotations of the codes behind the MIG and SAP nulls
dci_rotations: int = 3  # random rotations behind the DCI-D null (each DCI costs about 0.2 s)
hole_samples: int = 250  # decoded samples per source (prior, Gaussian, mixture) in the holes section
mixture_components: int = 10  # components of the Gaussian mixture fitted to the AE's training codes
recompute_sweep: bool = False  # retrain (or load from the local cache) and re-measure the β sweep (~20 min)
recompute_seeds: bool = False  # retrain (or load) the VAE and AE at five seeds and re-measure the seed study (~40 min)

# %% slideshow={"slide_type": "skip"} tags=["boilerplate"]
validate(parameters.PARAMETERS, globals())  # every parameter above and their combinations, before TensorFlow loads
announce_retraining(parameters.RETRAINS, globals())  # names each model this run will train, and its time

# %% slideshow={"slide_type": "skip"} tags=["boilerplate"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import alignment, geodesics, geometry, image_plots, latent_paths, models, plotting, probes, results, samplers
from helpers.inference import decode, encode_mean, encoder_outputs, posterior_sigma
from helpers.plotting import plot_distortion_heatmap, plot_history, show_plotly
from helpers.report import recorded_here, show_claims, show_source, show_table, show_takeaway
from helpers import heatmaps, verdicts
from helpers.studies.gaussian_heatmaps import (alignment_scores, beta_sweep, closing_note, figures, latent_holes,
                                              model_pair, recovery, seed_study, trajectories)

pd.set_option("display.width", 160)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The data
#
# With $\Sigma = \begin{pmatrix} v_x & \rho\sqrt{v_x v_y} \\ \rho\sqrt{v_x v_y} & v_y \end{pmatrix}$ the density
# of $N(0, \Sigma)$ at a grid point $p = (x, y)$ is proportional to $\exp(-\tfrac12 p^\top \Sigma^{-1} p)$.
# Each image evaluates it on the 36×36 grid `mgrid[-3:3:.17]` and divides by its maximum, so the
# normalising constant cancels and the whole data set is one vectorised expression
# (`helpers.heatmaps.gaussian_heatmaps`, tested against `scipy.stats.multivariate_normal` to $10^{-6}$).
# The factor grid is $v_x, v_y \in \{0.1, 0.3, \dots, 4.9\}$ and $\rho \in \{-0.95, -0.85, \dots, 0.85\}$:
# $25 \cdot 25 \cdot 19 = 11{,}875$ images, split 80/20 with `random_state=19` exactly as in the original study.

# %% slideshow={"slide_type": "subslide"}
data = heatmaps.load_heatmaps(train_subset, test_subset)
rng = np.random.default_rng(seed)
shown = rng.choice(len(data.x_train), size=sample_images, replace=False)
image_plots.image_grid(data.x_train[shown], ncols=8, titles=figures.factor_titles(data.y_train[shown]),
                       title="Random training images (titles: var_x var_y cor)")
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
print(f"train {data.x_train.shape}, test {data.x_test.shape}; pixel range "
      f"[{data.x_train.min():.2f}, {data.x_train.max():.2f}]")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The models and a correct loss
#
# Both models share one architecture, built by `helpers.conv_models` from a named configuration.
# The encoder is convolutional (3×3 convolutions with max-pooling, then a dense layer); the VAE's
# encoder ends in two heads $\mu(x)$ and $\log\sigma^2(x)$, the AE's in one code $z(x)$. The decoder
# is a dense layer reshaped to 4×4×64 followed by transposed convolutions (strides 1, 3, 3) and a
# sigmoid output. Both use a Bernoulli likelihood (binary cross-entropy summed over pixels), as the original
# study did. The pixels are grey values in $[0, 1]$, not black or white, so this likelihood is a choice of loss
# rather than a model of the data: for a grey pixel $x$ the best a decoder can do, $\hat x = x$, still leaves
# $-\log p(x|\hat x)$ at the pixel's binary entropy $-x\log x - (1-x)\log(1-x) > 0$, not at 0
# (the β section counts the loss above that floor). The VAE maximises the ELBO
#
# $$\mathcal{L}(x) = \mathbb{E}_{q(z|x)}[\log p(x|z)] - \beta\,\mathrm{KL}\big(q(z|x)\,\|\,N(0, I)\big),\qquad
# \mathrm{KL} = \tfrac12 \sum_{j=1}^{3} \big(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2\big),$$
#
# with one reparameterised draw $z = \mu + \sigma\,\varepsilon$.
#
# **The original study's loss was inconsistent.** Its sampling layer used $\exp(s)$ as the *standard deviation*
# while its KL term treated the same output $s$ as a *log-variance*, and it *averaged* the KL over the
# three latent dimensions instead of summing. Together that is a VAE whose regulariser is about
# three times too weak ($\beta_\text{eff} \approx 1/3$) and whose KL is computed for a different
# posterior width than the one it samples from. Here $s = \log\sigma^2$ in both places and the KL is
# summed; `vae_loss="original"` reproduces the old behaviour for comparison.
#
# The KL term and the reparameterised draw, as the models compute them:

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "notes"} tags=["remove-input"]
show_source(models.kl_divergence, models.Sampling.call)

# %% slideshow={"slide_type": "skip"}
vae, ae, fits = model_pair.train_or_load_vae_and_ae(
    data.x_train, config=config, seed=seed, epochs=epochs, patience=patience, beta=beta, vae_loss=vae_loss,
    data_settings={"train_subset": train_subset, "test_subset": test_subset}, force_retrain=force_retrain)

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
plot_history(fits["vae"].history, keys=["loss"], title="VAE: −ELBO per image", ax=axes[0])
plot_history(fits["ae"].history, keys=["loss"], title="AE: BCE per image", ax=axes[1])
plt.show()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "subslide"} tags=["remove-input"]
show_table("heatmap_training", pd.DataFrame.from_dict({kind: {"epochs": fit.epochs_run, "best validation loss":
                                                    min(fit.history["val_loss"])} for kind, fit in fits.items()}, orient="index"),
           digits=1)

# %% [markdown] slideshow={"slide_type": "skip"}
# ### Going further: the configurations, the choice of $\beta$, and the original loss
#
# **Configuration.** `config="original"` is the original study's network as is (Conv 32 → 64/128/64 with pooling,
# Dense 64; Adam with ExponentialDecay(1e-3, 30, 0.99), batch 64). `"lean"` halves the widths of the
# encoder convolutions at 36×36 and 18×18, which carry most of the original network's arithmetic, and uses
# batch 128 (study 3 uses it). The default `"fast"` is `"lean"` with a stride-2 first block (one convolution
# at 18×18 instead of a convolution at 36×36 and a pooling) and batch 32. The models learn the images' fine
# detail per optimiser *step*, and batch 32 gives four times the steps per epoch at a lower cost per epoch,
# so, as measured by `make bench`, they reach the original study's quality in fewer epochs and minutes (it draws both
# time-to-quality curves side by side).
# Training stops when the loss on a 10 % hold-out of the training images has not improved for
# `patience` epochs and restores the best weights (the original study validated on its test images).
#
# **Choice of $\beta$.** With the consistent loss, $\beta = 1$ is a much stronger regulariser than the original
# study's effective one: a smaller $\beta$ decodes better, a larger one keeps wider posteriors (the β sweep below
# measures both over seven values of $\beta$). The default
# $\beta = 0.33$ is the weight the original study's averaged KL effectively had ($1/3$ of the summed KL); the
# closing note shows what it gives. Rerun with `-p beta 1.0` to see the other side of the trade-off.
#
# **What the inconsistent loss would change (a prediction).** With the original study's loss the KL is computed
# for $\sigma^2 = e^{s}$ but the noise is drawn with $\sigma = e^{s}$, i.e. with variance $e^{2s}$: for the
# small posterior widths a VAE learns ($s < 0$) the noise actually used is much smaller than the width the KL
# pays for, and the averaged KL makes the penalty three times weaker again. So the encoder could shrink its
# posteriors further before the KL objects: codes would spread out more, the sampled decoding would get closer to
# the mean decoding, and the latent space would become more AE-like. The table gives this VAE's posterior widths
# and KL (in the convention of its own `vae_loss`). Only a run that changes the loss and nothing else can test the
# prediction (`-p vae_loss original`, which trains a VAE); Exercise 1 runs the original study's network *and*
# loss, so it shows where the original configuration lands, not what the loss alone does.

# %% slideshow={"slide_type": "skip"} tags=["nbval-check-output"]
print(f"vae_loss = {vae_loss!r}, beta = {beta}")

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
posterior = recovery.posterior_summary(vae, data.x_test)
show_table("heatmap_posterior", posterior.to_frame("VAE"), digits=3)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Reconstructions
#
# The error of one image is the Frobenius norm $\lVert \hat x - x\rVert_F$ over its 36×36 pixels,
# as in the original study. For the VAE there are two decodings: from the posterior mean $\mu(x)$, and from one
# sampled $z \sim q(z|x)$ — the original study's number was the sampled one.

# %% slideshow={"slide_type": "subslide"}
recon = recovery.reconstructions(vae, ae, data.x_test, seed)
errors = {name: recovery.frobenius_errors(data.x_test, images) for name, images in recon.items()}
pick = rng.choice(len(data.x_test), size=min(8, sample_images), replace=False)
image_plots.image_rows({"original": list(data.x_test[pick]), **{name: list(images[pick]) for name, images in recon.items()}},
                       size=1.3, cmap="cubehelix")
plt.show()

# %% slideshow={"slide_type": "subslide"}
plotting.error_histograms(errors)
plt.show()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "subslide"} tags=["remove-input"]
show_table("heatmap_errors", recovery.error_summary(errors), digits=3, caption="Test Frobenius errors")
show_table("heatmap_quality_bar", recovery.quality_bar(errors), digits=3)

# %% [markdown] slideshow={"slide_type": "notes"}
# How far do the worst images lie from the typical one? Here are the AE's eight worst test images (top), the AE's
# reconstructions of them and the VAE's; the table after them gives each decoding's tail (95th percentile and
# maximum over the median), for this one seed.

# %% slideshow={"slide_type": "subslide"}
worst = np.argsort(errors["AE"])[::-1][:8]
image_plots.image_rows({"original": list(data.x_test[worst]), "AE": list(recon["AE"][worst]),
                        "VAE, mean z": list(recon["VAE, mean z"][worst])}, size=1.3, cmap="cubehelix")
plt.show()

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
tails = pd.DataFrame({name: {"p95 / median": np.quantile(e, 0.95) / np.median(e), "max / median": e.max() / np.median(e)}
                      for name, e in errors.items()}).T
show_table("heatmap_error_tails", tails, digits=1)
show_table("heatmap_worst_ae_factors", pd.DataFrame(data.y_test[worst[:4]], columns=heatmaps.FACTORS),
           caption="Factors of the AE's four worst test images")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The latent spaces
#
# We use the VAE's posterior means $\mu(x)$ and the AE's codes $z(x)$ of the test images, coloured by
# the three generating factors, on the three coordinate planes.

# %% slideshow={"slide_type": "subslide"}
codes = {"VAE": encode_mean(vae, data.x_test), "AE": encode_mean(ae, data.x_test)}
train_codes = {"VAE": encode_mean(vae, data.x_train), "AE": encode_mean(ae, data.x_train)}
figures.projections_by_factor(codes["VAE"], data.y_test, title="VAE: posterior means of the test images")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# A **linear probe** answers "how linearly is each factor laid out?": a least-squares fit
# factor $\approx a + b^\top z$ on the training codes, scored by $R^2$ on the test codes.

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
probe = pd.DataFrame({name: probes.linear_probe_r2(train_codes[name], data.y_train, codes[name], data.y_test,
                                                   heatmaps.FACTORS) for name in codes}).T
show_table("heatmap_linear_probe", probe, caption="Test R² of a linear probe from the codes")

# %% slideshow={"slide_type": "subslide"}
figures.walls_by_cor_and_anisotropy(codes["VAE"], data.y_test, "VAE")
plt.show()

# %% slideshow={"slide_type": "subslide"}
few = rng.choice(len(codes["VAE"]), size=min(plotted_points, len(codes["VAE"])), replace=False)
hover = figures.factor_titles(data.y_test[few])
show_plotly(plotting.latent_plotly(codes["VAE"][few], data.y_test[few, 2], "cor", "VAE codes by cor", hover))
show_plotly(plotting.latent_plotly(codes["VAE"][few], np.abs(data.y_test[few, 0] - data.y_test[few, 1]),
                                      "|vx−vy|", "VAE codes by |var_x − var_y|", hover))

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
iso = np.isclose(data.y_test[:, 0], data.y_test[:, 1])
layout = pd.DataFrame({name: {**dict(zip(("spread 1", "spread 2", "spread 3"), latent_paths.relative_spreads(c),
                                         strict=True)),
                              "isovariance spacing": latent_paths.typical_spacing(c[iso]) / latent_paths.typical_spacing(c)}
                       for name, c in codes.items()}).T
show_table("heatmap_code_layout", layout, caption="Principal spreads of the codes (relative to the first) and "
           "the spacing of isovariance images (in typical nearest-neighbour spacings)")

# %% [markdown] slideshow={"slide_type": "notes"}
# The AE's latent space with the same projections.

# %% slideshow={"slide_type": "subslide"}
figures.projections_by_factor(codes["AE"], data.y_test, title="AE: codes of the test images")
plt.show()

# %% slideshow={"slide_type": "subslide"}
figures.walls_by_cor_and_anisotropy(codes["AE"], data.y_test, "AE")
plt.show()

# %% slideshow={"slide_type": "subslide"}
show_plotly(plotting.latent_plotly(codes["AE"][few], data.y_test[few, 2], "cor", "AE codes by cor", hover))

# %% slideshow={"slide_type": "fragment"} tags=["hide-input"]
spacing = {name: latent_paths.typical_spacing(c) / np.sqrt(((c - c.mean(0)) ** 2).sum(1).mean()) for name, c in codes.items()}
show_takeaway("heatmap_code_spacing", "Median nearest-neighbour spacing, in units of the codes' RMS radius: "
              "VAE {VAE:.3f}, AE {AE:.3f}.", **spacing)

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Decoded trajectories, measured
#
# Every path is built from codes of images whose factors we know — here the codes of all 11,875
# images, training and test (`trajectories.standard_paths`):
# straight lines between the codes of opposite extremes (small → large round densities; correlation
# from its minimum to its maximum at mid variances; wide-in-$x$ → wide-in-$y$), a full rotation of the
# most correlated mid-size image's code about the codes' first principal axis, a smoothing spline
# through the codes of the isovariance images ($v_x = v_y$) at the largest correlation — an edge of the
# manifold's hull — and lines on the two planes that bound the codes along their thinnest direction.
#
# Each decoded image is read back with the moment fit of `recovery.estimate_factors`: the
# normalised second moments $M = \sum_p w_p\, p p^\top / \sum_p w_p$, corrected for the $\pm 3$ window by
# matching the moments of the model on the same grid. The tables give Spearman's rank correlation $r_s$ of each
# recovered factor against the position on the path ($\pm 1$: monotone) and the *residual* of the best
# fit $\lVert x - a\,g(\hat\Sigma)\rVert_F / \lVert x\rVert_F$ — 0 for a valid heatmap. $r_s$ is left out (–)
# where it would rank noise: on the rotation, a closed path with no forward direction, and for a factor whose
# recovered value moves by less than a tenth of its range over the data along the path
# (`trajectories.MOVES`).
#
# **When is a decoded image a valid heatmap?** Even a model's reconstructions of real test images leave a small
# residual. We call a decoded image *valid* when its residual is at most the 95th percentile of the residuals of
# the same model's reconstructions of the first `hole_samples` test images (`latent_holes.validity_threshold`):
# it is then as close to a heatmap as 95 % of what the model makes of real images. This *validity bar* judges the
# paths here, the walk through empty space and the decoded samples of *The holes, measured*.

# %% slideshow={"slide_type": "skip"}
all_codes = {name: np.concatenate([train_codes[name], codes[name]]) for name in codes}
all_factors = np.concatenate([data.y_train, data.y_test])
paths = {name: trajectories.standard_paths(all_codes[name], all_factors, path_points) for name in codes}
decoders = {"VAE": vae.decoder, "AE": ae.decoder}
bars = {name: latent_holes.validity_threshold(recon[rows][:hole_samples]) for name, rows in
        (("VAE", "VAE, mean z"), ("AE", "AE"))}  # the validity bar of each model
decoded = {name: {p: decode(decoders[name], path) for p, path in paths[name].items()} for name in codes}
image_plots.paths_figure(all_codes["VAE"], paths["VAE"], decoded["VAE"], title="VAE: decoded paths")
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
tables = {name: trajectories.path_table(decoders[name], paths[name]) for name in codes}
show_table("heatmap_paths_vae", tables["VAE"], caption="VAE: Spearman r_s of each recovered factor along the path "
           "(–: closed path, or the factor barely moves), the factors at both ends, and the moment-fit residuals")

# %% slideshow={"slide_type": "skip"}
image_plots.paths_figure(all_codes["AE"], paths["AE"], decoded["AE"], title="AE: decoded paths")
plt.show()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_table("heatmap_paths_ae", tables["AE"], caption="AE: the same paths")

# %% slideshow={"slide_type": "skip"}
estimated = {p: recovery.estimate_factors(images) for p, images in decoded["VAE"].items()}
figures.factor_traces(estimated)
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
jumps = pd.DataFrame({p: np.abs(np.diff(e, axis=0)).max(0) for p, e in estimated.items()}, index=heatmaps.FACTORS).T
show_table("heatmap_path_jumps", jumps, caption="VAE: largest change of a recovered factor between consecutive "
           "decoded images on each path")

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_takeaway("heatmap_paths_takeaway",
              "Along each line built to change one factor, that factor is monotone in both models: $r_s$ of var_x "
              "{v_size:.2f} (VAE) and {a_size:.2f} (AE) on *small → large*, of cor {v_cor:.2f} and {a_cor:.2f} on "
              "*cor min → max*. Against each model's validity bar (VAE {bar_v:.3f}, AE {bar_a:.3f}), every decoded "
              "image is a valid heatmap on {n_v} of the VAE's {n} paths ({ok_v}) and on {n_a} of the AE's ({ok_a}); "
              "the largest residual is {worst_v:.2f} (VAE, {worst_v_path}) and {worst_a:.2f} (AE, {worst_a_path}). "
              "The bounding-plane paths run along the outside of the codes, and their ends decode to variances "
              "beyond the data's 4.9 (up to {far:.1f}). The VAE's largest single step is {step:.2f} in "
              "{step_factor} on *{step_path}*: {step_share:.0%} of that factor's range over the data in one of "
              "{steps} steps (Exercise 2 asks whether it shrinks with more points, as a smooth path's would).",
              v_size=tables["VAE"].loc["line: small → large (round)", "r_s var_x"],
              a_size=tables["AE"].loc["line: small → large (round)", "r_s var_x"],
              v_cor=tables["VAE"].loc["line: cor min → max", "r_s cor"], a_cor=tables["AE"].loc["line: cor min → max", "r_s cor"],
              bar_v=bars["VAE"], bar_a=bars["AE"], n=len(tables["VAE"]), steps=path_points - 1,
              **trajectories.paths_takeaway_values(tables, bars, jumps, all_factors))

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Empty space and the hull of the AE's codes
#
# The original study said that the AE decodes empty regions of its latent space into non-ellipses: it is only
# trained on its codes, and nothing constrains its decoder between them. Here that claim is a test. We find the
# point inside the convex hull of the codes that is farthest from every code (a seeded random search)
# and walk code → emptiest point → code. We also push codes on the hull outwards by a fraction of the
# codes' RMS radius. For both, the validity bar says whether the decoded images are still heatmaps. If the claim
# holds, the image at the AE's emptiest point fails the bar while the images at the walk's ends pass, and pushed
# AE codes leave the heatmaps sooner than pushed VAE codes. The VAE gets the same treatment.

# %% slideshow={"slide_type": "skip"}
walks = {name: latent_paths.empty_traversal(all_codes[name], np.random.default_rng(seed), path_points)
         for name in codes}
image_plots.paths_figure(all_codes["AE"], {"AE: through the emptiest point": walks["AE"][0]},
                         {"AE: through the emptiest point": decode(ae.decoder, walks["AE"][0])}, thumbs=7)
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
walk_rows = pd.DataFrame({name: trajectories.traversal_table(decoders[name], all_codes[name], walks[name][0],
                                                             walks[name][2]) for name in codes}).T
show_table("heatmap_empty_walk", walk_rows, caption="Walk through the emptiest point inside the codes' hull")
pushed = trajectories.perturbation_table(decoders, all_codes, seed)
show_table("heatmap_pushed_codes", pushed, caption="Median residual of decoded hull codes pushed outwards "
           "(step × RMS radius)")

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_takeaway("heatmap_empty_takeaway",
              "AE: the image at the emptiest point (residual {a_mid:.3f}, bar {bar_a:.3f}) is {a_mid_valid}; at the "
              "walk's ends (mean residual {a_ends:.3f}) the image is {a_ends_valid}; the largest residual on the walk "
              "is {a_max:.3f}. {reading}. VAE (bar {bar_v:.3f}): emptiest point {v_mid:.3f}, {v_mid_valid}; the "
              "walk's ends {v_ends:.3f}, {v_ends_valid}. Pushed outwards, the AE's median residual is below the VAE's at {below} of {steps} "
              "steps, and at the largest push ({last}) it is {a_last:.3f} (AE) and {v_last:.3f} (VAE).",
              **trajectories.empty_space_values(walk_rows, pushed, bars))

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Geometry: how the decoders stretch their latent spaces, and geodesics
#
# As in notebook 1, the Jacobian $J(z) = \partial g/\partial z$ (here $1296 \times 3$) says how much the
# decoder stretches the latent space around $z$. We look at a 2-D slice through the centre of the codes,
# spanned by their first two principal directions $B$, and colour it by the area distortion
# $\sqrt{\det((JB)^\top JB)}$ (forward-mode Jacobians: three passes instead of 1296). Codes within a thin
# slab around the slice are drawn on top.

# %% slideshow={"slide_type": "skip"}
slices, near = {}, {}
for name, c in codes.items():
    centre, slice_axes = latent_paths.principal_axes(c)
    half = float(np.abs((c - centre) @ slice_axes[:2].T).max())
    slices[name] = geometry.distortion_on_plane(decoders[name], centre, slice_axes[:2].T, half, slice_points)
    offset = (c - centre) @ slice_axes.T
    near[name] = offset[np.abs(offset[:, 2]) < 0.1 * half][:, :2]
fig, axes = plt.subplots(1, 2, figsize=(12, 5))
for ax, (name, (u, v, values, _)) in zip(axes, slices.items(), strict=True):
    plot_distortion_heatmap(u, v, values, {"codes near the slice": near[name]}, ax=ax, title=f"{name}: distortion")
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
unevenness = pd.DataFrame({name: {"p95 / median": np.quantile(values, 0.95) / np.median(values),
                                  "max / median": values.max() / np.median(values)}
                           for name, (_, _, values, _) in slices.items()}).T
show_table("heatmap_slice_distortion", unevenness, digits=1, caption="Distortion on the slice")

# %% [markdown] slideshow={"slide_type": "skip"}
# **Straight line vs geodesic between two heatmaps.** Take the test images nearest to a strongly negative and a
# strongly positive correlation at equal variances (the ellipse turns by 90°). Between their codes we decode
# the straight latent line and the latent geodesic that minimises the decoded energy (L-BFGS from the straight
# line), and ask of every decoded image how valid a heatmap it is: the residual of its best moment fit
# (0 for an exact member of the family).

# %% slideshow={"slide_type": "skip"}
end_indices = [trajectories.nearest_factor_index(data.y_test, f) for f in ((2.5, 2.5, -0.85), (2.5, 2.5, 0.85))]
geodesic_rows, geodesic_strips = {}, {}
for name in codes:
    found = geodesics.straight_and_geodesic(decoders[name], codes[name][end_indices[0]], codes[name][end_indices[1]],
                                            geodesic_steps, geodesic_points, geodesic_iterations)
    for kind, path in found.items():
        residual = recovery.moment_fit_residual(path["images"])
        geodesic_rows[f"{name} {kind}"] = {"decoded length": path["length"], "mean residual": residual.mean(),
                                           "max residual": residual.max()}
        geodesic_strips[f"{name} {kind}"] = path["images"]

# %% slideshow={"slide_type": "skip"}
labels = [name if k == 0 else "" for name in geodesic_strips for k in range(geodesic_steps)]
image_plots.image_grid(np.concatenate(list(geodesic_strips.values())), ncols=geodesic_steps, titles=labels,
                       title="cor −0.85 → +0.85: straight latent line vs latent geodesic (rows)")
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
geodesic_table = pd.DataFrame(geodesic_rows).T
show_table("heatmap_geodesics", geodesic_table, caption="cor −0.85 → +0.85: straight line vs geodesic")

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
shorter = {name: 1 - geodesic_table.loc[f"{name} geodesic", "decoded length"]
           / geodesic_table.loc[f"{name} straight", "decoded length"] for name in codes}
show_takeaway("heatmap_geodesic_takeaway", "On this slice the AE's largest stretching is {ae_max:.0f} times its "
              "median and the VAE's {vae_max:.0f} times (one seed each; Exercise 3 asks whether the AE's maximum "
              "depends on the grid). Between these two ellipses the geodesics are {vae_shorter:.0%} (VAE) and "
              "{ae_shorter:.0%} (AE) shorter than the straight lines, and against the validity bars "
              "{all_valid} (largest residual {worst:.3f}). Study 1 shows a case where the straight line crosses a "
              "high-distortion region and the geodesic avoids it.",
              ae_max=unevenness.loc["AE", "max / median"], vae_max=unevenness.loc["VAE", "max / median"],
              vae_shorter=shorter["VAE"], ae_shorter=shorter["AE"], worst=geodesic_table["max residual"].max(),
              all_valid=latent_holes.validity_verdict(geodesic_table["max residual"].max(), min(bars.values()), words=(
                  "every decoded image on either path is a valid heatmap", "some decoded image leaves the heatmaps")))

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Which latent axis means what: traversals
#
# A **latent traversal** changes one latent coordinate and holds the others: coordinate $z_k$ runs in
# `traversal_points` equal steps from its 2nd to its 98th percentile over the codes of all 11,875 images,
# and the other coordinates stay at their medians (`latent_paths.percentile_sweeps`). Every decoded image
# is read back with the moment fit, so each traversal becomes three curves, one per factor, summarised by
# the **sensitivity matrix**
#
# $$S_{jk} = \frac{1}{r_k} \sum_i \big|\hat v_k(t_{i+1}) - \hat v_k(t_i)\big|,$$
#
# the total variation of the recovered factor $\hat v_k$ along the sweep of axis $j$, in units of that
# factor's range $r_k$ over the training images (max − min). $S_{jk} = 1$: the sweep moves factor $k$ once
# across its whole range (up and back down counts twice). Disentangled axes give one large entry per row
# and per column; the *top share* $\max_k S_{jk} / \sum_k S_{jk}$ of a row is 1 when its sweep moves one
# factor only and $1/3$ when it moves all three alike. The same sweeps along the **principal axes** of the
# codes (pc1: the direction of largest spread) ask whether the model's own axes are any more special
# than the directions of the cloud.

# %% slideshow={"slide_type": "skip"}
frames = {name: latent_paths.principal_axes(all_codes[name])[1] for name in codes}
traversals = {name: {**alignment_scores.axis_traversals(decoders[name], all_codes[name], traversal_points),
                     **alignment_scores.axis_traversals(decoders[name], all_codes[name], traversal_points, frames[name], "pc")}
              for name in codes}
figures.traversal_figure(traversals)
plt.show()

# %% slideshow={"slide_type": "skip"}
sensitivity = {name: alignment_scores.sensitivity_table(traversals[name], data.y_train) for name in codes}
figures.sensitivity_heatmaps(sensitivity)
plt.show()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_table("heatmap_axis_sensitivity", pd.concat([table.rename(index=lambda axis, name=name: f"{name} {axis}")
                                                 for name, table in sensitivity.items()]),
           caption="Change of each recovered factor along each traversal (total variation / the factor's training "
           "range), the share of the largest, and the largest moment-fit residual along the traversal")

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
top = {f"{name}_{frame}": sensitivity[name].loc[[i for i in sensitivity[name].index if i.startswith(frame)],
                                                "top share"].mean() for name in codes for frame in ("z", "pc")}
show_takeaway("heatmap_axis_takeaway", "Averaged over the three latent axes, a traversal puts a share of "
              "{VAE_z:.2f} (VAE) and {AE_z:.2f} (AE) of its movement into its main factor — 1/3 would be all three "
              "alike, 1 a single factor; along the principal axes {VAE_pc:.2f} and {AE_pc:.2f}. A traversal moves one "
              "coordinate with the others held at the median code, so it can leave the codes: its largest moment-fit "
              "residual is {AE_residual:.2f} for the AE, {AE_valid} ({AE_bar:.3f}), and {VAE_residual:.2f} for the "
              "VAE, {VAE_valid} ({VAE_bar:.3f}). Where a traversal's images fail the bar, the factors read back there "
              "mean little.",
              **top, **{f"{name}_{part}": value for name in codes for part, value in (
                  ("residual", sensitivity[name]["max residual"].max()), ("bar", bars[name]),
                  ("valid", latent_holes.validity_verdict(sensitivity[name]["max residual"].max(), bars[name], words=(
                      "within its validity bar", "above its validity bar"))))})

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Informative ≠ disentangled, measured
#
# Three standard scores ask whether each factor is carried by *one* latent axis (formulas and
# discretisation in `helpers.disentanglement`); each is about 0 for axes that mix every factor alike and 1
# for one factor per axis:
#
# * **MIG**, the mutual information gap (Chen et al. 2018): for each factor, the mutual information with
#   its most informative axis minus that with the second, over the factor's entropy, on 20 equal-width bins
#   per column; on the test codes;
# * **DCI** (Eastwood & Williams 2018): gradient-boosted trees predict each factor from the codes; D asks
#   whether each axis matters for one factor, C whether each factor rests on one axis, and I is the trees'
#   test $R^2$. The trees are fitted on the first 500 training codes (`alignment_scores.DCI_TRAINING_CODES`);
# * **SAP** (Kumar et al. 2018): for each factor, the gap between the test $R^2$ of the two best
#   single-axis linear fits.
#
# The linear probe's mean $R^2$ from above stands beside them: it reads the whole code at once, so a
# rotation of the codes cannot change it. A score means little without a baseline, so each model's own
# codes are rotated by `rotations` *Haar-random* rotations, drawn uniformly from all rotations of the 3-D code
# space (the Haar measure favours no direction; `disentanglement.random_rotation`), and scored again
# (`dci_rotations` rotations for DCI-D: its trees cost about 0.2 s per rotation). The information stays, only the
# axes move. The
# observed score's **percentile** among the rotated copies says whether the model's axes are more aligned
# with the factors than a random choice of axes; the p-value is $(1 + \#\{\text{null} \ge \text{observed}\}) /
# (1 + \text{rotations})$, so it cannot fall below 0.05 with fewer than 19 rotations: the default DCI-D null
# only places the observed value among a few rotated copies (`-p dci_rotations 19` adds about 8 s).

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
scores = pd.DataFrame({name: alignment_scores.alignment_scores(train_codes[name], data.y_train, codes[name], data.y_test)
                       for name in codes}).T
scores["probe R² (mean)"] = probe.mean(axis=1)
show_table("heatmap_disentanglement", scores, digits=3, caption="Disentanglement scores against (var_x, var_y, "
           "cor), and the linear probe's mean test R²")

# %% slideshow={"slide_type": "skip"}
nulls = {name: alignment_scores.rotation_nulls(train_codes[name], data.y_train, codes[name], data.y_test, rotations,
                                    dci_rotations, seed) for name in codes}
figures.null_histograms(nulls)
plt.show()

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
null_tables = [alignment_scores.null_table(nulls[name]).rename(index=lambda score, name=name: f"{name} {score}") for name in codes]
show_table("heatmap_rotation_null", pd.concat(null_tables), caption="Each score against the same score of randomly "
           "rotated copies of the model's own codes")

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_takeaway("heatmap_alignment_takeaway", "By MIG the VAE is {vae_verdict} (MIG {vae_mig:.3f}, at percentile "
              "{vae_mig_pct:.0f} of {rotations} rotations, rotation-test p = {vae_mig_p:.2f}; DCI-D at percentile "
              "{vae_dci_pct:.0f} of {dci_rotations}), and the AE is {ae_verdict} (MIG {ae_mig:.3f}, percentile "
              "{ae_mig_pct:.0f}, p = {ae_mig_p:.2f}; DCI-D at percentile {ae_dci_pct:.0f}); the rule: p ≤ 0.05 "
              "calls the axes more aligned than a random rotation's. Both codes are informative all the same: the linear probe reads the factors "
              "with mean R² {vae_probe:.2f} (VAE) and {ae_probe:.2f} (AE), and DCI's trees with {vae_i:.2f} and "
              "{ae_i:.2f}.",
              vae_verdict=alignment_scores.alignment_verdict(nulls["VAE"]["MIG"]), ae_verdict=alignment_scores.alignment_verdict(nulls["AE"]["MIG"]),
              vae_mig=nulls["VAE"]["MIG"].observed, vae_mig_pct=nulls["VAE"]["MIG"].percentile,
              vae_mig_p=nulls["VAE"]["MIG"].p_value, ae_mig_p=nulls["AE"]["MIG"].p_value,
              ae_mig=nulls["AE"]["MIG"].observed, ae_mig_pct=nulls["AE"]["MIG"].percentile,
              vae_dci_pct=nulls["VAE"]["DCI D"].percentile, ae_dci_pct=nulls["AE"]["DCI D"].percentile,
              rotations=rotations, dci_rotations=dci_rotations, vae_probe=scores.loc["VAE", "probe R² (mean)"],
              ae_probe=scores.loc["AE", "probe R² (mean)"], vae_i=scores.loc["VAE", "DCI I"], ae_i=scores.loc["AE", "DCI I"])

# %% [markdown] slideshow={"slide_type": "skip"}
# **Reading it.** Rolinek, Zietlow & Martius (2019, "Variational autoencoders pursue PCA directions (by
# accident)") argue that a VAE with a *diagonal* Gaussian posterior is pushed towards decoders whose
# Jacobian columns are locally orthogonal: the latent axes line up with the directions along which the
# decoded images change most independently, much as PCA picks its axes. A plain AE pays nothing for its
# choice of axes, so its scores should sit inside its rotation null. Two things may limit
# what the VAE's alignment can show on these data. The pressure comes from the posterior noise, and with
# $\beta = 0.33$ the posteriors are narrow (the widths in *The models and a correct loss*), so it may be weak.
# And the directions it favours are those of the decoder's output, not necessarily our parameterisation:
# a size, an elongation and an orientation describe the same ellipses as (var_x, var_y, cor) (look in the
# traversals above for axes that move var_x and var_y together). MIG, DCI and SAP score alignment with
# the factors *as named*; the probe's $R^2$ shows the information is there either way. Rerun with
# `-p beta 1.0` (Exercise 4) to see how the percentiles move when the KL term weighs more.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The holes, measured
#
# Generating means decoding latent points that no image was encoded to. The VAE has a prior for that,
# $N(0, I)$. The AE has none; the usual remedy (pythae's samplers) is to fit a density to its training
# codes and sample from it: here one full-covariance Gaussian, and a mixture of `mixture_components`
# full-covariance Gaussians (scikit-learn's `GaussianMixture`). From each source we decode `hole_samples`
# points and ask of every image:
#
# * **is it a valid heatmap?** Its moment-fit residual must not exceed the model's validity bar (defined in
#   *Decoded trajectories*: the 95th percentile of the residuals of the same model's reconstructions of the
#   first `hole_samples` test images, so 95 % of real reconstructions pass; the fits stop after 60 iterations,
#   `latent_holes.SAMPLE_FIT_ITERATIONS`);
# * **are its factors in range?** Every recovered factor must lie within the range of that factor over
#   the training images (var_x and var_y in [0.1, 4.9], cor in [−0.95, 0.85]).
#
# Each share comes with its binomial standard error $\sqrt{s(1-s)/n}$; the reconstructions are the
# reference rows.

# %% slideshow={"slide_type": "fragment"} tags=["hide-input"]
prior_draws = samplers.sample_prior(latent_holes.DENSITY_DRAWS, vae.decoder.input_shape[-1], seed)
samples = latent_holes.latent_samples(prior_draws, train_codes["AE"], hole_samples, mixture_components, seed)
references = {"VAE": recon["VAE, mean z"][:hole_samples], "AE": recon["AE"][:hole_samples]}
holes = latent_holes.holes_table(decoders, samples, references, data.y_train)
show_table("heatmap_holes", holes, digits=3, caption="Decoded samples: share of valid heatmaps and of factors "
           "in the training ranges (± binomial standard errors), median residual, and the validity threshold")

# %% slideshow={"slide_type": "subslide"}
shown_samples = {source: decode(decoders[source.split(":")[0]], z[:12]) for source, z in samples.items()}
image_plots.image_strips(shown_samples, notes={source: [f"{r:.2f}" for r in recovery.moment_fit_residual(
    images, iterations=latent_holes.SAMPLE_FIT_ITERATIONS)] for source, images in shown_samples.items()},
                         title="Decoded samples (under each: its moment-fit residual)")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **Where the prior's draws land.** The VAE's decoder was trained on draws from the *aggregate posterior*
# $q(z) = \frac1N \sum_n N\big(z;\, \mu(x_n), \operatorname{diag}\sigma^2(x_n)\big)$ over the $N$ training
# images, and it is asked to decode draws from the prior. Where the prior puts mass and $q$ is low lie the
# holes. "Low" needs a level: we take the level of $\log q$ below which $q$ itself puts 1 % (or 5 %) of its
# own mass, measured on 1,000 draws from $q$ (`samplers.density_level`), and count how many of 1,000
# prior draws fall below it. Without holes that share would be about 1 % (5 %).

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
z_mean_train, z_log_var_train = encoder_outputs(vae, data.x_train)
sigma_train = posterior_sigma(vae, z_log_var_train)
log_q_prior = samplers.aggregate_posterior_log_density(prior_draws, z_mean_train, sigma_train)
log_q_own = samplers.aggregate_posterior_log_density(
    samplers.sample_aggregate_posterior(z_mean_train, sigma_train, latent_holes.DENSITY_DRAWS, seed), z_mean_train, sigma_train)
prior_mass = samplers.mass_below_levels(log_q_prior, log_q_own, latent_holes.HOLE_MASSES)
show_table("heatmap_prior_mass", prior_mass, digits=3, caption="Share of prior draws where the aggregate posterior "
           "is below the level that holds q's own 1 % / 5 % (± binomial standard error)")

# %% slideshow={"slide_type": "fragment"} tags=["hide-input"]
by_density = latent_holes.validity_by_density(decode(vae.decoder, samples["VAE: prior N(0, I)"]),
                                       holes.loc["VAE: prior N(0, I)", "threshold"], log_q_prior[:hole_samples],
                                       prior_mass["log q level"].iloc[0])
show_table("heatmap_holes_by_density", by_density, digits=3, caption="Decoded prior samples: valid heatmaps where "
           "q is below its 1 % level and elsewhere")

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
mixture_source = f"AE: mixture of {mixture_components} Gaussians"
show_takeaway("heatmap_holes_takeaway", "Valid heatmaps among decoded samples: VAE prior {vae:.0%} ± {vae_se:.0%}; "
              "AE with a Gaussian fitted to its codes {gauss:.0%} ± {gauss_se:.0%}, with a mixture of {k} Gaussians "
              "{mix:.0%} ± {mix_se:.0%} (reconstructions: 95 % by the bar's definition). Valid is not the same as in "
              "range: only {vae_in:.0%} ± {vae_in_se:.0%} of the VAE's prior samples have all three recovered factors "
              "inside the training ranges, {in_verdict} the {rec_in:.0%} ± {rec_in_se:.0%} of its reconstructions "
              "(two standard errors of the difference); the prior makes heatmaps, but some of them of densities the "
              "data never had. {mass:.0%} ± {mass_se:.0%} of the prior's draws fall where the VAE's aggregate "
              "posterior is below the level that holds 1 % of its own mass (about 1 % without holes): with narrow "
              "posteriors $q$ is a cloud of spikes, and much of the prior lies between them. Decoded there, "
              "{low:.0%} ± {low_se:.0%} are valid heatmaps, against {high:.0%} ± {high_se:.0%} elsewhere: {q_verdict}. "
              "A hole in $q$ is where the decoder was never trained, which is not always where it fails.",
              **latent_holes.holes_takeaway_values(holes, prior_mass, by_density, mixture_source), k=mixture_components)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The β trade-off: rate, distortion and where the code collapses
#
# Alemi et al. (2018, *Fixing a broken ELBO*) read the two terms of the loss as a **rate**
# $R = \mathbb{E}_x\,\mathrm{KL}\big(q(z|x)\,\|\,p(z)\big)$, the nats the code spends on an image, and a
# **distortion** $D = -\mathbb{E}_x\mathbb{E}_{q(z|x)} \log p(x|z)$, what the decoder fails to rebuild. Training
# on $D + \beta R$ picks one point of the trade-off: a small $\beta$ buys a low distortion with a high rate,
# a large $\beta$ squeezes the rate and pays for it in distortion. The rate is exactly what the prior asks the
# encoder to give up, so it is also where **posterior collapse** shows: a latent unit whose posterior equals the
# prior for every image costs no rate and carries nothing.
#
# The sweep trains this notebook's configuration at $\beta$ = 0.1, 0.33, 1, 2, 4, 16 and 64 (same seed, epochs and early
# stopping; the $\beta = 0.33$ row is the VAE above), next to the AE, and measures on the test images:
#
# * the rate (mean KL per image) and the distortion decoding $\mu(x)$ and one sampled $z$, counted **above the
#   floor** of the Bernoulli loss on grey pixels (their binary entropy, see *The models and a correct loss*), so
#   0 = a perfect reconstruction;
# * **active units**: latent dimensions whose posterior mean varies over the images,
#   $\operatorname{Var}_x \mu_k(x) > 0.01$ (Burda et al. 2016);
# * the linear probe's $R^2$ per factor, MIG and DCI disentanglement (as above);
# * the share of valid heatmaps among `hole_samples` decoded draws from the prior (for the AE: from a Gaussian
#   fitted to its codes), every model judged against **one** validity bar: this notebook's VAE's (the 95th
#   percentile of its reconstructions' residuals, as in the holes section). A model's *own* bar would be lenient
#   exactly where a model reconstructs badly, so shares measured that way compare a model's draws with its own
#   reconstructions, not one β with another; the table keeps them as a labelled extra column ("own bar").
#
# Every row is one model trained at one seed: a difference between two rows is not a ranking until it is
# compared with how much a new seed alone moves that number (the five-seed section below measures it for β =
# 0.33). Training the six extra VAEs takes about 20 minutes on 2 cores (the table gives each model's
# recorded training time), so `make weights` computes the table once and ships it
# (`data/results/gaussian_heatmaps_beta_sweep.json`, with the settings that produced it); the notebook shows it
# when its parameters match. `recompute_sweep=True` recomputes it here (the extra models are trained into, or
# loaded from, the local cache `data/cache/`).

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
sweep_settings = {"config": config, "vae_loss": vae_loss, "epochs": epochs, "patience": patience, "seed": seed,
                  "train_subset": train_subset, "test_subset": test_subset, "betas": list(beta_sweep.SWEEP_BETAS),
                  "samples": hole_samples, "validity bar": "this notebook's VAE's 95th-percentile residual"}
sweep = results.recorded_or_computed(
    beta_sweep.SWEEP_FILE, sweep_settings, recompute=recompute_sweep, flag="recompute_sweep", cost="about 20 minutes",
    compute=lambda: beta_sweep.beta_sweep(data, samples=hole_samples, seed=seed, bar=bars["VAE"], config=config,
                                          vae_loss=vae_loss,
                                          epochs=epochs, patience=patience,
                                          data_settings={"train_subset": train_subset, "test_subset": test_subset}))
if sweep is not None:
    shown = sweep.set_index("model")
    show_table("heatmap_beta_sweep", shown.drop(columns=["beta", "trained here", "DCI C", "SAP", "own bar se"]),
               digits=3, caption="The β sweep on the test images: rate and distortion (nats per image), Frobenius "
               "errors, active units, probe R², alignment scores, valid decoded samples against one bar (± se) and "
               "against each model's own bar, epochs and training seconds")

# %% slideshow={"slide_type": "subslide"}
if sweep is not None:
    beta_sweep.sweep_figure(sweep)
    plt.show()

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
if sweep is not None:
    vaes = sweep[sweep["model"] != "AE"].sort_values("beta")
    low, high = vaes.iloc[0], vaes.iloc[-1]
    show_takeaway("heatmap_beta_sweep_takeaway",
                  "From β = {b0:g} to β = {b1:g} the rate falls from {r0:.1f} to {r1:.1f} nats per image and the "
                  "distortion (sampled z) rises from {d0:.2g} to {d1:.3g} nats above the floor (AE: {dae:.2g}). "
                  "Active units: {a0} → {a1} of {dim}; {onset}. DCI-D lies between {dci_lo:.2f} and {dci_hi:.2f} "
                  "over the β values (AE {dci_ae:.2f}), one seed each; whether any β is more axis-aligned than "
                  "another is decided against the seed spread in *Five seeds* below. Valid decoded prior samples, every "
                  "model against one bar (residual ≤ {bar:.3f}): {v0:.0%} ± {v0_se:.0%} at β = {b0:g}, {v1:.0%} ± "
                  "{v1_se:.0%} at β = {b1:g}, {valid_cmp} (AE with a Gaussian fit: {vae_ae:.0%}). Against its own "
                  "bar, the β = {b1:g} model passes {own1:.0%} of its draws: a lenient bar, not a better model. "
                  "Training the "
                  "sweep's {n} models took {minutes:.0f} min in all (the sum of their recorded training times).",
                  b0=low["beta"], b1=high["beta"], r0=low["rate"], r1=high["rate"], d0=low["distortion, sampled z"],
                  d1=high["distortion, sampled z"], dae=sweep.set_index("model").loc["AE", "distortion, mean z"],
                  a0=int(low["active units"]), a1=int(high["active units"]), dim=vae.decoder.input_shape[-1],
                  onset=beta_sweep.collapse_onset(sweep, vae.decoder.input_shape[-1]), dci_lo=vaes["DCI D"].min(),
                  dci_hi=vaes["DCI D"].max(), dci_ae=sweep.set_index("model").loc["AE", "DCI D"],
                  v0=low["valid samples"], v0_se=low["valid se"], v1=high["valid samples"], v1_se=high["valid se"],
                  bar=bars["VAE"], own1=high["valid samples, own bar"],
                  valid_cmp=verdicts.difference(high["valid samples"], high["valid se"], low["valid samples"],
                                                low["valid se"], words=(f"more at β = {high['beta']:g}",
                                                                        f"fewer at β = {high['beta']:g}",
                                                                        "no different beyond their errors")),
                  vae_ae=sweep.set_index("model").loc["AE", "valid samples"],
                  n=len(sweep), minutes=sweep["train seconds"].sum() / 60)

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Five seeds: is the latent space a property of the data or of the random seed?
#
# Everything above is one trained VAE and one trained AE. Train them again from another seed and two
# questions follow. **Identifiability:** is the new latent space the old one with its axes permuted and
# flipped, rotated and rescaled, a general linear transformation of it, or only a smooth warping of the same
# manifold? Rolinek,
# Zietlow & Martius (2019) predict that a VAE with a factorised Gaussian posterior picks its axes as PCA does,
# so its seeds should agree up to a **permutation and sign flips**, while an AE, which pays nothing for its
# choice of axes, should agree only up to **a smooth map**. **Seed variance:** Locatello et al. (2019) found
# that the random seed moves disentanglement scores as much as the choice of model; which of the VAE-vs-AE
# differences above are real?
#
# The VAE and the AE of this configuration are trained at `seed` and the four seeds after it (shipped weights;
# the recorded training times are in the table). For every pair of seeds we ask how well seed $b$'s test codes
# (VAE: posterior means) follow from seed $a$'s, with maps fitted on the training codes
# (`helpers.alignment`):
#
# * **affine** $R^2$ of the least-squares map $z_b \approx W z_a + c$;
# * **orthogonal Procrustes residual** $\lVert A R - B\rVert_F^2 / \lVert B\rVert_F^2$ after centring each
#   side and scaling it to unit total variance ($R$ orthogonal; 0 for a rotated copy, about 2 for unrelated codes);
# * **permutation and sign**: the one-to-one matching of axes with the largest total $|r|$, the absolute Pearson
#   correlation between an axis of seed $a$ and one of seed $b$ (the Hungarian algorithm), and the matched $|r|$
#   per axis;
# * **nonlinear**: the $R^2$ of a 10-nearest-neighbour regression $z_a \mapsto z_b$, high whenever $z_b$ is a
#   smooth function of $z_a$, linear or not.
#
# Each statistic needs a yardstick: the same statistic between a model's codes and a random rotation of them
# (the same space, axes unaligned), and with the pairing of images shuffled (unrelated codes).
#
# **The verdict** (`seed_study.identifiability_class`) names the narrowest family of maps that explains a model's
# seeds, each family inside the next, with one bar for all: a statistic explains the seeds when it leaves at most
# 10 % unexplained. Permutation and sign: mean matched $|r|$ within 0.1 of 1; rotation and scale: Procrustes
# residual within 0.1 of 0 (it is the share of seed $b$'s variance that the best rotation of seed $a$'s scaled codes
# leaves unexplained); affine: $R^2 \ge 0.9$; smooth map: k-NN $R^2 \ge 0.9$. Measuring all
# ten models takes a few minutes, so `make weights` records the tables
# (`data/results/gaussian_heatmaps_seeds.json` and `…_seed_alignment.json`); `recompute_seeds=True` redoes them.

# %% slideshow={"slide_type": "skip"}
seeds = seed_study.seed_list(seed)
seed_settings = {"config": config, "vae_loss": vae_loss, "beta": beta, "epochs": epochs, "patience": patience,
                 "train_subset": train_subset, "test_subset": test_subset, "seeds": seeds, "rotations": rotations,
                 "dci_rotations": dci_rotations, "samples": hole_samples, "mixture_components": mixture_components}
seed_training = {"config": config, "beta": beta, "vae_loss": vae_loss, "epochs": epochs, "patience": patience,
                 "data_settings": {"train_subset": train_subset, "test_subset": test_subset}}
seed_headlines, seed_pairs = results.recorded_or_computed(
    (seed_study.SEEDS_FILE, seed_study.SEED_ALIGNMENT_FILE), seed_settings, recompute=recompute_seeds,
    flag="recompute_seeds", cost="about 40 minutes", compute=lambda: seed_study.seed_study(
        data, seeds, rotations=rotations, dci_rotations=dci_rotations, hole_samples=hole_samples,
        mixture_components=mixture_components, force_retrain=force_retrain, **seed_training))
if seed_headlines is None:
    seed_pairs = None

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
if seed_pairs is not None:
    yardstick_rows = {(name, case): row for name in codes for case, row in
                      alignment.yardsticks(train_codes[name], codes[name], seed).iterrows()}
    pair_summary = seed_study.alignment_summary(seed_pairs)
    means = pair_summary.xs("mean", axis=1, level=1)
    alignment_table = pd.concat([means.rename(index=lambda m: f"{m}: seed pairs (mean)"),
                                 pair_summary.xs("sd", axis=1, level=1).rename(index=lambda m: f"{m}: seed pairs (sd)"),
                                 pd.DataFrame(yardstick_rows.values(), index=[f"{m}: {c}" for m, c in yardstick_rows])])
    show_table("heatmap_seed_alignment", alignment_table.rename(columns=lambda c: c.replace("|ρ|", "|r|")), digits=3,
               caption=f"From one seed's codes to another's, "
               f"over the {len(seed_pairs) // 2} pairs of {len(seeds)} seeds per model (mean and sd), with the "
               "yardsticks from this notebook's codes")

# %% slideshow={"slide_type": "skip"}
if seed_pairs is not None:
    partner = model_pair.train_or_load_vae_and_ae(data.x_train, seed=seeds[1], **seed_training)
    pair_codes = {name: (train_codes[name], encode_mean(model, data.x_train), codes[name], encode_mean(model, data.x_test))
                  for name, model in zip(("VAE", "AE"), partner[:2], strict=True)}
    seed_study.seed_alignment_figure(data.y_test[:, 0], pair_codes)
    plt.show()

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
if seed_pairs is not None:
    show_takeaway("heatmap_seed_takeaway",
                  "Across {pairs} pairs of seeds, the VAE's seeds **{v_perm}** (matched |r| {v_rho:.3f} ± {v_rho_sd:.3f} "
                  "per axis; a random rotation of one seed's codes scores {rot_rho:.2f}), and they **{v_rot}**: the "
                  "Procrustes residual is {v_proc:.3f} ± {v_proc_sd:.3f}, against {rot_proc:.3f} for a rotated copy "
                  "and {shuffled_proc:.2f} for unrelated codes (affine R² {v_affine:.3f}, k-NN R² {v_knn:.3f}). "
                  "The AE's seeds {a_perm} (matched |r| {a_rho:.3f} ± {a_rho_sd:.3f}) and {a_rot} (Procrustes "
                  "residual {a_proc:.3f} ± {a_proc_sd:.3f}; affine R² {a_affine:.3f}). The narrowest family: "
                  "**{v_class}** (VAE), **{a_class}** (AE). The prediction (VAE: permutation and sign; AE: not) "
                  "**{held}**.",
                  **seed_study.identifiability_values(seed_pairs, yardstick_rows))

# %% [markdown] slideshow={"slide_type": "skip"}
# **Every headline number with its seed spread.** Mean and standard deviation over the five seeds of the test
# errors, the probe's $R^2$ per factor, MIG, DCI, SAP, their rotation-null percentiles and the valid decoded
# samples. Then VAE − AE paired by seed, each with a paired $t$-test (4 degrees of freedom). Testing many numbers
# at once makes a false "difference" likely somewhere, so the p-values of the whole family are adjusted by
# Holm's method (`helpers.verdicts.paired_family`: the $k$-th smallest of $m$ is multiplied by $m - k + 1$), and a
# difference *survives* when its adjusted p-value is below 0.05. The rotation-null percentiles stay out of the
# family: a percentile ranks a score among a few rotated copies of the model's own codes (DCI-D among 3 takes only
# the values 0, 33, 67 and 100), so it is no quantity a $t$-test can average, and the score it ranks is in the
# family already.

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
if seed_headlines is not None:
    spread = seed_study.seed_spread(seed_headlines)
    spread.columns = [f"{model} {stat}" for model, stat in spread.columns]
    show_table("heatmap_seed_spread", spread, digits=3, caption=f"Over seeds {seeds[0]}–{seeds[-1]}: mean and "
               "standard deviation of each number (training seconds and epochs as recorded)")
    paired = seed_study.paired_seed_differences(seed_headlines)
    show_table("heatmap_seed_paired", paired, digits=3, caption="VAE − AE, paired by seed: paired t-tests, "
               "Holm-adjusted across the family")

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
if seed_headlines is not None:
    show_takeaway("heatmap_seed_family",
                  "Of the {m} VAE − AE differences in the family, **{k} survive Holm's correction** (Holm-adjusted "
                  "p < 0.05): {held}. The others do not: {rest}. Without the correction, these would also have "
                  "passed: {overturned}. The {models} models took {minutes:.0f} min to train (recorded).",
                  **seed_study.family_values(seed_headlines))

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
if seed_headlines is not None and sweep is not None:
    show_takeaway("heatmap_beta_dci", "The β sweep's highest DCI-D, {best:.2f} at β = {best_beta:g}, against the "
                  "next, {next:.2f} at β = {next_beta:g} (one seed each): with the five-seed sd of DCI-D at β = "
                  "{beta:g}, {sd:.3f}, as each value's standard error, β = {best_beta:g} is **{ranking}** β = "
                  "{next_beta:g}. At β = {beta:g} the five seeds give DCI-D {mean:.3f} ± {sd:.3f}.",
                  beta=beta, mean=spread.loc["DCI D", "VAE mean"],
                  **seed_study.sweep_dci_ranking(sweep, spread.loc["DCI D", "VAE sd"]))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Closing note
#
# Everything below is computed by the cells above (default parameters: shipped weights).

# %% slideshow={"slide_type": "subslide"} tags=["hide-input"]
closing = closing_note.closing_table(recorded_here())
held, within = closing_note.survivors(closing)
show_takeaway("heatmap_closing_note", """\
The table gathers this run's key figures for the two models (seed {seed}, {n_test:,} test images). Its last
three columns come from the five-seed study: **{n_held} of the {n_paired}** VAE − AE differences in its family
survive Holm's correction ({held}); the others ({within}) are within the seed-to-seed spread, so one seed cannot
rank the models on them. The original study reported mean test errors of {bar_vae:.3f} (VAE) and {bar_ae:.3f}
(AE).""",
              seed=seed, n_test=len(data.x_test), n_held=len(held), n_paired=len(held) + len(within),
              held="; ".join(held) or "none", within="; ".join(within) or "none",
              bar_vae=recovery.ORIGINAL_ERRORS["VAE"], bar_ae=recovery.ORIGINAL_ERRORS["AE"])
show_table("heatmap_closing_table", closing, digits=3, caption="Key figures of this run; the last three columns: "
           "the VAE − AE difference over five seeds (mean, sd, and whether it survives the family's Holm-adjusted "
           "paired t-tests at 0.05)")

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Claims on this page

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_claims("heatmap_claims")

# %% [markdown] slideshow={"slide_type": "skip"}
# ## Exercises

# %% slideshow={"slide_type": "skip"} tags=["hide-input"]
from helpers.exercises import check, recorded_runs, show_exercise, show_exercises_intro, show_solution  # noqa: F401 (check)

show_exercises_intro("02_gaussian_heatmaps")
show_exercise("02_gaussian_heatmaps", 1)

# %% [markdown] slideshow={"slide_type": "skip"}
# `make weights` also ships the weights of this configuration, so nothing is trained. The loss section predicts
# what the inconsistent loss *alone* would change: narrower posteriors, codes that spread out, a VAE more like an AE.
# This run changes more than the loss: the network (`config original`), β (1 instead of 0.33) and the epochs (40
# instead of 20) as well. Compare the posterior widths, the gap between decoding the mean and a sampled $z$ in the
# table of test Frobenius errors (and how the errors compare with the original study's), and the linear probe's
# $R^2$. Which of these changes can you attribute to the loss? What is the VAE's mean test error with the mean
# code (`"mean error"`)?

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_solution("02_gaussian_heatmaps", 1, """\
| | this notebook | the original study's network and loss | change against the five-seed spread |
|---|---|---|---|
| mean posterior σ, z₁ | {here[heatmap_posterior][mean sigma z1][VAE]:.3f} | {run[heatmap_posterior][mean sigma z1][VAE]:.3f} | no seed spread measured |
| KL per image (nats) | {here[heatmap_posterior][KL per image (nats)][VAE]:.1f} | {run[heatmap_posterior][KL per image (nats)][VAE]:.1f} | no seed spread measured |
| test error, VAE mean z | {here[heatmap_errors][VAE, mean z][mean]:.3f} | {run[heatmap_errors][VAE, mean z][mean]:.3f} | {seeds[VAE error, mean z]} |
| test error, VAE sampled z | {here[heatmap_errors][VAE, sampled z][mean]:.3f} | {run[heatmap_errors][VAE, sampled z][mean]:.3f} | {seeds[VAE error, sampled z]} |
| test error, AE | {here[heatmap_errors][AE][mean]:.3f} | {run[heatmap_errors][AE][mean]:.3f} | {seeds[AE error]} |
| linear probe R², cor (VAE) | {here[heatmap_linear_probe][VAE][cor]:.2f} | {run[heatmap_linear_probe][VAE][cor]:.2f} | {seeds[VAE probe cor]} |
| linear probe R², var_x (VAE) | {here[heatmap_linear_probe][VAE][var_x]:.2f} | {run[heatmap_linear_probe][VAE][var_x]:.2f} | {seeds[VAE probe var_x]} |

The last column compares the two runs with what a new seed alone does (two standard errors of the difference, each
run's error the five-seed sd of this notebook's configuration). The original study reported mean errors of
{run[heatmap_quality_bar][VAE, mean z][original study's figure]:.3f} (VAE) and
{run[heatmap_quality_bar][AE][original study's figure]:.3f} (AE).

**What can be attributed:** none of these changes to the loss alone. The run changes the network, the loss, β and
the epochs together, and the AE, which has no KL term, moves with the network and the epochs too. The table shows
where the original study's configuration lands; the loss section's prediction needs a run that changes only
`vae_loss`.""", seeds=seed_study.changes_beyond_seeds(recorded_runs("02_gaussian_heatmaps", 1)[0], recorded_here()))

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_exercise("02_gaussian_heatmaps", 2)

# %% [markdown] slideshow={"slide_type": "skip"}
# Three times as many points on every decoded path. If a decoder changes smoothly along a path, the
# largest change of a recovered factor between consecutive images (the VAE's table after the factor
# traces) should shrink about threefold; a jump that stays as large is a fold or a tear in the decoded
# manifold. Which paths keep their jumps? Do the Spearman $r_s$ values in the two path tables move?
# What is the largest `var_y` jump on the path `bounding plane −` (`"plane jump"`)?

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_solution("02_gaussian_heatmaps", 2, """\
The VAE's largest change of `var_y` between consecutive decoded images, and Spearman's $r_s$ of `var_y` along the
path (– where it ranks noise: the closed rotation, or a `var_y` that barely moves):

| path | jump (this notebook) | jump, 120 points | $r_s$(var_y): this notebook → 120 points |
|---|---|---|---|
| bounding plane + | {here[heatmap_path_jumps][bounding plane +][var_y]:.3f} | {run[heatmap_path_jumps][bounding plane +][var_y]:.3f} | {trend[bounding plane +]} |
| bounding plane − | {here[heatmap_path_jumps][bounding plane −][var_y]:.3f} | {run[heatmap_path_jumps][bounding plane −][var_y]:.3f} | {trend[bounding plane −]} |
| isovariance spline (hull) | {here[heatmap_path_jumps][isovariance spline (hull)][var_y]:.3f} | {run[heatmap_path_jumps][isovariance spline (hull)][var_y]:.3f} | {trend[isovariance spline (hull)]} |
| line: cor min → max | {here[heatmap_path_jumps][line: cor min → max][var_y]:.3f} | {run[heatmap_path_jumps][line: cor min → max][var_y]:.3f} | {trend[line: cor min → max]} |
| line: small → large (round) | {here[heatmap_path_jumps][line: small → large (round)][var_y]:.3f} | {run[heatmap_path_jumps][line: small → large (round)][var_y]:.3f} | {trend[line: small → large (round)]} |
| line: wide in x → wide in y | {here[heatmap_path_jumps][line: wide in x → wide in y][var_y]:.3f} | {run[heatmap_path_jumps][line: wide in x → wide in y][var_y]:.3f} | {trend[line: wide in x → wide in y]} |
| rotation about 1st axis | {here[heatmap_path_jumps][rotation about 1st axis][var_y]:.3f} | {run[heatmap_path_jumps][rotation about 1st axis][var_y]:.3f} | {trend[rotation about 1st axis]} |

On a smooth stretch the jump falls about threefold with three times the points; a jump that keeps its size is a
step in the decoded images, a fold or a tear. A rank correlation along a path depends on the order of the decoded
factors, so it should hardly depend on how finely the path is sampled. (The recorded run predates the rule that
leaves $r_s$ out where it ranks noise, so its column may show a value where this notebook shows –.)""",
              trend=trajectories.trend_pairs(recorded_here(), recorded_runs("02_gaussian_heatmaps", 2)[0], "var_y"))

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_exercise("02_gaussian_heatmaps", 3)

# %% [markdown] slideshow={"slide_type": "skip"}
# The latent slice is sampled on a finer grid than the default's `slice_points` per axis (the
# parameters cell). Compare the table *Distortion on the slice*: if the AE's max / median grows with the
# resolution, its sharpest folds are narrower than the old grid spacing, and the default map understated
# them. What is the AE's max / median on the finer grid (`"AE max / median"`)?

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_solution("02_gaussian_heatmaps", 3, """\
| distortion on the slice | this notebook | finer grid |
|---|---|---|
| AE max / median | {here[heatmap_slice_distortion][AE][max / median]:.0f} | {run[heatmap_slice_distortion][AE][max / median]:.0f} |
| AE p95 / median | {here[heatmap_slice_distortion][AE][p95 / median]:.1f} | {run[heatmap_slice_distortion][AE][p95 / median]:.1f} |
| VAE max / median | {here[heatmap_slice_distortion][VAE][max / median]:.1f} | {run[heatmap_slice_distortion][VAE][max / median]:.1f} |
| VAE p95 / median | {here[heatmap_slice_distortion][VAE][p95 / median]:.1f} | {run[heatmap_slice_distortion][VAE][p95 / median]:.1f} |

The p95 / median is a property of the bulk of the map and should hardly move with the grid; the maximum is the
value at one grid point, so it can only be found, not averaged. A maximum that grows on the finer grid means the
peak is narrower than the default spacing.""")

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_exercise("02_gaussian_heatmaps", 4)

# %% [markdown] slideshow={"slide_type": "skip"}
# The consistent loss with the full KL weight (the AE is unchanged and loads from the shipped weights).
# Compare the test Frobenius errors (mean and sampled $z$), the posterior widths, the linear probe's
# $R^2$ and the principal spreads of the codes with this notebook's: what does a larger $\beta$ buy, and
# what does it cost? What is the VAE's mean test error with the mean code now (`"mean error"`)?

# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} tags=["remove-input"]
show_solution("02_gaussian_heatmaps", 4, """\
| VAE | this notebook | β = 1 | change against the five-seed spread |
|---|---|---|---|
| test error, mean z | {here[heatmap_errors][VAE, mean z][mean]:.3f} | {run[heatmap_errors][VAE, mean z][mean]:.3f} | {seeds[VAE error, mean z]} |
| test error, sampled z | {here[heatmap_errors][VAE, sampled z][mean]:.3f} | {run[heatmap_errors][VAE, sampled z][mean]:.3f} | {seeds[VAE error, sampled z]} |
| KL per image (nats) | {here[heatmap_posterior][KL per image (nats)][VAE]:.1f} | {run[heatmap_posterior][KL per image (nats)][VAE]:.1f} | no seed spread measured |
| mean posterior σ, z₁ | {here[heatmap_posterior][mean sigma z1][VAE]:.3f} | {run[heatmap_posterior][mean sigma z1][VAE]:.3f} | no seed spread measured |
| linear probe R², var_x | {here[heatmap_linear_probe][VAE][var_x]:.2f} | {run[heatmap_linear_probe][VAE][var_x]:.2f} | {seeds[VAE probe var_x]} |
| linear probe R², var_y | {here[heatmap_linear_probe][VAE][var_y]:.2f} | {run[heatmap_linear_probe][VAE][var_y]:.2f} | {seeds[VAE probe var_y]} |
| linear probe R², cor | {here[heatmap_linear_probe][VAE][cor]:.2f} | {run[heatmap_linear_probe][VAE][cor]:.2f} | {seeds[VAE probe cor]} |
| principal spreads 2 and 3 (1st = 1) | {here[heatmap_code_layout][VAE][spread 2]:.2f}, {here[heatmap_code_layout][VAE][spread 3]:.2f} | {run[heatmap_code_layout][VAE][spread 2]:.2f}, {run[heatmap_code_layout][VAE][spread 3]:.2f} | no seed spread measured |

Only β changed, so a change beyond the seed spread (two standard errors of the difference, each run's error the
five-seed sd of this notebook's configuration) is β's: the last column says which rows show one. The KL and the
posterior widths have no measured seed spread, so no direction is read into them here; the β sweep above shows
the rate over seven values of β, one seed each.""",
              seeds=seed_study.changes_beyond_seeds(recorded_runs("02_gaussian_heatmaps", 4)[0], recorded_here()))
