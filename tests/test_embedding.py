"""t-SNE wrapper and map-quality numbers with known answers."""

import numpy as np
import pytest

from helpers import embedding


def clusters(n_per=40, dim=60, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 10, size=(3, dim))
    x = np.concatenate([c + rng.normal(0, 0.5, size=(n_per, dim)) for c in centres])
    return x, np.repeat(np.arange(3), n_per)


def test_trustworthiness_of_identity_is_one():
    x, _ = clusters()
    assert embedding.trustworthiness(x, x, k=5) == pytest.approx(1.0)


def test_trustworthiness_of_shuffled_map_is_low():
    x, _ = clusters()
    shuffled = np.random.default_rng(1).permutation(x)
    assert embedding.trustworthiness(x, shuffled[:, :2], k=5) < 0.7


def test_knn_accuracy_known_answers():
    x, labels = clusters()
    assert embedding.knn_accuracy(x, labels, k=5) == 1.0
    # one point of label 1 sitting in cluster 0 is out-voted: 119/120 right
    wrong = labels.copy()
    wrong[0] = 1
    assert embedding.knn_accuracy(x, wrong, k=5) == pytest.approx(119 / 120)
    with pytest.raises(ValueError):
        embedding.knn_accuracy(x[:3], labels[:3], k=5)


def test_knn_accuracy_excludes_the_point_itself():
    # two far apart pairs with mixed labels: with k=1 each point sees only its partner
    points = np.array([[0.0, 0], [0.1, 0], [10, 0], [10.1, 0]])
    assert embedding.knn_accuracy(points, np.array([0, 1, 0, 1]), k=1) == 0.0


def test_pca_reduce_only_when_wide():
    x, _ = clusters(dim=60)
    assert embedding.pca_reduce(x).shape == (120, 50)
    assert embedding.pca_reduce(x[:, :20]).shape == (120, 20)


@pytest.mark.parametrize("method", embedding.METHODS)
def test_tsne_separates_clusters_and_is_reproducible(method):
    x, labels = clusters()
    first = embedding.tsne(x, perplexity=10, seed=0, method=method)
    again = embedding.tsne(x, perplexity=10, seed=0, method=method)
    assert first.points.shape == (120, 2) and first.input_dim == 50
    np.testing.assert_allclose(first.points, again.points)
    assert embedding.knn_accuracy(first.points, labels, k=5) == 1.0


def test_tsne_rejects_unknown_method():
    with pytest.raises(ValueError, match="method"):
        embedding.tsne(np.zeros((10, 3)), method="umap")


def test_map_quality_table():
    x, labels = clusters()
    maps = {"raw": embedding.Embedding(x[:, :2], "none", 0.0, 2)}
    table = embedding.map_quality({"raw": x}, maps, labels, k=5)
    assert table.loc["raw", "5-NN accuracy in the space itself"] == 1.0
