"""gdlab.problems.validation: validate names the problem; configuration errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdlab.problems.models import (
    MLP,
    LinearRegression,
    LogisticRegression,
    PolynomialRegression,
    SoftmaxRegression,
)
from gdlab.problems.validation import all_finite, check_numeric

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


# ---- the finite check -----------------------------------------------------------------------


@given(
    hnp.arrays(
        st.sampled_from([np.float16, np.float32, np.float64]),
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
        elements={"allow_nan": True, "allow_infinity": True, "allow_subnormal": True},
    )
)
def test_all_finite_says_what_isfinite_says_of_every_element(array):
    assert all_finite(array) == bool(np.isfinite(array).all())


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_finite_elements_whose_sum_overflows_are_finite(dtype):
    """The sum of the largest finite values overflows to inf; each element is still finite:
    the check decides element by element, and a NaN or inf among them is still found."""
    largest = np.finfo(dtype).max
    array = np.full((3, 4), largest, dtype=dtype)
    array[0, 1] = -largest  # the sum overflows all the same
    assert all_finite(array)
    assert check_numeric("X", array) is array
    for bad in (np.nan, np.inf, -np.inf):
        spoiled = array.copy()
        spoiled[2, 3] = bad
        assert not all_finite(spoiled)
        with pytest.raises(ValueError, match=r"X contains NaN or inf \(first at index \(2, 3\)\)"):
            check_numeric("X", spoiled)


def test_opposite_infinities_are_not_finite():
    """inf + (−inf) is NaN: a sum that is not finite either way."""
    assert not all_finite(np.array([np.inf, -np.inf, 1.0]))
