"""Standardisation: x′ = (x − mean) / scale per column, and back to the original units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from gdlab.data.dataset import Array


def _matrix(X: ArrayLike) -> Array:
    try:
        array = np.asarray(X)
    except (ValueError, TypeError) as error:
        raise ValueError(f"X must be a rectangular array of numbers ({error})") from None
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    if array.dtype.kind != "f" or array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"X must be a non-empty 2-D numeric array, got {array.dtype} {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("X contains NaN or inf")
    return array


_TOO_LARGE = (
    "X holds values too large to standardise (a column's mean, spread or a scaled value "
    "overflows its dtype); divide X by a constant first"
)


@dataclass(frozen=True, eq=False)
class Standardizer:
    """x′ = (x − mean) / scale per column; a constant column gets scale 1 (it becomes 0), and so
    does one whose spread underflows to 0 (subnormal differences)."""

    mean: Array
    scale: Array

    @classmethod
    def fit(cls, X: ArrayLike) -> Standardizer:
        """mean and population std (ddof = 0) of each column of X."""
        X = _matrix(X)
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
            constant = np.ptp(X, axis=0) == 0
            mean, std = X.mean(axis=0), X.std(axis=0)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
            raise ValueError(_TOO_LARGE)
        return cls(mean, np.where(constant | (std == 0), 1, std).astype(X.dtype))

    def transform(self, X: ArrayLike) -> Array:
        """(X − mean) / scale."""
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = (_matrix(X) - self.mean) / self.scale
        if not np.all(np.isfinite(scaled)):
            raise ValueError(_TOO_LARGE)
        return scaled

    def inverse_transform(self, X: ArrayLike) -> Array:
        """X′·scale + mean."""
        return _matrix(X) * self.scale + self.mean

    def coef_to_original(self, coef: ArrayLike, intercept: ArrayLike = 0.0) -> tuple[Array, Array]:
        """A linear model fitted on X′ in the original units: w = w′/scale, b = b′ − mean·w."""
        coef = np.asarray(coef) / (self.scale if np.ndim(coef) == 1 else self.scale[:, None])
        return coef, np.asarray(intercept) - self.mean @ coef


def standardize(
    X: ArrayLike, *, mean: ArrayLike | None = None, scale: ArrayLike | None = None
) -> tuple[Array, Standardizer]:
    """(X′, Standardizer): zero mean and unit variance per column, or the given mean and scale."""
    X = _matrix(X)
    if mean is None and scale is None:
        fitted = Standardizer.fit(X)
    else:
        m = np.zeros(X.shape[1]) if mean is None else np.asarray(mean, dtype=X.dtype)
        s = np.ones(X.shape[1]) if scale is None else np.asarray(scale, dtype=X.dtype)
        if m.shape != (X.shape[1],) or s.shape != (X.shape[1],) or not np.all(s > 0):
            raise ValueError(f"mean and scale must be {X.shape[1]} values each, scale > 0")
        fitted = Standardizer(m.astype(X.dtype), s.astype(X.dtype))
    return fitted.transform(X), fitted
