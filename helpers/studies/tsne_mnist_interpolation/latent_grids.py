"""2-D latent planes: grids of codes (the quantiles of each model's own training codes, the prior's quantiles, or
the codes' range), their decoded mosaics, the holes between the training codes, and the judge's scores of the
tiles."""

from __future__ import annotations

import numpy as np

from helpers import inference
from helpers.spread import share_and_error
from helpers.image_plots import DIGIT_COLOURS
from helpers.latent_paths import typical_spacing
from helpers.studies.tsne_mnist_interpolation.digit_judge import ACCEPTED, DigitJudge

#: The VAE's decoded grid spans each coordinate of its prior N(0, 1) from the 5 % to the 95 % quantile.
PRIOR_QUANTILES = (0.05, 0.95)

#: The grids compared on equal footing span each coordinate of a model's own training codes between these
#: quantiles (the same probabilities as the prior grid's).
CODE_QUANTILES = PRIOR_QUANTILES

#: How a grid may span the plane (:func:`grid_axes`).
SPANS = ("codes", "prior", "range")

#: Distances to the nearest training code, in typical spacings, beyond which a point counts as lying in a hole.
HOLE_SPACINGS = (1.0, 3.0)


def prior_quantile_axis(tiles: int, quantiles=PRIOR_QUANTILES) -> np.ndarray:
    """z = Φ⁻¹(q) at ``tiles`` equally spaced probabilities q from ``quantiles[0]`` to ``quantiles[1]`` (Φ the
    standard normal distribution function): neighbouring tiles hold equal prior mass between them, so the grid
    is dense where N(0, 1) is and never reaches the far tails (a grid at ±15 σ decodes nothing but garbage)."""
    from scipy.stats import norm

    return norm.ppf(np.linspace(quantiles[0], quantiles[1], tiles))


def range_axis(values, tiles: int) -> np.ndarray:
    """``tiles`` equally spaced values from min(values) to max(values): an AE has no prior, so its grid spans the
    range of its codes."""
    values = np.asarray(values, np.float64)
    return np.linspace(values.min(), values.max(), tiles)


def code_quantile_axis(values, tiles: int, quantiles=CODE_QUANTILES) -> np.ndarray:
    """``tiles`` equally spaced values from the ``quantiles[0]`` to the ``quantiles[1]`` empirical quantile of
    ``values`` (one coordinate of a model's training codes): the same rule for every model, prior or not, so that
    grids of a VAE and an AE cover the same share of their own codes (90 % of each coordinate's by default)."""
    low, high = np.quantile(np.asarray(values, np.float64), quantiles)
    return np.linspace(low, high, tiles)


def grid_axes(train_codes, tiles: int, span: str) -> tuple[np.ndarray, np.ndarray]:
    """The two axes of a grid over a 2-D code: ``span="codes"`` the 5–95 % quantiles of each coordinate of the
    training codes (:func:`code_quantile_axis`), ``"prior"`` the prior N(0, 1)'s (:func:`prior_quantile_axis`),
    ``"range"`` their min–max (:func:`range_axis`)."""
    train_codes = np.asarray(train_codes, np.float64)
    if span == "codes":
        return code_quantile_axis(train_codes[:, 0], tiles), code_quantile_axis(train_codes[:, 1], tiles)
    if span == "prior":
        return prior_quantile_axis(tiles), prior_quantile_axis(tiles)
    if span == "range":
        return range_axis(train_codes[:, 0], tiles), range_axis(train_codes[:, 1], tiles)
    raise ValueError(f"span must be one of {SPANS}, got {span!r}")


def grid_codes(axis_1, axis_2) -> np.ndarray:
    """The 2-D codes of a grid of tiles, shape (rows · columns, 2), in reading order: tile (r, c) sits at
    (z₁, z₂) = (axis_1[c], axis_2[−1 − r]), so the top row has the largest z₂, as the decoded mosaic shows it."""
    z_1, z_2 = np.meshgrid(np.asarray(axis_1, np.float64), np.asarray(axis_2, np.float64)[::-1])
    return np.column_stack([z_1.ravel(), z_2.ravel()]).astype(np.float32)


def tile_mosaic(images, columns: int) -> np.ndarray:
    """Images (rows · columns, h, w[, 1]) in reading order as one (rows · h, columns · w) array."""
    images = np.asarray(images)
    images = images.reshape(images.shape[:3])
    rows = len(images) // columns
    h, w = images.shape[1:]
    return images.reshape(rows, columns, h, w).transpose(0, 2, 1, 3).reshape(rows * h, columns * w)


def nearest_code_distance(points, codes) -> np.ndarray:
    """Distance from each point to its nearest code (Euclidean, in the latent space)."""
    from scipy.spatial import cKDTree

    return cKDTree(np.asarray(codes, np.float64)).query(np.asarray(points, np.float64))[0]


def hole_shares(points, train_codes, spacings=HOLE_SPACINGS) -> dict:
    """Share of ``points`` farther than m typical spacings from every training code, for each m of ``spacings``;
    the typical spacing s is the median distance from a training code to its nearest neighbour
    (:func:`~helpers.latent_paths.typical_spacing`).

    Yardstick: where codes are scattered evenly (a Poisson process of density λ in the plane), the distance D
    from any location to the nearest code has P(D > r) = exp(−λπr²), and s solves exp(−λπs²) = ½, so
    P(D > m·s) = ½^(m²): a half at m = 1 (even inside the data), 0.2 % at m = 3. Share of held-out codes
    gives the same yardstick measured where the data are."""
    distance = nearest_code_distance(points, train_codes)
    spacing = typical_spacing(np.asarray(train_codes, np.float64))
    return {f"beyond {m:g}× spacing": float(np.mean(distance > m * spacing)) for m in spacings}


def plane_grid_scores(judge: DigitJudge, tiles, grid, train_codes, test_codes, real=None) -> dict:
    """The numbers beside a decoded 2-D grid: the share of its tiles the classifier accepts (confidence ≥
    :data:`ACCEPTED`) with its binomial standard error, the effective number of digits among all tiles and, with
    real digits ``real``, the Fréchet distance of the tiles' features to theirs (:class:`DigitJudge`), the mean
    confidence, the standard deviation of each coordinate of the training codes
    (a coordinate that barely varies is one the model does not use), their typical spacing, and the
    :func:`hole_shares` of the grid and, as the yardstick, of the test codes; and the share of the tiles in holes
    (beyond the last of :data:`HOLE_SPACINGS`) that the classifier accepts all the same (NaN when none is in a
    hole)."""
    confidence = judge.confidence(tiles)
    train_codes = np.asarray(train_codes, np.float64)
    share, error = share_and_error(confidence >= ACCEPTED)
    scores = {"tiles": len(tiles), "accepted share": share, "accepted se": error,
              "digits": len(np.unique(judge.predicted(tiles)[confidence >= ACCEPTED])),
              "effective digits": judge.effective_digits(tiles),
              "Fréchet distance": np.nan if real is None else judge.frechet_distance(tiles, real),
              "mean confidence": float(confidence.mean()), "sd of z₁": float(train_codes[:, 0].std()),
              "sd of z₂": float(train_codes[:, 1].std()), "typical spacing": typical_spacing(train_codes)}
    scores |= {f"grid {name}": share for name, share in hole_shares(grid, train_codes).items()}
    in_holes = nearest_code_distance(grid, train_codes) > HOLE_SPACINGS[-1] * scores["typical spacing"]
    scores["grid holes accepted"] = float(np.mean(confidence[in_holes] >= ACCEPTED)) if in_holes.any() else np.nan
    scores |= {f"test codes {name}": share for name, share in hole_shares(test_codes, train_codes).items()}
    return scores


def decoded_plane(model, judge: DigitJudge, x_train, x_test, tiles: int, span: str = "codes") -> tuple[dict, dict]:
    """The 2-D picture of one model with a 2-D code: its training and test codes, a ``tiles`` × ``tiles`` grid
    spanned by ``span`` (:func:`grid_axes`: the quantiles of its own training codes, the prior's, or the codes'
    range) decoded, which tiles the classifier accepts, and which lie in holes (farther than the last of
    :data:`HOLE_SPACINGS` typical spacings from every training code). The test images are the real digits of the
    Fréchet distance. Returns ``(panel for plane_figure, plane_grid_scores)``."""
    train_codes, test_codes = inference.encode_mean(model, x_train), inference.encode_mean(model, x_test)
    axes = grid_axes(train_codes, tiles, span)
    grid = grid_codes(*axes)
    images = inference.decode(model.decoder, grid)
    scores = plane_grid_scores(judge, images, grid, train_codes, test_codes, real=x_test)
    holes = nearest_code_distance(grid, train_codes) > HOLE_SPACINGS[-1] * scores["typical spacing"]
    panel = {"codes": test_codes, "grid": grid, "images": images, "accepted": judge.confidence(images) >= ACCEPTED,
             "holes": holes, "axes": axes}
    return panel, scores


def plane_figure(panels: dict, labels, tiles: int):
    """One row per model of ``panels`` ``{name: {"codes", "grid", "images", "accepted", "holes", "axes"}}``: the
    test codes coloured by digit with the grid's tile centres on top (holes as red crosses), beside the
    decoded grid, with the tiles the classifier rejects framed in red and ticks at the grid's coordinates."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle


    fig, axes = plt.subplots(len(panels), 2, figsize=(10.5, 4.9 * len(panels)), squeeze=False)
    colours = [DIGIT_COLOURS(int(v)) for v in labels]
    for (left, right), (name, panel) in zip(axes, panels.items(), strict=True):
        codes, grid, holes = panel["codes"], panel["grid"], panel["holes"]
        left.scatter(codes[:, 0], codes[:, 1], c=colours, s=5, alpha=0.6)
        left.scatter(*grid[~holes].T, marker="+", s=18, c="k", lw=0.6, label="grid tile")
        left.scatter(*grid[holes].T, marker="x", s=18, c="#D62728", lw=0.8, label="tile in a hole")
        for digit in range(10):
            left.scatter([], [], color=DIGIT_COLOURS(digit), label=str(digit), s=20)
        left.legend(fontsize=7, ncol=2, loc="upper right", markerscale=1)
        left.set(xlabel="$z_1$", ylabel="$z_2$", title=f"{name}: test codes by digit, grid tiles on top")
        mosaic = tile_mosaic(panel["images"], tiles)
        right.imshow(mosaic, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        side = mosaic.shape[0] // tiles
        for index in np.flatnonzero(~panel["accepted"]):
            r, c = divmod(index, tiles)
            right.add_patch(Rectangle((c * side - 0.5, r * side - 0.5), side, side, fill=False, ec="#D62728", lw=1))
        ticks = np.arange(0, tiles, max(1, tiles // 5))
        axis_1, axis_2 = panel["axes"]
        right.set_xticks(ticks * side + side / 2 - 0.5, [f"{axis_1[t]:.3g}" for t in ticks])
        right.set_yticks(ticks * side + side / 2 - 0.5, [f"{axis_2[::-1][t]:.3g}" for t in ticks])
        right.set(xlabel="$z_1$ of the tile", ylabel="$z_2$ of the tile",
                  title=f"{name}: decoded grid ({int(panel['accepted'].sum())} of {len(grid)} tiles accepted)")
    fig.tight_layout()
    return fig


def grid_verdicts(table, a: str, b: str) -> dict:
    """Grid ``a`` against grid ``b`` (rows of a table of :func:`plane_grid_scores`) as verdicts of
    :func:`helpers.verdicts.difference` on shares of their tiles, each with its binomial standard error
    √(p(1 − p)/tiles): the accepted share (``"accepted"``) and the share beyond the last of :data:`HOLE_SPACINGS`
    typical spacings (``"holes"``)."""
    from helpers import verdicts

    def share(row: str, column: str) -> tuple[float, float]:
        p, n = float(table.loc[row, column]), float(table.loc[row, "tiles"])
        return p, float(np.sqrt(p * (1 - p) / n))

    holes = f"grid beyond {HOLE_SPACINGS[-1]:g}× spacing"
    words = ("larger", "smaller", "the same within the noise")
    return {"accepted": verdicts.difference(*share(a, "accepted share"), *share(b, "accepted share"), words=words),
            "holes": verdicts.difference(*share(a, holes), *share(b, holes), words=words)}


#: The 2-D grids in words (:func:`plane_fields` and :func:`grid_verdicts` fill it).
PLANE_TEMPLATE = (
    "On equal footing (each grid over the 5–95 % quantiles of its own training codes) the judge accepts "
    "**{vae_ok:.0%} ± {vae_ok_se:.0%}** of the VAE's {tiles} tiles and **{ae_ok:.0%} ± {ae_ok_se:.0%}** of the "
    "linear AE's (binomial standard errors): the VAE's share is {ok_verdict}. Tiles in holes, farther than three "
    "typical spacings from every training code: VAE {vae_holes:.0%}, AE {ae_holes:.0%}; the VAE's share is "
    "{holes_verdict} (their test codes: {vae_test_holes:.1%} and {ae_test_holes:.1%}). Effective digits among the "
    "tiles: {vae_effective:.1f} and {ae_effective:.1f}; Fréchet distance to the real test digits: {vae_fd:.0f} and "
    "{ae_fd:.0f}. The extra rows reconcile the earlier picture, where the AE's grid over its codes' min–max "
    "lay {range_holes:.0%} in holes and yet was accepted {range_ok:.0%}: being in a hole and being judged a digit "
    "are different questions, and {range_holes_ok:.0%} of that grid's tiles in holes decode to images the judge "
    "accepts. The VAE's grid at its prior's quantiles: {prior_ok:.0%} accepted, {prior_holes:.0%} in holes.")


def plane_fields(table) -> dict:
    """The numbers :data:`PLANE_TEMPLATE` quotes, from the table of :func:`plane_grid_scores` with the rows
    ``VAE 2-D`` and ``AE 2-D`` (own codes' quantiles) and the extra rows of the prior grid and the min–max grid."""
    holes = f"grid beyond {HOLE_SPACINGS[-1]:g}× spacing"
    test_holes = f"test codes beyond {HOLE_SPACINGS[-1]:g}× spacing"
    fields = {"tiles": int(table.loc["VAE 2-D", "tiles"])}
    for short, row in (("vae", "VAE 2-D"), ("ae", "AE 2-D")):
        fields |= {f"{short}_ok": table.loc[row, "accepted share"], f"{short}_ok_se": table.loc[row, "accepted se"],
                   f"{short}_holes": table.loc[row, holes], f"{short}_test_holes": table.loc[row, test_holes],
                   f"{short}_effective": table.loc[row, "effective digits"],
                   f"{short}_fd": table.loc[row, "Fréchet distance"]}
    spread_grid, prior_grid = table.loc["AE 2-D, codes' min–max"], table.loc["VAE 2-D, prior quantiles"]
    return fields | {"range_holes": spread_grid[holes], "range_ok": spread_grid["accepted share"],
                     "range_holes_ok": spread_grid["grid holes accepted"], "prior_ok": prior_grid["accepted share"],
                     "prior_holes": prior_grid[holes]}
