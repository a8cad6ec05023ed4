"""Synthetic data sets, seeded, with the truth that generated them (in a model's layout)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gdlab.data.dataset import Dataset
from gdlab.problems.models import sigmoid
from gdlab.problems.validation import check_count


def _nonnegative(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _generator(seed: int) -> np.random.Generator:
    """The data's generator; seed an integer >= 0 (ValueError naming it otherwise)."""
    return np.random.default_rng(check_count("seed", seed, 0))


def _names(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(count))


def make_linear(
    n_samples: int = 100,
    n_features: int = 2,
    *,
    noise: float = 0.1,
    scales: Sequence[float] | None = None,
    seed: int = 0,
) -> Dataset:
    """y = X·w + b + noise·ε;  X ~ N(0, 1)·scales, w ~ U(−2, 2), b ~ U(−1, 1), ε ~ N(0, 1).

    `scales` multiplies the columns of X (e.g. (1, 100)) to make a badly conditioned problem.
    """
    n, d = check_count("n_samples", n_samples), check_count("n_features", n_features)
    noise = _nonnegative("noise", noise)
    factors = np.ones(d) if scales is None else np.asarray(scales, dtype=np.float64)
    if factors.shape != (d,) or not np.all(factors > 0):
        raise ValueError(f"scales must be {d} positive numbers, got {scales!r}")
    rng = _generator(seed)
    X = rng.standard_normal((n, d)) * factors
    coef, intercept = rng.uniform(-2, 2, d), rng.uniform(-1, 1)
    y = X @ coef + intercept + noise * rng.standard_normal(n)
    return Dataset(
        X=X,
        y=y,
        name="linear",
        feature_names=_names("x", d),
        truth={"coef": coef, "intercept": np.array(intercept)},
        description=f"y = X·w + b + {noise}·ε, {n} samples, {d} features, seed {seed}",
    )


def make_polynomial(
    n_samples: int = 100,
    degree: int = 2,
    *,
    noise: float = 0.1,
    low: float = -1.0,
    high: float = 1.0,
    seed: int = 0,
) -> Dataset:
    """y = Σ_k w_k·x^k + c + noise·ε on x ~ U(low, high); w, c ~ N(0, 1), highest power first."""
    n, degree = check_count("n_samples", n_samples), check_count("degree", degree, 0)
    noise = _nonnegative("noise", noise)
    if not low < high:
        raise ValueError(f"low must be < high, got low={low}, high={high}")
    rng = _generator(seed)
    x = rng.uniform(low, high, n)
    weights = rng.standard_normal(degree + 1)
    y = np.polyval(weights, x) + noise * rng.standard_normal(n)
    return Dataset(
        X=x[:, None],
        y=y,
        name="polynomial",
        feature_names=("x",),
        truth={"coef": weights[:-1], "intercept": np.array(weights[-1])},
        description=f"degree-{degree} polynomial + {noise}·ε on x ~ U({low}, {high}), seed {seed}",
    )


def make_blobs(
    n_samples: int = 100,
    n_classes: int = 2,
    n_features: int = 2,
    *,
    spread: float = 1.0,
    box: float = 5.0,
    seed: int = 0,
) -> Dataset:
    """K Gaussian blobs: centers ~ U(−box, box), x = center_y + spread·ε, balanced labels."""
    n, k = check_count("n_samples", n_samples), check_count("n_classes", n_classes, 2)
    d = check_count("n_features", n_features)
    spread, box = _nonnegative("spread", spread), _nonnegative("box", box)
    rng = _generator(seed)
    centers = rng.uniform(-box, box, (k, d))
    y = rng.permutation(np.arange(n) % k)
    X = centers[y] + spread * rng.standard_normal((n, d))
    return Dataset(
        X=X,
        y=y.astype(np.int64),
        name="blobs",
        feature_names=_names("x", d),
        target_name="class",
        task="classification",
        truth={"centers": centers},
        description=f"{k} Gaussian blobs (spread {spread}) in {d}-D, {n} samples, seed {seed}",
    )


def make_classification(
    n_samples: int = 100,
    n_features: int = 2,
    n_classes: int = 2,
    *,
    weight_scale: float = 3.0,
    seed: int = 0,
) -> Dataset:
    """Labels drawn from the model: y ~ Bernoulli(σ(X·w + b)) for K = 2, else Categorical(softmax).

    X ~ N(0, 1); w, b ~ N(0, weight_scale²); truth in LogisticRegression's layout (K = 2) or
    SoftmaxRegression's (coef (d, K), intercept (K,); softmax truth is defined up to a shift).
    """
    n, d = check_count("n_samples", n_samples), check_count("n_features", n_features)
    k = check_count("n_classes", n_classes, 2)
    weight_scale = _nonnegative("weight_scale", weight_scale)
    rng = _generator(seed)
    X = rng.standard_normal((n, d))
    shape = (d,) if k == 2 else (d, k)
    coef = weight_scale * rng.standard_normal(shape)
    intercept = weight_scale * rng.standard_normal(shape[1:])
    z = X @ coef + intercept
    u = rng.random(n)
    if k == 2:
        y = (u < sigmoid(z)).astype(np.int64)
    else:
        p = np.exp(z - z.max(axis=1, keepdims=True))
        y = np.minimum(
            (np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1) < u[:, None]).sum(1), k - 1
        )
    return Dataset(
        X=X,
        y=y.astype(np.int64),
        name="classification",
        feature_names=_names("x", d),
        target_name="class",
        task="classification",
        truth={"coef": coef, "intercept": intercept},
        description=f"{k} classes drawn from a {'logistic' if k == 2 else 'softmax'} model",
    )
