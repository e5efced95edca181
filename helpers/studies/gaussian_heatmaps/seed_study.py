"""Seeds: how much of the latent space is the seed's. The headline numbers of several seeds, their spread and
paired differences, and how well one seed's codes map onto another's (alignment, identifiability)."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pandas as pd

from helpers import alignment, inference, probes, samplers
from helpers.heatmaps import FACTORS, HeatmapData
from helpers.locations import RESULTS_DIR
from helpers.studies.gaussian_heatmaps.alignment_scores import alignment_scores, rotation_nulls
from helpers.studies.gaussian_heatmaps.latent_holes import DENSITY_DRAWS, holes_table, latent_samples
from helpers.studies.gaussian_heatmaps.model_pair import train_or_load_vae_and_ae
from helpers.studies.gaussian_heatmaps.recovery import frobenius_errors, reconstructions

#: Training seeds of the seed study: the notebook's seed and the next four.
SEED_COUNT = 5

SEEDS_FILE = RESULTS_DIR / "gaussian_heatmaps_seeds.json"

SEED_ALIGNMENT_FILE = RESULTS_DIR / "gaussian_heatmaps_seed_alignment.json"

#: The verdict's thresholds (:func:`identifiability_class`): a mean matched |ρ| or an R² of at least this
#: is "explained" by that family of maps.
EXPLAINED = 0.9

#: Paired VAE − AE differences over the seeds count as real below this two-sided p-value (paired t-test).
SEED_ALPHA = 0.05


def seed_list(seed: int, count: int = SEED_COUNT) -> list[int]:
    """The seed study's training seeds: ``seed`` (the notebook's) and the ``count − 1`` that follow."""
    return [seed + k for k in range(count)]


def seed_headlines(vae, ae, data: HeatmapData, seed: int, *, rotations: int, dci_rotations: int,
                   hole_samples: int, mixture_components: int) -> pd.DataFrame:
    """Study 2's headline numbers for one seed's VAE and AE, computed as the notebook computes them, in long form
    (columns model, number, value): the mean test Frobenius error (VAE decoding μ, and one sampled z), the
    linear probe's R² per factor, MIG, DCI (D, C, I), SAP, the percentiles of MIG, SAP and DCI-D among
    rotated copies of the codes (:func:`rotation_nulls`), and the share of valid decoded samples (VAE: prior;
    AE: a Gaussian and a ``mixture_components``-component mixture fitted to its codes, :func:`holes_table`)."""

    x_train, x_test = data.x_train, data.x_test
    recon = reconstructions(vae, ae, x_test, seed)
    errors = {name: float(frobenius_errors(x_test, images).mean()) for name, images in recon.items()}
    rows = [("VAE", "test error", errors["VAE, mean z"]), ("VAE", "test error, sampled z", errors["VAE, sampled z"]),
            ("AE", "test error", errors["AE"])]
    codes = {"VAE": (inference.encode_mean(vae, x_train), inference.encode_mean(vae, x_test)),
             "AE": (inference.encode_mean(ae, x_train), inference.encode_mean(ae, x_test))}
    for name, (train_codes, test_codes) in codes.items():
        probe = probes.linear_probe_r2(train_codes, data.y_train, test_codes, data.y_test, FACTORS)
        rows += [(name, f"probe R² {factor}", float(r2)) for factor, r2 in probe.items()]
        scores = alignment_scores(train_codes, data.y_train, test_codes, data.y_test)
        rows += [(name, score, float(value)) for score, value in scores.items()]
        nulls = rotation_nulls(train_codes, data.y_train, test_codes, data.y_test, rotations, dci_rotations, seed)
        rows += [(name, f"{score} percentile", float(null.percentile)) for score, null in nulls.items()]
    prior_draws = samplers.sample_prior(DENSITY_DRAWS, vae.decoder.input_shape[-1], seed)  # as the notebook
    samples = latent_samples(prior_draws, codes["AE"][0], hole_samples, mixture_components, seed)
    references = {"VAE": recon["VAE, mean z"][:hole_samples], "AE": recon["AE"][:hole_samples]}
    holes = holes_table({"VAE": vae.decoder, "AE": ae.decoder}, samples, references, data.y_train)["valid"]
    rows += [("VAE", "valid samples", float(holes["VAE: prior N(0, I)"])),
             ("AE", "valid samples", float(holes["AE: Gaussian fit"])),
             ("AE", "valid samples, mixture", float(holes[f"AE: mixture of {mixture_components} Gaussians"]))]
    return pd.DataFrame(rows, columns=["model", "number", "value"])


def seed_alignment(codes: dict) -> pd.DataFrame:
    """Every ordered pair of seeds (a < b) for each model, scored by :func:`helpers.alignment.alignment_row`
    from seed a's codes to seed b's. ``codes``: {(model, seed): (train codes, test codes)}."""

    rows = []
    for (model, a), (other, b) in itertools.combinations(sorted(codes), 2):
        if model == other:
            (train_a, test_a), (train_b, test_b) = codes[(model, a)], codes[(model, b)]
            rows.append({"model": model, "seed a": a, "seed b": b,
                         **alignment.alignment_row(train_a, train_b, test_a, test_b)})
    return pd.DataFrame(rows)


def seed_study(data: HeatmapData, seeds, *, rotations: int, dci_rotations: int, hole_samples: int,
               mixture_components: int, force_retrain: bool = False,
               **training_settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The VAE and the AE of the notebook's configuration at every seed in ``seeds``, each loaded from the
    shipped weights or trained (:func:`train_or_load_vae_and_ae` with ``training_settings``; ``force_retrain``
    retrains every seed but the first, whose models the notebook has just loaded or trained), then measured:
    (headlines, alignment). headlines: :func:`seed_headlines` per seed plus the recorded training seconds and
    epochs (column seed added); alignment: :func:`seed_alignment` on the codes (VAE: posterior means)."""
    tables, codes = [], {}
    for seed in seeds:
        vae, ae, fits = train_or_load_vae_and_ae(data.x_train, seed=seed,
                                                 force_retrain=force_retrain and seed != seeds[0], **training_settings)
        table = seed_headlines(vae, ae, data, seed, rotations=rotations, dci_rotations=dci_rotations,
                               hole_samples=hole_samples, mixture_components=mixture_components)
        fit_rows = [(kind.upper(), number, float(value)) for kind, fit in fits.items()
                    for number, value in (("train seconds", fit.train_seconds), ("epochs", fit.epochs_run))]
        tables.append(pd.concat([table, pd.DataFrame(fit_rows, columns=table.columns)]).assign(seed=seed))
        for name, model in (("VAE", vae), ("AE", ae)):
            codes[(name, seed)] = (inference.encode_mean(model, data.x_train),
                                   inference.encode_mean(model, data.x_test))
        print(f"seed {seed}: {fits['vae'].source} / {fits['ae'].source}", flush=True)
    return pd.concat(tables, ignore_index=True), seed_alignment(codes)


def seed_spread(headlines: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation (ddof = 1) over the seeds of every headline number, per model: one row per
    number, columns (model, "mean") and (model, "sd")."""
    spread = headlines.groupby(["number", "model"], sort=False)["value"].agg(["mean", "std"]).unstack("model")
    spread = spread.rename(columns={"std": "sd"}).swaplevel(axis=1)
    return spread[[(m, s) for m in ("VAE", "AE") for s in ("mean", "sd")
                   if (m, s) in spread.columns]]


def paired_seed_differences(headlines: pd.DataFrame, alpha: float = SEED_ALPHA) -> pd.DataFrame:
    """VAE − AE for every number both models have, paired by seed: the mean difference d̄, the standard
    deviation s_d of the per-seed differences, the seeds with VAE > AE, the paired t-test's two-sided p-value
    (t = d̄ / (s_d / √n), n − 1 degrees of freedom) and whether the difference survives the seed spread
    (p < ``alpha``)."""
    from scipy.stats import ttest_rel

    wide = headlines.pivot_table(index=["number", "seed"], columns="model", values="value").dropna()
    rows = {}
    for number, group in wide.groupby(level="number", sort=False):
        gaps = group["VAE"] - group["AE"]
        p = float(ttest_rel(group["VAE"], group["AE"]).pvalue) if gaps.std() > 0 else float(gaps.mean() == 0)
        rows[number] = {"VAE − AE": gaps.mean(), "sd": gaps.std(), "seeds VAE > AE": int((gaps > 0).sum()),
                        "seeds": len(gaps), "p-value": p, "survives": bool(p < alpha)}
    order = [n for n in headlines["number"].unique() if n in rows and n not in ("train seconds", "epochs")]
    types = {"VAE − AE": float, "sd": float, "seeds VAE > AE": int, "seeds": int, "p-value": float, "survives": bool}
    return pd.DataFrame(rows).T.loc[order].astype(types)


def alignment_summary(alignment: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over the seed pairs of every alignment statistic, per model."""
    stats = [c for c in alignment.columns if c not in ("model", "seed a", "seed b")]
    summary = alignment.groupby("model", sort=False)[stats].agg(["mean", "std"])
    return summary.rename(columns={"std": "sd"}, level=1)


def identifiability_class(row, threshold: float = EXPLAINED) -> str:
    """The narrowest family of maps that explains one model's seeds, from its mean statistics over seed pairs
    (a row of means): "permutation and sign" (matched |ρ| ≥ ``threshold``), else "affine" (affine R² ≥
    ``threshold``), else "smooth map" (k-NN R² ≥ ``threshold``), else "none of these"."""
    if row["matched |ρ| mean"] >= threshold:
        return "permutation and sign"
    if row["affine R²"] >= threshold:
        return "affine"
    if row["k-NN R²"] >= threshold:
        return "smooth map"
    return "none of these"


def seed_verdict(alignment: pd.DataFrame) -> dict:
    """{model: class} from :func:`identifiability_class`, and "prediction held": whether the VAE's seeds agree
    up to a permutation and sign flips and the AE's do not (Rolinek et al.'s prediction)."""
    means = alignment_summary(alignment).xs("mean", axis=1, level=1)
    classes = {model: identifiability_class(means.loc[model]) for model in means.index}
    held = classes.get("VAE") == "permutation and sign" and classes.get("AE") != "permutation and sign"
    return {**classes, "prediction held": held}


def seed_alignment_figure(factor, name_codes: dict, factor_name: str = "var_x"):
    """Codes of two seeds side by side, on the first two axes of the first seed, coloured by one factor: seed a,
    seed b as it is, seed b after the best permutation and sign flips, and seed b through the best affine map
    onto seed a (fitted on the training codes). ``name_codes``: {model: (train a, train b, test a, test b)}."""

    columns = ["seed a", "seed b, as trained", "seed b, permuted and flipped", "seed b, affine map"]
    fig, axes = plt.subplots(len(name_codes), 4, figsize=(13, 3.1 * len(name_codes)), squeeze=False)
    for row, (name, (train_a, train_b, test_a, test_b)) in enumerate(name_codes.items()):
        matching = alignment.axis_matching(test_a, test_b)
        panels = [test_a, test_b, alignment.apply_matching(test_b, matching),
                  alignment.affine_map(train_b, train_a)(test_b)]
        for ax, z, title in zip(axes[row], panels, columns, strict=True):
            ax.scatter(z[:, 0], z[:, 1], c=factor, s=2, cmap="viridis", rasterized=True)
            ax.set_title(f"{name}: {title}", fontsize=9)
            ax.set_xlabel("z₁")
            ax.set_ylabel("z₂")
    fig.suptitle(f"Test codes of two training seeds, coloured by {factor_name}", y=1.0)
    fig.tight_layout()
    return fig
