"""The random-shapes generator, per-class errors and the colouring model."""

import numpy as np
import pytest

import helpers.env  # noqa: F401  (TensorFlow's environment before keras loads)
from helpers.studies.tsne_mnist_interpolation import parameters, shapes_colouring
from helpers.validation import validate


def test_generator_shapes_colours_and_masks():
    data = shapes_colouring.make_shapes(20, np.random.default_rng(0), shapes_per_image=5, size=12)
    assert data.grey.shape == (20, 48, 48, 1) and data.colour.shape == (20, 48, 48, 3)
    assert data.mask.shape == (20, 48, 48) and set(np.unique(data.mask)) <= {0, 1, 2}
    background, square, circle = (data.mask == k for k in (0, 1, 2))
    assert square.any() and circle.any() and background.any()
    np.testing.assert_array_equal(data.grey[..., 0][background], 0.5)
    np.testing.assert_array_equal(data.grey[..., 0][~background], 1.0)
    np.testing.assert_array_equal(data.colour[square], np.tile([1.0, 0, 0], (square.sum(), 1)))
    np.testing.assert_array_equal(data.colour[circle], np.tile([0, 0, 1.0], (circle.sum(), 1)))
    np.testing.assert_array_equal(data.colour[background], 0.5)


def test_single_shapes_have_the_expected_area():
    rng = np.random.default_rng(5)
    for _ in range(30):
        mask = shapes_colouring.draw_mask(rng, shapes_per_image=1, size=10, image_size=64)
        if mask.any() and not (mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any()):
            area = (mask > 0).sum()
            assert area == 100 if mask.max() == shapes_colouring.SQUARE else 60 <= area <= 90  # π·5² ≈ 78.5


def test_generator_is_reproducible():
    a = shapes_colouring.make_shapes(5, np.random.default_rng(9))
    b = shapes_colouring.make_shapes(5, np.random.default_rng(9))
    np.testing.assert_array_equal(a.mask, b.mask)


def test_per_class_error_known_answers():
    data = shapes_colouring.make_shapes(4, np.random.default_rng(1))
    perfect = shapes_colouring.per_class_error(data.colour, data)
    assert perfect["mean squared error"].max() == 0.0 and perfect["share coloured right"].min() == 1.0
    swapped = data.colour[..., ::-1]  # red ↔ blue: shapes wrong, grey background still right
    table = shapes_colouring.per_class_error(swapped, data)
    assert table.loc["square", "share coloured right"] == 0.0
    assert table.loc["square", "mean squared error"] == pytest.approx(2 / 3)
    assert table.loc["background", "share coloured right"] == 1.0


def test_colouring_model_maps_grey_to_colour_and_learns():
    from helpers.training import set_seed

    set_seed(0)
    data = shapes_colouring.make_shapes(64, np.random.default_rng(0))
    model = shapes_colouring.build_colouring_ae(3e-3)
    out = model(data.grey[:2])
    assert tuple(out.shape) == (2, 48, 48, 3)
    history = model.fit((data.grey, data.colour), epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_parameters():
    good = dict(seed=0, shapes_train=3000, shapes_test=500, shapes_per_image=5, shape_size=12, shapes_epochs=15,
                shapes_batch_size=64, learning_rate=1e-3, shapes_shown=8, force_retrain=False)
    validate(parameters.SHAPES_PARAMETERS, **good)
    with pytest.raises(ValueError, match="shape_size"):
        validate(parameters.SHAPES_PARAMETERS, **{**good, "shape_size": 100})


def test_confusion_rows_sum_to_one_and_swap_is_detected():
    data = shapes_colouring.make_shapes(4, np.random.default_rng(2))
    table = shapes_colouring.confusion_of_shapes(data.colour[..., ::-1], data)
    np.testing.assert_allclose(table.sum(axis=1), 1.0)
    assert table.loc["true square", "→ circle"] == 1.0 and table.loc["true circle", "→ square"] == 1.0
