"""gdlab.data.bundled: every data set by name, scikit-learn's bundled sets."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab import data

# ---- by name ----------------------------------------------------------------------------------


def test_names_lists_every_data_set():
    assert data.names() == (
        "seed000",
        "seed002",
        "linear",
        "polynomial",
        "blobs",
        "classification",
        "diabetes",
        "breast_cancer",
        "iris",
        "wine",
        "digits",
    )


@pytest.mark.parametrize(
    ("name", "shape", "task", "n_classes"),
    [
        ("diabetes", (442, 10), "regression", None),
        ("breast_cancer", (569, 30), "classification", 2),
        ("iris", (150, 4), "classification", 3),
        ("wine", (178, 13), "classification", 3),
        ("digits", (1797, 64), "classification", 10),
    ],
)
def test_load_bundled(name, shape, task, n_classes):
    ds = data.load(name)
    assert ds.name == name
    assert ds.X.shape == shape
    assert ds.X.dtype == np.float64
    assert ds.task == task
    assert len(ds.feature_names) == shape[1]
    assert "scikit-learn" in ds.description
    if n_classes is None:
        assert ds.y.dtype == np.float64
    else:
        assert ds.y.dtype == np.int64
        assert sorted(set(ds.y.tolist())) == list(range(n_classes))


def test_load_by_name_matches_the_makers():
    np.testing.assert_array_equal(data.load("linear", seed=3).X, data.make_linear(seed=3).X)
    assert data.load("seed000").X[:, 0].tolist() == data.seed000().X[:, 0].tolist()
    assert all(data.load(name).name == name for name in data.names())


def test_load_errors():
    with pytest.raises(ValueError, match=r"unknown data set 'mnist'; known: seed000, .*, digits"):
        data.load("mnist")
    with pytest.raises(ValueError, match=r"'iris' is a bundled data set and takes no options"):
        data.load("iris", seed=1)
