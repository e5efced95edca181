"""Explorers (helpers.plotting): a slider over precomputed frames. Known answers: one frame and one slider step per
point of the path, each frame holding exactly that point (or image), the figure's own data being frame 0."""

import numpy as np
import plotly.graph_objects as go
import pytest

from helpers import plotting


def decoded_path(n=7):
    t = np.linspace(0, 1, n)
    return np.stack([np.cos(3 * t), np.sin(3 * t), t**2], axis=1)


def test_point_path_explorer_has_a_frame_and_a_step_per_point():
    paths = {"straight": decoded_path(), "geodesic": decoded_path()[::-1] * 0.5}
    labels = [f"t={t:.2f}" for t in np.linspace(0, 1, 7)]
    surface = plotting.surface_trace(*np.meshgrid(np.arange(3.0), np.arange(3.0)), np.zeros((3, 3)), "floor")
    fig = plotting.point_path_explorer([surface], paths, labels, "walk", notes=[f"note {k}" for k in range(7)])
    assert len(fig.frames) == 7 and len(fig.layout.sliders) == 1
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == labels
    assert [list(s.args[0]) for s in steps] == [[f.name] for f in fig.frames]  # step k shows frame k
    assert steps[3].args[1]["frame"] == {"duration": 0, "redraw": True}
    # traces: the surface, then per path its whole line and its walking marker
    assert [type(t).__name__ for t in fig.data] == ["Surface", "Scatter3d", "Scatter3d", "Scatter3d", "Scatter3d"]
    np.testing.assert_allclose(np.c_[fig.data[1].x, fig.data[1].y, fig.data[1].z], paths["straight"])
    for k, frame in enumerate(fig.frames):
        assert list(frame.traces) == [2, 4]  # only the markers move
        for trace, points in zip(frame.data, paths.values(), strict=True):
            np.testing.assert_allclose([trace.x[0], trace.y[0], trace.z[0]], points[k])
        assert frame.layout.title.text == f"walk<br><sup>note {k}</sup>"
        assert frame.data[0].marker.size is None  # only the positions change
    np.testing.assert_allclose([fig.data[2].x[0], fig.data[2].y[0], fig.data[2].z[0]], paths["straight"][0])


def test_image_path_explorer_frames_are_the_images_as_grey_levels():
    rng = np.random.default_rng(0)
    strips = {"blend": rng.random((5, 28, 28, 1)), "VAE": rng.random((5, 28, 28))}
    fig = plotting.image_path_explorer(strips, list("abcde"), "interpolation")
    assert len(fig.frames) == 5 and len(fig.layout.sliders[0].steps) == 5
    assert [type(t).__name__ for t in fig.data] == ["Heatmap", "Heatmap"]
    for k, frame in enumerate(fig.frames):
        assert list(frame.traces) == [0, 1]
        for trace, images in zip(frame.data, strips.values(), strict=True):
            z = np.asarray(trace.z)
            assert z.shape == (28, 28) and z.dtype == np.uint8
            np.testing.assert_array_equal(z, np.round(255 * images[k].reshape(28, 28)))
            assert trace.colorscale is None and trace.zmax is None  # the style lives in the trace, once
    np.testing.assert_array_equal(np.asarray(fig.data[1].z), np.asarray(fig.frames[0].data[1].z))
    assert [a.text for a in fig.layout.annotations] == ["blend", "VAE"]  # panel titles


def test_grey_levels_clip_and_round():
    levels = plotting.grey_levels(np.array([[[-0.5, 0.0, 0.5 / 255, 0.999, 1.7]]]))
    np.testing.assert_array_equal(levels, [[[0, 0, 0, 255, 255]]])  # 0.5 rounds to even


def test_explorer_json_carries_its_frames():
    fig = plotting.image_path_explorer({"a": np.zeros((3, 4, 4))}, ["1", "2", "3"], "t")
    as_json = fig.to_plotly_json()
    assert len(as_json["frames"]) == 3 and as_json["layout"]["sliders"][0]["steps"][2]["args"][0] == ["step 2"]


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError, match="same number of points"):
        plotting.point_path_explorer([], {"a": decoded_path(4), "b": decoded_path(5)}, list("abcd"), "t")
    with pytest.raises(ValueError, match="same number of images"):
        plotting.image_path_explorer({"a": np.zeros((2, 4, 4)), "b": np.zeros((3, 4, 4))}, ["1", "2"], "t")
    with pytest.raises(ValueError, match="3 frames but 2 labels"):
        plotting.add_slider(go.Figure(), [go.Frame(name=str(k)) for k in range(3)], ["a", "b"])
