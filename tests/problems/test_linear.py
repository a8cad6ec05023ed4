"""gdlab.problems.linear: the seeds' numbers by hand, closed forms and equivalences."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab.problems.models import (
    LinearRegression,
    LogisticRegression,
    PolynomialRegression,
    SoftmaxRegression,
)

# ---- the seeds by hand ------------------------------------------------------------------

SEED002_X = np.array([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0]])
SEED002_Y = np.array([2.0, 4.0, 6.0, 8.0])


def test_seed002_loss_and_gradient_at_zero_by_hand():
    """θ = 0: r = −y, L = (1/8)(4 + 16 + 36 + 64) = 15, ∇ = (1/4)Xᵀr = (−20, −60)/4."""
    model = LinearRegression(loss="half_mse", fit_intercept=False)
    theta = model.init(2, start=0.0)
    loss, grads = model.value_and_grad(theta, SEED002_X, SEED002_Y)
    assert theta.tolist() == [0.0, 0.0]
    assert loss == 15.0
    assert grads.tolist() == [-5.0, -15.0]


def test_seed002_one_sample_is_the_seed_sgd_gradient():
    """Seed 002's SGD: gradient = xiᵀ(xi·θ − yi) for one row — half_mse at b = 1, times 1."""
    model = LinearRegression(loss="half_mse", fit_intercept=False)
    loss, grads = model.value_and_grad(np.array([0.5, 1.0]), SEED002_X[2:3], SEED002_Y[2:3])
    # prediction 0.5 + 3 = 3.5, residual −2.5: gradient (−2.5, −7.5), loss ½·6.25
    assert grads.tolist() == [-2.5, -7.5]
    assert loss == 3.125


def test_seed001_gradient_is_mse_without_intercept():
    """Seed 001: gradient = 2/b·Xᵀ(Xθ − y) — loss "mse", twice "half_mse"."""
    theta = np.array([0.3, -0.2])
    mse = LinearRegression(fit_intercept=False).value_and_grad(theta, SEED002_X, SEED002_Y)
    half = LinearRegression(fit_intercept=False, loss="half_mse")
    half_loss, half_grads = half.value_and_grad(theta, SEED002_X, SEED002_Y)
    expected = 2 / 4 * SEED002_X.T @ (SEED002_X @ theta - SEED002_Y)
    np.testing.assert_allclose(mse[1], expected, rtol=1e-15)
    np.testing.assert_allclose(mse[1], 2 * half_grads, rtol=1e-15)
    assert mse[0] == pytest.approx(2 * half_loss, rel=1e-15)


def test_seed000_per_sample_gradient_by_hand():
    """w = (1, 0, −1), x = 0.5: y = 6, ŷ = −0.75, ℓ = 6.75², ∇ = 2·(−6.75)·(0.25, 0.5, 1)."""
    model = PolynomialRegression(2)
    w = model.init(1, start=[1, 0, -1])
    loss, grads = model.value_and_grad(w, np.array([0.5]), np.array([6.0]))
    assert loss == 45.5625
    assert grads.tolist() == [-3.375, -6.75, -13.5]


def test_seed000_one_epoch_of_per_sample_sgd_matches_the_seed_loop():
    """The seed's loop (its formulas, verbatim) and the model, one sample at a time."""
    xs = [0.01 * x for x in range(100)]
    ys = [2 * x**2 + 3 * x + 4 for x in xs]
    w1, w2, w3 = 1, 0, -1
    model, w = PolynomialRegression(2), np.array([1.0, 0.0, -1.0])
    for x, y_true in zip(xs, ys, strict=True):
        y_pred = w1 * x**2 + w2 * x + w3
        grad_w1, grad_w2, grad_w3 = (2 * (y_pred - y_true) * x**k for k in (2, 1, 0))
        w1, w2, w3 = w1 - 0.1 * grad_w1, w2 - 0.1 * grad_w2, w3 - 0.1 * grad_w3
        loss, grads = model.value_and_grad(w, np.array([x]), np.array([y_true]))
        assert loss == pytest.approx((y_pred - y_true) ** 2, rel=1e-12, abs=1e-15)
        w = w - 0.1 * grads
    np.testing.assert_allclose(w, [w1, w2, w3], rtol=1e-12)


def test_polynomial_weights_are_highest_power_first():
    model = PolynomialRegression(2)
    w = np.array([2.0, 3.0, 4.0])
    assert model.predict(w, np.array([0.0, 1.0, 2.0])).tolist() == [4.0, 9.0, 18.0]
    views = model.views(w)
    assert views["coef"].tolist() == [2.0, 3.0]
    assert float(views["intercept"]) == 4.0


# ---- closed forms and equivalences -------------------------------------------------------


def test_linear_regression_closed_form():
    """mse with intercept: ∇w = (2/b)Xᵀr, ∂L/∂b = (2/b)Σr, L = mean r²."""
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((9, 3)), rng.standard_normal(9)
    params = rng.standard_normal(4)
    loss, grads = LinearRegression().value_and_grad(params, X, y)
    r = X @ params[:3] + params[3] - y
    assert loss == pytest.approx(np.mean(r**2), rel=1e-14)
    np.testing.assert_allclose(grads, np.append(2 / 9 * X.T @ r, 2 / 9 * r.sum()), rtol=1e-13)


def test_multi_output_mse_averages_every_entry():
    rng = np.random.default_rng(6)
    X, Y = rng.standard_normal((5, 2)), rng.standard_normal((5, 3))
    model = LinearRegression(n_outputs=3)
    params = rng.standard_normal(model.n_params(2, 3))
    views = model.views(params)
    residual = X @ views["coef"] + views["intercept"] - Y
    assert model.value_and_grad(params, X, Y)[0] == pytest.approx(np.mean(residual**2), rel=1e-14)


def test_logistic_is_softmax_with_two_classes():
    """σ: p(1) = softmax((0, z))₁, so the losses agree when class 0 has zero weights."""
    rng = np.random.default_rng(8)
    X, y = rng.standard_normal((6, 2)), rng.integers(0, 2, 6)
    w, b = rng.standard_normal(2), 0.7
    logistic = LogisticRegression().value_and_grad(np.append(w, b), X, y)[0]
    coef = np.column_stack([np.zeros(2), w]).ravel()
    softmax = SoftmaxRegression(2).value_and_grad(np.append(coef, [0.0, b]), X, y)[0]
    assert logistic == pytest.approx(softmax, rel=1e-13)
