"""What runs will cost (``helpers.run_cost``) and the retraining notice built on it (``helpers.retraining``).

Known answers: longest-first scheduling of [10, 10, 10] on 2 workers takes 20, of [18, 1, 1] 18; halving the batch
size doubles the steps of an epoch; doubling the epochs doubles the estimate; notebook 04 with batch size 8 warns of
a long run, and an estimate past an hour says so in words.
"""

import json

import pytest
from conftest import notebook_defaults

from helpers import run_cost
from helpers.retraining import Retrains, retraining_notice


@pytest.mark.parametrize(("seconds", "workers", "wall"), [
    ([10, 10, 10], 2, 20), ([18, 1, 1], 2, 18), ([10, 10, 10], 1, 30), ([10, 10, 10], 16, 10),
    ([5, 4, 3, 3, 3], 2, 10), ([], 4, 0)])  # longest first gives 10 here where the best split (5+4, 3+3+3) is 9
def test_expected_wall_schedules_the_longest_runs_first(seconds, workers, wall):
    assert run_cost.expected_wall(seconds, workers) == wall


def test_halving_the_batch_size_doubles_the_steps():
    assert run_cost.steps_per_epoch(4096, 64) == 2 * run_cost.steps_per_epoch(4096, 128) == 64
    assert run_cost.steps_per_epoch(4000, 128) == 32  # the last, partial batch is a step too


def test_the_estimate_scales_with_epochs_images_and_batch_size():
    shipped = {"seed": 0, "n_train": 4096, "epochs": 25, "batch_size": 128}
    assert run_cost.training_scale(shipped, shipped) == (1.0, [])
    assert run_cost.training_scale(shipped, {**shipped, "epochs": 50})[0] == pytest.approx(2.0)
    assert run_cost.training_scale(shipped, {**shipped, "n_train": 2048})[0] == pytest.approx(0.5)
    half, reasons = run_cost.training_scale(shipped, {**shipped, "batch_size": 64})
    assert half == pytest.approx(2 * 0.5 ** run_cost.BATCH_EXPONENT)  # twice the steps, each cheaper
    assert "batch_size 64 instead of 128" in reasons[0] and "2× the steps" in reasons[0]
    assert run_cost.training_scale(shipped, {**shipped, "seed": 3})[0] == 1.0  # a seed costs nothing more
    subset = {"train_subset": 0, "epochs": 12}
    assert run_cost.training_scale(subset, {**subset, "train_subset": 950})[0] == pytest.approx(0.1)


def test_all_images_is_what_the_studies_allow():
    from helpers.studies.gaussian_heatmaps import parameters as heatmaps
    from helpers.studies.t_distribution import parameters as t_study

    for rules in (heatmaps.PARAMETERS, t_study.PARAMETERS):
        assert rules["train_subset"].high == run_cost.ALL_IMAGES["train_subset"]


def test_the_notice_scales_the_recorded_time_and_says_more_than_an_hour(tmp_path):
    (tmp_path / "toy-0123.history.json").write_text(json.dumps({"train_seconds": 1200.0}))
    family = Retrains("the toy", "toy", ({"epochs": 10, "batch_size": 64, "n_train": 6400},))
    two = retraining_notice([family], {"epochs": 20, "batch_size": 64, "n_train": 6400}, tmp_path)
    assert "the shipped one took 20.0 min to train; with these settings expect about 40.0 min" in two
    assert "HOUR" not in two
    long = retraining_notice([family], {"epochs": 40, "batch_size": 64, "n_train": 6400}, tmp_path)
    assert "expect about 1.3 h" in long and "MORE THAN AN HOUR on this machine" in long


def test_notebook_04_with_batch_size_8_warns_of_a_long_run():
    from helpers.studies.tsne_mnist_interpolation import parameters

    defaults = notebook_defaults("04_tsne_mnist_interpolation")
    assert retraining_notice(parameters.RETRAINS, defaults) is None
    notice = retraining_notice(parameters.RETRAINS, {**defaults, "batch_size": 8})
    assert "batch_size 8 instead of 128: 15.6× the steps" in notice
    total = notice.splitlines()[-1]
    assert total.startswith("In all about ") and ("a long run" in total or "MORE THAN AN HOUR" in total)
    minutes = float(total.split("about ")[1].split()[0]) * (60 if " h " in total else 1)
    shipped = retraining_notice(parameters.RETRAINS, {**defaults, "force_retrain": True}).splitlines()[-1]
    assert minutes > 1.5 * float(shipped.split("about ")[1].split()[0])  # more steps: well above the shipped time
