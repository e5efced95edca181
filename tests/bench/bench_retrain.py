"""Benchmark: how long a full default retrain of every shipped model takes (issue 12: at most 20 min on 2 cores).

Training everything takes that long, so this measures it per epoch instead. It calls each study's own entry to
training with the notebook's default parameters and data (the same calls the notebooks make), with
``helpers.training.fit_or_load`` wrapped so that each model trains for ``EPOCHS_MEASURED`` epochs into a
temporary folder (shipped and cached weights are never read or written). Keras reports each epoch's wall time
through a callback. The estimate for a model is

    first epoch + (epochs its shipped run took − 1) × median of the later epochs,

the first epoch carrying the tracing of the training step. The shipped run's epoch count comes from its
history file in ``data/weights`` (early stopping may stop before the limit). The table prints each model's
measured seconds per epoch, its shipped epochs, the estimate, the training time recorded in the shipped
history (measured whenever it was trained, possibly on a busier machine), and the totals.
Run it on an otherwise idle machine: ``python tests/bench/bench_retrain.py`` (about 4 minutes).
"""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import notebook_defaults  # noqa: E402

import helpers.training as training  # noqa: E402
from helpers.locations import SHIPPED_WEIGHTS_DIR  # noqa: E402

EPOCHS_MEASURED = 3
TARGET_MINUTES = 20.0


def shipped_record(name: str) -> dict:
    """The shipped history record of the model called ``name`` (one shipped file per default model name)."""
    paths = sorted(SHIPPED_WEIGHTS_DIR.glob(f"{name}-*.history.json"))
    if len(paths) != 1:
        raise RuntimeError(f"expected one shipped history for {name}, found {[p.name for p in paths]}")
    return json.loads(paths[0].read_text())


def measuring_fit_or_load(real, folder: Path, rows: list):
    """``fit_or_load`` that trains ``EPOCHS_MEASURED`` epochs into ``folder`` and records the epoch times."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.start)

    def wrapped(model, x, *, name, epochs, callbacks=(), **kwargs):
        kwargs.update(store=training.WeightStore((folder,), folder), force_retrain=True)
        timer = EpochTimer()
        result = real(model, x, name=name, epochs=min(epochs, EPOCHS_MEASURED), callbacks=[*callbacks, timer], **kwargs)
        shipped = shipped_record(name)
        per_epoch = statistics.median(timer.seconds[1:])
        rows.append({"model": name, "s/epoch": per_epoch, "first epoch": timer.seconds[0],
                     "shipped epochs": shipped["epochs_run"],
                     "estimate s": timer.seconds[0] + per_epoch * (shipped["epochs_run"] - 1),
                     "recorded s": shipped["train_seconds"]})
        return result

    return wrapped


def train_every_default_model() -> None:
    """Each study's training calls, as its notebook makes them with the default parameters."""
    from helpers import heatmaps
    from helpers.studies.cone_distortion import cone_points, cone_vae
    from helpers.studies.gaussian_heatmaps import model_pair as heatmap_model_pair
    from helpers.studies.t_distribution import model_pair as t_model_pair
    from helpers.studies.t_distribution import t_data
    from helpers.studies.tsne_mnist_interpolation import mnist_data, mnist_models, shapes_colouring

    p = notebook_defaults("01_cone_distortion")
    cone = cone_points.make_cone_points(p["n_points"], training.set_seed(p["seed"]))
    cone_vae.train_or_load_vae(
        cone.points, seed=p["seed"], n_points=p["n_points"], latent_dim=p["latent_dim"],
        hidden_units=p["hidden_units"], activation=p["activation"], beta=p["beta"], decoder_scale=p["decoder_scale"],
        optimizer=p["optimizer"], learning_rate=p["learning_rate"], epochs=p["epochs"], batch_size=p["batch_size"],
        steps_per_execution=p["steps_per_execution"])

    p = notebook_defaults("02_gaussian_heatmaps")
    data = heatmaps.load_heatmaps(p["train_subset"], p["test_subset"])
    heatmap_model_pair.train_or_load_vae_and_ae(
        data.x_train, config=p["config"], seed=p["seed"], epochs=p["epochs"], patience=p["patience"], beta=p["beta"],
        vae_loss=p["vae_loss"], data_settings={"train_subset": p["train_subset"], "test_subset": p["test_subset"]})

    p = notebook_defaults("03_t_distribution")
    data = t_data.load_t_heatmaps(p["seed"], p["train_subset"], p["test_subset"])
    t_model_pair.train_or_load_vae_and_ae(p["seed"], data, **{name: p[name] for name in (
        "config", "beta", "epochs", "patience", "train_subset", "test_subset")})

    p = notebook_defaults("04_tsne_mnist_interpolation")
    rng = training.set_seed(p["seed"])
    train_shapes = shapes_colouring.make_shapes(p["shapes_train"], rng, p["shapes_per_image"], p["shape_size"])
    test_shapes = shapes_colouring.make_shapes(p["shapes_test"], rng, p["shapes_per_image"], p["shape_size"])
    shapes_colouring.train_or_load_colouring(
        train_shapes, test_shapes, seed=p["seed"], learning_rate=p["learning_rate"], epochs=p["shapes_epochs"],
        batch_size=p["shapes_batch_size"],
        data_settings={"n_train": p["shapes_train"], "shapes_per_image": p["shapes_per_image"],
                       "shape_size": p["shape_size"]})
    data = mnist_data.load_mnist(p["n_train"], p["n_test"], p["seed"])
    recipe = mnist_models.Recipe(p["max_epochs"], p["patience"], p["validation_images"], p["kl_warmup_epochs"])
    shared = dict(seed=p["seed"], learning_rate=p["learning_rate"], batch_size=p["batch_size"])
    mnist_models.train_or_load_ae(data, latent_dim=p["latent_dim"], epochs=p["epochs"], **shared)
    mnist_models.train_or_load_vae(data, recipe, latent_dim=p["latent_dim"], beta=p["beta"], **shared)
    mnist_models.train_or_load_vae(data, recipe, latent_dim=2, beta=p["beta"], hidden_units=p["plane_hidden_layers"],
                        name="mnist_vae_2d", **shared)
    mnist_models.train_or_load_linear_ae(data, recipe, latent_dim=2, hidden_units=p["plane_hidden_layers"],
                              name="mnist_ae_2d_linear", **shared)
    mnist_models.train_or_load_ae(data, latent_dim=2, epochs=p["epochs"], name="mnist_ae_2d", **shared)
    judge_recipe = mnist_models.Recipe(p["judge_epochs"], mnist_models.JUDGE_PATIENCE, p["validation_images"])
    mnist_models.train_or_load_judge(data, judge_recipe, **shared)


def main() -> None:
    import pandas as pd

    rows: list = []
    real = training.fit_or_load
    with tempfile.TemporaryDirectory() as folder:
        training.fit_or_load = measuring_fit_or_load(real, Path(folder), rows)
        try:
            train_every_default_model()
        finally:
            training.fit_or_load = real
    table = pd.DataFrame(rows).set_index("model")
    pd.set_option("display.width", 160)
    print(table.round(2).to_string())
    estimate, recorded = table["estimate s"].sum() / 60, table["recorded s"].sum() / 60
    print(f"full default retrain: estimated {estimate:.1f} min from epochs measured here "
          f"(target <= {TARGET_MINUTES:.0f} min: {'met' if estimate <= TARGET_MINUTES else 'NOT met'}); "
          f"recorded in the shipped histories: {recorded:.1f} min")


if __name__ == "__main__":
    main()
