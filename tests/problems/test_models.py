"""The models' contract: exact gradients, the seeds' numbers by hand, stability, validation."""

from __future__ import annotations

import dataclasses
import warnings

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


# ---- numerical stability ----------------------------------------------------------------


@pytest.mark.parametrize("z", [1000.0, 1e4, 1e300])
def test_log_loss_is_stable_at_extreme_logits(z):
    """ℓ(z, y=0) = softplus(z) = z and ℓ(−z, y=0) = 0 for huge z: no overflow, no warning."""
    model = LogisticRegression(fit_intercept=False)
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        loss, grads = model.value_and_grad(np.array([z]), X, np.array([0, 0, 1, 1]))
        proba = model.predict_proba(np.array([z]), X)
    # per sample: z (wrong, σ = 1), 0 (right), 0 (right), z (wrong, σ = 0)
    assert loss == pytest.approx(z / 2, rel=1e-12)
    assert grads.tolist() == [(1.0 * 1 + 0 * -1 + 0 * 1 + -1.0 * -1) / 4]
    assert proba.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_softmax_is_stable_at_extreme_logits():
    model = SoftmaxRegression(3, fit_intercept=False)
    coef = np.array([[1000.0, -1000.0, 0.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        loss, grads = model.value_and_grad(coef.ravel(), np.array([[1.0]]), np.array([1]))
    assert loss == 2000.0  # logsumexp = 1000, z_y = −1000
    assert grads.tolist() == [1.0, -1.0, 0.0]  # softmax (1, 0, 0) − onehot(1)


def test_mlp_classification_is_stable_with_huge_weights():
    model = MLP((3,), activation="relu", output="classification", n_outputs=2)
    params = model.init(2, seed=0) * 1e6
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss, grads = model.value_and_grad(params, np.ones((4, 2)), np.array([0, 1, 0, 1]))
    assert np.isfinite(loss)
    assert np.all(np.isfinite(grads))


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


def test_logistic_is_softmax_with_two_classes():
    """σ: p(1) = softmax((0, z))₁, so the losses agree when class 0 has zero weights."""
    rng = np.random.default_rng(8)
    X, y = rng.standard_normal((6, 2)), rng.integers(0, 2, 6)
    w, b = rng.standard_normal(2), 0.7
    logistic = LogisticRegression().value_and_grad(np.append(w, b), X, y)[0]
    coef = np.column_stack([np.zeros(2), w]).ravel()
    softmax = SoftmaxRegression(2).value_and_grad(np.append(coef, [0.0, b]), X, y)[0]
    assert logistic == pytest.approx(softmax, rel=1e-13)


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


def test_float32_stays_float32():
    rng = np.random.default_rng(9)
    X, y = rng.standard_normal((8, 3)).astype(np.float32), rng.integers(0, 3, 8)
    for model in (SoftmaxRegression(3), MLP((4,), output="classification", n_outputs=3)):
        params = model.init(3, seed=1, dtype=np.float32)
        loss, grads = model.value_and_grad(params, X, y)
        loss64, grads64 = model.value_and_grad(params.astype(np.float64), X.astype(np.float64), y)
        assert params.dtype == grads.dtype == np.float32
        assert loss == pytest.approx(loss64, rel=1e-5)
        np.testing.assert_allclose(grads, grads64, rtol=1e-4, atol=1e-6)
    params = LinearRegression().init(3, dtype=np.float32)
    grads = LinearRegression().value_and_grad(params, X, y.astype(np.float64))[1]
    assert grads.dtype == np.float32


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


# ---- views, init ----------------------------------------------------------------------------


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


def test_view_names_and_shapes():
    assert {k: v.shape for k, v in LinearRegression().views(np.zeros(4)).items()} == {
        "coef": (3,),
        "intercept": (),
    }
    assert {k: v.shape for k, v in SoftmaxRegression(3).views(np.zeros(12)).items()} == {
        "coef": (3, 3),
        "intercept": (3,),
    }
    shapes = {k: v.shape for k, v in MLP((5,)).views(MLP((5,)).init(2)).items()}
    assert shapes == {"W1": (2, 5), "b1": (5,), "W2": (5, 1), "b2": (1,)}
    assert SoftmaxRegression().views(np.zeros(12), n_features=2)["coef"].shape == (2, 4)


def test_seeded_init_is_reproducible():
    model = MLP((4, 3), activation="relu")
    first, again = model.init(5, seed=11), model.init(5, seed=11)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, model.init(5, seed=12))
    from_rng = model.init(5, rng=np.random.default_rng(11))
    np.testing.assert_array_equal(from_rng, first)
    assert not np.array_equal(
        model.init(5, seed=3, rng=np.random.default_rng(11)), model.init(5, seed=3)
    )
    np.testing.assert_array_equal(
        model.init(5, seed=11, dtype=np.float32), first.astype(np.float32)
    )
    linear = LinearRegression().init(3, seed=1)
    assert linear[-1] == 0.0
    assert 0 < np.max(np.abs(linear[:3])) < 0.1


def test_explicit_starts():
    assert PolynomialRegression(2).init(1, start=[1, 0, -1]).tolist() == [1.0, 0.0, -1.0]
    assert LinearRegression(fit_intercept=False).init(2, start=0).tolist() == [0.0, 0.0]
    named = SoftmaxRegression(2).init(2, start={"coef": [[1, 2], [3, 4]], "intercept": 0.5})
    assert named.tolist() == [1.0, 2.0, 3.0, 4.0, 0.5, 0.5]
    assert LinearRegression().init(2, start=1, dtype=np.float32).dtype == np.float32


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


# ---- validation -------------------------------------------------------------------------------

GOOD_X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
NAN_X = np.array([[1.0, 2.0], [3.0, np.nan], [5.0, 6.0]])


@pytest.mark.parametrize(
    ("model", "X", "y", "message"),
    [
        (LinearRegression(), GOOD_X, [1.0, 2.0], r"X has 3 samples but y has 2"),
        (
            LinearRegression(),
            [1.0, 2.0, 3.0],
            [1.0, 2.0, 3.0],
            r"X must be 2-D .* got shape \(3,\)",
        ),
        (
            LinearRegression(),
            NAN_X,
            [1.0, 2.0, 3.0],
            r"X contains NaN or inf \(first at index \(1, 1\)\)",
        ),
        (
            LinearRegression(),
            GOOD_X,
            [1.0, np.inf, 3.0],
            r"y contains NaN or inf \(first at index \(1,\)\)",
        ),
        (LinearRegression(), np.zeros((0, 2)), [], r"X is empty \(shape \(0, 2\)\)"),
        (LinearRegression(), np.zeros((2, 0)), [1.0, 2.0], r"X is empty \(shape \(2, 0\)\)"),
        (LinearRegression(), GOOD_X, 1.0, r"y must be an array with one row per sample"),
        (LinearRegression(), [["a", "b"]], [1.0], r"X must be numeric, got dtype <U1"),
        (LinearRegression(), GOOD_X, np.ones((3, 2)), r"y must be 1-D .* pass n_outputs=2"),
        (
            LinearRegression(n_outputs=3),
            GOOD_X,
            np.ones((3, 2)),
            r"shape \(n_samples, 3\) .* got \(3, 2\)",
        ),
        (
            PolynomialRegression(2),
            GOOD_X,
            [1.0, 2.0, 3.0],
            r"x must have shape \(n,\) or \(n, 1\), got \(3, 2\)",
        ),
        (
            LogisticRegression(),
            GOOD_X,
            [0, 1, 2],
            r"label 2 at index 2 is out of range: .* 0\.\.1; map two-valued",
        ),
        (
            LogisticRegression(),
            GOOD_X,
            [0, 0.5, 1],
            r"class labels must be integers 0\.\.K-1, got 0\.5 at index 1",
        ),
        (
            SoftmaxRegression(),
            GOOD_X,
            [0, -1, 1],
            r"class labels must be integers 0\.\.K-1, got -1\.0 at index 1",
        ),
        (
            SoftmaxRegression(3),
            GOOD_X,
            [0, 3, 1],
            r"label 3 at index 1 is out of range: .* labels 0\.\.2$",
        ),
        (SoftmaxRegression(3), GOOD_X, [[0], [1], [1]], r"y must be a 1-D array of class labels"),
        (MLP(output="classification"), GOOD_X, [0.0, 1.0, 1.5], r"got 1\.5 at index 2"),
        (MLP(), GOOD_X, [1.0, 2.0], r"X has 3 samples but y has 2"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_validate_names_the_problem(model, X, y, message):
    with pytest.raises(ValueError, match=message):
        model.validate(X, y)


def test_validate_returns_clean_arrays():
    X, y = SoftmaxRegression().validate([[1, 2], [3, 4]], [1.0, 0.0])
    assert X.dtype == np.float64
    assert y.dtype == np.int64
    assert y.tolist() == [1, 0]
    X32, _ = LinearRegression().validate(GOOD_X.astype(np.float32), [1, 2, 3])
    assert X32.dtype == np.float32
    x, _ = PolynomialRegression(2).validate([0.1, 0.2], [1.0, 2.0])
    assert x.shape == (2, 1)
    assert LogisticRegression().validate(GOOD_X, [True, False, True])[1].tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: LinearRegression(loss="l1"), r"loss must be one of 'mse', 'half_mse', got 'l1'"),
        (lambda: LinearRegression(l2=-1.0), r"l2 must be a finite number >= 0, got -1\.0"),
        (lambda: LogisticRegression(l2=float("nan")), r"l2 must be a finite number >= 0, got nan"),
        (lambda: LinearRegression(n_outputs=0), r"n_outputs must be an integer >= 1, got 0"),
        (lambda: PolynomialRegression(-1), r"degree must be an integer >= 0, got -1"),
        (lambda: PolynomialRegression(2.5), r"degree must be an integer >= 0, got 2\.5"),
        (lambda: SoftmaxRegression(1), r"n_classes must be an integer >= 2, got 1"),
        (lambda: MLP(hidden=32), r"hidden must be a sequence of layer widths >= 1, got 32"),
        (
            lambda: MLP(hidden=(8, 0)),
            r"hidden must be a sequence of layer widths >= 1, got \(8, 0\)",
        ),
        (lambda: MLP(activation="gelu"), r"activation must be one of 'tanh', 'relu', 'sigmoid'"),
        (lambda: MLP(output="ranking"), r"output must be one of 'regression', 'classification'"),
        (lambda: MLP(output="classification", n_outputs=1), r"n_outputs must be an integer >= 2"),
    ],
)
def test_configuration_errors(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: LinearRegression().init(0), r"n_features must be an integer >= 1, got 0"),
        (lambda: PolynomialRegression(2).init(2), r"takes one input x, got n_features=2"),
        (
            lambda: LinearRegression().init(2, dtype=np.int64),
            r"dtype must be a floating type, got int64",
        ),
        (
            lambda: LinearRegression().init(2, n_outputs=2),
            r"n_outputs=2 contradicts LinearRegression",
        ),
        (lambda: SoftmaxRegression().init(2), r"needs n_outputs \(the number of classes\)"),
        (
            lambda: SoftmaxRegression().init(2, n_outputs=1),
            r"n_outputs must be an integer >= 2, got 1",
        ),
        (
            lambda: LinearRegression().init(2, start=[1, 2]),
            r"start must be a scalar or 3 values, got shape \(2,\)",
        ),
        (
            lambda: LinearRegression().init(2, start={"coef": [1, 2]}),
            r"start must name exactly the parts \['coef', 'intercept'\]",
        ),
        (
            lambda: LinearRegression().init(2, start={"coef": [1, 2, 3], "intercept": 0}),
            r"start\['coef'\] has shape \(3,\), needs \(2,\)",
        ),
        (lambda: LinearRegression().init(2, start=np.nan), r"start contains NaN or inf"),
        (
            lambda: LinearRegression().value_and_grad(np.zeros(5), GOOD_X, [1.0, 2.0, 3.0]),
            r"params has 5 values, .* n_features=2, n_outputs=1 \(needs 3\)",
        ),
        (
            lambda: LinearRegression().value_and_grad(np.zeros((3, 1)), GOOD_X, [1.0, 2.0, 3.0]),
            r"params must be a flat 1-D float array",
        ),
        (
            lambda: LinearRegression().value_and_grad(np.zeros(3), GOOD_X, [1.0, 2.0]),
            r"a batch needs b >= 1 samples in X and y, got 3 and 2",
        ),
        (lambda: LinearRegression().value_and_grad(np.zeros(3), GOOD_X[:0], []), r"got 0 and 0"),
        (
            lambda: SoftmaxRegression().views(np.zeros(12)),
            r"cannot split 12 values alone; pass n_features",
        ),
        (
            lambda: SoftmaxRegression().views(np.zeros(13), n_features=2),
            r"params has 13 values, which does not fit",
        ),
        (
            lambda: PolynomialRegression(2).views(np.zeros(4)),
            r"params has 4 values but .* has 3 on one input x",
        ),
    ],
)
def test_init_and_call_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
