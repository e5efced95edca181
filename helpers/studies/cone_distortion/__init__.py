"""Study 1 (cone distortion, notebook 01): a 2-D-latent β-VAE on points of a known 3-D surface, and how its
decoder stretches the latent plane. This package stays light to import: it names its modules and imports none.

* :mod:`.parameters` — the rules of the notebook's parameters (``PARAMETERS``); no TensorFlow;
* :mod:`.cone_points` — the data: points on z = tanh(4r)² with the middle band cut out, and the surface's mesh;
* :mod:`.cone_vae` — the β-VAE's one entry to training, ``train_or_load_vae``;
* :mod:`.decoded_geometry` — latent statistics, lengths of decoded lines, distortion by region, the explorer's walks.
"""
