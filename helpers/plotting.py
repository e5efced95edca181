"""Figures: matplotlib for static ones, plotly for interactive 3-D ones.

Plotly figures are shown with the renderer named by ``PLOTLY_RENDERER`` (plotly reads
it on import). ``make run`` sets ``notebook``, which embeds plotly.js once in the
executed notebook so the exported HTML works offline; the stored notebooks use
``plotly_mimetype`` (small, rendered natively by JupyterLab).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go

CLASS_COLOURS = {"upper": "#494EB2", "lower": "#FF881E"}
LINE_COLOUR = "#D62728"
PLOTLY_CONFIG = {"displaylogo": False}


def show_plotly(fig: go.Figure) -> None:
    """Show a plotly figure with the project's config (no logo, responsive)."""
    fig.show(config=PLOTLY_CONFIG)


def plotly_layout(title: str, height: int = 450, **scene) -> go.Layout:
    """A compact layout for 3-D figures; ``scene`` entries override axis titles."""
    axes = {"xaxis_title": "x", "yaxis_title": "y", "zaxis_title": "z", **scene}
    return go.Layout(title=title, height=height, margin={"l": 0, "r": 0, "b": 0, "t": 40},
                     scene=axes, legend={"itemsizing": "constant"})


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


def plot_history(history: dict, keys=None, title: str = "Training", ax=None):
    """Loss curves per epoch (training solid, validation dashed) on a log-free axis."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    keys = keys or [k for k in history if not k.startswith("val_")]
    for key in keys:
        line, = ax.plot(np.arange(1, len(history[key]) + 1), history[key], label=key)
        if f"val_{key}" in history:
            ax.plot(np.arange(1, len(history[key]) + 1), history[f"val_{key}"], "--", color=line.get_color(),
                    label=f"val_{key}")
    ax.set(xlabel="epoch", ylabel="loss per example", title=title)
    ax.legend(fontsize=8)
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
