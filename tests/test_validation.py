"""Parameter validation: every bad value names its parameter; the notebooks' defaults pass."""

import pytest
from conftest import notebook_defaults

from helpers import cone
from helpers.validation import Choice, Flag, Integer, Real, validate

def test_cone_notebook_defaults_are_valid_and_complete():
    defaults = notebook_defaults("01_cone_distortion")
    assert set(defaults) == set(cone.PARAMETERS)
    validate(cone.PARAMETERS, **defaults)


@pytest.mark.parametrize("name, value", [
    ("latent_dim", 0), ("beta", -0.5), ("epochs", 0), ("grid_points_per_axis", 1000),
    ("optimizer", "adamx"), ("activation", "swishy"), ("seed", 1.5), ("seed", "1"), ("seed", -1),
    ("n_points", True), ("learning_rate", 0.0), ("decoder_scale", float("nan")), ("force_retrain", "yes"),
])
def test_bad_cone_parameter_is_named_in_the_error(name, value):
    values = {**notebook_defaults("01_cone_distortion"), name: value}
    with pytest.raises(ValueError, match=rf"{name}: .*{value!r}"):
        validate(cone.PARAMETERS, **values)


def test_unknown_and_missing_parameters_are_reported_together():
    with pytest.raises(ValueError) as error:
        validate({"a": Integer(0, 1), "b": Flag()}, a=1, c=2)
    assert "c: unknown parameter" in str(error.value) and "b: missing" in str(error.value)


def test_rules_accept_their_boundaries():
    assert Integer(1, 3).problem(3) is None
    assert Real(0, 1).problem(0.0) is None and Real(0, 1, low_inclusive=False).problem(0.0)
    assert Choice(("a",)).problem("a") is None
