"""Seeds: how much of the latent space is the seed's. The headline numbers of several seeds, their spread and
paired differences, and how well one seed's codes map onto another's (alignment, identifiability)."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pandas as pd

from helpers import alignment, inference, probes, samplers, verdicts
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

#: Paired VAE − AE differences over the seeds count as real below this Holm-adjusted two-sided p-value (paired
#: t-tests, Holm's correction across the family, :func:`helpers.verdicts.paired_family`).
SEED_ALPHA = verdicts.ALPHA


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


def family_numbers(headlines: pd.DataFrame) -> list[str]:
    """The numbers the paired VAE − AE family tests: every number both models have, in the table's order, except
    the training cost (seconds, epochs) and the rotation-null *percentiles*. A percentile is the rank of a score
    among a few rotated copies of the model's own codes (DCI-D among 3: only the values 0, 33, 67 and 100), not a
    property of the codes that a t-test over seeds can average; the score it ranks is in the family already."""
    both = headlines.groupby("number", sort=False)["model"].nunique()
    return [n for n in headlines["number"].unique() if both[n] == 2
            and n not in ("train seconds", "epochs") and not n.endswith(" percentile")]


def paired_seed_differences(headlines: pd.DataFrame, alpha: float = SEED_ALPHA) -> pd.DataFrame:
    """VAE − AE for every number of :func:`family_numbers`, paired by seed, decided as one family by
    :func:`helpers.verdicts.paired_family`: the mean difference d̄, the standard deviation s_d of the per-seed
    differences, the seeds with VAE > AE, the paired t-test's two-sided p-value (t = d̄ / (s_d / √n), n − 1
    degrees of freedom), its Holm-adjusted p-value across the m numbers of the family, whether the difference
    survives (Holm-adjusted p < ``alpha``) and the verdict's words."""
    decided = paired_verdicts(headlines, alpha)
    rows = {n: {"VAE − AE": v.numbers["difference"], "sd": v.numbers["sd"], "seeds VAE > AE": v.numbers["seeds a > b"],
                "seeds": v.numbers["seeds"], "p-value": v.numbers["p-value"], "Holm p-value": v.numbers["Holm p-value"],
                "survives": v.holds, "verdict": v.words} for n, v in decided.items()}
    types = {"VAE − AE": float, "sd": float, "seeds VAE > AE": int, "seeds": int, "p-value": float,
             "Holm p-value": float, "survives": bool, "verdict": str}
    return pd.DataFrame(rows, columns=list(decided)).T.astype(types)


def paired_verdicts(headlines: pd.DataFrame, alpha: float = SEED_ALPHA) -> dict:
    """The family's :class:`helpers.verdicts.Verdict` objects by number (as :func:`paired_seed_differences`)."""
    wide = headlines.pivot_table(index=["number", "seed"], columns="model", values="value").dropna()
    pairs = {n: (wide.loc[n, "VAE"].to_numpy(), wide.loc[n, "AE"].to_numpy()) for n in family_numbers(headlines)}
    return verdicts.paired_family(pairs, alpha=alpha, words=("VAE larger", "AE larger", "not resolved"))


def alignment_summary(alignment: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over the seed pairs of every alignment statistic, per model."""
    stats = [c for c in alignment.columns if c not in ("model", "seed a", "seed b")]
    summary = alignment.groupby("model", sort=False)[stats].agg(["mean", "std"])
    return summary.rename(columns={"std": "sd"}, level=1)


def identifiability_class(row, threshold: float = EXPLAINED) -> str:
    """The narrowest family of maps that explains one model's seeds, from its mean statistics over seed pairs
    (a row of means), each family inside the next:

    * "permutation and sign" — matched |ρ| ≥ ``threshold``;
    * "rotation and scale" — orthogonal Procrustes residual ≤ 1 − ``threshold``. The residual is the share of
      seed b's variance (both sides centred and scaled to unit total variance) that the best orthogonal map of
      seed a's codes leaves unexplained, so this is the same bar as an R² ≥ ``threshold``: 0 for a rotated copy,
      about 2 for unrelated codes;
    * "affine" — affine R² ≥ ``threshold``;
    * "smooth map" — k-NN R² ≥ ``threshold``;
    * else "none of these"."""
    if row["matched |ρ| mean"] >= threshold:
        return "permutation and sign"
    if row["Procrustes residual"] <= 1 - threshold:
        return "rotation and scale"
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


def beyond_seed_spread(value: float, reference: float, sd: float,
                       words: tuple[str, str, str] = ("larger", "smaller", "within the seed-to-seed spread")):
    """Two single-seed values (one trained model each) compared with :func:`helpers.verdicts.difference`, each
    given the five-seed standard deviation ``sd`` of that number as its standard error: value − reference is
    resolved when it exceeds 2·√2·sd. The sd is measured at the notebook's default configuration; using it for
    another configuration assumes that configuration's seeds scatter alike."""
    return verdicts.difference(value, sd, reference, sd, words=words)


def identifiability_verdicts(row) -> dict:
    """The two narrowest families of :func:`identifiability_class` as verdicts on one model's mean statistics over
    seed pairs, each by :func:`helpers.verdicts.within_tolerance` with the bar 1 − :data:`EXPLAINED`: the mean
    matched |r| within it of 1 ("perm"), the orthogonal Procrustes residual within it of 0 ("rot")."""
    bar = round(1 - EXPLAINED, 12)
    return {"perm": verdicts.within_tolerance(row["matched |ρ| mean"], 1.0, abs_tol=bar,
                                              words=("agree up to a permutation and sign flips",
                                                     "do not agree up to a permutation and sign flips")),
            "rot": verdicts.within_tolerance(row["Procrustes residual"], 0.0, abs_tol=bar,
                                             words=("agree up to a rotation and a scale",
                                                    "do not agree up to a rotation and a scale"))}


def identifiability_values(alignment: pd.DataFrame, yardsticks: dict) -> dict:
    """The numbers and verdicts the identifiability takeaway renders, per model (tag v: VAE, a: AE): the mean and
    sd over seed pairs of the matched |r| and the Procrustes residual, the affine and k-NN R², the verdicts of
    :func:`identifiability_verdicts` and the class (:func:`seed_verdict`); whether Rolinek et al.'s prediction
    held; and the yardsticks of the VAE's own codes (``yardsticks``: {(model, case): row of statistics})."""
    summary = alignment_summary(alignment)
    verdict = seed_verdict(alignment)
    values = {"pairs": len(alignment) // summary.shape[0],
              "held": "held" if verdict["prediction held"] else "did not hold",
              "rot_rho": yardsticks[("VAE", "rotated copy")]["matched |ρ| mean"],
              "rot_proc": yardsticks[("VAE", "rotated copy")]["Procrustes residual"],
              "shuffled_proc": yardsticks[("VAE", "shuffled pairing")]["Procrustes residual"]}
    for name, tag in (("VAE", "v"), ("AE", "a")):
        row = summary.loc[name]
        values |= {f"{tag}_rho": row[("matched |ρ| mean", "mean")], f"{tag}_rho_sd": row[("matched |ρ| mean", "sd")],
                   f"{tag}_proc": row[("Procrustes residual", "mean")],
                   f"{tag}_proc_sd": row[("Procrustes residual", "sd")],
                   f"{tag}_affine": row[("affine R²", "mean")], f"{tag}_knn": row[("k-NN R²", "mean")],
                   f"{tag}_class": verdict[name]}
        values |= {f"{tag}_{kind}": v for kind, v in identifiability_verdicts(summary.xs("mean", level=1, axis=1)
                                                                                .loc[name]).items()}
    return values


def family_values(headlines: pd.DataFrame, alpha: float = SEED_ALPHA) -> dict:
    """The numbers and verdicts the seed family's takeaway renders: every verdict of :func:`paired_verdicts` by its
    number's name; m (the family's size), k (the differences that survive Holm) and their names (held, rest); the
    names that an uncorrected p < ``alpha`` would have passed and Holm does not (overturned); the models' count and
    their recorded training minutes."""
    decided = paired_verdicts(headlines, alpha)
    held = [n for n, v in decided.items() if v.holds]
    overturned = [f"{n} (p = {v.numbers['p-value']:.3f}, Holm {v.numbers['Holm p-value']:.3f})"
                  for n, v in decided.items() if not v.holds and v.numbers["p-value"] < alpha]
    trained = headlines[headlines["number"] == "train seconds"]
    return {**decided, "m": len(decided), "k": len(held), "held": ", ".join(held) or "none",
            "rest": ", ".join(n for n in decided if n not in held) or "none",
            "overturned": "; ".join(overturned) or "none", "models": len(trained),
            "minutes": float(trained["value"].sum() / 60)}


def sweep_dci_ranking(sweep: pd.DataFrame, dci_sd: float) -> dict:
    """Does the β sweep's highest DCI-D (one seed per β) rank above the next? The two VAEs' values compared by
    :func:`beyond_seed_spread` with ``dci_sd``, the five-seed sd of DCI-D at the notebook's β, as each value's
    standard error: best_beta, best, next_beta, next, sd and the verdict ``ranking``."""
    vaes = sweep[sweep["model"] != "AE"].sort_values("DCI D", ascending=False)
    best, runner = vaes.iloc[0], vaes.iloc[1]
    return {"best_beta": float(best["beta"]), "best": float(best["DCI D"]), "next_beta": float(runner["beta"]),
            "next": float(runner["DCI D"]), "sd": float(dci_sd),
            "ranking": beyond_seed_spread(best["DCI D"], runner["DCI D"], dci_sd,
                                          words=("more axis-aligned than", "less axis-aligned than",
                                                 "not more axis-aligned, beyond the seed-to-seed spread, than"))}


#: The numbers an exercise's solution may judge against the five-seed spread: where the notebook records each,
#: and the row and column of its sd in the seed spread table (``heatmap_seed_spread``).
SPREAD_OF = {"VAE error, mean z": (("heatmap_errors", "VAE, mean z", "mean"), ("test error", "VAE sd")),
             "VAE error, sampled z": (("heatmap_errors", "VAE, sampled z", "mean"),
                                      ("test error, sampled z", "VAE sd")),
             "AE error": (("heatmap_errors", "AE", "mean"), ("test error", "AE sd")),
             **{f"VAE probe {f}": (("heatmap_linear_probe", "VAE", f), (f"probe R² {f}", "VAE sd")) for f in FACTORS}}


def changes_beyond_seeds(run: dict, here: dict) -> dict:
    """For each number of :data:`SPREAD_OF`: does an exercise run's value (``run``, its recorded values) differ
    from this notebook's (``here``, :func:`helpers.report.recorded_here`) by more than a new seed alone would
    make it (:func:`beyond_seed_spread` with the five-seed sd recorded in ``here``)? A string instead of a verdict
    where a value or the spread is missing (a run that skipped it)."""
    from helpers.report import lookup

    out = {}
    for name, (path, (row, column)) in SPREAD_OF.items():
        try:
            value, reference = lookup(run, path), lookup(here, path)
            sd = lookup(here, ("heatmap_seed_spread", row, column))
        except KeyError:
            out[name] = "not judged (no five-seed spread in this run)"
            continue
        out[name] = beyond_seed_spread(value, reference, sd, words=("higher, beyond the seed spread",
                                                                    "lower, beyond the seed spread",
                                                                    "within the seed spread"))
    return out
