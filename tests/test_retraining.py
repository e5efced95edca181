"""A run that will train says so before it starts (``helpers.retraining``; each study's ``parameters.RETRAINS``).

Known answers: the notebooks' defaults are the shipped settings (no notice); changing a parameter that feeds a
model's cache key names that model and the time its shipped weights took; the exercises that `exercises.yaml`
marks as retraining are exactly those for which the notice speaks.
"""

import importlib
import json

import pytest
from conftest import notebook_defaults

from helpers.exercises import load_exercises
from helpers.retraining import Retrains, retraining_notice, shipped_training_seconds

STUDIES = {"01_cone_distortion": "cone_distortion", "02_gaussian_heatmaps": "gaussian_heatmaps",
           "03_t_distribution": "t_distribution", "04_tsne_mnist_interpolation": "tsne_mnist_interpolation"}


def parameters(stem: str):
    return importlib.import_module(f"helpers.studies.{STUDIES[stem]}.parameters")


@pytest.mark.parametrize("stem", STUDIES)
def test_the_defaults_are_shipped_settings_and_every_family_records_its_time(stem):
    rules, defaults = parameters(stem), notebook_defaults(stem)
    assert retraining_notice(rules.RETRAINS, defaults) is None
    for family in rules.RETRAINS:
        assert set(family.parameters) <= set(rules.PARAMETERS), family.model
        assert all(set(setting) == set(family.parameters) for setting in family.shipped)
        assert shipped_training_seconds(family.weights) is not None, f"no shipped {family.weights} history"


@pytest.mark.parametrize("stem", STUDIES)
def test_changing_a_parameter_that_feeds_a_cache_key_names_the_model(stem):
    rules, defaults = parameters(stem), notebook_defaults(stem)
    for family in rules.RETRAINS:
        name = family.parameters[-1]
        value = defaults[name]
        changed = {**defaults, name: [*value, 8] if isinstance(value, list) else value * 2 + 1}
        notice = retraining_notice(rules.RETRAINS, changed)
        assert notice and f"{family.model} ({name} = " in notice
        assert f"{shipped_training_seconds(family.weights) / 60:.1f} min" in notice
    forced = retraining_notice(rules.RETRAINS, {**defaults, "force_retrain": True})
    assert all(family.model in forced for family in rules.RETRAINS)


@pytest.mark.parametrize("stem", STUDIES)
def test_the_exercises_that_retrain_are_the_ones_the_notice_names(stem):
    rules, defaults = parameters(stem), notebook_defaults(stem)
    for exercise in load_exercises(stem):
        for run in exercise.runs:
            notice = retraining_notice(rules.RETRAINS, {**defaults, **run})
            assert (notice is not None) == bool(exercise.retrains), (exercise.title, notice)


def test_any_shipped_setting_loads():
    rules, defaults = parameters("02_gaussian_heatmaps"), notebook_defaults("02_gaussian_heatmaps")
    assert retraining_notice(rules.RETRAINS, {**defaults, "seed": 22}) is None  # a seed-study seed
    original = {**defaults, "config": "original", "vae_loss": "original", "beta": 1.0, "epochs": 40}
    assert retraining_notice(rules.RETRAINS, original) is None
    notice = retraining_notice(rules.RETRAINS, {**defaults, "seed": 30})
    assert "the VAE (seed = 30)" in notice and "the AE (seed = 30)" in notice


def test_the_notice_quotes_the_recorded_time(tmp_path):
    (tmp_path / "toy-0123.history.json").write_text(json.dumps({"train_seconds": 90.0}))
    family = Retrains("the toy", "toy", ({"beta": 1.0, "seed": (0, 1)},))
    assert retraining_notice([family], {"beta": 1.0, "seed": 1}, tmp_path) is None
    notice = retraining_notice([family], {"beta": 2.0, "seed": 0}, tmp_path)
    assert notice.endswith("the toy (beta = 2.0): the shipped one took 1.5 min to train")
    other = Retrains("the other", "other", ({"beta": 1.0},))
    assert "no shipped model" in retraining_notice([other], {"beta": 3.0}, tmp_path)


@pytest.mark.parametrize("stem", STUDIES)
def test_the_parameters_cell_marks_exactly_the_parameters_that_retrain(stem):
    """A parameter's comment ends in ``[retrains]`` exactly when it feeds a model's cache key (``RETRAINS``)."""
    import ast
    from pathlib import Path

    cells = json.loads((Path(__file__).resolve().parent.parent / "notebooks" / f"{stem}.ipynb").read_text())["cells"]
    source = "".join(next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))["source"])
    names = {node.lineno: node.target.id for node in ast.parse(source).body if isinstance(node, ast.AnnAssign)}
    marked = {names[i] for i, line in enumerate(source.splitlines(), start=1)
              if i in names and line.rstrip().endswith("[retrains]")}
    assert marked == {name for family in parameters(stem).RETRAINS for name in family.parameters}
