"""Random shapes for the grey-to-colour autoencoder (the opening section of study 4's notebook).

Each 48×48 image has a grey background and a few filled squares and circles, drawn with Pillow
(no OpenCV). Later shapes cover earlier ones. Three aligned arrays come out of the generator:

* ``grey``   (n, 48, 48, 1): background 0.5, every shape white (1.0) — the input;
* ``colour`` (n, 48, 48, 3): background the same grey, squares red, circles blue — the target;
* ``mask``   (n, 48, 48) uint8: 0 background, 1 square, 2 circle — the class of every pixel.

The input hides which blob is which shape, so the network has to recognise the shape from its
outline to colour it. Drawing is done directly at 48×48 without anti-aliasing, so the mask is
exact and the target is a pure function of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from helpers.validation import SEED, Constraint, Flag, Integer, Real, Rules

IMAGE_SIZE = 48
BACKGROUND, SQUARE, CIRCLE = 0, 1, 2
CLASS_NAMES = {BACKGROUND: "background", SQUARE: "square", CIRCLE: "circle"}
GREY_LEVEL = 0.5
#: RGB target colour of each class (index = mask value).
PALETTE = np.array([[GREY_LEVEL] * 3, [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)


def _shown_fit(shapes_test: int, shapes_shown: int) -> str | None:
    if shapes_shown > shapes_test:
        return (f"the strips show the first shapes_shown test images (the notebook would silently show "
                f"{shapes_test}): use shapes_shown <= {shapes_test} or shapes_test >= {shapes_shown}")
    return None


#: Parameter rules of study 4's opening section (the shapes colouring); `seed`, `learning_rate` and
#: `force_retrain` are shared with the MNIST part (helpers.mnist.PARAMETERS), with the same rules.
PARAMETERS = Rules({
    "seed": SEED,
    "shapes_train": Integer(100, 100_000),
    "shapes_test": Integer(20, 20_000),
    "shapes_per_image": Integer(1, 20),
    "shape_size": Integer(4, 40),
    "shapes_epochs": Integer(1, 500),
    "shapes_batch_size": Integer(8, 4_096),
    "learning_rate": Real(0.0, 1.0, low_inclusive=False),
    "shapes_shown": Integer(1, 30),
    "force_retrain": Flag(),
}, constraints=(Constraint("shown images", ("shapes_test", "shapes_shown"), _shown_fit),))


@dataclass
class Shapes:
    grey: np.ndarray
    colour: np.ndarray
    mask: np.ndarray


def draw_mask(rng: np.random.Generator, shapes_per_image: int = 5, size: int = 12,
              image_size: int = IMAGE_SIZE) -> np.ndarray:
    """One class mask: ``shapes_per_image`` squares/circles of side (diameter) ``size`` with random
    centres inside the image (shapes may be cut by the border), each a square or a circle with
    probability ½."""
    image = Image.new("L", (image_size, image_size), BACKGROUND)
    pen = ImageDraw.Draw(image)
    for _ in range(shapes_per_image):
        cx, cy = rng.integers(0, image_size, size=2)
        box = [int(cx - size // 2), int(cy - size // 2), int(cx - size // 2 + size - 1), int(cy - size // 2 + size - 1)]
        if rng.random() < 0.5:
            pen.rectangle(box, fill=SQUARE)
        else:
            pen.ellipse(box, fill=CIRCLE)
    return np.asarray(image, dtype=np.uint8)


def images_from_masks(mask: np.ndarray) -> Shapes:
    """Grey input and colour target of class masks (n, H, W)."""
    mask = np.asarray(mask, dtype=np.uint8)
    grey = np.where(mask > 0, 1.0, GREY_LEVEL).astype(np.float32)[..., None]
    return Shapes(grey, PALETTE[mask], mask)


def make_shapes(n: int, rng: np.random.Generator, shapes_per_image: int = 5, size: int = 12) -> Shapes:
    """``n`` random images (reproducible for the generator's seed)."""
    masks = np.stack([draw_mask(rng, shapes_per_image, size) for _ in range(n)]) if n else np.zeros(
        (0, IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    return images_from_masks(masks)


def per_class_error(predicted: np.ndarray, target: Shapes) -> pd.DataFrame:
    """Per pixel class: mean squared colour error, and the share of pixels whose predicted colour is
    nearest (in RGB) to the right palette colour."""
    predicted = np.asarray(predicted, dtype=np.float32)
    squared = ((predicted - target.colour) ** 2).mean(axis=-1)
    distances = np.linalg.norm(predicted[..., None, :] - PALETTE, axis=-1)
    right = distances.argmin(axis=-1) == target.mask
    rows = {}
    for value, name in CLASS_NAMES.items():
        where = target.mask == value
        rows[name] = {"pixels": int(where.sum()), "mean squared error": float(squared[where].mean()),
                      "share coloured right": float(right[where].mean())}
    return pd.DataFrame.from_dict(rows, orient="index")


def build_colouring_ae(learning_rate: float = 1e-3):
    """Grey 48×48×1 → colour 48×48×3 convolutional autoencoder, compiled with Adam.

    Encoder Conv 16 → pool → Conv 32 → pool → Conv 64 → pool (6×6×64 bottleneck); decoder
    UpSample → Conv 32 → UpSample → Conv 16 → UpSample → Conv 3 sigmoid; all convs 3×3 ReLU.
    This is the original study's intent with its defects fixed: its first convolution's output was thrown
    away (the second one was applied to the input again), it pooled three times but upsampled
    twice (a 24×24 output for a 48×48 target), and it ended in a ReLU under a binary
    cross-entropy loss (outputs not confined to [0, 1]).
    """
    from helpers.models import PairedModel  # sets the TF environment before keras loads

    # isort: split
    import keras
    from keras import layers

    x_in = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1), name="grey")
    x = x_in
    for filters in (16, 32, 64):
        x = layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        x = layers.MaxPooling2D(2, padding="same")(x)
    for filters in (32, 16):
        x = layers.UpSampling2D(2)(x)
        x = layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
    x = layers.UpSampling2D(2)(x)
    x = layers.Conv2D(3, 3, activation="sigmoid", padding="same", name="colour")(x)
    model = PairedModel(keras.Model(x_in, x, name="colouring_net"), loss="bce", name="colouring_ae")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def confusion_of_shapes(predicted: np.ndarray, target: Shapes) -> pd.DataFrame:
    """Share of each true class's pixels (rows) whose output is nearest to each palette colour (columns)."""
    predicted = np.asarray(predicted, dtype=np.float32)
    nearest = np.linalg.norm(predicted[..., None, :] - PALETTE, axis=-1).argmin(axis=-1)
    names = [CLASS_NAMES[k] for k in sorted(CLASS_NAMES)]
    table = np.zeros((len(names), len(names)))
    for true in CLASS_NAMES:
        where = target.mask == true
        if where.any():
            table[true] = np.bincount(nearest[where], minlength=len(names)) / where.sum()
    return pd.DataFrame(table, index=[f"true {n}" for n in names], columns=[f"→ {n}" for n in names])
