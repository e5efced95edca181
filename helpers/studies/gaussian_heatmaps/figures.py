"""The study's own figures: latent projections coloured by each factor, the walls of constant correlation, the
factors read back along paths, axis traversals, sensitivity heatmaps and the rotation nulls' histograms."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np

from helpers import image_plots, plotting
from helpers.heatmaps import FACTORS

FACTOR_CMAPS = {"var_x": "viridis", "var_y": "plasma", "cor": "coolwarm"}


def factor_titles(factors) -> list[str]:
    """Short 'vx vy ρ' labels for image grids."""
    return [f"{f[0]:.1f} {f[1]:.1f} {f[2]:+.2f}" for f in np.asarray(factors)]


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
    plotting.scatter3d_with_walls(codes, factors[:, 2], "cor", f"{name}, coloured by cor",
                         ax=fig.add_subplot(1, 2, 1, projection="3d"))
    plotting.scatter3d_with_walls(codes, np.abs(factors[:, 0] - factors[:, 1]), "|var_x − var_y|",
                         f"{name}, coloured by |var_x − var_y|", ax=fig.add_subplot(1, 2, 2, projection="3d"))
    return fig


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


def traversal_figure(traversals: dict):
    """Strips of decoded traversals: one column per model, one row per direction (latent axes, then
    principal axes), each strip from the 2nd (left) to the 98th percentile (right)."""
    model_names = list(traversals)
    labels = list(traversals[model_names[0]])
    n_points = len(next(iter(traversals[model_names[0]].values()))[0])
    fig, axes = plt.subplots(len(labels), len(model_names), figsize=(0.55 * n_points * len(model_names) + 1.5,
                                                                   0.62 * len(labels) + 0.6),
                             squeeze=False, layout="constrained")
    for c, model in enumerate(model_names):
        for r, label in enumerate(labels):
            image_plots.draw_strip(axes[r, c], traversals[model][label][0], label)
        axes[0, c].set_title(f"{model}: 2nd → 98th percentile", fontsize=9)
    return fig


def sensitivity_heatmaps(tables: dict):
    """The sensitivity matrices as annotated heatmaps: one panel per model and frame (rows of the table with
    the same prefix: z… for the latent axes, pc… for the principal axes). One colour scale for all panels,
    saturated at 2 (the annotations give the values)."""
    panels = [(model, frame, table.loc[[i for i in table.index if i.startswith(frame)], list(FACTORS)])
              for model, table in tables.items() for frame in ("z", "pc")]
    fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels) + 0.8, 2.9), layout="constrained")
    for ax, (model, frame, values) in zip(axes, panels, strict=True):
        art = ax.imshow(values.to_numpy(), cmap="Blues", vmin=0, vmax=2)
        for (i, j), v in np.ndenumerate(values.to_numpy()):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="white" if v > 1.2 else "black")
        ax.set_xticks(range(len(FACTORS)), FACTORS, fontsize=8)
        ax.set_yticks(range(len(values)), values.index, fontsize=8)
        ax.set_title(f"{model}, {'latent axes' if frame == 'z' else 'principal axes'}", fontsize=9)
    fig.colorbar(art, ax=axes, shrink=0.8, label="change / factor range")
    return fig


def null_histograms(nulls: dict):
    """One panel per model and score: the scores of the rotated codes (histogram) and of the codes as they
    are (a vertical line, labelled with its percentile)."""
    pairs = [(model, score, r) for model, found in nulls.items() for score, r in found.items()]
    fig, axes = plt.subplots(len(nulls), len(pairs) // len(nulls), figsize=(10, 2.4 * len(nulls)), squeeze=False,
                             layout="constrained")
    for ax, (model, score, r) in zip(axes.flat, pairs, strict=True):
        ax.hist(r.null, bins=20, color="#9ecae1")
        ax.axvline(r.observed, color="#d62728", lw=2)
        ax.set_title(f"{model} {score}: observed at the {r.percentile:.0f}th pct", fontsize=9)
        ax.set_xlabel(f"{score} of a random rotation ({len(r.null)})", fontsize=8)
    return fig
