"""The closing note's tables of study 4, read from the values the notebook recorded: the key figures of pixels, the
AE and the VAE side by side (the AE trained by the VAE's recipe), and the paired differences in units of their
standard errors, each decided by :func:`helpers.verdicts.difference`."""

from __future__ import annotations

import math

import pandas as pd

from helpers import verdicts
from helpers.report import key_figures, recorded_value


def _row(key: str, column: str, **names: str) -> dict[str, tuple[str, ...]]:
    """One key figure: ``column`` of the rows ``names`` (``pixels=…, AE=…, VAE=…``) of record ``key``."""
    return {model: (key, row, column) for model, row in names.items()}


#: Each key figure and where the notebook recorded it, by column (pixels, AE, VAE).
FIGURES = {
    "test BCE per image (nats; the VAE decodes its mean)": _row("mnist_reconstruction", "test BCE per image",
                                                                AE="AE", VAE="VAE (decoding μ)"),
    "10-NN accuracy in the t-SNE map": _row("mnist_map_accuracy", "mean", pixels="pixels", AE="AE codes",
                                            VAE="VAE mean codes"),
    "trustworthiness T(10) of the map": _row("mnist_map_quality", "trustworthiness T(10)", pixels="pixels",
                                             AE="AE codes", VAE="VAE mean codes"),
    "interpolation: judge's mean confidence": _row("mnist_interpolation_study", "mean confidence",
                                                   pixels="pixel blend", AE="AE latent", VAE="VAE latent"),
    "interpolation: distance to training / a real digit's": _row("mnist_interpolation_study", "mean distance ratio",
                                                                 pixels="pixel blend", AE="AE latent",
                                                                 VAE="VAE latent"),
    "random codes judged digits (confidence ≥ 0.9)": _row("mnist_random_codes", "share ≥ 0.9", AE="AE", VAE="VAE"),
    "2-D grid accepted by the judge (each over its codes' 5–95 %)": _row("mnist_plane_grids", "accepted share",
                                                                          AE="AE 2-D", VAE="VAE 2-D"),
    "2-D grid: effective digits": _row("mnist_plane_grids", "effective digits", AE="AE 2-D", VAE="VAE 2-D"),
    "2-D grid: Fréchet distance to real digits": _row("mnist_plane_grids", "Fréchet distance", AE="AE 2-D",
                                                      VAE="VAE 2-D"),
    "2-D grid: different digits": _row("mnist_plane_grids", "digits", AE="AE 2-D", VAE="VAE 2-D"),
    "2-D grid farther than 3 spacings from every code": _row("mnist_plane_grids", "grid beyond 3× spacing",
                                                             AE="AE 2-D", VAE="VAE 2-D"),
    "generated digits accepted (VAE prior; AE Gaussian)": _row("mnist_generation", "accepted share",
                                                               AE="AE Gaussian", VAE="VAE prior"),
    "generated digits: effective digits": _row("mnist_generation", "effective digits", pixels="real test digits",
                                               AE="AE Gaussian", VAE="VAE prior"),
    "generated digits: Fréchet distance to real digits": _row("mnist_generation", "Fréchet distance",
                                                              pixels="real test digits", AE="AE Gaussian",
                                                              VAE="VAE prior"),
}
DIFFERENCES = {"t-SNE map, VAE codes − pixels": ("mnist_map_gaps", "VAE mean codes − pixels"),
               "t-SNE map, AE codes − pixels": ("mnist_map_gaps", "AE codes − pixels"),
               "t-SNE map, VAE − AE codes": ("mnist_map_gaps", "VAE mean codes − AE codes"),
               "interpolation confidence, VAE − AE": ("mnist_interpolation_gaps", "VAE latent − AE latent"),
               "interpolation confidence, AE − pixel blend": ("mnist_interpolation_gaps", "AE latent − pixel blend")}


def closing_table(recorded: dict) -> pd.DataFrame:
    """The key figures (rows) for pixels, the AE and the VAE (NaN where a figure has no such column), plus the
    mixture's acceptance for the AE and the test ELBO and k = 1,000 bound for the VAE."""
    rows = dict(FIGURES)
    mixture = next((name for name in recorded.get("mnist_generation", {}) if name.startswith("AE mixture")), "")
    rows["generated digits accepted (AE: a Gaussian mixture)"] = {"AE": ("mnist_generation", mixture,
                                                                         "accepted share")}
    rows["ELBO on the bound's test images (nats per image)"] = {"VAE": ("mnist_likelihood_takeaway", "elbo")}
    rows["importance-weighted bound, largest k"] = {"VAE": ("mnist_likelihood_takeaway", "top_bound")}
    return key_figures(recorded, rows)[["pixels", "AE", "VAE"]]


def differences_table(recorded: dict) -> pd.DataFrame:
    """The paired differences with their standard errors and their ratio (how many standard errors from zero)."""
    table = pd.DataFrame({label: {"difference": recorded_value(recorded, (key, row, "difference")),
                                  "± se": recorded_value(recorded, (key, row, "± se"))}
                          for label, (key, row) in DIFFERENCES.items()}).T
    table["difference / se"] = table["difference"] / table["± se"]
    return table


#: Differences the closing note shows but does not decide: a t-SNE layout moves with the CPU's kernels by up to 0.01
#: in 10-NN accuracy (tests/tolerances.yaml), as much as the bootstrap standard error, so a verdict on a map difference
#: would depend on the machine rather than on the codes.
UNDECIDED_PREFIX = "t-SNE map"


def difference_verdicts(differences: pd.DataFrame, standard_errors: float = verdicts.Z_THRESHOLD) -> dict:
    """Each recorded difference of :func:`differences_table` as a verdict of :func:`helpers.verdicts.difference`
    (d ± se against 0: beyond its noise when |d| > ``standard_errors`` × se, about the 95 % level of a normal
    error); a difference that was not recorded, or whose label starts with :data:`UNDECIDED_PREFIX`, has none."""
    return {label: verdicts.difference(row["difference"], row["± se"], 0.0, 0.0, z=standard_errors,
                                       words=("beyond its noise", "beyond its noise", "within its noise"))
            for label, row in differences.iterrows()
            if not (math.isnan(row["difference"]) or math.isnan(row["± se"]) or label.startswith(UNDECIDED_PREFIX))}


def beyond_noise(differences: pd.DataFrame,
                 standard_errors: float = verdicts.Z_THRESHOLD) -> tuple[list[str], list[str]]:
    """(the differences :func:`difference_verdicts` finds beyond their noise, the others it decides); a difference
    that was not recorded or is not decided is in neither."""
    found = difference_verdicts(differences, standard_errors)
    return [label for label, v in found.items() if v.holds], [label for label, v in found.items() if not v.holds]


def claim_id(label: str) -> str:
    """A difference's label as a claim's name (letters, digits and underscores): ``t-SNE map, VAE − AE codes`` →
    ``t_SNE_map_VAE_AE_codes``."""
    import re

    return re.sub(r"\W+", "_", label).strip("_")
