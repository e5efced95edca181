"""Shared code of the VAE latent-space notebooks, in two layers.

**General layer** (``helpers.<module>``): nothing in it knows about a particular study.

* environment and files — :mod:`~helpers.env` (TensorFlow's settings before it loads), :mod:`~helpers.paths`,
  :mod:`~helpers.results` (recorded result tables with the settings that produced them, atomic writes);
* parameters — :mod:`~helpers.validation` (rules, one-call validation with clear errors);
* models and layers — :mod:`~helpers.models` (VAE, AE, paired-model trainers, the sampling layer, losses);
* training and the weight cache — :mod:`~helpers.training` (``fit_or_load``, the cache key from the model's
  own configuration, where weights are read and written);
* models on numpy arrays — :mod:`~helpers.model_io` (encode, sample, decode, reconstruct);
* geometry — :mod:`~helpers.geometry` (decoder Jacobians, distortion), :mod:`~helpers.geodesics`,
  :mod:`~helpers.latent_paths` (lines, lengths and paths in a cloud of codes);
* probes and metrics — :mod:`~helpers.probes` (linear and KNN probes), :mod:`~helpers.disentanglement` (MIG, DCI,
  SAP), :mod:`~helpers.likelihood` (ELBO and importance-weighted bounds), :mod:`~helpers.spread` (mean ± error);
* sampling latent codes — :mod:`~helpers.samplers` (prior, Gaussian and mixture samplers; the aggregate
  posterior's density and the prior mass in its holes);
* embeddings — :mod:`~helpers.embedding` (t-SNE and how to judge a map);
* figures — :mod:`~helpers.plotting` (charts, latent scatters, 3-D), :mod:`~helpers.image_plots` (image grids,
  thumbnails);
* reports and pages — :mod:`~helpers.report` (tables and takeaways that record their numbers),
  :mod:`~helpers.site` (the glue of the Sphinx course site), :mod:`~helpers.notebook_tags` (takeaway cells' tags).

**Study layer** (``helpers.studies.<notebook>``): one module per notebook, named after it, holding that
study's data, parameter rules, its one entry to training and its own analysis and figures. Study modules
import the general layer, never the other way round (``tests/test_layout.py``).

Importing ``helpers`` is light: TensorFlow loads when a module that needs it is first used, so a notebook
checks its parameters before any heavy import.
"""

import importlib
from types import ModuleType


class _LazyModule(ModuleType):
    """Stands for the module of the same name and imports it (an ordinary import) on first attribute access."""

    def __getattr__(self, attribute: str):
        if self.__name__.split(".")[0] in ("keras", "tensorflow"):
            importlib.import_module("helpers.env")  # TensorFlow's settings before it loads
        return getattr(importlib.import_module(self.__name__), attribute)


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, imported on first attribute access. Study modules reach TensorFlow-backed modules
    this way, so that importing a study module to check a notebook's parameters costs about a second instead
    of TensorFlow's several. (A stand-in, not the standard library's ``LazyLoader``, which breaks packages
    such as keras that rearrange themselves while they load.)"""
    return _LazyModule(name)
