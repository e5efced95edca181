"""Shared code of the VAE latent-space notebooks, in two layers.

**General layer** (``helpers.<module>``): nothing in it knows about a particular study.

* environment and files — :mod:`~helpers.env` (TensorFlow's settings before it loads),
  :mod:`~helpers.locations` (where files live), :mod:`~helpers.results`
  (recorded result tables with the settings that produced them, atomic writes);
* parameters — :mod:`~helpers.validation` (rules, one-call validation with clear errors);
* models and layers — :mod:`~helpers.models` (VAE, AE, paired-model trainers, the sampling layer, losses);
* heatmap images with known factors — :mod:`~helpers.heatmaps` (numpy only) and their convolutional VAE and AE,
  :mod:`~helpers.conv_models` (shared by studies 2 and 3);
* training and the weight cache — :mod:`~helpers.training` (``fit_or_load``, the cache key from the model's
  own configuration, where weights are read and written);
* models on numpy arrays — :mod:`~helpers.inference` (encode, sample, decode, reconstruct);
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

**Study layer** (``helpers.studies.<notebook>``): one package per notebook, named after it, holding that
study's light ``parameters`` module (its notebook's rules), its data, models and entries to training
(``train_or_load_…``), one module per analysis, and its figures. Study packages import the general layer,
never the other way round, and never each other (``tests/test_layout.py``).

Modules import what they use with ordinary imports. A notebook imports its study's ``parameters`` module
first (no TensorFlow), checks its parameters, and only then imports the heavy modules.
"""
