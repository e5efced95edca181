"""Training to quality: posterior collapse (KL per dimension, active units), the held-out negative ELBO during
training, the ELBO gap between fitted and held-out images, and the levers (warm-up, early stopping, capacity)
measured by what the judge accepts."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import likelihood, spread, training, verdicts
from helpers.locations import RESULTS_DIR
from helpers.studies.tsne_mnist_interpolation.digit_judge import DigitJudge
from helpers.studies.tsne_mnist_interpolation.generated_digits import prior_generation_scores
from helpers.studies.tsne_mnist_interpolation.mnist_data import MnistData
from helpers.studies.tsne_mnist_interpolation.mnist_models import Recipe, data_settings, train_or_load_vae

#: A latent dimension counts as active while its held-out KL(q(z_j|x) ‖ N(0, 1)) is above this many nats (a
#: collapsed dimension sits at ~0.01 or below: its posterior is the prior whatever the image).
ACTIVE_KL = 0.1


def kl_per_dimension(history: dict) -> np.ndarray:
    """The held-out KL of every latent dimension after every epoch, shape (epochs, dimensions), from a history
    written with :class:`helpers.training.KLPerDimension`."""
    keys = sorted((k for k in history if k.startswith("val_kl_dim_")), key=lambda k: int(k.rsplit("_", 1)[1]))
    if not keys:
        raise ValueError("this history has no val_kl_dim_<j> entries (trained without KLPerDimension)")
    return np.array([history[k] for k in keys]).T


def active_units(history: dict, threshold: float = ACTIVE_KL) -> np.ndarray:
    """How many latent dimensions are active (held-out KL above ``threshold`` nats) after each epoch."""
    return (kl_per_dimension(history) > threshold).sum(axis=1)


def negative_elbo_curves(history: dict) -> dict:
    """Per epoch, the negative ELBO at β = 1 (reconstruction + KL, nats per image) on the fitted images (averaged
    over the epoch's batches) and on the held-out ones: ``{"fitted": …, "held out": …}``. Unlike the training
    loss, it does not change meaning while the KL weight warms up."""
    return {"fitted": np.add(history["reconstruction_loss"], history["kl_loss"]),
            "held out": np.add(history["val_reconstruction_loss"], history["val_kl_loss"])}


def training_figure(fits: dict, warmup_epochs: int):
    """One row per VAE of ``fits`` ``{name: FitResult}``: its negative ELBO on the fitted and held-out images per
    epoch (the best held-out epoch marked), and the held-out KL of every latent dimension (log scale, the
    :data:`ACTIVE_KL` line, the warm-up shaded) with the count of active units."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(fits), 2, figsize=(12, 3.6 * len(fits)), squeeze=False)
    for (left, right), (name, fit) in zip(axes, fits.items(), strict=True):
        curves, epochs = negative_elbo_curves(fit.history), np.arange(1, len(fit.history["loss"]) + 1)
        for label, values in curves.items():
            left.plot(epochs, values, label=label, ls="-" if label == "fitted" else "--")
        best = int(np.argmin(curves["held out"][warmup_epochs:])) + warmup_epochs
        left.axvline(best + 1, color="grey", lw=0.8, ls=":", label=f"best held-out epoch ({best + 1})")
        low, high = np.percentile(np.concatenate(list(curves.values())), [0, 90])
        left.set(ylim=(low - 5, high), xlabel="epoch", ylabel="−ELBO (nats per image)", title=f"{name}: −ELBO")
        left.legend(fontsize=8)
        kl = kl_per_dimension(fit.history)
        right.plot(epochs, np.maximum(kl, 1e-4), lw=0.8, alpha=0.7)
        right.axhline(ACTIVE_KL, color="k", lw=0.8, ls=":")
        if warmup_epochs:
            right.axvspan(0.5, warmup_epochs + 0.5, color="#FFD966", alpha=0.3, label="KL warm-up")
            right.legend(fontsize=8, loc="lower right")
        active = active_units(fit.history)
        right.set(yscale="log", xlabel="epoch", ylabel="held-out KL per dimension (nats)",
                  title=f"{name}: {active[-1]} of {kl.shape[1]} dimensions active at the end")
    fig.tight_layout()
    return fig


def elbo_gap_table(vaes: dict, splits: dict, seed: int) -> pd.DataFrame:
    """The ELBO (analytic KL, nats per image) of each VAE of ``vaes`` on each image set of ``splits`` (e.g. the
    fitted, held-out and test images), with its standard error over the images, and the gap fitted − test
    (how much better the model explains the images it was fitted to: its overfitting)."""
    rows = {}
    for name, vae in vaes.items():
        row = {}
        for split, x in splits.items():
            values = likelihood.elbo_per_image(vae, x, seed)
            row[f"{split} ELBO"], row[f"{split} ± se"] = float(values.mean()), spread.standard_error(values)
        first, *_, last = list(splits)
        row["gap"] = row[f"{first} ELBO"] - row[f"{last} ELBO"]
        rows[name] = row
    return pd.DataFrame(rows).T


#: Prior draws per VAE in the levers table and the anchor benchmark.
LEVER_DRAWS = 1000

#: The recorded comparison of training recipes (:func:`training_levers`), with the settings that produced it.
LEVERS_FILE = RESULTS_DIR / "mnist_training_levers.json"


def lever_variants(recipe: Recipe, latent_dim: int,
                   plane_hidden_layers) -> list[tuple[str, int, Recipe, tuple[int, ...]]]:
    """The training recipes :func:`training_levers` compares, each ``(label, code size, Recipe, hidden layers)``:
    for the 2-D VAE and the ``latent_dim``-d one, the old recipe (25 epochs at a constant β, every epoch kept),
    early stopping alone, and early stopping with KL warm-up (``recipe``: the shipped models); for the 2-D VAE
    also the shipped recipe without the hidden layers (the original study's architecture)."""
    before, constant = Recipe(25, 0, recipe.validation_images), replace(recipe, kl_warmup_epochs=0)
    variants = []
    for dim, hidden in ((2, tuple(plane_hidden_layers)), (latent_dim, ())):
        variants += [(f"{dim}-d: 25 epochs, constant β (before)", dim, before, hidden),
                     (f"{dim}-d: early stopping, constant β", dim, constant, hidden),
                     (f"{dim}-d: early stopping + KL warm-up (shipped)", dim, recipe, hidden)]
    if plane_hidden_layers:
        variants.insert(3, ("2-d: the same, no hidden layers", 2, recipe, ()))
    return variants


def lever_row(vae, fit, judge: DigitJudge, data: MnistData, recipe: Recipe, *, tiles: int, draws: int,
              seed: int) -> dict:
    """One trained VAE as the levers table shows it: epochs run and training seconds, the ELBO (nats per image) on
    the fitted, held-out and test images, the active units at the end, and :func:`prior_generation_scores`."""
    fitted, held_out = recipe.split(data.x_train)
    elbo = {name: float(likelihood.elbo_per_image(vae, x, seed).mean())
            for name, x in (("fitted", fitted), ("held out", held_out), ("test", data.x_test))}
    latent_dim = int(vae.decoder.inputs[0].shape[-1])
    return {"epochs": fit.epochs_run, "train s": fit.train_seconds,
            **{f"{name} ELBO": value for name, value in elbo.items()},
            "active units": int(active_units(fit.history)[-1]),
            **prior_generation_scores(judge, vae.decoder, latent_dim, tiles=tiles, draws=draws, seed=seed)}


def training_levers(data: MnistData, judge: DigitJudge, variants, *, beta: float, seed: int, learning_rate: float,
                    batch_size: int, tiles: int, draws: int, store=None) -> pd.DataFrame:
    """Train (or load) every VAE of ``variants`` (:func:`lever_variants`) and measure it (:func:`lever_row`): one
    row per variant. The shipped recipes load the shipped weights; the others train into the local cache
    (:meth:`helpers.training.WeightStore.local`), a few minutes each on 2 cores."""
    store = store or training.WeightStore.local()
    rows = []
    for label, dim, recipe, hidden in variants:
        vae, fit = train_or_load_vae(data, recipe, latent_dim=dim, beta=beta, seed=seed, learning_rate=learning_rate,
                                     batch_size=batch_size, hidden_units=hidden, store=store,
                                     name="mnist_vae_2d" if dim == 2 else "mnist_vae")
        rows.append({"recipe": label, **lever_row(vae, fit, judge, data, recipe, tiles=tiles, draws=draws,
                                                  seed=seed)})
    return pd.DataFrame(rows)


def levers_summary(levers: pd.DataFrame) -> str:
    """The levers table in words, computed: for each code size, the old recipe, early stopping alone and with
    warm-up (epochs, test ELBO, active units, accepted shares with their binomial errors), and for the 2-D VAE
    the shipped recipe without its hidden layers."""
    table = levers.set_index("recipe")
    sentences = []
    for prefix in dict.fromkeys(label.split(":")[0] for label in table.index):
        rows = table[table.index.str.startswith(prefix + ":")]
        parts = []
        for label, row in rows.iterrows():
            grid = (f"grid {row['grid accepted']:.0%} accepted ({int(row['grid digits'])} digits), "
                    if pd.notna(row.get("grid accepted")) else "")
            parts.append(f"*{label.split(': ', 1)[1]}*: {int(row['epochs'])} epochs, test ELBO "
                         f"{row['test ELBO']:.1f}, {int(row['active units'])} active units, {grid}prior draws "
                         f"{row['prior accepted']:.0%} ± {row['prior accepted se']:.0%}")
        sentences.append(f"**{prefix} VAE** — " + "; ".join(parts) + ".")
    return " ".join(sentences)


#: The two rows of each code size that isolate the warm-up: early stopping alone, and with warm-up (shipped).
WARMUP_PAIR = ("early stopping, constant β", "early stopping + KL warm-up (shipped)")


def levers_facts(levers: pd.DataFrame, held_out_se: dict, tiles: int) -> dict:
    """What the levers table can say about the warm-up, per code size (``"2-d"``, ``"32-d"`` prefixes): each
    comparison of :data:`WARMUP_PAIR` (warm-up − early stopping alone) as a verdict of
    :func:`helpers.verdicts.difference`, with standard errors over the images — the held-out ELBO (``held_out_se``
    per prefix: the shipped VAE's standard error over the held-out images, taken for both rows), the prior draws'
    acceptance (binomial) and, with a 2-D code, the grid's (binomial over ``tiles``² tiles). Each row is one
    training run, so none of these errors includes the spread from run to run. Also per prefix: the fewest active
    units of any row and the code size (collapse shows as fewer), and the fitted − test ELBO gap of both rows."""
    table = levers.set_index("recipe")
    facts = {}
    for prefix, se in held_out_se.items():
        without, with_warmup = (table.loc[f"{prefix}: {label}"] for label in WARMUP_PAIR)
        rows = table[table.index.str.startswith(prefix + ":")]
        found = {"fewest active": int(rows["active units"].min()), "dimensions": int(prefix.split("-")[0]),
                 "gap with": with_warmup["fitted ELBO"] - with_warmup["test ELBO"],
                 "gap without": without["fitted ELBO"] - without["test ELBO"],
                 "epochs with": int(with_warmup["epochs"]), "epochs without": int(without["epochs"]),
                 "held-out ELBO": verdicts.difference(with_warmup["held out ELBO"], se, without["held out ELBO"], se,
                                                      words=("higher", "lower", "within the noise")),
                 "prior accepted": verdicts.difference(
                     with_warmup["prior accepted"], with_warmup["prior accepted se"], without["prior accepted"],
                     without["prior accepted se"], words=("higher", "lower", "within the noise"))}
        if pd.notna(with_warmup.get("grid accepted")):
            grid_se = [math.sqrt(p * (1 - p) / tiles**2) for p in (with_warmup["grid accepted"],
                                                                  without["grid accepted"])]
            found["grid accepted"] = verdicts.difference(with_warmup["grid accepted"], grid_se[0],
                                                         without["grid accepted"], grid_se[1],
                                                         words=("higher", "lower", "within the noise"))
        facts[prefix] = found
    return facts


def levers_settings(variants, judge_weights: Path, data: MnistData, *, beta: float, seed: int, learning_rate: float,
                    batch_size: int, tiles: int, draws: int) -> dict:
    """What a recorded levers table belongs to: the variants, the judge's weights (SHA-256), the data and the
    training and scoring settings."""
    return {"variants": [[label, dim, recipe.settings(), hidden] for label, dim, recipe, hidden in variants],
            "judge_sha256": training.sha256_of(judge_weights), **data_settings(data), "beta": beta, "seed": seed,
            "learning_rate": learning_rate, "batch_size": batch_size, "tiles": tiles, "draws": draws}


#: The levers table in words: only what it shows (:func:`facts_fields` fills it).
FACTS_TEMPLATE = (
    "**What the table shows.** In the 2-D rows posterior collapse {collapse_2}: the fewest active units of any "
    "2-D row are {fewest_2:d} of 2. In the {dim}-d rows it {collapse_32}: {active_32} of {dim} units are active. "
    "Warm-up against early stopping alone (one training run each): with a 2-D code the held-out ELBO is "
    "{elbo_2_verdict} ({elbo_2:+.2f} ± {elbo_2_se:.2f} nats), the grid's "
    "acceptance {grid_2_verdict} ({grid_2:+.0%} ± {grid_2_se:.0%}), the prior draws' acceptance {prior_2_verdict} "
    "({prior_2:+.0%} ± {prior_2_se:.0%}); with a {dim}-d code the held-out ELBO is {elbo_32_verdict} ({elbo_32:+.2f} ± "
    "{elbo_32_se:.2f}), the prior draws' acceptance {prior_32_verdict} ({prior_32:+.0%} ± {prior_32_se:.0%}). The "
    "2-D fitted − test gap is {gap_with:.1f} nats with warm-up ({epochs_with} epochs) and {gap_without:.1f} without "
    "({epochs_without} epochs): the two rows differ in the warm-up *and* in how long they trained, so the table "
    "does not say which widened it. The errors are over images and draws; none includes the spread from one "
    "training run to the next.")


def facts_fields(levers: pd.DataFrame, held_out_se: dict, tiles: int) -> dict:
    """The fields of :data:`FACTS_TEMPLATE` from :func:`levers_facts` (verdicts stay verdicts, so that they are
    recorded as claims; the difference and its standard error of each are quoted beside it). ``held_out_se`` has
    the 2-D code's prefix ``"2-d"`` and one other (the notebook's ``latent_dim``, whose fields end in ``_32``)."""
    facts = levers_facts(levers, held_out_se, tiles)
    two, (prefix, many) = facts["2-d"], next((k, v) for k, v in facts.items() if k != "2-d")
    table = levers.set_index("recipe")
    fields = {f"collapse_{short}": ("does not show" if found["fewest active"] == found["dimensions"] else
                                    "shows in some units") for short, found in (("2", two), ("32", many))}
    fields |= {"fewest_2": two["fewest active"], "dim": many["dimensions"],
               "active_32": " / ".join(f"{int(row['active units'])} ({label.split(': ', 1)[1]})" for label, row
                                       in table[table.index.str.startswith(f"{prefix}:")].iterrows()),
               "gap_with": two["gap with"], "gap_without": two["gap without"],
               "epochs_with": two["epochs with"], "epochs_without": two["epochs without"]}
    for short, found in (("2", two), ("32", many)):
        for name, key in (("elbo", "held-out ELBO"), ("prior", "prior accepted"), ("grid", "grid accepted")):
            if key in found:
                verdict = found[key]
                fields |= {f"{name}_{short}_verdict": verdict, f"{name}_{short}": verdict.numbers["difference"],
                           f"{name}_{short}_se": verdict.numbers["se"]}
    return fields
