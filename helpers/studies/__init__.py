"""The study layer: one package per notebook, named after it.

* :mod:`~helpers.studies.cone_distortion` — notebook 01 (a 2-D-latent β-VAE on a 3-D surface);
* :mod:`~helpers.studies.gaussian_heatmaps` — notebook 02 (convolutional VAE vs AE on heatmaps with known factors);
* :mod:`~helpers.studies.t_distribution` — notebook 03 (a hidden fourth factor and the probes that look for it);
* :mod:`~helpers.studies.tsne_mnist_interpolation` — notebook 04 (shapes colouring, t-SNE, interpolation on MNIST).

Each package holds a light ``parameters`` module (the rules of its notebook's parameters, ``PARAMETERS``: importing
it does not load TensorFlow, so a notebook checks its parameters first), and modules named for what they hold —
data, models with their entries to training (``train_or_load_…``), one module per analysis, figures — which import
the general layer with ordinary imports. A study package never imports another study's package.
"""
