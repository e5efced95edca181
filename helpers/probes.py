"""Probes: how much of a known factor can a simple model read off the latent codes?

* :func:`linear_probe_r2` — R² on the test codes of a least-squares fit factor ≈ a + b·z trained
  on the training codes, one factor at a time. A high R² means the factor is (close to) a linear
  function of the code; a low one means it is encoded non-linearly or not at all.
* :func:`knn_probe` — a k-nearest-neighbour classifier with k chosen by cross-validation (the
  t-distribution study's question: is a hidden binary factor kept by the code?). The search over k
  (:func:`knn_grid_search`) finds each validation fold's neighbours once, for the largest k, and
  scores every k from them: the choice of ``GridSearchCV(KNeighborsClassifier(), …)`` at a fraction
  of its cost (``tests/bench/bench_t_study.py`` measures both).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score


def linear_probe_r2(train_codes, train_factors, test_codes, test_factors, names) -> pd.Series:
    """Test R² of a linear regression from codes to each factor (one regression per factor)."""
    scores = {}
    for k, name in enumerate(names):
        fit = LinearRegression().fit(train_codes, train_factors[:, k])
        scores[name] = r2_score(test_factors[:, k], fit.predict(test_codes))
    return pd.Series(scores)


def knn_grid_search(features, labels, k_values=range(3, 25), cv: int = 5) -> tuple[int, np.ndarray]:
    """(best k, mean validation accuracy per k): the choice ``GridSearchCV(KNeighborsClassifier(),
    {"n_neighbors": k_values}, cv=cv)`` makes, computed with one neighbour search per fold.

    GridSearchCV fits and scores one classifier per (k, fold), so it searches the neighbours of every
    validation fold once per k. Here each fold's neighbours are searched once, for the largest k
    (``NearestNeighbors`` with the classifier's defaults, so the same algorithm and metric), and every
    k votes with the first k of them: the k nearest are the first k of the max(k) nearest, sorted.
    The folds (``check_cv``: stratified, unshuffled), the majority vote (a tie goes to the smaller
    class label), the accuracy per fold, its plain mean over folds and the tie-break between k values
    (the first of the best ranked) are GridSearchCV's.

    Ties in distance need care: where a validation point's k-th and (k + 1)-th neighbours are equally
    far, which of them counts depends on how a search breaks the tie, and it may break it differently
    for different k. That changes no vote when every neighbour at that distance has the same label
    (study 3's pixels: an image and its transpose are equally far from a symmetric one, and in the
    default run they always share ν). Where tied neighbours disagree, or the tie runs past the largest
    k (a feature on a grid, such as the true var_x + var_y, with hundreds of images per value), the
    function falls back to GridSearchCV itself and returns its choice, so it is exact on any data.
    Repeated feature vectors with different labels make such ties all but certain, so they go to
    GridSearchCV straight away.

    scikit-learn's "caching nearest neighbors" example (a ``KNeighborsTransformer`` in a ``Pipeline``
    with ``memory=``) caches the neighbour graph of each *training* fold, i.e. the fit; scoring a k
    still transforms the validation fold anew, and that search is where a KNN grid search spends
    its time, so the pattern does not help here.
    """
    from scipy.stats import rankdata
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import check_cv
    from sklearn.neighbors import NearestNeighbors

    x, y = np.asarray(features), np.asarray(labels)
    k_values = [int(k) for k in k_values]
    classes, codes = np.unique(y, return_inverse=True)
    if _disagreeing_duplicates(x, codes):
        return _grid_search_cv(x, y, k_values, cv)
    splitter = check_cv(cv, y, classifier=True)
    scores = np.empty((len(k_values), splitter.get_n_splits(x, y)))
    for fold, (train, valid) in enumerate(splitter.split(x, y)):
        if len(train) < max(k_values) + 2:  # too few points for the tie check: GridSearchCV's own behaviour
            return _grid_search_cv(x, y, k_values, cv)
        # two beyond the largest k: a tie across the last boundary shows whether it runs on past it
        search = NearestNeighbors(n_neighbors=max(k_values) + 2).fit(x[train])
        distances, neighbours = search.kneighbors(x[valid])
        neighbour_codes = codes[train][neighbours]
        if _ambiguous_ties(distances, neighbour_codes, k_values):
            return _grid_search_cv(x, y, k_values, cv)
        votes = np.cumsum(neighbour_codes[..., None] == np.arange(len(classes)), axis=1)  # (n, max k + 2, classes)
        for i, k in enumerate(k_values):
            scores[i, fold] = accuracy_score(y[valid], classes[votes[:, k - 1].argmax(1)])
    means = np.average(scores, axis=1)
    return k_values[int(rankdata(-means, method="min").argmin())], means


def _disagreeing_duplicates(features, labels) -> bool:
    """Whether some feature vector occurs more than once with different labels (rows compared by a
    hash of their bytes: cheaper than sorting wide rows)."""
    rows = np.ascontiguousarray(features).reshape(len(features), -1)
    keys = np.array([hash(row.tobytes()) for row in rows])
    order = np.argsort(keys, kind="stable")
    keys, labels = keys[order], np.asarray(labels)[order]
    return bool(((keys[1:] == keys[:-1]) & (labels[1:] != labels[:-1])).any())


def _ambiguous_ties(distances, neighbour_labels, k_values) -> bool:
    """Whether, for a k in ``k_values``, the k-th and (k + 1)-th of a point's sorted neighbours
    (``distances``, ``neighbour_labels``: (n, max k + 2)) are equally far and the neighbours at that
    distance do not all share one label, or run to the last column (more may tie beyond it)."""
    boundaries = np.asarray(k_values)
    rows, where = np.nonzero(distances[:, boundaries - 1] == distances[:, boundaries])
    for row, k in zip(rows, boundaries[where], strict=True):
        group = distances[row] == distances[row, k - 1]
        if group[-1] or np.unique(neighbour_labels[row, group]).size > 1:
            return True
    return False


def _grid_search_cv(features, labels, k_values, cv) -> tuple[int, np.ndarray]:
    """(best k, mean validation accuracy per k) of scikit-learn's GridSearchCV over KNN classifiers."""
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier

    grid = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": list(k_values)}, cv=cv).fit(features, labels)
    return int(grid.best_params_["n_neighbors"]), grid.cv_results_["mean_test_score"]


def knn_probe(train_codes, train_labels, test_codes, test_labels, k_values=range(3, 25), cv: int = 5,
              positive=1, search: str = "per fold") -> dict:
    """k chosen by ``cv``-fold cross-validation on the training codes, then test accuracy and F1
    (``positive`` class) of ``KNeighborsClassifier(k)`` fitted on all of them.

    ``search="per fold"`` chooses k with :func:`knn_grid_search`; ``"GridSearchCV"`` with scikit-learn's
    GridSearchCV, the original study's way (same k, many times slower; kept for tests and benchmarks).
    """
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.neighbors import KNeighborsClassifier

    x_train, y_train = np.asarray(train_codes), np.asarray(train_labels)
    if search == "per fold":
        k, _ = knn_grid_search(x_train, y_train, k_values, cv)
    elif search == "GridSearchCV":
        k, _ = _grid_search_cv(x_train, y_train, k_values, cv)
    else:
        raise ValueError(f"search must be 'per fold' or 'GridSearchCV', got {search!r}")
    predicted = KNeighborsClassifier(n_neighbors=k).fit(x_train, y_train).predict(np.asarray(test_codes))
    return {"k": k, "accuracy": float(accuracy_score(test_labels, predicted)),
            "f1": float(f1_score(test_labels, predicted, pos_label=positive))}


def logistic_probe(train_features, train_labels, test_features, test_labels, positive=1) -> dict:
    """A (standardised) logistic regression: test accuracy and F1 — a linear baseline for the KNN."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    predicted = model.fit(np.asarray(train_features), np.asarray(train_labels)).predict(np.asarray(test_features))
    return {"accuracy": float(accuracy_score(test_labels, predicted)),
            "f1": float(f1_score(test_labels, predicted, pos_label=positive))}


def pca_features(x_train, x_test, components: int = 3, seed: int = 0):
    """Pixels flattened and projected on their first principal components (fitted on the training set)."""
    from sklearn.decomposition import PCA

    pca = PCA(n_components=components, random_state=seed).fit(np.asarray(x_train).reshape(len(x_train), -1))
    return (pca.transform(np.asarray(x_train).reshape(len(x_train), -1)),
            pca.transform(np.asarray(x_test).reshape(len(x_test), -1)))
