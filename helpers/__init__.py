"""Shared code of the VAE latent-space notebooks, in two layers.

**General layer** (``helpers.<module>``): nothing in it knows about a particular study.

* environment and files — :mod:`~helpers.env` (TensorFlow's settings before it loads), :mod:`~helpers.paths`;
* parameters — :mod:`~helpers.validation` (rules, one-call validation with clear errors);
* models and layers — :mod:`~helpers.models` (VAE, AE, paired-model trainers, the sampling layer, losses);
* training and the weight cache — :mod:`~helpers.training` (``fit_or_load``, the cache key from the model's
  own configuration, where weights are read and written);
* models on numpy arrays — :mod:`~helpers.model_io` (encode, sample, decode, reconstruct);
* geometry — :mod:`~helpers.geometry` (decoder Jacobians, distortion), :mod:`~helpers.geodesics`,
  :mod:`~helpers.latent_paths` (lines, lengths and paths in a cloud of codes);
* probes and metrics — :mod:`~helpers.probes` (linear and KNN probes), :mod:`~helpers.disentanglement` (MIG, DCI,
  SAP), :mod:`~helpers.likelihood` (ELBO and importance-weighted bounds), :mod:`~helpers.spread` (mean ± error);
* embeddings — :mod:`~helpers.embedding` (t-SNE and how to judge a map);
* figures — :mod:`~helpers.plotting` (charts, latent scatters, 3-D), :mod:`~helpers.image_plots` (image grids,
  thumbnails);
* reports and pages — :mod:`~helpers.report` (tables and takeaways that record their numbers),
  :mod:`~helpers.site` (the offline course site).

**Study layer** (``helpers.studies.<notebook>``): one module per notebook, named after it, holding that
study's data, parameter rules, its one entry to training and its own analysis and figures. Study modules
import the general layer, never the other way round (``tests/test_layout.py``).

Importing ``helpers`` is light: TensorFlow loads when a module that needs it is first used, so a notebook
checks its parameters before any heavy import.
"""

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, loaded on first attribute access (the standard library's ``LazyLoader``
    recipe). Study modules reach TensorFlow-backed modules this way, so that importing a study module to
    check a notebook's parameters costs well under a second instead of TensorFlow's several seconds."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise ModuleNotFoundError(f"no module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
