"""gdlab.data.seeds: the seeds' data bit for bit."""

from __future__ import annotations

import numpy as np

from gdlab import data
from gdlab.problems.models import (
    LinearRegression,
    PolynomialRegression,
)

# ---- the seeds ----------------------------------------------------------------------------


def test_seed000_is_built_exactly_as_the_seed_builds_it():
    ds = data.seed000()
    xs = [0.01 * x for x in range(100)]
    assert ds.X.shape == (100, 1)
    assert ds.X.dtype == np.float64
    assert ds.X[3, 0] == 0.01 * 3
    assert ds.X[35, 0] == 0.01 * 35  # 0.35000000000000003: the seed's float, not 35/100
    assert ds.X[35, 0] != 35 / 100
    assert ds.X[:, 0].tolist() != (np.arange(100) / 100).tolist()
    assert ds.X[:, 0].tolist() == xs
    assert ds.y.tolist() == [2 * x**2 + 3 * x + 4 for x in xs]
    assert ds.feature_names == ("x",)
    assert ds.task == "regression"


def test_seed000_truth_is_the_seed_polynomial():
    ds = data.seed000()
    model = PolynomialRegression(2)
    params = model.init(1, start=ds.truth)
    assert params.tolist() == [2.0, 3.0, 4.0]
    assert model.value_and_grad(params, ds.X, ds.y)[0] < 1e-28


def test_seed002():
    ds = data.seed002()
    assert ds.X.dtype == np.float64
    assert ds.X.tolist() == [[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0]]
    assert ds.y.tolist() == [2.0, 4.0, 6.0, 8.0]
    model = LinearRegression(loss="half_mse", fit_intercept=False)
    loss, grads = model.value_and_grad(model.init(2, start=ds.truth), ds.X, ds.y)
    assert loss == 0.0
    assert grads.tolist() == [0.0, 0.0]


def test_each_call_builds_fresh_arrays():
    first = data.seed002()
    first.X[0, 0] = 99.0
    assert data.seed002().X[0, 0] == 1.0
