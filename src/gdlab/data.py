"""Data sets for `gd.fit`: the seeds' data, seeded synthetic problems with a known truth,
scikit-learn's bundled sets, the user's CSV and Parquet files, and standardisation.

Every loader returns a frozen `Dataset(X, y, name, feature_names, target_name, task, truth,
description)`; X is 2-D float, y float (regression) or int64 labels 0..K−1 (classification);
`truth`, where known, is in the layout of the model that generated the data, e.g.
`{"coef": ..., "intercept": ...}` as `model.views(params)` names them.

>>> ds = seed002()
>>> ds.X.tolist(), ds.y.tolist()
([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0]], [2.0, 4.0, 6.0, 8.0])
>>> names()[:2]
('seed000', 'seed002')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from gdlab.problems.models import sigmoid

__all__ = [
    "BUNDLED",
    "Dataset",
    "Standardizer",
    "load",
    "make_blobs",
    "make_classification",
    "make_linear",
    "make_polynomial",
    "names",
    "read_table",
    "seed000",
    "seed002",
    "standardize",
]

Array = NDArray[Any]
TASKS = ("regression", "classification")
BUNDLED = ("diabetes", "breast_cancer", "iris", "wine", "digits")
TABLE_SUFFIXES = (".csv", ".parquet", ".pq")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A data set: X (n_samples, n_features), y (n_samples,), and what they mean."""

    X: Array
    y: Array
    name: str
    feature_names: tuple[str, ...]
    target_name: str = "y"
    task: str = "regression"
    truth: dict[str, Any] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        if self.X.ndim != 2 or len(self.y) != len(self.X):
            raise ValueError(f"X must be (n, d) and y (n,), got {self.X.shape} and {self.y.shape}")
        if len(self.feature_names) != self.X.shape[1]:
            raise ValueError(
                f"{len(self.feature_names)} feature names for {self.X.shape[1]} columns of X"
            )

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])


# ---- the seeds -------------------------------------------------------------------------


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


# ---- synthetic, seeded, with the truth -------------------------------------------------


def _count(name: str, value: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _nonnegative(name: str, value: float) -> float:
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


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
    n, d = _count("n_samples", n_samples), _count("n_features", n_features)
    noise = _nonnegative("noise", noise)
    factors = np.ones(d) if scales is None else np.asarray(scales, dtype=np.float64)
    if factors.shape != (d,) or not np.all(factors > 0):
        raise ValueError(f"scales must be {d} positive numbers, got {scales!r}")
    rng = np.random.default_rng(seed)
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
    n, degree = _count("n_samples", n_samples), _count("degree", degree, 0)
    noise = _nonnegative("noise", noise)
    if not low < high:
        raise ValueError(f"low must be < high, got low={low}, high={high}")
    rng = np.random.default_rng(seed)
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
    n, k = _count("n_samples", n_samples), _count("n_classes", n_classes, 2)
    d = _count("n_features", n_features)
    spread, box = _nonnegative("spread", spread), _nonnegative("box", box)
    rng = np.random.default_rng(seed)
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
    n, d = _count("n_samples", n_samples), _count("n_features", n_features)
    k, weight_scale = _count("n_classes", n_classes, 2), _nonnegative("weight_scale", weight_scale)
    rng = np.random.default_rng(seed)
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


# ---- by name ----------------------------------------------------------------------------


def _makers() -> dict[str, Callable[..., Dataset]]:
    return {
        "seed000": seed000,
        "seed002": seed002,
        "linear": make_linear,
        "polynomial": make_polynomial,
        "blobs": make_blobs,
        "classification": make_classification,
    }


def names() -> tuple[str, ...]:
    """Every name `load` knows: the seeds', the synthetic ones, scikit-learn's bundled ones."""
    return (*_makers(), *BUNDLED)


def load(name: str, **options: Any) -> Dataset:
    """A data set by name; options go to the synthetic makers (e.g. load("linear", seed=1))."""
    makers = _makers()
    if name in makers:
        return makers[name](**options)
    if name not in BUNDLED:
        raise ValueError(f"unknown data set {name!r}; known: {', '.join(names())}")
    if options:
        raise ValueError(f"{name!r} is a bundled data set and takes no options, got {options}")
    return _bundled(name)


def _bundled(name: str) -> Dataset:
    """scikit-learn's copy on disk (nothing downloads), as scikit-learn ships it."""
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    regression = name == "diabetes"
    title = next(line for line in bunch.DESCR.splitlines() if line and not line.startswith(".."))
    classes = "" if regression else f"; classes: {', '.join(map(str, bunch.target_names))}"
    return Dataset(
        X=np.asarray(bunch.data, dtype=np.float64),
        y=np.asarray(bunch.target, dtype=np.float64 if regression else np.int64),
        name=name,
        feature_names=tuple(str(f) for f in bunch.feature_names),
        target_name="progression" if regression else "class",
        task="regression" if regression else "classification",
        description=f"{title.strip()} (scikit-learn){classes}",
    )


# ---- the user's files -------------------------------------------------------------------


def read_table(
    path: str | Path,
    target: str,
    features: Sequence[str] | None = None,
    *,
    task: str = "regression",
) -> Dataset:
    """A Dataset from a CSV or Parquet file: `target` is y, `features` (default: the rest) X.

    Reads only (the file is never written).  Every problem is a ValueError naming it and
    listing the columns: a missing file, an unknown extension, a missing or non-numeric column,
    NaN/inf or empty cells, no rows; for task="classification" y must hold integers 0..K−1.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    path = Path(path)
    frame = _read_frame(path)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    listing = f"available columns: {', '.join(columns) or '(none)'}"
    chosen = [c for c in columns if c != target] if features is None else [str(c) for c in features]
    missing = [c for c in [target, *chosen] if c not in columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found in {path.name}; {listing}")
    if target in chosen or not chosen:
        raise ValueError(f"features must be other columns than the target {target!r}; {listing}")
    if len(frame) == 0:
        raise ValueError(f"{path.name} has no rows; {listing}")
    X = _numeric_columns(frame, chosen, path.name, listing)
    y = _numeric_columns(frame, [target], path.name, listing)[:, 0]
    if task == "classification":
        if np.any((y != np.round(y)) | (y < 0)):
            raise ValueError(f"target {target!r} must hold class labels 0..K-1 for classification")
        y = y.astype(np.int64)
    return Dataset(
        X=X,
        y=y,
        name=path.stem,
        feature_names=tuple(chosen),
        target_name=target,
        task=task,
        description=f"{path.name}: {len(frame)} rows, target {target!r}",
    )


def _read_frame(path: Path) -> Any:
    """The file as a pandas DataFrame (pandas and pyarrow are imported here, when needed)."""
    if not path.exists():
        raise ValueError(f"no such file: {path}")
    if not path.is_file():
        raise ValueError(f"not a file: {path}")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ValueError(
            f"unknown file type {suffix or '(none)'!r} for {path.name}; "
            f"read_table reads {', '.join(TABLE_SUFFIXES)}"
        )
    import pandas as pd

    try:
        return pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path.name} is empty (no header, no rows)") from None
    except (ValueError, OSError) as error:
        raise ValueError(f"could not read {path.name} as {suffix[1:]}: {error}") from None


def _numeric_columns(frame: Any, chosen: list[str], file: str, listing: str) -> Array:
    """frame[chosen] as float64, after checking every column is numeric and finite."""
    from pandas.api.types import is_numeric_dtype

    bad = [f"{c!r} ({frame[c].dtype})" for c in chosen if not is_numeric_dtype(frame[c].dtype)]
    if bad:
        raise ValueError(f"non-numeric column(s) in {file}: {', '.join(bad)}; {listing}")
    array = frame[chosen].to_numpy(dtype=np.float64, na_value=np.nan)
    counts = (~np.isfinite(array)).sum(axis=0)
    broken = [f"{c!r} ({n} rows)" for c, n in zip(chosen, counts, strict=True) if n]
    if broken:
        raise ValueError(f"NaN, inf or empty cells in {file}, column(s) {', '.join(broken)}")
    return array


# ---- standardisation --------------------------------------------------------------------


def _matrix(X: ArrayLike) -> Array:
    array = np.asarray(X)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    if array.dtype.kind != "f" or array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"X must be a non-empty 2-D numeric array, got {array.dtype} {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("X contains NaN or inf")
    return array


@dataclass(frozen=True, eq=False)
class Standardizer:
    """x′ = (x − mean) / scale per column; a constant column gets scale 1 (it becomes 0)."""

    mean: Array
    scale: Array

    @classmethod
    def fit(cls, X: ArrayLike) -> Standardizer:
        """mean and population std (ddof = 0) of each column of X."""
        X = _matrix(X)
        constant = np.ptp(X, axis=0) == 0
        return cls(X.mean(axis=0), np.where(constant, 1, X.std(axis=0)).astype(X.dtype))

    def transform(self, X: ArrayLike) -> Array:
        """(X − mean) / scale."""
        return (_matrix(X) - self.mean) / self.scale

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
