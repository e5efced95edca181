"""Study 3 (t-distribution heatmaps, notebook 03): a hidden fourth factor and the probes that look for it. It
reuses the heatmap images' grid (:mod:`helpers.heatmaps`) and models (:mod:`helpers.conv_models`) of the general
layer. This package stays light to import: it names its modules and imports none.

* :mod:`.parameters` — the rules of the notebook's parameters (``PARAMETERS``); no TensorFlow;
* :mod:`.t_data` — t densities with ν drawn by the original study's rule, labels, the Bayes bound from s alone;
* :mod:`.model_pair` — the study's entry to training, ``train_or_load_vae_and_ae``;
* :mod:`.probing` — the representations compared and every probe of one VAE/AE pair (``probe_table``), the Bayes
  bound A* with its error, and the probe on (s, code) against s alone (``beyond_the_sum``);
* :mod:`.seed_repeats` — the probes repeated over seeds, their summary, paired differences with Holm-corrected
  verdicts, and the rerun of one seed against the table;
* :mod:`.reconstruction` — why the reconstruction errors differ from study 2's: data scale, tails, the recipe check.
"""
