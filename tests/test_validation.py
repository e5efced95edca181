"""Parameter validation: every bad value names its parameter; every bad combination names all of its
parameters; the notebooks' defaults and smoke sets pass; data-derived limits agree with the helpers."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import notebook_defaults

from helpers import geodesics, heatmaps, latent_paths
from helpers.studies.cone_distortion import parameters as cone_parameters
from helpers.studies.gaussian_heatmaps import parameters as heatmap_parameters
from helpers.studies.gaussian_heatmaps import trajectories
from helpers.studies.t_distribution import parameters as t_parameters
from helpers.studies.t_distribution import t_data
from helpers.studies.tsne_mnist_interpolation import parameters as mnist_parameters
from helpers.validation import Choice, Constraint, Flag, Integer, Real, Rules, Subset, Widths, validate


def test_cone_notebook_defaults_are_valid_and_complete():
    defaults = notebook_defaults("01_cone_distortion")
    assert set(defaults) == set(cone_parameters.PARAMETERS)
    validate(cone_parameters.PARAMETERS, **defaults)


@pytest.mark.parametrize("name, value", [
    ("latent_dim", 0), ("beta", -0.5), ("epochs", 0), ("grid_points_per_axis", 1000),
    ("optimizer", "adamx"), ("activation", "swishy"), ("seed", 1.5), ("seed", "1"), ("seed", -1),
    ("n_points", True), ("learning_rate", 0.0), ("decoder_scale", float("nan")), ("force_retrain", "yes"),
])
def test_bad_cone_parameter_is_named_in_the_error(name, value):
    values = {**notebook_defaults("01_cone_distortion"), name: value}
    with pytest.raises(ValueError, match=rf"{name}: .*{value!r}"):
        validate(cone_parameters.PARAMETERS, **values)


def test_unknown_and_missing_parameters_are_reported_together():
    with pytest.raises(ValueError) as error:
        validate({"a": Integer(0, 1), "b": Flag()}, a=1, c=2)
    assert "c: unknown parameter" in str(error.value) and "b: missing" in str(error.value)


def test_rules_accept_their_boundaries():
    assert Integer(1, 3).problem(3) is None
    assert Real(0, 1).problem(0.0) is None and Real(0, 1, low_inclusive=False).problem(0.0)
    assert Choice(("a",)).problem("a") is None


# ---------------------------------------------------------------- Rules, Constraint and validate(rules, values)

def _ordered(a, b):
    return None if a <= b else f"need a <= b, got {a} > {b}"


ORDERED = Rules({"a": Integer(0, 9), "b": Integer(0, 9), "c": Flag()},
                constraints=(Constraint("order", ("a", "b"), _ordered),))


@pytest.mark.parametrize("value, ok", [([], True), ((8,), True), ([512, 256], True), ([1, 2, 3, 4], True),
                                       ([1, 2, 3, 4, 5], False), ([0], False), ([True], False), ([2.0], False),
                                       (256, False), ("256", False)])
def test_widths_accept_short_lists_of_allowed_integers(value, ok):
    problem = Widths(1, 4_096, 4).problem(value)
    assert (problem is None) == ok
    if not ok:
        assert "at most 4 integers in [1, 4096]" in problem and repr(value) in problem


def test_rules_are_a_mapping_with_constraints():
    assert dict(ORDERED) == {"a": Integer(0, 9), "b": Integer(0, 9), "c": Flag()}
    assert {**ORDERED}["a"] == Integer(0, 9) and len(ORDERED) == 3
    assert [c.name for c in ORDERED.constraints] == ["order"]


def test_a_constraint_must_name_parameters_with_rules():
    with pytest.raises(ValueError, match="'x'"):
        Rules({"a": Integer(0, 1)}, constraints=(Constraint("bad", ("a", "x"), _ordered),))


def test_merge_keeps_constraints_and_refuses_conflicting_rules():
    other = Rules({"d": Integer(0, 1)}, constraints=(Constraint("d is 1", ("d",), lambda d: None if d else "d=0"),))
    merged = ORDERED | other
    assert set(merged) == {"a", "b", "c", "d"} and len(merged.constraints) == 2
    assert Rules.merge(ORDERED, other, ORDERED).constraints == merged.constraints  # duplicates dropped
    assert ({"e": Flag()} | ORDERED).constraints == ORDERED.constraints
    with pytest.raises(ValueError, match="a: two different rules"):
        Rules.merge(ORDERED, {"a": Integer(0, 1)})


def test_mapping_form_checks_exactly_the_rules_names():
    validate(ORDERED, {"a": 1, "b": 2, "c": True, "np": np, "other": object()})  # extra names (globals) ignored
    with pytest.raises(ValueError, match="c: missing"):
        validate(ORDERED, {"a": 1, "b": 2})
    with pytest.raises(TypeError):
        validate(ORDERED, {"a": 1}, b=2)


def test_constraint_message_names_every_parameter_and_runs_only_over_valid_values():
    with pytest.raises(ValueError, match=r"a=3, b=2 \(order\): need a <= b") as error:
        validate(ORDERED, {"a": 3, "b": 2, "c": True})
    assert str(error.value).count("\n") == 1
    with pytest.raises(ValueError) as error:
        validate(ORDERED, {"a": 3, "b": 20, "c": True})  # b is invalid: the constraint is not evaluated
    assert "b: must be in [0, 9]" in str(error.value) and "order" not in str(error.value)


def test_a_bad_value_and_a_bad_combination_are_reported_together():
    with pytest.raises(ValueError) as error:
        validate(ORDERED, {"a": 3, "b": 2, "c": "yes"})
    assert "c: must be True or False" in str(error.value) and "(order)" in str(error.value)
    # the same in a study: a bad epochs and a geodesic strip longer than its geodesic
    values = {**notebook_defaults("02_gaussian_heatmaps"), "epochs": 0, "geodesic_steps": 30, "geodesic_points": 10}
    with pytest.raises(ValueError) as error:
        validate(heatmap_parameters.PARAMETERS, values)
    assert "epochs: must be in" in str(error.value) and "geodesic_points=10, geodesic_steps=30" in str(error.value)


def test_keyword_form_still_works_and_reports_unknown_names():
    validate(ORDERED, a=1, b=2, c=False)
    with pytest.raises(ValueError, match="zz: unknown parameter"):
        validate(ORDERED, a=1, b=2, c=False, zz=3)


def test_subset_rule():
    rule = Subset(5, 10)
    assert rule.problem(0) is None and rule.problem(5) is None and rule.problem(10) is None
    assert rule.problem(4) and rule.problem(11) and rule.problem(True) and rule.problem(5.0)


def test_validation_imports_nothing_heavy():
    """helpers/validation.py on its own (the package's __init__ sets up TensorFlow, so load the file alone)."""
    code = ("import sys, importlib.util; spec = importlib.util.spec_from_file_location('v', 'helpers/validation.py'); "
            "module = sys.modules['v'] = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
            "heavy = {'tensorflow', 'keras', 'sklearn', 'numpy', 'pandas', 'scipy'}; "
            "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ---------------------------------------------------------------- every study: defaults and smoke sets pass

STUDIES = {
    "01_cone_distortion": cone_parameters.PARAMETERS,
    "02_gaussian_heatmaps": heatmap_parameters.PARAMETERS,
    "03_t_distribution": t_parameters.PARAMETERS,
    "04_tsne_mnist_interpolation": mnist_parameters.MNIST_PARAMETERS | mnist_parameters.SHAPES_PARAMETERS,
}
SMOKE = Path(__file__).resolve().parent / "smoke"


@pytest.mark.parametrize("notebook", STUDIES)
def test_defaults_and_smoke_parameters_pass(notebook):
    defaults = notebook_defaults(notebook)
    assert set(defaults) == set(STUDIES[notebook])
    validate(STUDIES[notebook], defaults)
    smoke = yaml.safe_load((SMOKE / f"{notebook}.yaml").read_text())
    validate(STUDIES[notebook], {**defaults, **smoke, "force_retrain": True})


def test_the_issue_example_is_refused_naming_both_subsets():
    """Notebook 02 with train_subset=20, test_subset=10 used to train, then fail in the trajectory cell."""
    values = {**notebook_defaults("02_gaussian_heatmaps"), "train_subset": 20, "test_subset": 10}
    with pytest.raises(ValueError, match=r"train_subset=20, test_subset=10 \(isovariance images\)") as error:
        validate(STUDIES["02_gaussian_heatmaps"], values)
    assert "isovariance spline needs >= 4" in str(error.value)


# (notebook, overrides, constraint name): one bad combination per constraint
BAD_COMBINATIONS = [
    ("01_cone_distortion", {"n_points": 1_000, "plotted_points_per_class": 400}, "plotted points"),
    ("02_gaussian_heatmaps", {"train_subset": 10, "sample_images": 16}, "sample grid"),
    ("02_gaussian_heatmaps", {"test_subset": 6, "sample_images": 16}, "reconstruction pairs"),
    ("02_gaussian_heatmaps", {"train_subset": 80, "test_subset": 70}, "isovariance images"),
    ("02_gaussian_heatmaps", {"test_subset": 63}, "isovariance images"),
    ("02_gaussian_heatmaps", {"geodesic_points": 8, "geodesic_steps": 9}, "geodesic strip"),
    ("02_gaussian_heatmaps", {"train_subset": 20, "mixture_components": 21, "test_subset": 0}, "mixture fit"),
    ("03_t_distribution", {"train_subset": 32, "sample_images": 40}, "sample grid"),
    ("04_tsne_mnist_interpolation", {"n_test": 500, "n_tsne": 600}, "t-SNE images"),
    ("04_tsne_mnist_interpolation", {"n_tsne": 60, "perplexity": 20.0}, "t-SNE perplexity"),
    ("04_tsne_mnist_interpolation", {"n_tsne": 100, "n_thumbnails": 250}, "thumbnails"),
    ("04_tsne_mnist_interpolation", {"interpolation_steps": 12, "geodesic_points": 10}, "geodesic strip"),
    ("04_tsne_mnist_interpolation", {"n_test": 60, "n_tsne": 60, "n_thumbnails": 60, "latent_dim": 64},
     "Gaussian of the codes"),
    ("04_tsne_mnist_interpolation", {"shapes_test": 20, "shapes_shown": 25}, "shown images"),
    ("04_tsne_mnist_interpolation", {"n_generated": 10, "generated_shown": 12}, "shown samples"),
    ("04_tsne_mnist_interpolation", {"n_train": 100, "mixture_components": 150}, "mixture components"),
    ("04_tsne_mnist_interpolation", {"bound_images": 1_500}, "bound images"),
    ("04_tsne_mnist_interpolation", {"validation_images": 2_100}, "held-out images"),
    ("04_tsne_mnist_interpolation", {"kl_warmup_epochs": 400}, "KL warm-up"),
]


@pytest.mark.parametrize("notebook, overrides, name", BAD_COMBINATIONS,
                         ids=[f"{nb[:2]} {name}" for nb, _, name in BAD_COMBINATIONS])
def test_each_constraint_refuses_a_bad_combination_naming_all_its_parameters(notebook, overrides, name):
    rules = STUDIES[notebook]
    constraint = next(c for c in rules.constraints if c.name == name)
    values = {**notebook_defaults(notebook), **overrides}
    for parameter in rules:  # every single value is valid on its own
        assert rules[parameter].problem(values[parameter]) is None, parameter
    with pytest.raises(ValueError) as error:
        validate(rules, values)
    line = next(line for line in str(error.value).splitlines() if f"({name})" in line)
    for parameter in constraint.parameters:
        assert f"{parameter}={values[parameter]!r}" in line


def test_every_constraint_has_a_bad_combination_above():
    tested = {(nb, name) for nb, _, name in BAD_COMBINATIONS}
    assert {(nb, c.name) for nb, rules in STUDIES.items() for c in rules.constraints} == tested


# ---------------------------------------------------------------- data-derived limits, checked against the helpers

def test_split_rows_are_load_heatmaps_split():
    data = heatmaps.load_heatmaps(300, 100)
    train, test = heatmaps.kept_rows(300, 100)
    np.testing.assert_array_equal(heatmaps.factor_grid()[train], data.y_train)
    np.testing.assert_array_equal(heatmaps.factor_grid()[test], data.y_test)


def _isovariance_spline(train_subset, test_subset):
    """Notebook 02's trajectory cell on the kept factors (random codes: only the factors matter here)."""
    train, test = heatmaps.kept_rows(train_subset, test_subset)
    factors = heatmaps.factor_grid()[np.concatenate([train, test])]
    codes = np.random.default_rng(0).normal(size=(len(factors), 3))
    return trajectories.isovariance_path(codes, factors, 10)


@pytest.mark.parametrize("test_subset", [64, 80, 99])
def test_isovariance_limit_is_where_the_spline_starts_to_work(test_subset):
    rules = heatmap_parameters.PARAMETERS
    defaults = {name: notebook_defaults("02_gaussian_heatmaps")[name] for name in rules}
    limit = next(a for a in range(5, 9_501) if heatmap_parameters.isovariance_levels(np.concatenate(
        heatmaps.kept_rows(a, test_subset))) >= heatmap_parameters.ISOVARIANCE_LEVELS)
    _isovariance_spline(limit, test_subset)  # works at the limit
    validate(rules, {**defaults, "train_subset": limit, "test_subset": test_subset})
    with pytest.raises(ValueError, match=">= 4 variance levels"):
        _isovariance_spline(limit - 1, test_subset)
    with pytest.raises(ValueError, match=rf"use train_subset >= {limit} or 0") as error:
        validate(rules, {**defaults, "train_subset": limit - 1, "test_subset": test_subset})
    assert "train_subset" in str(error.value) and "test_subset" in str(error.value)


def test_test_subset_limit_for_the_isovariance_spacing():
    test = heatmaps.kept_rows(0, 64)[1]
    factors = heatmaps.factor_grid()[test]
    codes = np.random.default_rng(0).normal(size=(len(factors), 3))
    iso = np.isclose(factors[:, 0], factors[:, 1])
    assert np.isfinite(latent_paths.typical_spacing(codes[iso]))  # 64: two isovariance test images
    assert latent_paths.typical_spacing(codes[:63][iso[:63]]) == np.inf  # 63: one, without a neighbour
    values = {**notebook_defaults("02_gaussian_heatmaps"), "test_subset": 63}
    with pytest.raises(ValueError, match="use test_subset >= 64 or 0"):
        validate(STUDIES["02_gaussian_heatmaps"], values)


def test_test_subset_minimum_gives_distinct_geodesic_ends():
    def ends(n):
        factors = heatmaps.factor_grid()[heatmaps.kept_rows(0, n)[1]]
        a, b = (trajectories.nearest_factor_index(factors, f) for f in ((2.5, 2.5, -0.85), (2.5, 2.5, 0.85)))
        return factors[a, 2], factors[b, 2], a != b

    assert heatmap_parameters.PARAMETERS["test_subset"].low == 4
    for n in range(4, 200):
        cor_a, cor_b, distinct = ends(n)
        assert distinct and cor_a < 0 < cor_b, n
    cor_a, cor_b, distinct = ends(3)
    assert not (distinct and cor_a < 0 < cor_b)


def test_path_points_minimum_puts_the_emptiest_point_in_the_middle():
    codes = np.random.default_rng(0).normal(size=(200, 3))
    for n, right in ((4, True), (5, True), (40, True), (3, False)):
        path, point, _ = latent_paths.empty_traversal(codes, np.random.default_rng(1), n)
        assert np.allclose(path[len(path) // 2 - 1], point, atol=1e-5) == right, n
    rule = heatmap_parameters.PARAMETERS["path_points"]
    assert rule.problem(3) and not rule.problem(4)


def test_sample_grid_and_reconstruction_pairs_limits():
    rng = np.random.default_rng(0)
    rng.choice(16, size=16, replace=False)
    with pytest.raises(ValueError):
        rng.choice(15, size=16, replace=False)
    assert heatmap_parameters.SAMPLE_GRID.problem({"train_subset": 16, "sample_images": 16}) is None
    assert heatmap_parameters.SAMPLE_GRID.problem({"train_subset": 15, "sample_images": 16})
    assert heatmap_parameters.SAMPLE_GRID.problem({"train_subset": 0, "sample_images": 64}) is None
    assert heatmap_parameters.RECONSTRUCTION_PAIRS.problem({"test_subset": 8, "sample_images": 64}) is None
    assert heatmap_parameters.RECONSTRUCTION_PAIRS.problem({"test_subset": 7, "sample_images": 64})
    assert heatmap_parameters.RECONSTRUCTION_PAIRS.problem({"test_subset": 5, "sample_images": 5}) is None


@pytest.mark.parametrize("rules, points, steps", [
    (heatmap_parameters.PARAMETERS, "geodesic_points", "geodesic_steps"),
    (mnist_parameters.MNIST_PARAMETERS, "geodesic_points", "interpolation_steps")])
def test_strip_limit_is_where_evenly_spaced_rows_stop_repeating(rules, points, steps):
    constraint = next(c for c in rules.constraints if c.name == "geodesic strip")
    curve = np.arange(10)[:, None]
    assert len(np.unique(geodesics.evenly_spaced_rows(curve, 10))) == 10
    assert len(np.unique(geodesics.evenly_spaced_rows(curve, 11))) < 11
    assert constraint.problem({points: 10, steps: 10}) is None
    assert constraint.problem({points: 10, steps: 11})


def test_knn_train_minimum_is_where_every_k_can_be_cross_validated():
    from helpers import probes
    from helpers.studies.t_distribution import parameters
    assert parameters.knn_train_minimum() == 30 == parameters.PARAMETERS["train_subset"].low
    rng = np.random.default_rng(0)

    def probe(n):
        labels = np.arange(n) % 2
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # GridSearchCV warns when a k cannot be scored
            probes.knn_probe(rng.normal(size=(n, 3)), labels, rng.normal(size=(10, 3)), np.arange(10) % 2)

    probe(30)
    with pytest.raises(UserWarning, match="Scoring failed"):
        probe(29)


def test_t_study_minimum_subsets_hold_both_classes_for_every_seed():
    """ν = 2 for sure where (var_x + var_y)² > 30, ν = 200 for sure where it is < 20 (the ν rule)."""
    factors = heatmaps.factor_grid()
    s2 = (factors[:, 0] + factors[:, 1]) ** 2
    rules = t_parameters.PARAMETERS
    train, test = heatmaps.kept_rows(rules["train_subset"].low, rules["test_subset"].low)
    sure_light, sure_heavy = s2 < t_data.DF_THRESHOLD, s2 > t_data.DF_THRESHOLD + t_data.DF_NOISE
    assert sure_light[train].sum() >= t_parameters.KNN_FOLDS and sure_heavy[train].sum() >= t_parameters.KNN_FOLDS
    assert sure_light[test].sum() >= 1 and sure_heavy[test].sum() >= 1


def test_perplexity_limit_is_where_tsne_stops_lowering_it(monkeypatch):
    import sklearn.manifold

    from helpers import embedding
    from helpers.studies.tsne_mnist_interpolation import parameters
    used = []

    class RecordingTSNE:
        def __init__(self, perplexity, **kwargs):
            used.append(perplexity)

        def fit_transform(self, x):
            return np.zeros((len(x), 2))

    monkeypatch.setattr(sklearn.manifold, "TSNE", RecordingTSNE)
    constraint = next(c for c in parameters.MNIST_PARAMETERS.constraints if c.name == "t-SNE perplexity")
    x = np.random.default_rng(0).normal(size=(61, 5))
    embedding.tsne(x, 20.0, 0, "sklearn")  # 3 · 20 = 60 = n − 1: used as given
    assert used[-1] == 20.0 and constraint.problem({"n_tsne": 61, "perplexity": 20.0}) is None
    embedding.tsne(x[:60], 20.0, 0, "sklearn")  # one point fewer: lowered
    assert used[-1] < 20.0 and constraint.problem({"n_tsne": 60, "perplexity": 20.0})


def test_code_gaussian_limit_is_where_the_covariance_gets_full_rank():
    constraint = next(c for c in mnist_parameters.MNIST_PARAMETERS.constraints if c.name == "Gaussian of the codes")
    d = 8
    codes = np.random.default_rng(0).normal(size=(d + 1, d))
    assert np.linalg.matrix_rank(np.cov(codes, rowvar=False)) == d
    assert np.linalg.matrix_rank(np.cov(codes[:d], rowvar=False)) < d
    assert constraint.problem({"n_test": d + 1, "latent_dim": d}) is None
    assert constraint.problem({"n_test": d, "latent_dim": d})


def test_cone_plotted_points_limit_is_the_lower_class_size():
    from helpers.studies.cone_distortion import cone_points, parameters
    from helpers.training import set_seed

    seed, n_points = 3, 2_000
    points = cone_points.make_cone_points(n_points, set_seed(seed))  # as the notebook draws them
    lower = len(points.lower)
    assert cone_points.class_sizes(seed, n_points) == {"upper": len(points.upper), "lower": lower}
    constraint = parameters.PARAMETERS.constraints[0]
    assert len(points.lower[:lower]) == lower and len(points.upper[:lower]) == lower
    assert constraint.problem({"seed": seed, "n_points": n_points, "plotted_points_per_class": lower}) is None
    assert len(points.lower[:lower + 1]) == lower  # one more: the lower class falls short
    assert constraint.problem({"seed": seed, "n_points": n_points, "plotted_points_per_class": lower + 1})


def test_at_most_names_both_parameters_and_both_ways_out():
    from helpers.validation import at_most

    rule = at_most("strip", "steps", "points", "each step shows one point")
    assert rule.problem({"steps": 10, "points": 10}) is None
    message = rule.problem({"steps": 11, "points": 10})
    assert message == "points=10, steps=11 (strip): each step shows one point: use steps <= 10 or points >= 11"
