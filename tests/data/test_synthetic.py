"""gdlab.data.synthetic: seeded data with its truth; the makers' errors."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab import data
from gdlab.problems.models import (
    LinearRegression,
    LogisticRegression,
    PolynomialRegression,
    SoftmaxRegression,
)

# ---- synthetic ------------------------------------------------------------------------------


def test_make_linear_has_its_truth():
    ds = data.make_linear(50, 3, noise=0.0, seed=4)
    assert ds.X.shape == (50, 3)
    assert ds.y.shape == (50,)
    np.testing.assert_allclose(ds.y, ds.X @ ds.truth["coef"] + ds.truth["intercept"], rtol=1e-14)
    model = LinearRegression()
    assert model.value_and_grad(model.init(3, start=ds.truth), ds.X, ds.y)[0] < 1e-28


def test_make_linear_noise_and_scales():
    ds = data.make_linear(20000, 2, noise=0.5, scales=(1.0, 100.0), seed=1)
    residual = ds.y - ds.X @ ds.truth["coef"] - ds.truth["intercept"]
    assert np.std(residual) == pytest.approx(0.5, rel=0.02)
    np.testing.assert_allclose(ds.X.std(axis=0), [1.0, 100.0], rtol=0.02)


@pytest.mark.parametrize(
    "maker",
    [data.make_linear, data.make_polynomial, data.make_blobs, data.make_classification],
)
def test_synthetic_data_is_seeded(maker):
    first, again, other = maker(seed=7), maker(seed=7), maker(seed=8)
    np.testing.assert_array_equal(first.X, again.X)
    np.testing.assert_array_equal(first.y, again.y)
    assert not np.array_equal(first.X, other.X)


def test_make_polynomial_has_its_truth():
    ds = data.make_polynomial(40, 3, noise=0.0, low=-2.0, high=1.0, seed=2)
    assert ds.X.shape == (40, 1)
    assert ds.X.min() >= -2.0
    assert ds.X.max() < 1.0
    model = PolynomialRegression(3)
    assert model.value_and_grad(model.init(1, start=ds.truth), ds.X, ds.y)[0] < 1e-24


def test_make_blobs():
    ds = data.make_blobs(90, 3, 4, spread=0.0, seed=5)
    assert ds.task == "classification"
    assert ds.y.dtype == np.int64
    assert np.bincount(ds.y).tolist() == [30, 30, 30]
    np.testing.assert_array_equal(ds.X, ds.truth["centers"][ds.y])


@pytest.mark.parametrize("n_classes", [2, 4])
def test_make_classification_draws_labels_from_its_model(n_classes):
    ds = data.make_classification(20000, 3, n_classes, weight_scale=1.0, seed=3)
    model = LogisticRegression() if n_classes == 2 else SoftmaxRegression(n_classes)
    X, y = model.validate(ds.X, ds.y)
    params = model.init(3, start=ds.truth)
    proba = model.predict_proba(params, X)
    if n_classes == 2:
        proba = np.column_stack([1 - proba, proba])
    frequency = np.bincount(y, minlength=n_classes) / len(y)
    np.testing.assert_allclose(frequency, proba.mean(axis=0), atol=0.01)
    truth_loss = model.value_and_grad(params, X, y)[0]
    assert truth_loss < model.value_and_grad(np.zeros_like(params), X, y)[0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.make_linear(0), r"n_samples must be an integer >= 1, got 0"),
        (lambda: data.make_linear(10, 2, noise=-1.0), r"noise must be a finite number >= 0"),
        (lambda: data.make_linear(10, 2, scales=(1.0,)), r"scales must be 2 positive numbers"),
        (lambda: data.make_linear(10, 2, scales=(1.0, 0.0)), r"scales must be 2 positive"),
        (lambda: data.make_polynomial(10, -1), r"degree must be an integer >= 0, got -1"),
        (lambda: data.make_polynomial(low=1.0, high=1.0), r"low must be < high"),
        (lambda: data.make_blobs(n_classes=1), r"n_classes must be an integer >= 2, got 1"),
        (lambda: data.make_classification(n_features=0), r"n_features must be an integer >= 1"),
    ],
)
def test_maker_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
