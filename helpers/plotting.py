"""Charts: training curves, latent scatters and maps, histograms, bars (matplotlib), interactive 3-D (plotly), and
explorers: plotly figures with a slider over precomputed frames (:func:`add_slider`, :func:`point_path_explorer`,
:func:`image_path_explorer`), which work in a static page as in JupyterLab.

Figures made of images (grids, thumbnails) are in :mod:`helpers.image_plots`.

Plotly figures are shown with the renderer named by ``PLOTLY_RENDERER`` (plotly reads
it on import). ``make run`` sets ``notebook``, which embeds plotly.js once in the
executed notebook so the exported HTML works offline; the stored notebooks use
``plotly_mimetype`` (small, rendered natively by JupyterLab).
"""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
from matplotlib.ticker import MaxNLocator


CLASS_COLOURS = {"upper": "#494EB2", "lower": "#FF881E"}

LINE_COLOUR = "#D62728"

PLOTLY_CONFIG = {"displaylogo": False}


def show_plotly(fig: go.Figure) -> None:
    """Show a plotly figure with the project's config (no logo, responsive)."""
    fig.show(config=PLOTLY_CONFIG)


#: Height (px) of the 3-D figures: the notebook's output box is ~1,100 px wide, so a scene of this
#: height keeps its tick labels at a readable size.
PLOTLY_HEIGHT = 650

#: Margins (px) around the scene; the 3-D box's corners and tick labels reach beyond the scene's
#: domain when it is rotated, so it needs room on every side.
PLOTLY_MARGIN = {"l": 30, "r": 30, "b": 40, "t": 60}

#: Camera a little farther out and lower than plotly's default eye (1.25, 1.25, 1.25), aimed a little
#: below the box's centre so that the box sits higher: a flat box (study 1's surface) otherwise runs
#: off the bottom of the figure with its front tick labels.
PLOTLY_CAMERA = {"eye": {"x": 1.6, "y": 1.6, "z": 0.85}, "center": {"x": 0, "y": 0, "z": -0.12}}


def plotly_layout(title: str, height: int = PLOTLY_HEIGHT, **scene) -> go.Layout:
    """A layout for 3-D figures; ``scene`` entries override axis titles (or camera, aspect, …)."""
    axes = {"xaxis_title": "x", "yaxis_title": "y", "zaxis_title": "z", "camera": PLOTLY_CAMERA, **scene}
    return go.Layout(title=title, height=height, margin=PLOTLY_MARGIN, scene=axes,
                     legend={"itemsizing": "constant"})


def scatter3d_trace(points: np.ndarray, name: str, colour: str, size: int = 2) -> go.Scatter3d:
    return go.Scatter3d(x=points[:, 0], y=points[:, 1], z=points[:, 2], mode="markers", name=name,
                        marker={"size": size, "color": colour})


def line3d_trace(points: np.ndarray, name: str, colour: str = LINE_COLOUR, width: int = 6) -> go.Scatter3d:
    return go.Scatter3d(x=points[:, 0], y=points[:, 1], z=points[:, 2], mode="lines", name=name,
                        line={"color": colour, "width": width})


def path3d_traces(paths: dict, colours=("#D62728", "#2CA02C", "#1F77B4", "#9467BD")) -> list:
    """One 3-D line trace per named path ``{name: (n, 3) array}``."""
    return [line3d_trace(path, name, colour) for (name, path), colour in zip(paths.items(), colours, strict=False)]


def surface_trace(x, y, z, name: str, opacity: float = 0.6, colorscale: str = "Viridis") -> go.Surface:
    return go.Surface(x=x, y=y, z=z, name=name, opacity=opacity, showscale=False, colorscale=colorscale)


def figure_3d(traces, title: str, **scene) -> go.Figure:
    """A plotly 3-D figure from a list of traces."""
    return go.Figure(data=list(traces), layout=plotly_layout(title, **scene))


def _is_score(key: str) -> bool:
    """Whether a history key is a score in [0, 1] (accuracy) rather than a loss."""
    base = key.removeprefix("val_")
    return "accuracy" in base or base == "acc" or base.endswith("_acc")


def history_series(history: dict, keys=None) -> list[tuple[str, str | None]]:
    """(key, validation key or None) per curve to draw: ``keys`` (default: every non-``val_`` key),
    with a ``val_`` key that is listed next to its training key drawn once, as that key's dashed partner."""
    keys = list(keys or [k for k in history if not k.startswith("val_")])
    series = []
    for key in keys:
        if key.startswith("val_") and key.removeprefix("val_") in keys:
            continue
        series.append((key, f"val_{key}" if f"val_{key}" in history else None))
    return series


def _default_ylabel(title: str, scores: bool) -> str:
    """'accuracy' for scores; for losses 'loss per example', or just 'loss' when the title already
    names the unit (e.g. '… per pixel')."""
    if scores:
        return "accuracy"
    return "loss" if " per " in f" {title}" else "loss per example"


def _draw_series(ax, history: dict, series, colours) -> None:
    """Training curves solid, their validation partners dashed in the same colour (one colour per
    series, taken from the iterator ``colours``)."""
    for key, val_key in series:
        epochs = np.arange(1, len(history[key]) + 1)
        colour = next(colours)
        ax.plot(epochs, history[key], color=colour, label=key)
        if val_key:
            ax.plot(epochs, history[val_key], "--", color=colour, label=val_key)


def plot_history(history: dict, keys=None, title: str = "Training", ax=None, ylabel: str | None = None):
    """Curves per epoch (training solid, validation dashed) with integer epoch ticks.

    Losses and scores (accuracy) listed together get separate y axes: losses on the left, scores on
    a twin axis on the right. ``ylabel`` overrides the (left) axis label derived from the keys."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    series = history_series(history, keys)
    losses = [s for s in series if not _is_score(s[0])]
    scores = [s for s in series if _is_score(s[0])]
    main, twin = (losses, scores) if losses else (scores, [])
    colours = itertools.cycle(plt.rcParams["axes.prop_cycle"].by_key()["color"])
    _draw_series(ax, history, main, colours)
    ax.set(xlabel="epoch", ylabel=ylabel or _default_ylabel(title, scores=not losses), title=title)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles, labels = ax.get_legend_handles_labels()
    legend_ax = ax
    if twin:
        legend_ax = ax.twinx()  # drawn above ax, so the legend goes on it
        _draw_series(legend_ax, history, twin, colours)
        legend_ax.set_ylabel("accuracy")
        more = legend_ax.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    # losses fall and scores rise, so the middle of the right edge is usually free
    legend_ax.legend(handles, labels, fontsize=8, loc="center right" if twin else "best")
    return ax


def plot_latent_classes(codes_by_class: dict, line=None, ax=None, title="Latent means by class", size=4):
    """2-D scatter of latent codes per class, optionally with a latent line (n, 2)."""
    ax = ax or plt.subplots(figsize=(5, 5))[1]
    for name, codes in codes_by_class.items():
        ax.scatter(codes[:, 0], codes[:, 1], s=size, alpha=0.6, label=name, color=CLASS_COLOURS.get(name))
    if line is not None:
        ax.plot(line[:, 0], line[:, 1], color=LINE_COLOUR, lw=2.5, label="straight latent line")
    ax.set(xlabel="$z_1$", ylabel="$z_2$", title=title, aspect="equal")
    ax.legend(fontsize=8, markerscale=3)
    return ax


PATH_COLOURS = ("cyan", "#7CFC00", "white", "#FF69B4")


def plot_distortion_heatmap(axis_0, axis_1, values, codes_by_class=None, paths=None, ax=None,
                            title=r"Local distortion $\sqrt{\det J^\top J}$ (log colour scale)"):
    """Heatmap of a positive field over a latent grid (log colour scale), with codes and latent
    paths (``{name: (n, 2) array}``) overlaid."""
    from matplotlib.colors import LogNorm

    ax = ax or plt.subplots(figsize=(6.5, 5))[1]
    positive = values[values > 0]
    norm = LogNorm(vmin=max(positive.min(), positive.max() * 1e-4), vmax=positive.max()) if positive.size else None
    mesh = ax.pcolormesh(axis_0, axis_1, np.where(values > 0, values, np.nan), shading="auto", cmap="magma",
                         norm=norm)
    plt.colorbar(mesh, ax=ax, label="distortion")
    for name, codes in (codes_by_class or {}).items():
        ax.scatter(codes[:, 0], codes[:, 1], s=6, alpha=0.8, color=CLASS_COLOURS.get(name, "white"),
                   edgecolors="white", linewidths=0.3, label=name)
    for (name, path), colour in zip((paths or {}).items(), PATH_COLOURS, strict=False):
        ax.plot(path[:, 0], path[:, 1], color=colour, lw=2, label=name)
    ax.set(xlabel="$z_1$", ylabel="$z_2$", title=title, aspect="equal",
           xlim=(axis_0[0], axis_0[-1]), ylim=(axis_1[0], axis_1[-1]))
    if codes_by_class or paths:
        ax.legend(fontsize=8, markerscale=4, loc="upper right")
    return ax


#: One colour per class in the by-class figures (the first class red, the second blue, …).
CLASS_PALETTE = ("#D62728", "#1F77B4", "#2CA02C")


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


# ---------------------------------------------------------------- explorers: a slider over precomputed frames

#: What a slider step asks plotly.js to do: jump to its frame at once, redrawing (3-D scenes and heatmaps need it).
SLIDER_JUMP = {"mode": "immediate", "frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0}}


def add_slider(fig: go.Figure, frames: list, labels, prefix: str = "") -> go.Figure:
    """Attach precomputed ``frames`` (one ``go.Frame`` per step, named in order) to ``fig`` with one slider step
    per frame, step k labelled ``labels[k]``.

    Moving the slider makes plotly.js show frame k: the frames travel with the figure's JSON, so the control
    works in a static HTML page and in JupyterLab alike, with no kernel behind it. ``uirevision`` keeps a
    camera or zoom the reader chose while the frames change."""
    labels = [str(label) for label in labels]
    if len(labels) != len(frames):
        raise ValueError(f"{len(frames)} frames but {len(labels)} labels")
    steps = [{"method": "animate", "label": label, "args": [[frame.name], SLIDER_JUMP]}
             for frame, label in zip(frames, labels, strict=True)]
    fig.frames = frames
    fig.update_layout(uirevision="explorer", sliders=[{
        "active": 0, "steps": steps, "currentvalue": {"prefix": prefix, "font": {"size": 13}},
        "pad": {"t": 30, "b": 10}, "len": 0.9, "x": 0.05}])
    return fig


def _frame_title(title: str, line: str | None) -> dict:
    return {"text": title if not line else f"{title}<br><sup>{line}</sup>"}


def point_path_explorer(static_traces, paths: dict, labels, title: str, notes=None,
                        colours=("#D62728", "#2CA02C", "#1F77B4", "#9467BD")) -> go.Figure:
    """A 3-D figure with a slider that walks points along paths in step: frame k puts one marker per named
    path ``{name: (n, 3) array}`` at that path's point k (all paths have n points), over ``static_traces`` and
    each whole path drawn as a line. ``notes`` (n strings, optional) is shown under the title in each frame."""
    paths = {name: np.asarray(points, np.float64) for name, points in paths.items()}
    counts = {len(points) for points in paths.values()}
    if len(counts) != 1:
        raise ValueError(f"every path needs the same number of points, got {sorted(counts)}")
    n = counts.pop()
    traces, moving = list(static_traces), []
    for (name, points), colour in zip(paths.items(), itertools.cycle(colours)):
        traces.append(line3d_trace(points, name, colour, width=4))
        moving.append(len(traces))
        traces.append(_marker3d(points[0], f"{name}: the walking point", colour))
    frames = [go.Frame(name=f"step {k}", traces=moving,  # a frame carries only what changes: the positions
                       data=[go.Scatter3d(x=p[k, :1], y=p[k, 1:2], z=p[k, 2:]) for p in paths.values()],
                       layout={"title": _frame_title(title, None if notes is None else notes[k])})
              for k in range(n)]
    fig = figure_3d(traces, title)
    fig.update_layout(title=_frame_title(title, None if notes is None else notes[0]))
    return add_slider(fig, frames, labels)


def _marker3d(point, name: str, colour: str) -> go.Scatter3d:
    return go.Scatter3d(x=[point[0]], y=[point[1]], z=[point[2]], mode="markers", name=name,
                        marker={"size": 7, "color": colour, "line": {"color": "black", "width": 1}})


def grey_levels(images) -> np.ndarray:
    """Images with values in [0, 1] as 8-bit grey levels round(255·x) (n, h, w): a quarter of float32's size in
    a figure's JSON, and what a screen shows anyway."""
    images = np.asarray(images, np.float64)
    images = images.reshape(images.shape[:3]) if images.ndim == 4 else images
    return np.round(255 * np.clip(images, 0.0, 1.0)).astype(np.uint8)


def image_path_explorer(strips: dict, labels, title: str, notes=None, panel_px: int = 230) -> go.Figure:
    """One image panel per named strip ``{name: (n, h, w[, 1]) images in [0, 1]}`` and a slider over the n steps:
    frame k shows image k of every strip (stored as :func:`grey_levels`, and only those: plotly.js merges a
    frame into the traces, so their style is written once). ``notes`` (n strings, optional) is shown under the
    title in each frame, e.g. a score of each panel's image."""
    from plotly.subplots import make_subplots

    strips = {name: grey_levels(images) for name, images in strips.items()}
    counts = {len(images) for images in strips.values()}
    if len(counts) != 1:
        raise ValueError(f"every strip needs the same number of images, got {sorted(counts)}")
    n = counts.pop()
    fig = make_subplots(1, len(strips), subplot_titles=list(strips), horizontal_spacing=0.04)
    for column, images in enumerate(strips.values(), start=1):
        fig.add_trace(_grey_heatmap(images[0]), 1, column)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", constrain="domain")
    for column in range(1, len(strips) + 1):
        fig.update_yaxes(scaleanchor=f"x{'' if column == 1 else column}", row=1, col=column)
    frames = [go.Frame(name=f"step {k}", traces=list(range(len(strips))),  # a frame carries only the grey levels
                       data=[go.Heatmap(z=images[k]) for images in strips.values()],
                       layout={"title": _frame_title(title, None if notes is None else notes[k])})
              for k in range(n)]
    fig.update_layout(title=_frame_title(title, None if notes is None else notes[0]), height=panel_px + 230,
                      margin={"l": 20, "r": 20, "t": 90, "b": 20})
    return add_slider(fig, frames, labels)


def _grey_heatmap(levels) -> go.Heatmap:
    return go.Heatmap(z=levels, zmin=0, zmax=255, colorscale=[[0.0, "black"], [1.0, "white"]], showscale=False,
                      hovertemplate="row %{y}, column %{x}: %{z}<extra></extra>")
