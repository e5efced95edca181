"""The study's one entry to training, :func:`train_or_load_vae_and_ae`: the heatmap studies' convolutional VAE
and AE (:mod:`helpers.conv_models`) trained on the t data of one seed."""

from __future__ import annotations

from helpers import conv_models, heatmaps, training


def train_or_load_vae_and_ae(seed: int, data: heatmaps.HeatmapData, *, config: str, beta: float, epochs: int,
                             patience: int, train_subset: int, test_subset: int, force_retrain: bool = False,
                             ship: bool = True):
    """The study's one entry to training: ``(vae, ae, fits)`` for the t data drawn with ``seed``, with the
    heatmap studies' models and training (:func:`helpers.conv_models.train_or_load_conv`), cached under the
    ``t_heatmap`` prefix. ``ship=False`` writes to the local cache even under ``make weights`` (the repeats'
    extra seeds are not shipped)."""
    options = dict(config=config, seed=seed, epochs=epochs, patience=patience, beta=beta,
                   data_settings={"study": "t_distribution", "df_seed": seed, "train_subset": train_subset,
                                  "test_subset": test_subset},
                   force_retrain=force_retrain, name_prefix="t_heatmap",
                   store=training.WeightStore.default() if ship else training.WeightStore.local())
    vae, vae_fit = conv_models.train_or_load_conv("vae", data.x_train, **options)
    ae, ae_fit = conv_models.train_or_load_conv("ae", data.x_train, **options)
    return vae, ae, {"vae": vae_fit, "ae": ae_fit}


def late_improvement(val_loss, last: int = 4) -> float:
    """How much the best validation loss still fell over the last ``last`` epochs, relative to the final best:
    min(all epochs but the last ``last``) / min(all epochs) − 1 (0: no progress at the end). NaN with too few
    epochs to tell."""
    val_loss = list(val_loss)
    if len(val_loss) <= last:
        return float("nan")
    return min(val_loss[:-last]) / min(val_loss) - 1
