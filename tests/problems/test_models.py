"""The models' contract, every model: exact gradients, the batch mean, views, L2, predictions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from gdlab.gradcheck import check_grad
from gdlab.problems.models import (
    MLP,
    LinearRegression,
    LogisticRegression,
    PolynomialRegression,
    SoftmaxRegression,
)

N_FEATURES = 3


def make_target(model, n, rng):
    """A target the model takes: labels for classifiers, a 1-D or (n, k) float array otherwise."""
    if isinstance(model, LogisticRegression):
        return rng.integers(0, 2, n)
    if isinstance(model, SoftmaxRegression) or (
        isinstance(model, MLP) and model.task != "regression"
    ):
        return rng.integers(0, 3, n)
    k = getattr(model, "n_outputs", None)
    return rng.standard_normal(n) if k is None else rng.standard_normal((n, k))


MODELS = [
    LinearRegression(),
    LinearRegression(loss="half_mse", fit_intercept=False),
    LinearRegression(n_outputs=2, l2=0.3),
    PolynomialRegression(3, l2=0.2),
    PolynomialRegression(2, loss="half_mse"),
    LogisticRegression(),
    LogisticRegression(l2=0.5, fit_intercept=False),
    SoftmaxRegression(3, l2=0.1),
    SoftmaxRegression(n_classes=None),
    MLP((5, 4), activation="tanh", l2=0.1),
    MLP((4,), activation="sigmoid", n_outputs=2, loss="half_mse"),
    MLP((6,), activation="relu", output="classification", l2=0.05),
    MLP((), output="classification", n_outputs=3),
]


def data_for(model, n, seed):
    rng = np.random.default_rng(seed)
    n_features = 1 if isinstance(model, PolynomialRegression) else N_FEATURES
    X = rng.standard_normal((n, n_features))
    X, y = model.validate(X, make_target(model, n, rng))
    params = model.init(n_features, n_outputs=model.n_outputs_for(y), seed=seed)
    params += 0.5 * rng.standard_normal(params.size)  # away from the small random start
    return params, X, y


@pytest.mark.parametrize("model", MODELS, ids=repr)
@pytest.mark.parametrize("batch_size", [1, 3, 7])
@pytest.mark.parametrize("seed", [0, 1])
def test_gradient_matches_central_differences(model, batch_size, seed):
    params, X, y = data_for(model, batch_size, seed)
    result = check_grad(
        lambda p: model.value_and_grad(p, X, y)[0],
        lambda p: model.value_and_grad(p, X, y)[1],
        params,
        atol=1e-7,
    )
    assert result.ok, str(result)


@pytest.mark.parametrize("model", MODELS, ids=repr)
def test_loss_is_the_mean_over_the_true_batch_size(model):
    """7 samples split 4 + 3 (an odd last batch): L₇ = (4·L₄ + 3·L₃)/7 without the penalty."""
    params, X, y = data_for(model, 7, seed=2)
    free = dataclasses.replace(model, l2=0.0)
    loss, grads = free.value_and_grad(params, X, y)
    loss4, grads4 = free.value_and_grad(params, X[:4], y[:4])
    loss3, grads3 = free.value_and_grad(params, X[4:], y[4:])
    assert loss == pytest.approx((4 * loss4 + 3 * loss3) / 7, rel=1e-12)
    np.testing.assert_allclose(grads, (4 * grads4 + 3 * grads3) / 7, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    "model", [LinearRegression(l2=0.5), SoftmaxRegression(3, l2=0.5), MLP((3,), l2=0.5)], ids=repr
)
def test_l2_penalises_weights_and_not_intercepts(model):
    params, X, y = data_for(model, 5, seed=3)
    loss, grads = model.value_and_grad(params, X, y)
    free_loss, free_grads = dataclasses.replace(model, l2=0.0).value_and_grad(params, X, y)
    views, delta = model.views(params, N_FEATURES), model.views(grads - free_grads, N_FEATURES)
    weights = [name for name in views if name in ("coef",) or name.startswith("W")]
    assert loss - free_loss == pytest.approx(0.25 * sum(np.sum(views[n] ** 2) for n in weights))
    for name in views:
        expected = 0.5 * views[name] if name in weights else np.zeros_like(views[name])
        np.testing.assert_allclose(delta[name], expected, atol=1e-14)


# ---- predictions --------------------------------------------------------------------------


def test_predictions():
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    assert LinearRegression().predict([1.0, -1.0, 0.5], X).tolist() == [-0.5, -1.0]
    logistic = LogisticRegression()
    assert logistic.predict([1.0, 0.0, 0.0], X).tolist() == [1, 0]
    np.testing.assert_allclose(
        logistic.predict_proba([1.0, 0.0, 0.0], X), 1 / (1 + np.exp(-X[:, 0]))
    )
    softmax = SoftmaxRegression(3)
    params = np.arange(9.0) / 10
    proba = softmax.predict_proba(params, X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert softmax.predict(params, X).tolist() == np.argmax(proba, axis=1).tolist()
    mlp = MLP((3,), output="classification", n_outputs=3)
    assert mlp.predict_proba(mlp.init(2), X).shape == (2, 3)
    assert MLP((3,)).predict(MLP((3,)).init(2), X).shape == (2,)
    assert MLP((3,), n_outputs=2).predict(MLP((3,), n_outputs=2).init(2), X).shape == (2, 2)
    with pytest.raises(ValueError, match="predict_proba needs output='classification'"):
        MLP((3,)).predict_proba(MLP((3,)).init(2), X)


# ---- views ----------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=repr)
def test_views_are_views_in_layout_order(model):
    params, X, y = data_for(model, 4, seed=4)
    views = model.views(params, X.shape[1])
    assert all(np.shares_memory(view, params) for view in views.values())
    np.testing.assert_array_equal(np.concatenate([v.ravel() for v in views.values()]), params)
    assert params.size == model.n_params(X.shape[1], model.n_outputs_for(y))
    first = next(iter(views))
    views[first][...] = 42.0
    assert np.all(params[: views[first].size] == 42.0)
