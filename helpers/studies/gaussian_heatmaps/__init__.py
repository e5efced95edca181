"""Study 2 (Gaussian heatmaps, notebook 02): a convolutional VAE and AE on heatmaps with known factors. The
images themselves (:mod:`helpers.heatmaps`) and the models (:mod:`helpers.conv_models`) are in the general layer,
since study 3 uses them too. This package stays light to import: it names its modules and imports none.

* :mod:`.parameters` — the rules of the notebook's parameters (``PARAMETERS``); no TensorFlow;
* :mod:`.model_pair` — the study's entry to training, ``train_or_load_vae_and_ae``;
* :mod:`.recovery` — the factors read back from images by moment matching, reconstruction errors;
* :mod:`.trajectories` — latent paths measured by the factors read back from their decoded images;
* :mod:`.alignment_scores` — axis traversals, MIG / DCI / SAP and their random-rotation nulls;
* :mod:`.latent_holes` — valid decoded samples, samples from the prior and from fitted densities, holes;
* :mod:`.beta_sweep` — the β trade-off (the shipped sweep table and its figure);
* :mod:`.seed_study` — how much of the latent space is the seed's;
* :mod:`.figures` — the study's own figures.
"""
