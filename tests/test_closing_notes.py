"""Closing notes are tables read from what a notebook recorded (``helpers.report.key_figures``), not re-plumbed.

Known answers: each cell of a closing table equals the value the stored notebook recorded at its path; a section a
run skipped gives NaN, not an error; a difference counts as beyond its noise exactly when it exceeds two standard
errors.
"""

import math
from pathlib import Path

import pytest

from recorded_values import stored_records

from helpers.report import key_figures, recorded_value
from helpers.studies.gaussian_heatmaps import closing_note as heatmap_note
from helpers.studies.tsne_mnist_interpolation import closing_note as mnist_note

ROOT = Path(__file__).resolve().parent.parent


def stored(stem: str) -> dict:
    return stored_records(ROOT / "notebooks" / f"{stem}.ipynb")


def test_recorded_values_are_found_by_path_and_missing_ones_are_nan():
    recorded = {"errors": {"VAE, mean z": {"max / median": 2.5, "none": None}}}
    assert recorded_value(recorded, ("errors", "VAE, mean z", "max / median")) == 2.5
    assert math.isnan(recorded_value(recorded, ("errors", "AE", "max / median")))
    assert math.isnan(recorded_value(recorded, ("errors", "VAE, mean z", "none")))
    table = key_figures(recorded, {"tail": {"VAE": ("errors", "VAE, mean z", "max / median"),
                                            "AE": ("errors", "AE", "max / median")}})
    assert table.loc["tail", "VAE"] == 2.5 and math.isnan(table.loc["tail", "AE"])


def test_study_2_closing_table_reads_the_recorded_values_and_the_seed_study():
    recorded = stored("02_gaussian_heatmaps")
    table = heatmap_note.closing_table(recorded)
    assert table.loc["MIG", "VAE"] == recorded["heatmap_disentanglement"]["VAE"]["MIG"]
    error = "test error (mean Frobenius; the VAE decodes its mean)"
    assert table.loc[error, "AE"] == recorded["heatmap_errors"]["AE"]["mean"]
    assert table.loc[error, "5 seeds: VAE − AE"] == recorded["heatmap_seed_paired"]["test error"]["VAE − AE"]
    held, within = heatmap_note.survivors(table)
    paired = recorded["heatmap_seed_paired"]
    assert held and within and set(held).isdisjoint(within)
    assert all(paired[heatmap_note.FIGURES[label][1]]["survives"] for label in held if label in heatmap_note.FIGURES)
    assert not table.notna().all(axis=None)  # figures the seed study does not measure stay NaN
    without_seeds = {key: value for key, value in recorded.items() if key != "heatmap_seed_paired"}
    assert heatmap_note.survivors(heatmap_note.closing_table(without_seeds)) == ([], [])


def test_study_4_closing_tables_read_the_recorded_values():
    recorded = stored("04_tsne_mnist_interpolation")
    table = mnist_note.closing_table(recorded)
    assert list(table.columns) == ["pixels", "AE", "VAE"]
    assert table.loc["10-NN accuracy in the t-SNE map", "pixels"] == recorded["mnist_map_accuracy"]["pixels"]["mean"]
    assert math.isnan(table.loc["random codes judged digits (confidence ≥ 0.9)", "pixels"])
    differences = mnist_note.differences_table(recorded)
    beyond, within = mnist_note.beyond_noise(differences)
    decided = [label for label in differences.index if not label.startswith(mnist_note.UNDECIDED_PREFIX)]
    assert decided and sorted(beyond + within) == sorted(decided)
    assert all(abs(differences.loc[label, "difference"]) > 2 * differences.loc[label, "± se"] for label in beyond)


def test_a_difference_is_beyond_its_noise_only_past_two_standard_errors():
    recorded = {"mnist_interpolation_gaps": {"VAE latent − AE latent": {"difference": 0.05, "± se": 0.02},
                                             "AE latent − pixel blend": {"difference": -0.03, "± se": 0.02}},
                "mnist_map_gaps": {"VAE mean codes − pixels": {"difference": 0.05, "± se": 0.02}}}
    beyond, within = mnist_note.beyond_noise(mnist_note.differences_table(recorded))
    assert beyond == ["interpolation confidence, VAE − AE"]
    assert within == ["interpolation confidence, AE − pixel blend"]  # unrecorded and t-SNE rows: in neither list
    found = mnist_note.difference_verdicts(mnist_note.differences_table(recorded))
    assert found["interpolation confidence, VAE − AE"].numbers["in se"] == pytest.approx(2.5)
