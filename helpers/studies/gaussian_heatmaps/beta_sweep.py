"""The β trade-off: one VAE per β, each measured for rate, distortion, active units and factor recovery, the
shipped table, where collapse sets in and the sweep's figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers import likelihood, inference, models, probes, samplers, training
from helpers.conv_models import train_or_load_conv
from helpers.heatmaps import FACTORS, HeatmapData
from helpers.locations import RESULTS_DIR
from helpers.studies.gaussian_heatmaps.alignment_scores import alignment_scores
from helpers.studies.gaussian_heatmaps.latent_holes import sample_checks, validity_threshold
from helpers.studies.gaussian_heatmaps.recovery import frobenius_errors

#: The β values of the trade-off sweep. The notebook's default β = 0.33 is one of them, so its shipped weights
#: serve for that row (and the AE's for the AE row); the others are trained into the local cache.
SWEEP_BETAS = (0.1, 0.33, 1.0, 2.0, 4.0, 16.0, 64.0)

#: The shipped sweep table (``make weights`` writes it with the settings that produced it; the notebook reads it).
SWEEP_FILE = RESULTS_DIR / "gaussian_heatmaps_beta_sweep.json"

#: A latent unit is *active* when its posterior mean varies over the test images by more than this
#: (Burda et al. 2016's activity statistic A_k = Var_x(E_q[z_k | x]) > 0.01).
ACTIVE_VARIANCE = 0.01


def active_units(means, threshold: float = ACTIVE_VARIANCE) -> int:
    """#{k : Var_x(μ_k(x)) > ``threshold``}: the latent dimensions whose posterior mean μ(x) = E_q[z | x] moves
    with the image (population variance over the rows of ``means``). A collapsed unit has μ_k ≈ 0 for every
    image (and σ_k ≈ 1): the decoder ignores it."""
    return int((np.var(np.asarray(means, np.float64), axis=0) > threshold).sum())


def distortion_nats(model, x, z) -> np.ndarray:
    """Per image, the distortion in nats above the floor that no Bernoulli decoder can beat:

        D(x, z) = −log p(x | z) + Σ_i [x_i log x_i + (1 − x_i) log(1 − x_i)] ≥ 0,

    the summed Bernoulli KL between the image's pixels and the decoded ones (0 exactly when the decoder
    returns x). The floor is :func:`helpers.likelihood.best_bernoulli_log_likelihood`; the heatmaps' grey
    pixels put it about 300 nats below zero, which would swamp the differences between the rows."""
    return likelihood.best_bernoulli_log_likelihood(x) - likelihood.log_likelihood_of(model)(x, z)


def _sweep_draws(model, train_codes, n: int, seed: int) -> np.ndarray:
    """Latent points to generate from: the prior N(0, I) for a VAE, a Gaussian fitted to the training codes
    for an AE (which has no prior)."""
    if isinstance(model, models.VAE):
        return samplers.sample_prior(n, train_codes.shape[1], seed)
    return samplers.sample_gaussian(*samplers.fit_gaussian(train_codes), n, np.random.default_rng(seed))


def sweep_row(model, data: HeatmapData, seed: int, samples: int, bar: float) -> dict:
    """One model of the β sweep, measured on the test images (``data.x_test``):

    * rate R = mean over images of KL(q(z|x) ‖ N(0, I)) in nats (NaN for the AE: it has no posterior);
    * distortion D (:func:`distortion_nats`, mean over images) decoding μ(x) and one z ~ q(z|x) (the AE's code
      twice), and the original study's Frobenius error of both decodings;
    * active units (:func:`active_units`), a linear probe's test R² per factor, MIG and DCI (D, C, I) and SAP
      (:func:`alignment_scores`);
    * the share of ``samples`` decoded draws (prior, or the AE's Gaussian fit) that are valid heatmaps, with its
      binomial standard error, judged against one ``bar`` for every model (the residual of a valid heatmap, set
      once for the whole sweep: :func:`sweep_bar`), and, as a labelled extra column, against the model's own bar
      (the 95th percentile of the residuals of its reconstructions of the first ``samples`` test images), which
      compares a model's draws with its own reconstructions but not one β with another."""
    x = data.x_test
    train_codes, test_codes = inference.encode_mean(model, data.x_train), inference.encode_mean(model, x)
    if isinstance(model, models.VAE):
        z_mean, z_sampled = inference.sample_codes(model, x, seed)
        rate = float(likelihood.kl_to_standard_normal(*likelihood.posterior_of(model, x)).mean())
    else:
        z_mean = z_sampled = test_codes
        rate = float("nan")
    decoded = {kind: inference.decode(model.decoder, z) for kind, z in (("mean", z_mean), ("sampled", z_sampled))}
    generated = inference.decode(model.decoder, _sweep_draws(model, train_codes, samples, seed))
    checks = sample_checks(generated, bar, data.y_train)
    own = sample_checks(generated, validity_threshold(decoded["mean"][:samples]), data.y_train)
    probe = probes.linear_probe_r2(train_codes, data.y_train, test_codes, data.y_test, FACTORS)
    return {"rate": rate,
            **{f"distortion, {kind} z": float(distortion_nats(model, x, z).mean())
               for kind, z in (("mean", z_mean), ("sampled", z_sampled))},
            **{f"error, {kind} z": float(frobenius_errors(x, images).mean()) for kind, images in decoded.items()},
            "active units": active_units(test_codes),
            **{f"R² {name}": float(r2) for name, r2 in probe.items()},
            **alignment_scores(train_codes, data.y_train, test_codes, data.y_test).to_dict(),
            "valid samples": checks["valid"], "valid se": checks["valid se"],
            "valid samples, own bar": own["valid"], "own bar se": own["valid se"]}


def sweep_bar(reconstructions) -> float:
    """The sweep's one validity bar: the 95th-percentile residual of the reconstructions of the first ``samples``
    test images by the notebook's own VAE (the same bar the holes section uses for that model), so that every β is
    held to what a well-fitted model makes of real images (:func:`validity_threshold`)."""
    return validity_threshold(reconstructions)


def beta_sweep(data: HeatmapData, betas=SWEEP_BETAS, *, samples: int, seed: int, bar: float, store=None,
               **training_settings) -> pd.DataFrame:
    """The β trade-off: a VAE of the notebook's configuration for each β, and the AE, each loaded from the
    shipped weights or the local cache or trained there (:func:`train_or_load_conv` with ``training_settings``:
    config, epochs, patience, data_settings, …; ``store`` defaults to
    :meth:`helpers.training.WeightStore.default`: under ``make weights`` the sweep's models ship, so that the table
    can be re-measured without retraining), then measured by :func:`sweep_row` against one validity ``bar``
    (:func:`sweep_bar`). One row per model, in the order of ``betas`` then the AE, with the epochs run, the
    (recorded) training seconds and whether this call trained it."""
    kinds = [("vae", float(b)) for b in betas] + [("ae", float("nan"))]
    store = store or training.WeightStore.default()
    rows = []
    for kind, beta in kinds:
        model, fit = train_or_load_conv(kind, data.x_train, seed=seed, beta=1.0 if kind == "ae" else beta,
                                         store=store, **training_settings)
        name = "AE" if kind == "ae" else f"VAE β = {beta:g}"
        rows.append({"model": name, "beta": beta, **sweep_row(model, data, seed, samples, bar),
                     "epochs": fit.epochs_run, "train seconds": fit.train_seconds,
                     "trained here": fit.source == "trained"})
        print(f"{name}: {fit.source} ({fit.epochs_run} epochs, {fit.train_seconds:.0f} s)", flush=True)
    return pd.DataFrame(rows)


def collapse_onset(table: pd.DataFrame, latent_dim: int, factor_r2: float = 0.5) -> str:
    """Where posterior collapse starts in a sweep table, as a sentence: the smallest β whose VAE has fewer than
    ``latent_dim`` active units, or reads a factor with a linear-probe R² below ``factor_r2`` (the code has lost
    it); or that no β in the table does."""
    vaes = table[table["model"] != "AE"].sort_values("beta")
    lowest = vaes[[f"R² {name}" for name in FACTORS]].min(axis=1)
    for (_, row), r2 in zip(vaes.iterrows(), lowest, strict=True):
        if row["active units"] < latent_dim or r2 < factor_r2:
            return (f"collapse starts at β = {row['beta']:g}: {int(row['active units'])} of {latent_dim} units "
                    f"active, the worst-read factor at R² {r2:.2f}")
    return (f"no β up to {vaes['beta'].max():g} collapses a unit: all {latent_dim} stay active and every factor "
            f"keeps R² ≥ {factor_r2:g}")


def _beta_ticks(ax, betas) -> None:
    """Label a log β axis at the swept values only."""
    ax.set_xticks(list(betas), [f"{b:g}" for b in betas])
    ax.minorticks_off()


def sweep_figure(table: pd.DataFrame):
    """Three panels: the rate–distortion curve of the VAEs (distortion decoding a sampled z against the rate,
    each point labelled with its β; the AE's distortion as a horizontal line), then the probe's R² per factor
    and MIG / DCI-D against β, then the active units and the share of valid decoded samples against β (log
    axis; the AE's values as dashed lines)."""
    vaes = table[table["model"] != "AE"].sort_values("beta")
    ae = table[table["model"] == "AE"].iloc[0]
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8), layout="constrained")
    ax = axes[0]
    ax.plot(vaes["rate"], vaes["distortion, sampled z"], "o-", color="#1f77b4", label="VAE, sampled z")
    ax.plot(vaes["rate"], vaes["distortion, mean z"], "s--", color="#9ecae1", label="VAE, mean z")
    for _, row in vaes.iterrows():
        ax.annotate(f"β = {row['beta']:g}", (row["rate"], row["distortion, sampled z"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)
    ax.axhline(ae["distortion, mean z"], color="#d62728", ls=":", label="AE")
    ax.set(yscale="log", xlabel="rate: mean KL per image (nats)", ylabel="distortion above the floor (nats, log)",
           title="Rate–distortion")
    ax.legend(fontsize=8)
    ax = axes[1]
    for column, colour in zip([f"R² {name}" for name in FACTORS] + ["MIG", "DCI D"],
                              ["#440154", "#cc4778", "#3b528b", "#2ca02c", "#ff7f0e"], strict=True):
        ax.plot(vaes["beta"], vaes[column], "o-", color=colour, label=column)
        ax.axhline(ae[column], color=colour, ls=":", lw=1)
    ax.set(xscale="log", xlabel="β", ylim=(0, 1.2), yticks=np.linspace(0, 1, 6),
           title="What the code holds (dotted: AE)")
    _beta_ticks(ax, vaes["beta"])
    ax.legend(fontsize=7, ncol=3, loc="upper center")
    ax = axes[2]
    ax.plot(vaes["beta"], vaes["valid samples"], "o-", color="#2ca02c", label="valid decoded samples")
    ax.axhline(ae["valid samples"], color="#2ca02c", ls=":", lw=1, label="AE (Gaussian fit)")
    ax.set(xscale="log", xlabel="β", ylabel="share", ylim=(0, 1.02), title="Active units and valid samples")
    _beta_ticks(ax, vaes["beta"])
    twin = ax.twinx()
    twin.plot(vaes["beta"], vaes["active units"], "s--", color="#7f7f7f", label="active units")
    twin.set(ylabel="active units", ylim=(0, int(table["active units"].max()) + 0.5))
    ax.legend(fontsize=8, loc="lower left")
    twin.legend(fontsize=8, loc="lower right")
    return fig
