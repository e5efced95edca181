"""Seeding, and the fit-or-load weight cache.

A trained model is stored as ``<name>-<key>.weights.h5`` plus ``<name>-<key>.history.json``. The
``key`` (:func:`cache_key`) is a hash of everything that affects training, read from the model itself:

* the model's own configuration (``keras.saving.serialize_keras_object``: every layer's class, width,
  activation, initialiser, the VAE's β, loss option, decoder likelihood …), with Keras' automatic layer
  names replaced by positions, so building the same model twice in one session gives the same key;
* its compile configuration (optimizer, learning-rate schedule, steps per execution);
* the shapes of its weights;
* the ``settings`` the caller passes for what the model cannot know: the data (which images, how many)
  and the fit (epochs, batch size, seed, early stopping).

So a changed architecture misses the cache without anyone bumping a tag by hand.

Where weights are looked for and written is one explicit object, :class:`WeightStore`. Its default
searches ``data/weights/`` (weights that ship with the project, tracked in git) and then ``data/cache/``
(weights trained locally for other parameters, ignored by git), and writes new weights to the cache;
``make weights`` sets ``HELPERS_SHIP_WEIGHTS=1`` (:func:`helpers.locations.shipping`) to write them to
``data/weights/`` instead. Tests pass a store of temporary folders.

Each folder has a ``manifest.json`` with the SHA-256 of every file. A file that is
missing from the manifest, fails its checksum or does not load is reported and the
model is retrained — never silently used. Files are written to a temporary name and
renamed into place, so an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import helpers.env  # noqa: F401  (the TensorFlow environment before keras loads)
from helpers.locations import CACHE_DIR, SHIPPED_WEIGHTS_DIR, shipping
from helpers.results import atomic_write_text
from helpers.retraining import expected_time

import keras  # noqa: E402  (after helpers.env)

#: Bump when a change to the training code should invalidate every cached weight file.
CACHE_VERSION = 2
MANIFEST = "manifest.json"


def set_seed(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and TensorFlow (via Keras) and return a NumPy ``Generator``."""
    keras.utils.set_random_seed(int(seed))
    return np.random.default_rng(int(seed))


@dataclass(frozen=True)
class WeightStore:
    """Where :func:`fit_or_load` looks for weights (``search``, in order) and writes new ones (``target``)."""

    search: tuple[Path, ...]
    target: Path

    @classmethod
    def default(cls) -> WeightStore:
        """Shipped weights first, then the local cache; new weights go to the cache, or to the shipped
        folder under ``make weights``."""
        return cls((SHIPPED_WEIGHTS_DIR, CACHE_DIR), SHIPPED_WEIGHTS_DIR if shipping() else CACHE_DIR)

    @classmethod
    def local(cls) -> WeightStore:
        """As :meth:`default`, but new weights always go to the cache (models that are never shipped)."""
        return cls((SHIPPED_WEIGHTS_DIR, CACHE_DIR), CACHE_DIR)


def _positions(config, names: dict | None = None):
    """``config`` without layer names: each reference to a layer by name becomes its position in the
    enclosing model's layer list, and every ``name`` field is dropped."""
    if isinstance(config, list | tuple):
        if names and len(config) == 3 and isinstance(config[0], str) and config[0] in names:
            return [names[config[0]], *config[1:]]  # a [layer, node, tensor] reference
        return [_positions(item, names) for item in config]
    if not isinstance(config, dict):
        return config
    if isinstance(config.get("layers"), list):
        names = {layer.get("name", layer.get("config", {}).get("name")): i for i, layer in enumerate(config["layers"])}
    return {key: _positions(value, names) for key, value in config.items() if key != "name"}


def model_description(model: keras.Model) -> dict:
    """Everything about a compiled model that affects its training: its serialised configuration and
    compile configuration (layer names replaced by positions), and its weights' shapes."""
    compiled = model.get_compile_config() if model.compiled else None
    return {
        "model": _positions(keras.saving.serialize_keras_object(model)),
        "compile": _positions(keras.saving.serialize_keras_object(compiled)),
        "weight_shapes": [list(w.shape) for w in model.weights],
    }


def cache_key(model: keras.Model, settings: dict) -> str:
    """16 hex digits of SHA-256 over :func:`model_description` and the caller's ``settings`` (data, fit)."""
    payload = {"cache_version": CACHE_VERSION, **model_description(model), "settings": settings}
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_save_weights(model: keras.Model, path: Path) -> None:
    """Save the model's weights — without the optimizer's slots, which would triple the
    size of Adam-trained files and are not needed to use the model — to a temporary name,
    then rename into place."""
    import h5py

    path.parent.mkdir(parents=True, exist_ok=True)
    full = path.with_name(f".tmp-{os.getpid()}-full-{path.name}")
    lean = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    try:
        model.save_weights(full)
        with h5py.File(full, "r") as source, h5py.File(lean, "w") as target:
            for name in source:
                if name != "optimizer":
                    source.copy(source[name], target, name=name)
            target.attrs.update(dict(source.attrs))
        os.replace(lean, path)
    finally:
        full.unlink(missing_ok=True)
        lean.unlink(missing_ok=True)


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        print(f"[fit_or_load] {path} is not valid JSON; ignoring it")
        return {}


@contextlib.contextmanager
def folder_lock(folder: Path):
    """An exclusive lock on ``folder`` (``flock`` on the folder itself, so no lock file is left behind) while the
    block runs: runs side by side (``make weights``, ``make sweep`` on Dask) that train different models into the
    same folder must not lose each other's manifest entries. Where ``fcntl`` is missing (Windows), no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def record_in_manifest(folder: Path, filename: str, entry: dict) -> None:
    """Add ``entry`` for ``filename`` to the folder's manifest: read, change and write under :func:`folder_lock`, so
    that two runs recording at the same moment both keep their entry."""
    with folder_lock(folder):
        manifest = read_manifest(folder)
        manifest[filename] = entry
        atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


@dataclass
class FitResult:
    """What :func:`fit_or_load` did: ``source`` is ``"trained"`` or ``"loaded"``."""

    source: str
    history: dict
    weights_path: Path
    train_seconds: float
    epochs_run: int
    messages: list = field(default_factory=list)


def live_progress() -> bool:
    """Keras' own live progress bar (epoch, step, loss) unless ``HELPERS_PROGRESS=compact``, which the
    Makefile sets for headless runs (make run/store/nbval/smoke/weights) so stored outputs stay short."""
    return os.environ.get("HELPERS_PROGRESS", "live") != "compact"


class CompactProgress(keras.callbacks.Callback):
    """Print one line every ``every`` epochs (and the last), so stored outputs stay short."""

    def __init__(self, epochs: int, lines: int = 5):
        super().__init__()
        self.epochs = epochs
        self.every = max(1, epochs // lines)

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every == 0 or done == self.epochs:
            text = "  ".join(f"{k} {v:.4g}" for k, v in sorted((logs or {}).items()))
            print(f"epoch {done:>4}/{self.epochs}  {text}", flush=True)


def _verified_files(folder: Path, stem: str, messages: list):
    """Return (weights, history) paths in ``folder`` if both exist and match the manifest."""
    weights, history = folder / f"{stem}.weights.h5", folder / f"{stem}.history.json"
    if not weights.exists():
        return None
    entry = read_manifest(folder).get(weights.name)
    if (
        entry is None
        or not history.exists()
        or entry.get("sha256") != sha256_of(weights)
        or entry.get("history_sha256") != sha256_of(history)
    ):
        messages.append(f"{weights} does not match its manifest (corrupted or foreign file): retraining")
        return None
    return weights, history


def _try_load(model, x_example, folder, stem, messages):
    files = _verified_files(folder, stem, messages)
    if files is None:
        return None
    weights, history = files
    try:
        model(x_example[:1])  # build subclassed models before loading
        with warnings.catch_warnings():  # the file also holds optimizer slots a fresh optimizer lacks
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model.load_weights(weights)
        record = json.loads(history.read_text())
    except Exception as error:  # noqa: BLE001  (any load failure means: retrain)
        messages.append(f"{weights} could not be loaded ({type(error).__name__}: {error}): retraining")
        return None
    return FitResult("loaded", record["history"], weights, record["train_seconds"], record["epochs_run"], messages)


def training_notice(name: str, epochs: int, folder: Path | None = None) -> str:
    """What a notebook prints before it trains: the model, its epoch budget and how long the shipped model of
    the same family took, so that a reader who changed a parameter knows what the change costs."""
    return (f"[fit_or_load] training {name} (no shipped or cached weights for these settings): "
            f"up to {epochs} epochs; {expected_time(name, folder)}")


def fit_or_load(
    model: keras.Model,
    x,
    *,
    name: str,
    settings: dict,
    epochs: int,
    batch_size: int,
    seed: int,
    validation_data=None,
    callbacks=(),
    force_retrain: bool = False,
    progress_lines: int = 5,
    store: WeightStore | None = None,
) -> FitResult:
    """Load cached weights for (model, settings) if a verified file exists, else train and cache.

    ``model`` must be compiled; its architecture, losses and optimizer enter the key by themselves
    (:func:`cache_key`). ``settings`` holds what the model cannot know: the data (which images, how many)
    and fit options such as early stopping; epochs, batch size and seed are added to it here. ``store``
    says where to look and write (:meth:`WeightStore.default` if not given).
    """
    store = store or WeightStore.default()
    full_settings = {**settings, "epochs": epochs, "batch_size": batch_size, "seed": seed}
    x_example = x[0] if isinstance(x, tuple) else x
    model(x_example[:1])  # build (subclassed models), so that the key sees every weight's shape
    stem = f"{name}-{cache_key(model, full_settings)}"
    messages: list = []
    if not force_retrain:
        for folder in store.search:
            result = _try_load(model, x_example, folder, stem, messages)
            if result is not None:
                print(f"[fit_or_load] loaded {name} from {result.weights_path.relative_to(folder.parent.parent)}")
                return result
    for message in messages:
        print(f"[fit_or_load] {message}")

    keras.utils.set_random_seed(int(seed))
    live = live_progress()
    print(training_notice(name, epochs), flush=True)
    start = time.perf_counter()
    history = model.fit(
        x,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        shuffle=True,
        verbose=1 if live else 0,
        callbacks=[*callbacks] if live else [*callbacks, CompactProgress(epochs, progress_lines)],
    )
    seconds = time.perf_counter() - start
    record = {
        "history": {k: [float(v) for v in values] for k, values in history.history.items()},
        "train_seconds": seconds,
        "epochs_run": len(history.epoch),
        "settings": full_settings,
    }
    target = store.target
    weights, history_path = target / f"{stem}.weights.h5", target / f"{stem}.history.json"
    atomic_save_weights(model, weights)
    atomic_write_text(history_path, json.dumps(record, indent=1, default=str) + "\n")
    record_in_manifest(
        target,
        weights.name,
        {"name": name, "sha256": sha256_of(weights), "history_sha256": sha256_of(history_path),
         "settings": json.loads(json.dumps(full_settings, default=str))},
    )
    print(f"[fit_or_load] trained {name}: {record['epochs_run']} epochs in {seconds:.1f} s")
    return FitResult("trained", record["history"], weights, seconds, record["epochs_run"], messages)


class KLPerDimension(keras.callbacks.Callback):
    """After each epoch, the mean KL(q(z_j|x) ‖ N(0, 1)) of every latent dimension j over the held-out images
    ``x``, added to the epoch's logs (and so to the history) as ``val_kl_dim_<j>``:

        KL_j = ½ E_x[μ_j(x)² + σ_j(x)² − log σ_j(x)² − 1].

    A dimension whose KL stays near 0 carries no information about x (its posterior is the prior): a collapsed,
    inactive unit. The encoder runs in batches of ``batch_size`` on the mean and log-variance only."""

    def __init__(self, x, batch_size: int = 500):
        super().__init__()
        self.x = np.asarray(x, np.float32)
        self.batch_size = batch_size

    def on_epoch_end(self, epoch, logs=None):
        z_mean, z_log_var = (np.concatenate(parts) for parts in zip(*(
            [np.asarray(t) for t in self.model.encoder(self.x[i:i + self.batch_size], training=False)]
            for i in range(0, len(self.x), self.batch_size)), strict=True))
        per_dimension = 0.5 * (z_mean ** 2 + np.exp(z_log_var) - z_log_var - 1.0).mean(axis=0)
        if logs is not None:
            logs.update({f"val_kl_dim_{j}": float(v) for j, v in enumerate(per_dimension)})
