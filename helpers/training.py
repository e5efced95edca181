"""Seeding and the fit-or-load weight cache.

A trained model is stored as ``<name>-<key>.weights.h5`` plus ``<name>-<key>.history.json``,
where ``key`` is a hash of everything that affects training: the ``settings`` the caller
passes (architecture, data parameters, seed, epochs, batch size, …), the optimizer's
configuration and the shapes of the model's weights. Two folders are searched:

* ``data/weights/`` — weights that ship with the project (tracked in git);
* ``data/cache/``   — weights trained locally for other parameters (ignored by git).

Each folder has a ``manifest.json`` with the SHA-256 of every file. A file that is
missing from the manifest, fails its checksum or does not load is reported and the
model is retrained — never silently used. Files are written to a temporary name and
renamed into place, so an interrupted run leaves nothing half-written.
New weights go to ``data/cache/`` unless ``HELPERS_SHIP_WEIGHTS=1`` (set by
``make weights``), which writes them to ``data/weights/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers.env import CACHE_DIR, SHIPPED_WEIGHTS_DIR, shipping

import keras  # noqa: E402  (after helpers.env)

#: Bump when a change to the training code should invalidate every cached weight file.
CACHE_VERSION = 1
MANIFEST = "manifest.json"


def set_seed(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and TensorFlow (via Keras) and return a NumPy ``Generator``."""
    keras.utils.set_random_seed(int(seed))
    return np.random.default_rng(int(seed))


def cache_key(model: keras.Model, settings: dict) -> str:
    """16 hex digits of SHA-256 over settings, optimizer config and weight shapes."""
    optimizer = model.optimizer.get_config() if model.optimizer is not None else None
    if optimizer is not None:
        optimizer = {k: v for k, v in optimizer.items() if k != "name"}
    payload = {
        "cache_version": CACHE_VERSION,
        "model_class": type(model).__name__,
        "settings": settings,
        "optimizer": optimizer,
        "weight_shapes": [list(w.shape) for w in model.weights],
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; these files are shared artefacts
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def record_in_manifest(folder: Path, filename: str, entry: dict) -> None:
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
    folders: tuple | None = None,
) -> FitResult:
    """Load cached weights for (model, settings) if a verified file exists, else train and cache.

    ``model`` must be compiled. ``settings`` must hold everything that affects training
    and is not visible in the weight shapes (architecture choices, data parameters, …);
    epochs, batch size and seed are added to it here.
    """
    shipped, cache = folders or (SHIPPED_WEIGHTS_DIR, CACHE_DIR)
    full_settings = {**settings, "epochs": epochs, "batch_size": batch_size, "seed": seed}
    stem = f"{name}-{cache_key(model, full_settings)}"
    messages: list = []
    x_example = x[0] if isinstance(x, tuple) else x
    if not force_retrain:
        for folder in (shipped, cache):
            result = _try_load(model, x_example, folder, stem, messages)
            if result is not None:
                print(f"[fit_or_load] loaded {name} from {result.weights_path.relative_to(folder.parent.parent)}")
                return result
    for message in messages:
        print(f"[fit_or_load] {message}")

    keras.utils.set_random_seed(int(seed))
    model(x_example[:1])  # build (subclassed models) so the weights can be saved
    live = live_progress()
    print(f"[fit_or_load] training {name}: up to {epochs} epochs", flush=True)
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
    target = shipped if shipping() else cache
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
