"""Interpolation and arithmetic: blends in pixel space, straight lines decoded from latent space, latent and
pixel arithmetic, and the judge's scores of the frames between pairs of digits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from helpers import inference, verdicts
from helpers.latent_paths import straight_line

if TYPE_CHECKING:  # annotations only: digit_judge imports this module
    from helpers.studies.tsne_mnist_interpolation.digit_judge import DigitJudge


def image_blend_pairs(images, pairs) -> np.ndarray:
    """The halfway pixel blends ½(x_i + x_j) of the image pairs ``pairs`` (:func:`image_blend` at t = ½)."""
    return np.stack([image_blend(images[i], images[j], 3)[1] for i, j in pairs])


def image_blend(x_a: np.ndarray, x_b: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` images cross-fading from ``x_a`` (first) to ``x_b`` (last): the straight line between them in
    pixel space (:func:`helpers.latent_paths.straight_line`), float32."""
    return straight_line(x_a, x_b, steps, dtype=np.float32)


def latent_interpolation(decoder, z_a: np.ndarray, z_b: np.ndarray, steps: int) -> np.ndarray:
    """Decode ``steps`` equally spaced points on the straight line from ``z_a`` to ``z_b``."""
    return inference.decode(decoder, straight_line(z_a, z_b, steps))


def latent_arithmetic(z_a: np.ndarray, z_b: np.ndarray, z_c: np.ndarray) -> dict:
    """The codes shown in the arithmetic figure: A, B, C, A + B and A + B − C."""
    z_a, z_b, z_c = (np.asarray(z, np.float32) for z in (z_a, z_b, z_c))
    return {"A": z_a, "B": z_b, "C": z_c, "A + B": z_a + z_b, "A + B − C": z_a + z_b - z_c}


def pixel_arithmetic(x_a: np.ndarray, x_b: np.ndarray, x_c: np.ndarray) -> dict:
    """The same sums done on the images themselves, clipped to the valid range [0, 1]."""
    x_a, x_b, x_c = (np.asarray(x, np.float32) for x in (x_a, x_b, x_c))
    return {"A": x_a, "B": x_b, "C": x_c, "A + B": np.clip(x_a + x_b, 0, 1),
            "A + B − C": np.clip(x_a + x_b - x_c, 0, 1)}


def decode_named(decoder, codes: dict) -> dict:
    """Decode a ``{name: code}`` mapping in one batch."""
    images = inference.decode(decoder, np.stack(list(codes.values())))
    return dict(zip(codes, images, strict=True))


def interpolation_scores(judge: DigitJudge, images: np.ndarray, codes: dict, decoders: dict, pairs: np.ndarray,
                         steps: int) -> dict:
    """Digit-likeness of the interior steps (0 < t < 1) of many interpolations, one row per pair.

    ``codes`` and ``decoders`` map a model name to its codes of ``images`` and its decoder; the
    image-space blend is included as "pixel blend". Returns ``{source: DataFrame}`` with, per pair,
    the mean confidence, the share of interior images the classifier accepts with confidence ≥ 0.9,
    and the mean distance ratio.
    """
    strips = {"pixel blend": [image_blend(images[i], images[j], steps)[1:-1] for i, j in pairs]}
    for name, decoder in decoders.items():
        z = codes[name]
        lines = np.concatenate([straight_line(z[i], z[j], steps)[1:-1] for i, j in pairs])
        strips[f"{name} latent"] = np.split(inference.decode(decoder, lines), len(pairs))
    scores = {}
    for name, parts in strips.items():
        confidence = judge.confidence(np.concatenate(parts)).reshape(len(pairs), -1)
        ratio = judge.distance_ratio(np.concatenate(parts)).reshape(len(pairs), -1)
        scores[name] = pd.DataFrame({"mean confidence": confidence.mean(1), "share ≥ 0.9": (confidence >= 0.9).mean(1),
                                     "mean distance ratio": ratio.mean(1)})
    return scores


def pair_means(scores: dict) -> pd.DataFrame:
    """The means over all pairs of :func:`interpolation_scores` (``{source: table}``), one row per source."""
    return pd.DataFrame({name: table.mean() for name, table in scores.items()}).T


def reconstruction_pairs(originals, reconstructions, n: int, label: str):
    """Two named rows (``label`` originals and their reconstructions)."""
    return {f"{label}": list(originals[:n]), f"{label} → AE": list(reconstructions[:n])}


def interpolation_notes(judge: DigitJudge, strips: dict) -> list[str]:
    """One line per step of equally long strips ``{name: images}``: the classifier's reading and confidence of
    each strip's image at that step (what the explorer shows under its title)."""
    read = {name: (judge.predicted(images), judge.confidence(images)) for name, images in strips.items()}
    steps = len(next(iter(strips.values())))
    return [" · ".join(f"{name}: {label[k]} ({confidence[k]:.2f})" for name, (label, confidence) in read.items())
            for k in range(steps)]


def holes_verdicts(gaps: pd.DataFrame, random_codes: pd.DataFrame) -> dict:
    """The holes section's claims as verdicts of :func:`helpers.verdicts.difference`: the paired differences of
    the interpolations' mean confidence (``gaps``, rows ``"A − B"`` with their bootstrap standard errors; a paired
    difference d ± se is resolved when |d| > 2 se), and the VAE's and the AE's random codes' accepted shares with
    their binomial standard errors (independent draws)."""
    def paired(row: str, words) -> verdicts.Verdict:
        return verdicts.difference(gaps.loc[row, "difference"], gaps.loc[row, "± se"], 0.0, 0.0, words=words)

    likeness = ("more digit-like", "less digit-like", "no more and no less digit-like beyond the noise")
    vae, ae = random_codes.loc["VAE"], random_codes.loc["AE"]
    return {"line_verdict": paired("VAE latent − AE latent", likeness),
            "ae_blend_verdict": paired("AE latent − pixel blend", likeness),
            "vae_blend_verdict": paired("VAE latent − pixel blend", likeness),
            "random_verdict": verdicts.difference(vae["share ≥ 0.9"], vae["share ± se"], ae["share ≥ 0.9"],
                                                  ae["share ± se"], words=("more often", "less often",
                                                                           "neither more nor less often")),
            "vae_random": vae["share ≥ 0.9"], "ae_random": ae["share ≥ 0.9"], "vae_random_se": vae["share ± se"],
            "ae_random_se": ae["share ± se"]}
