"""The closing note's table of study 2: its key figures for the VAE and the AE, read from the values the notebook
recorded, next to the five-seed study's paired difference and whether that difference survives the seed spread
(a paired t-test over the seeds, Holm-corrected across the seed study's whole family of VAE − AE numbers)."""

from __future__ import annotations

import pandas as pd

from helpers.report import key_figures, recorded_value


def _both(key: str, vae: str, ae: str, column: str) -> dict[str, tuple[str, ...]]:
    return {"VAE": (key, vae, column), "AE": (key, ae, column)}


#: Each key figure: where the notebook recorded it for each model, and its name in the seed study (or None).
FIGURES = {
    "test error (mean Frobenius; the VAE decodes its mean)": (_both("heatmap_errors", "VAE, mean z", "AE", "mean"),
                                                             "test error"),
    "error tail: max / median": (_both("heatmap_error_tails", "VAE, mean z", "AE", "max / median"), None),
    "linear-probe R², var_x": (_both("heatmap_linear_probe", "VAE", "AE", "var_x"), "probe R² var_x"),
    "linear-probe R², var_y": (_both("heatmap_linear_probe", "VAE", "AE", "var_y"), "probe R² var_y"),
    "linear-probe R², cor": (_both("heatmap_linear_probe", "VAE", "AE", "cor"), "probe R² cor"),
    "3rd principal spread of the codes (1st = 1)": (_both("heatmap_code_layout", "VAE", "AE", "spread 3"), None),
    "Spearman r_s of cor along the isovariance spline": (
        {"VAE": ("heatmap_paths_vae", "isovariance spline (hull)", "r_s cor"),
         "AE": ("heatmap_paths_ae", "isovariance spline (hull)", "r_s cor")}, None),
    "emptiest point inside the hull (typical spacings)": (
        _both("heatmap_empty_walk", "VAE", "AE", "gap / typical spacing"), None),
    "distortion on the slice: max / median": (_both("heatmap_slice_distortion", "VAE", "AE", "max / median"), None),
    "MIG": (_both("heatmap_disentanglement", "VAE", "AE", "MIG"), "MIG"),
    "MIG: percentile among rotated codes": (_both("heatmap_rotation_null", "VAE MIG", "AE MIG", "percentile"),
                                            None),
    "DCI disentanglement": (_both("heatmap_disentanglement", "VAE", "AE", "DCI D"), "DCI D"),
    "DCI completeness": (_both("heatmap_disentanglement", "VAE", "AE", "DCI C"), "DCI C"),
    "DCI informativeness": (_both("heatmap_disentanglement", "VAE", "AE", "DCI I"), "DCI I"),
    "SAP": (_both("heatmap_disentanglement", "VAE", "AE", "SAP"), "SAP"),
}
GAUSSIAN_HOLES = "valid decoded samples (VAE: prior; AE: a Gaussian fit)"
MIXTURE_HOLES = "valid decoded samples (VAE: prior; AE: a Gaussian mixture)"
SEED_COLUMNS = ("5 seeds: VAE − AE", "sd", "holds")


def closing_table(recorded: dict) -> pd.DataFrame:
    """The key figures (rows) for the VAE and the AE, plus the valid share of decoded samples (the VAE's prior
    against a Gaussian and a mixture fitted to the AE's codes), with the five-seed mean VAE − AE difference, its
    sd and whether it survives the family's Holm-corrected paired t-tests (NaN where the seed study did not run or
    does not test it: percentiles among rotated codes are ranks, not in the family)."""
    rows = {label: paths for label, (paths, _) in FIGURES.items()}
    holes = recorded.get("heatmap_holes", {})
    mixture = next((name for name in holes if name.startswith("AE: mixture")), "AE: mixture")
    rows[GAUSSIAN_HOLES] = {"VAE": ("heatmap_holes", "VAE: prior N(0, I)", "valid"),
                            "AE": ("heatmap_holes", "AE: Gaussian fit", "valid")}
    rows[MIXTURE_HOLES] = {"VAE": ("heatmap_holes", "VAE: prior N(0, I)", "valid"),
                           "AE": ("heatmap_holes", mixture, "valid")}
    table = key_figures(recorded, rows)
    seeds = {label: name for label, (_, name) in FIGURES.items()} | {GAUSSIAN_HOLES: "valid samples",
                                                                     MIXTURE_HOLES: None}
    for column, field in zip(SEED_COLUMNS, ("VAE − AE", "sd", "survives"), strict=True):
        table[column] = [recorded_value(recorded, ("heatmap_seed_paired", seeds[label], field)) if seeds[label]
                         else float("nan") for label in table.index]
    table["holds"] = table["holds"].map({True: "yes", False: "no"})  # NaN where the seed study has no such figure
    return table


def survivors(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(figures whose VAE − AE difference survives the seed spread, figures whose difference does not)."""
    measured = table[table["holds"].notna()]
    held = measured["holds"] == "yes"
    return list(measured.index[held]), list(measured.index[~held])
