"""Figures made of images: grids and strips of images, and thumbnails placed on latent maps and paths.

* :func:`image_grid` — a sequence of images wrapped into rows, with optional per-image titles;
* :func:`image_rows` — one labelled row per named strip (originals vs reconstructions, interpolations…),
  with optional column titles and per-image scores;
* :func:`image_strips` / :func:`draw_strip` — labelled strips of images, each drawn as one :func:`montage`
  (cheap for many images: latent traversals, decoded samples);
* :func:`thumbnail_scatter` — a 2-D map with some points drawn as their images, spread so they do not pile up;
* :func:`path_with_thumbnails` / :func:`paths_figure` — latent paths with numbered decoded thumbnails, placed
  off the path and off each other (:func:`place_boxes`).

Each function draws and returns the figure; notebooks end the cell with ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.offsetbox import AnnotationBbox, OffsetImage, TextArea, VPacker

from helpers.latent_paths import principal_axes


def image_grid(images, ncols: int = 8, titles=None, cmap="inferno", title: str | None = None,
               size: float = 1.3):
    """Images (n, h, w[, 1]) in a grid without ticks; optional per-image titles. ``cmap`` is one
    colour map name or one per image (e.g. to tell two classes apart)."""
    cmaps = [cmap] * len(images) if isinstance(cmap, str) else list(cmap)
    images = np.asarray(images).reshape(len(images), *np.shape(images)[1:3])
    nrows = int(np.ceil(len(images) / ncols))
    title_room = 0.25 if titles is not None else 0.0  # inches per row for the per-image titles
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, (size + title_room) * nrows + (0.4 if title else 0)),
                             squeeze=False, layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap=cmaps[i], vmin=0, vmax=1)
            if titles is not None:
                ax.set_title(titles[i], fontsize=7)
    if title:
        fig.suptitle(title)
    return fig



DIGIT_COLOURS = plt.get_cmap("tab10")


def _as_display(image):
    image = np.asarray(image)
    return image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image


def image_rows(rows: dict, col_titles=None, scores: dict | None = None, size: float = 1.0, suptitle: str = "",
               cmap: str = "gray"):
    """A grid: one row per named strip of images (e.g. originals, then each model's reconstructions);
    optional column titles and per-image scores written underneath. ``cmap`` colours one-channel images."""
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
            ax.imshow(np.clip(image, 0, 1), cmap=cmap if image.ndim == 2 else None, vmin=0, vmax=1)
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



def path_with_thumbnails(codes, path, images, dims=(0, 1), thumbs: int = 7, title: str = "", ax=None,
                         zoom: float = 0.9):
    """The codes (grey) and a latent path projected on two coordinates, with decoded thumbnails of
    evenly spaced points along the path (numbered in path order), each joined to its point by a leader
    line and placed off the path and off the other thumbnails (:func:`add_path_thumbnails`)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 5))
    draw_path_panel(codes, path, dims, title, ax)
    add_path_thumbnails(ax, path[:, list(dims)], images, thumbs, zoom)
    return ax.figure


def draw_path_panel(codes, path, dims, title: str, ax) -> None:
    """The codes (grey) and the path (red) on coordinates ``dims``; the axis limits are then fixed."""
    i, j = dims
    ax.scatter(codes[:, i], codes[:, j], s=1, c="0.8", rasterized=True)
    ax.plot(path[:, i], path[:, j], c="#D62728", lw=2)
    ax.set(xlabel=f"z{i + 1}", ylabel=f"z{j + 1}", title=title)
    ax.set(xlim=ax.get_xlim(), ylim=ax.get_ylim())


def _renderer(fig):
    """The figure's renderer (to measure artists before the figure is shown)."""
    return fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else fig._get_renderer()


def _thumbnail(image, number: int, zoom: float):
    """A decoded image with its number (position along the path) above it."""
    picture = OffsetImage(np.squeeze(image), cmap="inferno", zoom=zoom, norm=plt.Normalize(0, 1))
    return VPacker(children=[TextArea(str(number), textprops={"fontsize": 7}), picture], align="center", pad=0, sep=1)


def add_path_thumbnails(ax, path_2d, images, thumbs: int, zoom: float) -> list:
    """Thumbnails of ``images`` at ``thumbs`` evenly spaced points of the 2-D path (data units of
    ``ax``, whose limits must be final): the points are marked, and each thumbnail sits at the
    position chosen by :func:`place_boxes` with a leader line to its point. Returns the annotations."""
    fig = ax.figure
    index = np.linspace(0, len(path_2d) - 1, thumbs).round().astype(int)
    to_axes = ax.transData + ax.transAxes.inverted()
    anchors = to_axes.transform(path_2d[index])
    ax.scatter(*path_2d[index].T, s=12, c="white", edgecolors="k", linewidths=0.8, zorder=3)
    leader = {"arrowstyle": "-", "color": "0.25", "lw": 0.8, "shrinkA": 0, "shrinkB": 2}
    boxes = [AnnotationBbox(_thumbnail(images[k], n + 1, zoom), path_2d[k], frameon=True, pad=0.1, arrowprops=leader)
             for n, k in enumerate(index)]
    renderer = _renderer(fig)
    for box in boxes:
        ax.add_artist(box)
        box.update_positions(renderer)
    axes_px = ax.get_window_extent(renderer)
    size = np.max([[b.patch.get_window_extent(renderer).width / axes_px.width,
                    b.patch.get_window_extent(renderer).height / axes_px.height] for b in boxes], axis=0)
    centres = place_boxes(anchors, size, _resample(to_axes.transform(path_2d)))
    for box, centre in zip(boxes, centres, strict=True):
        box.xybox, box.boxcoords = tuple(centre), "axes fraction"
    return boxes


def _resample(points, n: int = 400) -> np.ndarray:
    """``n`` points evenly spaced along the polyline ``points`` (arc length)."""
    points = np.asarray(points, np.float64)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    if arc[-1] == 0:
        return points[:1]
    t = np.linspace(0, arc[-1], n)
    return np.stack([np.interp(t, arc, points[:, 0]), np.interp(t, arc, points[:, 1])], axis=1)


def _overlap(centre, others, size) -> float:
    """Summed overlap of a box (centre, size) with boxes of the same size at ``others``, as a fraction
    of one box's area."""
    if len(others) == 0:
        return 0.0
    gap = np.clip(size - np.abs(np.asarray(others) - centre), 0, None)
    return float((gap[:, 0] * gap[:, 1]).sum() / (size[0] * size[1]))


def _candidates(anchor, size, radii=(0.0, 0.8, 1.25, 1.8, 2.5, 3.3, 4.2, 5.2), directions: int = 24):
    """Candidate centres on rings around ``anchor`` (radii in box sizes), moved inside the unit square."""
    angle = np.linspace(0, 2 * np.pi, directions, endpoint=False)
    ring = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    offsets = np.concatenate([[[0.0, 0.0]]] + [r * ring for r in radii[1:]]) * size
    return np.clip(anchor + offsets, size / 2, 1 - size / 2)


def _leader_crossings(anchor, candidates, placed, size) -> np.ndarray:
    """Per candidate centre, how many points of the leader line from ``anchor`` to it fall inside the
    boxes placed so far."""
    if len(placed) == 0:
        return np.zeros(len(candidates))
    t = np.linspace(0, 1, 12)[None, :, None]
    line = anchor + t * (candidates[:, None, :] - anchor)  # (candidates, 12, 2)
    inside = (np.abs(line[:, :, None, :] - np.asarray(placed)[None, None]) < size / 2).all(-1)
    return inside.any(-1).sum(-1).astype(float)


def place_boxes(anchors, size, avoid) -> np.ndarray:
    """Greedy centres (axes fractions) for boxes of ``size`` (width, height; axes fractions), one per
    anchor in order: of the candidates around each anchor, the one that least overlaps the boxes
    placed so far, then covers the fewest ``avoid`` points (the path) and has the fewest leader-line
    crossings, then lies nearest its anchor."""
    size = np.asarray(size, np.float64)
    avoid = np.asarray(avoid, np.float64)
    placed = []
    for anchor in np.asarray(anchors, np.float64):
        candidates = _candidates(anchor, size)
        overlap = np.array([_overlap(c, placed, size) for c in candidates])
        covered = np.array([(np.abs(avoid - c) < size / 2 + 0.01).all(1).sum() for c in candidates])
        crossings = _leader_crossings(anchor, candidates, placed, size)
        distance = np.linalg.norm((candidates - anchor) / size, axis=1)
        score = (100 * overlap + 5 * (covered > 0) + covered / max(len(avoid), 1) + 0.5 * crossings
                 + 0.1 * distance)
        placed.append(candidates[np.argmin(score)])
    return np.array(placed)


def paths_figure(codes, paths: dict, decoded: dict, thumbs: int = 5, title: str = ""):
    """One panel per path: codes and path projected on the codes' first two principal axes,
    with numbered decoded thumbnails placed off the path (leader lines to their points). A single
    path gets a larger panel and thumbnails."""
    centre, axes = principal_axes(codes)
    project = lambda p: (np.asarray(p, np.float64) - centre) @ axes[:2].T  # noqa: E731
    ncols = min(4, len(paths))
    nrows = int(np.ceil(len(paths) / ncols))
    (width, height), zoom = ((4.2, 3.8), 0.7) if len(paths) > 1 else ((6.5, 5.0), 0.9)
    fig, axs = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    panels = list(zip(axs.flat, paths.items(), strict=False))
    for ax, (name, path) in panels:
        draw_path_panel(project(codes), project(path), (0, 1), name, ax)
        ax.set(xlabel="PC 1", ylabel="PC 2")
    for ax in list(axs.flat)[len(paths):]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()  # before the thumbnails: they are placed for the final panel sizes
    for ax, (name, path) in panels:
        add_path_thumbnails(ax, project(path), decoded[name], thumbs, zoom)
    return fig


def montage(images, gap: int = 2) -> np.ndarray:
    """Images (n, h, w[, 1]) side by side in one (h, n·w + (n − 1)·gap) array, with NaN in the gaps (drawn
    as background), so that a strip costs one ``imshow`` instead of one axis per image."""
    images = np.asarray(images, np.float64).reshape(len(images), *np.shape(images)[1:3])
    n, h, w = images.shape
    out = np.full((h, n * w + (n - 1) * gap), np.nan)
    for i, image in enumerate(images):
        out[:, i * (w + gap):i * (w + gap) + w] = image
    return out


def draw_strip(ax, images, label: str = "", notes=None, cmap="inferno", fontsize: float = 7) -> None:
    """One strip of images on ``ax`` (:func:`montage`, values 0 … 1), ``label`` at its left and an optional
    short note under each image."""
    strip = montage(images)
    colours = plt.get_cmap(cmap).with_extremes(bad="white")
    ax.imshow(strip, cmap=colours, vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_ylabel(label, fontsize=fontsize + 1, rotation=0, ha="right", va="center")
    if notes is not None:
        width = strip.shape[1] / len(notes)
        for i, note in enumerate(notes):
            ax.text((i + 0.5) * width, strip.shape[0] + 1, note, ha="center", va="top", fontsize=fontsize)


def image_strips(rows: dict, notes: dict | None = None, size: float = 0.6, title: str = "", cmap="inferno"):
    """One labelled strip per entry of ``rows`` (label → images), ``size`` inches per image, optional notes
    (label → one string per image) under the images."""
    longest = max(len(images) for images in rows.values())
    row_height = size * (1.35 if notes else 1.05)
    figsize = (size * longest + 1.2, row_height * len(rows) + (0.4 if title else 0))
    fig, axes = plt.subplots(len(rows), 1, figsize=figsize, squeeze=False, layout="constrained")
    for ax, (label, images) in zip(axes[:, 0], rows.items(), strict=True):
        draw_strip(ax, images, label, (notes or {}).get(label), cmap)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
