"""Probes: how much of a known factor can a simple model read off the latent codes?

* :func:`linear_probe_r2` — R² on the test codes of a least-squares fit factor ≈ a + b·z trained
  on the training codes, one factor at a time. A high R² means the factor is (close to) a linear
  function of the code; a low one means it is encoded non-linearly or not at all.
* :func:`knn_probe` — a k-nearest-neighbour classifier with k chosen by cross-validation (the
  t-distribution study's question: is a hidden binary factor kept by the code?).
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


def knn_probe(train_codes, train_labels, test_codes, test_labels, k_values=range(3, 25), cv: int = 5,
              positive=1) -> dict:
    """GridSearchCV over k on the training codes, then test accuracy and F1 (``positive`` class)."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier

    search = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": list(k_values)}, cv=cv)
    search.fit(np.asarray(train_codes), np.asarray(train_labels))
    predicted = search.predict(np.asarray(test_codes))
    return {"k": int(search.best_params_["n_neighbors"]),
            "accuracy": float(accuracy_score(test_labels, predicted)),
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
