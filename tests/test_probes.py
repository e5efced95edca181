"""The k-NN grid search with one neighbour search per fold against scikit-learn's GridSearchCV."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier

from helpers import probes


def overlapping_classes(n: int, dim: int, seed: int):
    """Two Gaussian classes whose overlap makes the cross-validated accuracy depend on k."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    x = rng.standard_normal((n, dim)) + 0.8 * labels[:, None]
    return x.astype(np.float32), labels


def plain_search(x, y, k_values, cv=5):
    return GridSearchCV(KNeighborsClassifier(), {"n_neighbors": list(k_values)}, cv=cv).fit(x, y)


@pytest.mark.parametrize("dim, seed", [(3, 0), (3, 1), (20, 2)])  # kd-tree (3-D) and brute force (20-D) searches
def test_per_fold_search_chooses_the_k_and_scores_of_grid_search_cv(dim, seed):
    x, y = overlapping_classes(400, dim, seed)
    k_values = range(3, 25)
    grid = plain_search(x, y, k_values)
    k, means = probes.knn_grid_search(x, y, k_values)
    assert k == grid.best_params_["n_neighbors"]
    np.testing.assert_array_equal(means, grid.cv_results_["mean_test_score"])  # bit for bit


def test_knn_probe_predicts_as_grid_search_cv():
    x, y = overlapping_classes(500, 3, 4)
    fast = probes.knn_probe(x[:400], y[:400], x[400:], y[400:])
    plain = probes.knn_probe(x[:400], y[:400], x[400:], y[400:], search="GridSearchCV")
    grid = plain_search(x[:400], y[:400], range(3, 25))
    assert fast == plain
    assert fast["accuracy"] == pytest.approx((grid.predict(x[400:]) == y[400:]).mean(), abs=1e-12)


def test_even_k_vote_ties_go_to_the_smaller_label_as_in_scikit_learn():
    x, y = overlapping_classes(300, 2, 3)
    k_values = [2, 4, 6]  # even k: many 1–1, 2–2 and 3–3 votes
    grid = plain_search(x, y, k_values)
    k, means = probes.knn_grid_search(x, y, k_values)
    assert k == grid.best_params_["n_neighbors"]
    np.testing.assert_array_equal(means, grid.cv_results_["mean_test_score"])


def test_too_few_points_for_the_tie_check_defer_to_grid_search_cv():
    x, y = overlapping_classes(20, 2, 7)  # 16 training points per fold, fewer than max k + 2
    k, means = probes.knn_grid_search(x, y, k_values=[3, 9, 15])
    grid = plain_search(x, y, [3, 9, 15])
    assert k == grid.best_params_["n_neighbors"]
    np.testing.assert_array_equal(means, grid.cv_results_["mean_test_score"])


def grid_feature(n: int, seed: int):
    """A feature on a grid: many points share each value, with mixed labels (as study 3's true var_x + var_y)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 12, n).astype(float)[:, None]
    return x, (rng.random(n) < x[:, 0] / 12).astype(int)


@pytest.mark.parametrize("check_duplicates", [True, False])
def test_ties_with_disagreeing_labels_fall_back_to_grid_search_cv(monkeypatch, check_duplicates):
    x, y = grid_feature(600, 5)
    if not check_duplicates:  # the tie check on the neighbours alone also sends this data to GridSearchCV
        monkeypatch.setattr(probes, "_disagreeing_duplicates", lambda *args: False)
    calls = []
    monkeypatch.setattr(probes, "_grid_search_cv", lambda *args: calls.append(args) or (7, np.zeros(3)))
    assert probes.knn_grid_search(x, y, k_values=[3, 5, 7]) == (7, pytest.approx(np.zeros(3)))
    assert len(calls) == 1


def test_knn_probe_on_a_grid_feature_matches_grid_search_cv():
    x, y = grid_feature(600, 8)
    assert probes.knn_probe(x[:500], y[:500], x[500:], y[500:]) == probes.knn_probe(
        x[:500], y[:500], x[500:], y[500:], search="GridSearchCV")


def test_duplicates_known_answers():
    x = np.array([[0.0, 1.0], [2.0, 3.0], [0.0, 1.0], [5.0, 5.0]])
    assert not probes._disagreeing_duplicates(x, np.array([1, 0, 1, 0]))  # the repeated row keeps its label
    assert probes._disagreeing_duplicates(x, np.array([1, 0, 0, 0]))
    assert not probes._disagreeing_duplicates(x[:, :1] + np.arange(4)[:, None], np.array([1, 0, 0, 0]))


def test_ambiguous_ties_known_answers():
    distances = np.array([[0.0, 1.0, 1.0, 2.0, 3.0]])  # columns 2 and 3 (k = 2 → 3) tie
    k_values = [1, 2, 3]
    assert not probes._ambiguous_ties(distances, np.array([[0, 1, 1, 0, 0]]), k_values)  # tied pair agrees
    assert probes._ambiguous_ties(distances, np.array([[0, 1, 0, 0, 0]]), k_values)  # tied pair disagrees
    assert not probes._ambiguous_ties(distances, np.array([[0, 1, 0, 0, 0]]), [1, 3])  # no boundary inside the tie
    running = np.array([[0.0, 1.0, 2.0, 2.0, 2.0]])  # the tie reaches the last column: more may lie beyond
    assert probes._ambiguous_ties(running, np.zeros((1, 5), int), k_values)


def test_unknown_search_is_refused():
    x, y = overlapping_classes(60, 2, 6)
    with pytest.raises(ValueError, match="search must be"):
        probes.knn_probe(x, y, x, y, search="magic")
