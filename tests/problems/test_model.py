"""gdlab.problems.model: layout and views, seeded and explicit init, dtype, call errors."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab.problems.models import (
    MLP,
    LinearRegression,
    PolynomialRegression,
    SoftmaxRegression,
)

# ---- views, init ----------------------------------------------------------------------------


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


# ---- errors in init, views and value_and_grad ---------------------------------------------

GOOD_X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])


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
