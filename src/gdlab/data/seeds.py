"""The seeds' data sets, built exactly as the seed articles build them."""

from __future__ import annotations

import numpy as np

from gdlab.data.dataset import Dataset


def seed000() -> Dataset:
    """Seed 000: x = 0.00, 0.01, …, 0.99 and y = 2x² + 3x + 4, built exactly as the seed does.

    `[0.01 * x for x in range(100)]` and `[2*x**2 + 3*x + 4 for x in X]` in Python floats, so
    x[35] is 0.01 * 35 = 0.35000000000000003, not 35/100 = 0.35.  The seed fits
    PolynomialRegression(2) from w = (1, 0, −1) with per-sample SGD, learning rate 0.1.
    """
    xs = [0.01 * x for x in range(100)]
    ys = [2 * x**2 + 3 * x + 4 for x in xs]
    return Dataset(
        X=np.array(xs)[:, None],
        y=np.array(ys),
        name="seed000",
        feature_names=("x",),
        truth={"coef": np.array([2.0, 3.0]), "intercept": np.array(4.0)},
        description="seed 000: y = 2x² + 3x + 4 on x = 0.00, 0.01, …, 0.99 (no noise)",
    )


def seed002() -> Dataset:
    """Seed 002: X = [[1, 1], [1, 2], [1, 3], [1, 4]] (a column of ones, then x), y = 2x.

    Fit with LinearRegression(loss="half_mse", fit_intercept=False) from θ = 0; θ* = (0, 2).
    """
    return Dataset(
        X=np.array([[1, 1], [1, 2], [1, 3], [1, 4]], dtype=np.float64),
        y=np.array([2, 4, 6, 8], dtype=np.float64),
        name="seed002",
        feature_names=("bias", "x"),
        truth={"coef": np.array([0.0, 2.0])},
        description="seed 002: y = 2x on x = 1..4, X holds a column of ones (θ* = (0, 2))",
    )
