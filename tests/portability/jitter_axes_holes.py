"""How much do study 2's axis, score and hole numbers (issue 13) move when codes and images move by kernel-sized
amounts?

    .venv/bin/python tests/portability/jitter_axes_holes.py [trials=3] [PARAMETER=VALUE ...]

(e.g. ``config=lean epochs=40`` to measure other shipped weights than the notebook's defaults).

oneDNN on vs off changed none of these numbers by more than 2e-6 relative, and left every share, percentile and
DCI value bit-identical. Many of them *count* or *select*, though: a share of decoded samples below a residual
threshold, a percentile among rotated copies, a tree split of DCI, an EM fit of the AE's mixture. Another CPU's
kernels could tip one of them over. This recomputes them, as notebook 02 does, from the shipped models' codes
(train and test, and the VAE's posterior widths) jittered by 1e-5 relative and decoded images jittered by 1e-6
relative (the size of the measured kernel differences), and prints the largest change per group of numbers:
the spread behind the rules of `heatmap_axis_*`, `heatmap_disentanglement`, `heatmap_rotation_null`,
`heatmap_holes*` and `heatmap_prior_mass` in tests/tolerances.yaml.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from conftest import notebook_defaults  # noqa: E402
from jitter import shipped_models  # noqa: E402

from helpers import heatmaps, latent_paths, inference, probes, samplers  # noqa: E402
from helpers.studies.gaussian_heatmaps import alignment_scores, latent_holes, recovery


class JitteredDecoder:
    """A decoder whose images move by ``relative`` × N(0, 1), relative to each pixel (as other kernels would)."""

    def __init__(self, decoder, relative: float, rng: np.random.Generator):
        self.decoder, self.relative, self.rng = decoder, relative, rng

    def predict(self, z, batch_size=None, verbose=0):
        images = inference.decode(self.decoder, z)
        return images * (1 + self.relative * self.rng.standard_normal(images.shape)).astype(images.dtype)


def section_numbers(p: dict, data, decoders: dict, train_codes: dict, test_codes: dict, vae_mean, vae_sigma,
                    reconstructions: dict) -> dict:
    """The numbers notebook 02's sections on axes, scores and holes record, flattened to {"key/row/column": value}."""
    all_codes = {n: np.concatenate([train_codes[n], test_codes[n]]) for n in test_codes}
    out = {}
    for n in test_codes:
        traversals = {**alignment_scores.axis_traversals(decoders[n], all_codes[n], p["traversal_points"]),
                      **alignment_scores.axis_traversals(decoders[n], all_codes[n], p["traversal_points"],
                                                 latent_paths.principal_axes(all_codes[n])[1], "pc")}
        out[f"heatmap_axis_sensitivity/{n}"] = alignment_scores.sensitivity_table(traversals, data.y_train)
        scores = alignment_scores.alignment_scores(train_codes[n], data.y_train, test_codes[n], data.y_test)
        scores["probe R² (mean)"] = probes.linear_probe_r2(train_codes[n], data.y_train, test_codes[n], data.y_test,
                                                          heatmaps.FACTORS).mean()
        out[f"heatmap_disentanglement/{n}"] = scores.to_frame("value")
        nulls = alignment_scores.rotation_nulls(train_codes[n], data.y_train, test_codes[n], data.y_test,
                                                p["rotations"], p["dci_rotations"], p["seed"])
        out[f"heatmap_rotation_null/{n}"] = alignment_scores.null_table(nulls)
    prior = samplers.sample_prior(latent_holes.DENSITY_DRAWS, vae_mean.shape[1], p["seed"])
    samples = latent_holes.latent_samples(prior, train_codes["AE"], p["hole_samples"], p["mixture_components"],
                                          p["seed"])
    references = {n: r[:p["hole_samples"]] for n, r in reconstructions.items()}
    holes = latent_holes.holes_table(decoders, samples, references, data.y_train)
    out["heatmap_holes"] = holes
    log_q_prior = samplers.aggregate_posterior_log_density(prior, vae_mean, vae_sigma)
    own = samplers.sample_aggregate_posterior(vae_mean, vae_sigma, latent_holes.DENSITY_DRAWS, p["seed"])
    mass = samplers.mass_below_levels(log_q_prior, samplers.aggregate_posterior_log_density(own, vae_mean, vae_sigma),
                                      latent_holes.HOLE_MASSES)
    out["heatmap_prior_mass"] = mass
    out["heatmap_holes_by_density"] = latent_holes.validity_by_density(
        inference.decode(decoders["VAE"], samples["VAE: prior N(0, I)"]), holes.loc["VAE: prior N(0, I)", "threshold"],
        log_q_prior[:p["hole_samples"]], mass["log q level"].iloc[0])
    return {f"{key}/{row}/{column}": float(value) for key, table in out.items()
            for row, values in table.iterrows() for column, value in values.items()}


def main(overrides: dict, trials: int = 3, code_jitter: float = 1e-5, image_jitter: float = 1e-6) -> None:
    p = {**notebook_defaults("02_gaussian_heatmaps"), **overrides}
    data = heatmaps.load_heatmaps(0, 0)
    models = shipped_models(p, data)
    decoders = {n: m.decoder for n, m in models.items()}
    train = {n: inference.encode_mean(m, data.x_train) for n, m in models.items()}
    test = {n: inference.encode_mean(m, data.x_test) for n, m in models.items()}
    mean, log_var = inference.encoder_outputs(models["VAE"], data.x_train)
    sigma = inference.posterior_sigma(models["VAE"], log_var)
    recon = recovery.reconstructions(models["VAE"], models["AE"], data.x_test, p["seed"])
    recon = {"VAE": recon["VAE, mean z"], "AE": recon["AE"]}
    base = section_numbers(p, data, decoders, train, test, mean, sigma, recon)
    rng = np.random.default_rng(0)
    shake = lambda a, r: a * (1 + r * rng.standard_normal(a.shape)).astype(a.dtype)  # noqa: E731
    changes = []
    for _ in range(trials):
        moved = section_numbers(p, data, {n: JitteredDecoder(d, image_jitter, rng) for n, d in decoders.items()},
                                {n: shake(c, code_jitter) for n, c in train.items()},
                                {n: shake(c, code_jitter) for n, c in test.items()}, shake(mean, code_jitter),
                                shake(sigma, code_jitter), {n: shake(r, image_jitter) for n, r in recon.items()})
        changes.append({path: abs(moved[path] - value) for path, value in base.items()})
    worst = pd.DataFrame(changes).max()
    relative = worst / pd.Series(base).abs().clip(lower=1e-12)
    group = lambda path: path.split("/")[0] + "/…/" + path.split("/")[-1]  # noqa: E731  (key/…/column)
    table = pd.DataFrame({"max abs change": worst.groupby(group).max(),
                          "max rel change": relative.groupby(group).max()})
    pd.set_option("display.width", 160)
    print(table.to_string(float_format=lambda v: f"{v:.3g}"))


if __name__ == "__main__":
    arguments = dict(a.split("=", 1) for a in sys.argv[1:])
    count = int(arguments.pop("trials", 3))
    main({k: int(v) if v.isdigit() else v for k, v in arguments.items()}, count)
