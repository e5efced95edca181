"""The opening section of study 4: grey images of squares and circles, the autoencoder that colours them
(:func:`train_or_load_colouring`, its one entry to training) and its errors per class."""

from __future__ import annotations

from dataclasses import dataclass

import helpers.env  # noqa: F401  (TensorFlow's settings before keras loads)
import keras
import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from helpers import models, training

SHAPES_IMAGE_SIZE = 48

BACKGROUND, SQUARE, CIRCLE = 0, 1, 2

CLASS_NAMES = {BACKGROUND: "background", SQUARE: "square", CIRCLE: "circle"}

GREY_LEVEL = 0.5

#: RGB target colour of each class (index = mask value).
PALETTE = np.array([[GREY_LEVEL] * 3, [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)


@dataclass
class Shapes:
    grey: np.ndarray
    colour: np.ndarray
    mask: np.ndarray


def draw_mask(rng: np.random.Generator, shapes_per_image: int = 5, size: int = 12,
              image_size: int = SHAPES_IMAGE_SIZE) -> np.ndarray:
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
        (0, SHAPES_IMAGE_SIZE, SHAPES_IMAGE_SIZE), np.uint8)
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

    x_in = keras.Input((SHAPES_IMAGE_SIZE, SHAPES_IMAGE_SIZE, 1), name="grey")
    x = x_in
    for filters in (16, 32, 64):
        x = keras.layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        x = keras.layers.MaxPooling2D(2, padding="same")(x)
    for filters in (32, 16):
        x = keras.layers.UpSampling2D(2)(x)
        x = keras.layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
    x = keras.layers.UpSampling2D(2)(x)
    x = keras.layers.Conv2D(3, 3, activation="sigmoid", padding="same", name="colour")(x)
    model = models.PairedModel(keras.Model(x_in, x, name="colouring_net"), loss="bce", name="colouring_ae")
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


def train_or_load_colouring(train: Shapes, test: Shapes, *, seed: int, learning_rate: float, epochs: int,
                            batch_size: int, data_settings: dict, force_retrain: bool = False):
    """The shapes section's entry to training: build the colouring autoencoder (:func:`build_colouring_ae`),
    then load its weights or train it on grey → colour pairs (``test`` is only watched, not fitted).
    ``data_settings`` says how the shapes were drawn. Returns ``(model, FitResult)``."""
    training.set_seed(seed)  # the initial weights, if it trains
    model = build_colouring_ae(learning_rate)
    fit = training.fit_or_load(model, (train.grey, train.colour), name="shapes_colouring", settings=data_settings,
                               epochs=epochs, batch_size=batch_size, seed=seed,
                               validation_data=(test.grey, test.colour), force_retrain=force_retrain)
    return model, fit
