"""gdlab.data.scaling: standardisation, back to the original units, errors."""

from __future__ import annotations

import numpy as np
import pytest

from gdlab import data

# ---- standardisation ---------------------------------------------------------------------------


def test_standardize_centres_and_scales():
    X = np.array([[1.0, 10.0, 5.0], [2.0, 30.0, 5.0], [3.0, 50.0, 5.0]])
    X_std, scaler = data.standardize(X)
    np.testing.assert_allclose(scaler.mean, [2.0, 30.0, 5.0])
    np.testing.assert_allclose(scaler.scale, [np.sqrt(2 / 3), np.sqrt(800 / 3), 1.0])
    np.testing.assert_allclose(X_std.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(X_std.std(axis=0), [1.0, 1.0, 0.0], atol=1e-15)
    assert X_std[:, 2].tolist() == [0.0, 0.0, 0.0]  # the constant column: scale 1, no 0/0
    np.testing.assert_allclose(scaler.inverse_transform(X_std), X, rtol=1e-15)
    np.testing.assert_allclose(scaler.transform(X), X_std)


def test_standardize_with_given_mean_and_scale_and_float32():
    X = np.array([[1.0, 4.0], [3.0, 8.0]], dtype=np.float32)
    X_std, _scaler = data.standardize(X, mean=[1.0, 0.0], scale=[2.0, 4.0])
    assert X_std.dtype == np.float32
    assert X_std.tolist() == [[0.0, 1.0], [1.0, 2.0]]
    assert data.Standardizer.fit(X).transform(X).dtype == np.float32
    assert data.standardize(X, mean=[1.0, 1.0])[0].tolist() == [[0.0, 3.0], [2.0, 7.0]]


def test_coef_back_to_original_units():
    ds = data.make_linear(60, 3, noise=0.1, scales=(1.0, 50.0, 0.02), seed=6)
    X_std, scaler = data.standardize(ds.X)
    design = np.column_stack([X_std, np.ones(60)])
    solution = np.linalg.lstsq(design, ds.y, rcond=None)[0]
    coef, intercept = scaler.coef_to_original(solution[:3], solution[3])
    raw = np.linalg.lstsq(np.column_stack([ds.X, np.ones(60)]), ds.y, rcond=None)[0]
    np.testing.assert_allclose(np.append(coef, intercept), raw, rtol=1e-9)


def test_standardizing_improves_the_condition_number():
    """κ(XᵀX) of skewed columns (scales 1 and 1000) drops to about 1."""
    ds = data.make_linear(500, 2, scales=(1.0, 1000.0), seed=0)
    X_std, _ = data.standardize(ds.X)
    assert np.linalg.cond(ds.X.T @ ds.X) > 1e5
    assert np.linalg.cond(X_std.T @ X_std) < 1.5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.standardize(np.zeros(3)), r"X must be a non-empty 2-D numeric array"),
        (lambda: data.standardize(np.zeros((0, 2))), r"X must be a non-empty 2-D numeric array"),
        (lambda: data.standardize([["a"]]), r"X must be a non-empty 2-D numeric array, got <U1"),
        (lambda: data.standardize([[1.0, np.nan]]), r"X contains NaN or inf"),
        (lambda: data.standardize([[1.0]], scale=[0.0]), r"mean and scale must be 1 values each"),
        (lambda: data.standardize([[1.0]], mean=[0.0, 1.0]), r"mean and scale must be 1 values"),
    ],
)
def test_standardize_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
