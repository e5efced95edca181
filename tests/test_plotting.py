"""Figure layout checks (issue 15): legends, axis labels and ticks of the training curves, thumbnails
that do not pile up on the path figures, colour bars clear of 3-D axis labels, readable plotly scenes."""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.offsetbox import AnnotationBbox

from helpers import heatmaps, image_plots, plotting
from helpers.latent_paths import straight_line
from helpers.studies.gaussian_heatmaps import figures


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _legend_labels(ax) -> list[str]:
    legends = [a.get_legend() for a in ax.figure.axes if a.get_legend() is not None]
    return [t.get_text() for legend in legends for t in legend.get_texts()]


EPOCHS = np.arange(1, 21)
HISTORY = {"loss": 1 / EPOCHS, "val_loss": 1.1 / EPOCHS, "kl_loss": 0.1 + 0 * EPOCHS, "val_kl_loss": 0.1 + 0 * EPOCHS,
           "accuracy": 1 - 0.3 / EPOCHS, "val_accuracy": 1 - 0.4 / EPOCHS}


@pytest.mark.parametrize("keys", [None, ["loss", "val_loss"], ["loss", "kl_loss", "val_loss"], ["loss", "accuracy"]])
def test_history_legend_lists_each_curve_once(keys):
    labels = _legend_labels(plotting.plot_history(HISTORY, keys=keys))
    assert len(labels) == len(set(labels))
    assert "loss" in labels and "val_loss" in labels


def test_history_validation_key_listed_alone_is_still_drawn():
    assert _legend_labels(plotting.plot_history(HISTORY, keys=["val_loss"])) == ["val_loss"]


def test_history_y_axis_label_follows_the_keys():
    assert plotting.plot_history(HISTORY, keys=["loss"]).get_ylabel() == "loss per example"
    assert plotting.plot_history(HISTORY, keys=["accuracy"]).get_ylabel() == "accuracy"
    assert plotting.plot_history(HISTORY, keys=["loss"], title="BCE per pixel").get_ylabel() == "loss"
    assert plotting.plot_history(HISTORY, keys=["loss"], ylabel="nats").get_ylabel() == "nats"


def test_history_accuracy_next_to_a_loss_gets_its_own_axis():
    ax = plotting.plot_history(HISTORY, keys=["loss", "accuracy"])
    twin = [a for a in ax.figure.axes if a is not ax]
    assert ax.get_ylabel() == "loss per example"
    assert len(twin) == 1 and twin[0].get_ylabel() == "accuracy"
    assert {line.get_label() for line in twin[0].get_lines()} == {"accuracy", "val_accuracy"}


@pytest.mark.parametrize("epochs", [3, 8, 20, 45])
def test_history_epoch_ticks_are_integers(epochs):
    ax = plotting.plot_history({"loss": np.linspace(1, 0, epochs)}, keys=["loss"])
    ax.figure.canvas.draw()
    low, high = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if low <= t <= high]
    assert ticks and all(float(t).is_integer() for t in ticks)


def _heatmaps(n, seed=0):
    rng = np.random.default_rng(seed)
    grid = np.stack(np.mgrid[-3:3:36j, -3:3:36j], -1)
    widths = rng.uniform(0.3, 2.0, (n, 1, 1, 2))
    return np.exp(-0.5 * ((grid / widths) ** 2).sum(-1))[..., None].astype(np.float32)


def _synthetic_paths(codes):
    point = np.array([3.0, 0.5, 0.0])
    angle = np.linspace(0, 2 * np.pi, 40)[:, None]
    return {
        "line": straight_line(codes[10], codes[20], 40),
        "walk: code → point → code": np.concatenate([straight_line(codes[5], point, 20),
                                                     straight_line(point, codes[5] + 0.3, 21)[1:]]),
        "loop": np.hstack([0.5 * np.cos(angle), 3 * np.sin(angle), 0 * angle]) + [1, 0, 0],
        "tiny": straight_line([0, 0, 0], [0.2, 0.1, 0], 40),
    }


def _thumbnail_boxes(fig):
    renderer = fig.canvas.get_renderer()
    return {ax: [a.patch.get_window_extent(renderer) for a in ax.artists if isinstance(a, AnnotationBbox)]
            for ax in fig.axes}


def _path_in_display(fig, ax, path_2d):
    return ax.transData.transform(image_plots._resample(path_2d, 400))


@pytest.mark.parametrize("single", [False, True])
def test_path_thumbnails_neither_pile_up_nor_cover_the_path(single):
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(2000, 3)) * [3, 1.5, 0.5]
    paths = _synthetic_paths(codes)
    if single:  # the study's "through the emptiest point" figure: one doubling-back walk, seven thumbnails
        paths = {k: v for k, v in paths.items() if k.startswith("walk")}
    thumbs = 7 if single else 5
    fig = image_plots.paths_figure(codes, paths, {k: _heatmaps(40, i) for i, k in enumerate(paths)}, thumbs=thumbs)
    fig.canvas.draw()
    from helpers.latent_paths import principal_axes

    centre, axes = principal_axes(codes)
    boxes = _thumbnail_boxes(fig)
    for ax, (name, path) in zip(fig.axes, paths.items(), strict=False):
        assert len(boxes[ax]) == thumbs
        for a, b in itertools.combinations(boxes[ax], 2):
            width = min(a.x1, b.x1) - max(a.x0, b.x0)
            height = min(a.y1, b.y1) - max(a.y0, b.y0)
            overlap = max(width, 0) * max(height, 0) / min(a.width * a.height, b.width * b.height)
            assert overlap <= 0.10, f"{name}: thumbnails overlap by {overlap:.0%}"
        if name != "tiny":  # a path shorter than a thumbnail is always under some thumbnail's leader or box
            points = _path_in_display(fig, ax, (path - centre) @ axes[:2].T)
            covered = sum(box.contains(*p) for box in boxes[ax] for p in points)
            assert covered == 0, f"{name}: thumbnails cover {covered} of 400 path samples"
        inside = ax.get_window_extent()
        assert all(inside.x0 - 1 <= b.x0 and b.x1 <= inside.x1 + 1 and inside.y0 - 1 <= b.y0 and b.y1 <= inside.y1 + 1
                   for b in boxes[ax])


def test_place_boxes_spreads_boxes_with_one_anchor():
    centres = image_plots.place_boxes(np.full((7, 2), 0.5), (0.1, 0.1), np.array([[0.5, 0.5]]))
    gaps = np.abs(centres[:, None] - centres[None])
    overlaps = np.clip(0.1 - gaps, 0, None).prod(-1)[np.triu_indices(7, 1)] / 0.01
    assert overlaps.max() <= 0.10


def test_walls_colour_bars_clear_of_the_z_labels():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(500, 3)) * [1, 2, 3]
    factors = np.column_stack([rng.uniform(0.1, 5, 500), rng.uniform(0.1, 5, 500), rng.uniform(-0.95, 0.85, 500)])
    fig = figures.walls_by_cor_and_anisotropy(codes, factors, "VAE")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.name == "3d"]
    bars = [ax for ax in fig.axes if ax.name != "3d"]
    assert len(panels) == len(bars) == 2
    for panel, bar in zip(panels, bars, strict=True):
        label = panel.zaxis.label.get_window_extent(renderer)
        ticks = [t.get_window_extent(renderer) for t in panel.zaxis.get_ticklabels() if t.get_text()]
        bar_box = bar.get_tightbbox(renderer)
        assert not label.overlaps(bar_box)
        assert not any(t.overlaps(bar_box) for t in ticks)


def test_plotly_scenes_are_tall_with_room_for_tick_labels():
    fig = plotting.figure_3d([plotting.scatter3d_trace(np.zeros((3, 3)), "p", "red")], "t")
    assert fig.layout.height >= 600
    margin = fig.layout.margin
    assert min(margin.l, margin.r, margin.b) >= 20 and margin.t >= 40
    assert fig.layout.scene.xaxis.title.text == "x"
    eye = fig.layout.scene.camera.eye
    assert np.linalg.norm([eye.x, eye.y, eye.z]) > np.linalg.norm([1.25] * 3)
    codes = plotting.latent_plotly(np.zeros((3, 3)), np.zeros(3), "cor", "t")
    assert codes.layout.height == fig.layout.height and codes.layout.scene.zaxis.title.text == "z3"
    assert plotting.plotly_layout("t", height=300).height == 300


def test_thumbnail_scatter_keeps_thumbnails_apart():
    from helpers import image_plots

    rng = np.random.default_rng(0)
    points = np.concatenate([rng.normal(0, 0.3, (300, 2)), rng.normal(5, 2, (300, 2))])
    images = rng.random((600, 28, 28))
    ax = image_plots.thumbnail_scatter(points, images, rng.integers(0, 10, 600), n_thumbnails=120, seed=1)
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = [a.offsetbox.get_window_extent(renderer) for a in ax.artists if isinstance(a, AnnotationBbox)]
    assert 20 <= len(boxes) <= 120
    for a, b in itertools.combinations(boxes, 2):
        width, height = min(a.x1, b.x1) - max(a.x0, b.x0), min(a.y1, b.y1) - max(a.y0, b.y0)
        assert max(width, 0) * max(height, 0) <= 0.25 * a.width * a.height + a.width + a.height  # 1 px rounding


# ---------------------------------------------------------------- strips of images and the issue-13 figures

def test_montage_puts_images_side_by_side_with_gaps():
    images = np.stack([np.full((4, 3), v) for v in (0.0, 0.5, 1.0)])[..., None]
    strip = image_plots.montage(images, gap=2)
    assert strip.shape == (4, 3 * 3 + 2 * 2)
    np.testing.assert_array_equal(strip[:, 5:8], 0.5)
    assert np.isnan(strip[:, 3:5]).all() and not np.isnan(strip[:, :3]).any()


def test_image_strips_draw_one_image_per_row_with_labels_and_notes():
    images = np.random.default_rng(0).random((6, 36, 36, 1))
    fig = image_plots.image_strips({"first": images, "second": images[:4]}, notes={"first": list("abcdef")})
    assert len(fig.axes) == 2 and [len(ax.images) for ax in fig.axes] == [1, 1]
    assert [ax.get_ylabel() for ax in fig.axes] == ["first", "second"]
    assert [t.get_text() for t in fig.axes[0].texts] == list("abcdef")


def test_traversal_and_score_figures_draw_every_panel():
    from helpers import disentanglement as dis

    strips = {name: {label: (np.random.default_rng(1).random((5, 36, 36, 1)),) for label in ("z1", "z2", "pc1")}
              for name in ("VAE", "AE")}
    fig = figures.traversal_figure(strips)
    assert sum(len(ax.images) for ax in fig.axes) == 6
    table = pd.DataFrame(np.eye(6, 3), index=["z1", "z2", "z3", "pc1", "pc2", "pc3"], columns=list(heatmaps.FACTORS))
    fig = figures.sensitivity_heatmaps({"VAE": table, "AE": table})
    assert len([ax for ax in fig.axes if ax.images]) == 4 and all(len(ax.texts) == 9 for ax in fig.axes[:4])
    null = dis.RotationNull(0.5, np.linspace(0, 1, 11), 45.0, 0.5)
    fig = figures.null_histograms({"VAE": {"MIG": null, "SAP": null}, "AE": {"MIG": null, "SAP": null}})
    titles = [ax.get_title() for ax in fig.axes][:2]
    assert titles == ["VAE MIG: observed at the 45th pct", "VAE SAP: observed at the 45th pct"]
