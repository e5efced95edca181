"""Static figures of the image studies: heatmap grids, paths with thumbnails, error histograms,
latent projections coloured by the generating factors. Each function draws and returns the
figure; notebooks end the cell with ``plt.show()``."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.offsetbox import AnnotationBbox, OffsetImage, TextArea, VPacker

FACTOR_CMAPS = {"var_x": "viridis", "var_y": "plasma", "cor": "coolwarm"}
#: One colour per class in the by-class figures (the first class red, the second blue, …).
CLASS_PALETTE = ("#D62728", "#1F77B4", "#2CA02C")


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


def factor_titles(factors) -> list[str]:
    """Short 'vx vy ρ' labels for image grids."""
    return [f"{f[0]:.1f} {f[1]:.1f} {f[2]:+.2f}" for f in np.asarray(factors)]


def pairs_grid(originals, reconstructions: dict, cmap: str = "cubehelix"):
    """One column per image: the original on top, then each model's reconstruction."""
    rows = {"original": originals, **reconstructions}
    n = len(originals)
    fig, axes = plt.subplots(len(rows), n, figsize=(1.3 * n, 1.4 * len(rows)), squeeze=False)
    for r, (name, images) in enumerate(rows.items()):
        for c in range(n):
            axes[r, c].imshow(np.squeeze(images[c]), cmap=cmap, vmin=0, vmax=1)
            axes[r, c].set_xticks([]), axes[r, c].set_yticks([])
        axes[r, 0].set_ylabel(name, fontsize=9)
    fig.tight_layout()
    return fig


def error_histograms(errors: dict, bins: int = 60):
    """Per-image error histograms side by side on a shared x axis, with mean and p95 marked."""
    fig, axes = plt.subplots(1, len(errors), figsize=(5 * len(errors), 3.2), sharex=True)
    for ax, (name, e) in zip(np.atleast_1d(axes), errors.items(), strict=True):
        ax.hist(e, bins=bins, color="#4C72B0")
        ax.axvline(e.mean(), color="k", ls="--", label=f"mean {e.mean():.3f}")
        ax.axvline(np.quantile(e, 0.95), color="#D62728", ls=":", label=f"p95 {np.quantile(e, 0.95):.3f}")
        ax.set(title=name, xlabel="Frobenius error ‖x̂ − x‖", yscale="log")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def projections_by_factor(codes, factors, names=("var_x", "var_y", "cor"), title: str = "", size: float = 2):
    """3×3 grid: rows = factors (colour), columns = latent coordinate pairs."""
    pairs = list(itertools.combinations(range(codes.shape[1]), 2))
    fig, axes = plt.subplots(len(names), len(pairs), figsize=(3.4 * len(pairs), 3 * len(names)), squeeze=False)
    for r, name in enumerate(names):
        for c, (i, j) in enumerate(pairs):
            art = axes[r, c].scatter(codes[:, i], codes[:, j], c=factors[:, r], s=size,
                                     cmap=FACTOR_CMAPS.get(name, "viridis"), rasterized=True)
            axes[r, c].set(xlabel=f"z{i + 1}", ylabel=f"z{j + 1}")
        fig.colorbar(art, ax=axes[r, -1], label=name)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def walls_by_cor_and_anisotropy(codes, factors, name: str):
    """Two 3-D views of the codes with wall projections: coloured by cor and by |var_x − var_y|."""
    fig = plt.figure(figsize=(12, 5))
    scatter3d_with_walls(codes, factors[:, 2], "cor", f"{name}, coloured by cor",
                         ax=fig.add_subplot(1, 2, 1, projection="3d"))
    scatter3d_with_walls(codes, np.abs(factors[:, 0] - factors[:, 1]), "|var_x − var_y|",
                         f"{name}, coloured by |var_x − var_y|", ax=fig.add_subplot(1, 2, 2, projection="3d"))
    return fig


def scatter3d_with_walls(codes, colour, label: str, title: str = "", ax=None, size: float = 2):
    """3-D scatter with the three coordinate projections drawn (grey) on the back walls."""
    if ax is None:
        fig = plt.figure(figsize=(6, 5))
        ax = fig.add_subplot(projection="3d")
    lo = codes.min(0)
    grey = {"c": "0.75", "s": size / 2, "alpha": 0.3, "rasterized": True}
    ax.scatter(np.full(len(codes), lo[0]), codes[:, 1], codes[:, 2], **grey)
    ax.scatter(codes[:, 0], np.full(len(codes), codes[:, 1].max()), codes[:, 2], **grey)
    ax.scatter(codes[:, 0], codes[:, 1], np.full(len(codes), lo[2]), **grey)
    art = ax.scatter(*codes.T, c=colour, s=size, cmap="coolwarm", rasterized=True)
    ax.set(xlabel="z1", ylabel="z2", zlabel="z3", title=title)
    # a 3-D axes' z tick labels and z label lie outside its box, so the colour bar needs a wide pad
    ax.figure.colorbar(art, ax=ax, shrink=0.6, pad=0.16, label=label)
    return ax.figure


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


def factor_traces(estimated: dict, names=("var_x", "var_y", "cor")):
    """Recovered factors along each path (x: position 0 → 1), one panel per factor."""
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3))
    for k, (ax, name) in enumerate(zip(axes, names, strict=True)):
        for label, est in estimated.items():
            ax.plot(np.linspace(0, 1, len(est)), est[:, k], label=label)
        ax.set(title=f"recovered {name}", xlabel="position along path")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def paths_figure(codes, paths: dict, decoded: dict, thumbs: int = 5, title: str = ""):
    """One panel per path: codes and path projected on the codes' first two principal axes,
    with numbered decoded thumbnails placed off the path (leader lines to their points). A single
    path gets a larger panel and thumbnails."""
    from helpers.trajectories import principal_axes

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


def latent_plotly(codes, colour, label: str, title: str, hover=None):
    """Interactive 3-D scatter of codes coloured by a factor (plotly)."""
    import plotly.graph_objects as go

    from helpers.plotting import plotly_layout

    trace = go.Scatter3d(x=codes[:, 0], y=codes[:, 1], z=codes[:, 2], mode="markers", text=hover,
                         marker={"size": 2, "color": colour, "colorscale": "RdBu_r", "colorbar": {"title": label}})
    return go.Figure([trace], plotly_layout(title, xaxis_title="z1", yaxis_title="z2", zaxis_title="z3"))


def latent_plotly_by_class(codes, classes: dict, title: str, hover=None):
    """Interactive 3-D scatter of codes, one trace (colour and marker) per class; ``classes`` maps a
    name to a boolean mask over the codes."""
    import plotly.graph_objects as go

    from helpers.plotting import plotly_layout

    hover = np.asarray(hover) if hover is not None else None
    symbols = ("circle", "diamond", "square")
    traces = [go.Scatter3d(x=codes[m, 0], y=codes[m, 1], z=codes[m, 2], mode="markers", name=name,
                           text=None if hover is None else hover[m],
                           marker={"size": 2.5, "color": CLASS_PALETTE[k], "symbol": symbols[k]})
              for k, (name, m) in enumerate(classes.items())]
    return go.Figure(traces, plotly_layout(title, xaxis_title="z1", yaxis_title="z2", zaxis_title="z3"))


def projections_by_class(codes, classes: dict, title: str = "", size: float = 2):
    """The three coordinate-plane projections of the codes, one colour per class (boolean masks)."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, (i, j) in zip(axes, itertools.combinations(range(3), 2), strict=True):
        for k, (name, mask) in enumerate(classes.items()):
            ax.scatter(codes[mask, i], codes[mask, j], s=size, color=CLASS_PALETTE[k], alpha=0.5, label=name)
        ax.set_xlabel(f"z{i + 1}"), ax.set_ylabel(f"z{j + 1}")
    axes[0].legend(markerscale=4, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def probe_summary_bars(summary, metric: str = "accuracy", reference=None, reference_label: str = ""):
    """Horizontal bars of ``metric mean`` ± ``metric std`` per (representation, probe) row, with an
    optional vertical reference line (e.g. a Bayes bound)."""
    labels = [f"{rep} · {probe}" for rep, probe in summary.index]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(labels) + 1))
    y = np.arange(len(labels))
    ax.barh(y, summary[f"{metric} mean"], xerr=summary[f"{metric} std"].fillna(0), color="#4C72B0", capsize=3)
    ax.set_yticks(y, labels), ax.invert_yaxis()
    low = float(np.nanmin(summary[f"{metric} mean"] - summary[f"{metric} std"].fillna(0)))
    ax.set_xlim(max(0.0, low - 0.05), 1.0)
    if reference is not None:
        ax.axvline(reference, color="#D62728", ls="--", label=reference_label)
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel(f"test {metric} (mean ± sd over seeds)")
    fig.tight_layout()
    return fig
