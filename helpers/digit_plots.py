"""Figures of study 4: image thumbnails on a 2-D map, image strips and grids."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.offsetbox import AnnotationBbox, OffsetImage

DIGIT_COLOURS = plt.get_cmap("tab10")


def _as_display(image):
    image = np.asarray(image)
    return image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image


def thumbnail_scatter(points, images, labels, n_thumbnails: int = 300, seed: int = 0, ax=None, zoom: float = 0.45,
                      title: str = "", max_overlap: float = 0.25):
    """All points as small dots coloured by label, plus up to ``n_thumbnails`` of them drawn as the
    images themselves at their embedded positions: a seeded random order (so the figure is reproducible)
    in which an image is skipped when its thumbnail would cover more than ``max_overlap`` of one
    already drawn (so dense clusters do not pile up into unreadable stacks)."""
    ax = ax or plt.subplots(figsize=(7, 7))[1]
    points, labels = np.asarray(points), np.asarray(labels)
    ax.scatter(points[:, 0], points[:, 1], c=[DIGIT_COLOURS(int(v)) for v in labels], s=4, alpha=0.5)
    ax.set(xlim=ax.get_xlim(), ylim=ax.get_ylim())  # fixed, so that display positions are final
    order = np.random.default_rng(seed).permutation(len(points))
    side = np.shape(images)[1] * zoom * ax.figure.dpi / 72  # thumbnail side in pixels
    for i in spread_choice(ax.transData.transform(points), order, side, n_thumbnails, max_overlap):
        box = OffsetImage(1.0 - _as_display(images[i]), cmap="gray", zoom=zoom, norm=Normalize(0, 1))
        ax.add_artist(AnnotationBbox(box, points[i], frameon=False, pad=0))
    for digit in range(10):
        ax.scatter([], [], color=DIGIT_COLOURS(digit), label=str(digit), s=20)
    ax.legend(title="digit", fontsize=7, loc="upper right", ncol=2, markerscale=1)
    ax.set(title=title, xticks=[], yticks=[])
    return ax


def spread_choice(centres, order, side: float, n: int, max_overlap: float) -> list[int]:
    """Up to ``n`` indices taken in ``order`` whose squares (``side`` wide, centred on ``centres``)
    overlap every square taken before by at most ``max_overlap`` of a square's area."""
    centres = np.asarray(centres, np.float64)
    kept: list[int] = []
    for i in order:
        if len(kept) == n:
            break
        gap = np.clip(side - np.abs(centres[kept] - centres[i]), 0, None)
        if not kept or (gap.prod(1) / side**2).max() <= max_overlap:
            kept.append(int(i))
    return kept


def image_rows(rows: dict, col_titles=None, scores: dict | None = None, size: float = 1.0, suptitle: str = ""):
    """A grid: one row per named strip of images; optional per-image scores written underneath."""
    names = list(rows)
    n_cols = max(len(v) for v in rows.values())
    fig, axes = plt.subplots(len(names), n_cols, figsize=(size * n_cols, size * 1.25 * len(names)), squeeze=False)
    for r, name in enumerate(names):
        for c in range(n_cols):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= len(rows[name]):
                ax.axis("off")
                continue
            image = _as_display(rows[name][c])
            ax.imshow(np.clip(image, 0, 1), cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1)
            if scores and name in scores:
                ax.set_xlabel(scores[name][c], fontsize=7)
            if c == 0:
                ax.set_ylabel(name, fontsize=8)
            if r == 0 and col_titles is not None:
                ax.set_title(col_titles[c], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig


def reconstruction_pairs(originals, reconstructions, n: int, label: str):
    """Two named rows (``label`` originals and their reconstructions)."""
    return {f"{label}": list(originals[:n]), f"{label} → AE": list(reconstructions[:n])}
