"""The study layer: one module per notebook, named after it.

* :mod:`~helpers.studies.cone_distortion` — notebook 01 (a 2-D-latent β-VAE on a 3-D surface);
* :mod:`~helpers.studies.gaussian_heatmaps` — notebook 02 (convolutional VAE vs AE on heatmaps with known factors);
* :mod:`~helpers.studies.t_distribution` — notebook 03 (a hidden fourth factor and the probes that look for it);
* :mod:`~helpers.studies.tsne_mnist_interpolation` — notebook 04 (shapes colouring, t-SNE, interpolation on MNIST).

Each holds its study's data, the rules of its notebook's parameters (``PARAMETERS``), its one entry to
training (``train_or_load_…``) and its own analysis and figures. Heavy modules load lazily
(:func:`helpers.lazy_module`), so importing a study module to check parameters is quick.
"""
