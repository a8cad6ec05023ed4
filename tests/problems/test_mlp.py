"""gdlab.problems.mlp: stability, the linear model as a special case, initialisation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gdlab.problems.models import (
    MLP,
    LinearRegression,
    SoftmaxRegression,
)


def test_mlp_classification_is_stable_with_huge_weights():
    model = MLP((3,), activation="relu", output="classification", n_outputs=2)
    params = model.init(2, seed=0) * 1e6
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss, grads = model.value_and_grad(params, np.ones((4, 2)), np.array([0, 1, 0, 1]))
    assert np.isfinite(loss)
    assert np.all(np.isfinite(grads))


def test_mlp_without_hidden_layers_is_the_linear_model():
    """hidden=() has the layout (W1, b1) = (coef, intercept): same params, same numbers."""
    rng = np.random.default_rng(7)
    X, y, labels = rng.standard_normal((6, 3)), rng.standard_normal(6), rng.integers(0, 4, 6)
    params = rng.standard_normal(4)
    for mlp, linear, target in [
        (MLP((), l2=0.2), LinearRegression(l2=0.2), y),
        (MLP((), output="classification", n_outputs=4), SoftmaxRegression(4), labels),
    ]:
        params = rng.standard_normal(linear.n_params(3, linear.n_outputs_for(target)))
        loss, grads = mlp.value_and_grad(params, X, target)
        expected_loss, expected_grads = linear.value_and_grad(params, X, target)
        assert loss == pytest.approx(expected_loss, rel=1e-14)
        np.testing.assert_allclose(grads, expected_grads, rtol=1e-13)


def test_xavier_and_he_initialisation():
    """Xavier: |W| <= √(6/(fan_in + fan_out)); He: std √(2/fan_in); output layer Xavier; b = 0."""
    tanh = MLP((300,), activation="tanh").views(MLP((300,)).init(400, seed=0))
    assert np.max(np.abs(tanh["W1"])) <= np.sqrt(6 / 700)
    assert np.std(tanh["W1"]) == pytest.approx(np.sqrt(6 / 700) / np.sqrt(3), rel=0.02)
    relu_model = MLP((300,), activation="relu")
    relu = relu_model.views(relu_model.init(400, seed=0))
    assert np.std(relu["W1"]) == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert np.max(np.abs(relu["W2"])) <= np.sqrt(6 / 301)
    assert not np.any(relu["b1"])
    assert not np.any(relu["b2"])
