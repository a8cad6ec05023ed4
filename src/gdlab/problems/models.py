"""Models with analytic, vectorised batch gradients — what `gd.fit` trains (seeds 000, 001, 002).

The contract (every model here keeps it; `gd.fit` relies on nothing else):

    X, y = model.validate(X, y)          # clean arrays, or a ValueError naming the problem
    k = model.n_outputs_for(y)           # output units the data needs (columns, classes)
    params = model.init(n_features, n_outputs=k, seed=0)     # or rng=Generator, or start=...
    loss, grads = model.value_and_grad(params, X_batch, y_batch)
    model.predict(params, X);  model.views(params)["coef"];  model.n_params(n_features, k)

* `params` is ONE flat float array; `views(params)` returns named views into it, in layout
  order, each part C-ordered (writing to a view writes to params).  `init(..., start=...)` sets
  explicit values: a scalar (``start=0.0``, seed 002's θ = 0), a flat sequence (seed 000's
  ``start=[1, 0, -1]``) or a dict by part name.  Random starts are seeded (`seed`, or `rng`, a
  `numpy.random.Generator`, which then wins); linear models draw weights ~ N(0, 0.01²), the MLP
  Xavier-uniform (tanh/sigmoid) or He-normal (relu); intercepts and biases start at 0.
* loss is the mean over the batch, L = (1/b)·Σᵢ ℓᵢ, b = len(X_batch) — a last partial batch is
  averaged over its true size — and grads has the shape and dtype of params.
* L2: L += l2·½‖W‖² over weights only, never intercepts or biases; ∇W += l2·W.  The penalty is
  added once per batch (not scaled by b), so it means the same at every batch size.
* dtype: computed in result_type(params, X); float32 data with float32 params stays float32.
* value_and_grad checks shapes only (O(1)); call `validate` once on the whole data set.

>>> model = PolynomialRegression(2)                  # seed 000: w1·x² + w2·x + w3
>>> params = model.init(1, start=[1, 0, -1])
>>> loss, grads = model.value_and_grad(params, [0.5], [6.0])    # ℓ = (ŷ − y)², ŷ = −0.75
>>> loss, grads.tolist()                             # 2(ŷ − y)·(x², x, 1)
(45.5625, [-3.375, -6.75, -13.5])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "OUTPUTS",
    "LinearRegression",
    "LogisticRegression",
    "Model",
    "PolynomialRegression",
    "SoftmaxRegression",
    "log_softmax",
    "sigmoid",
]

Array = NDArray[Any]
Shapes = list[tuple[str, tuple[int, ...]]]

LOSSES = ("mse", "half_mse")
ACTIVATIONS = ("tanh", "relu", "sigmoid")
OUTPUTS = ("regression", "classification")
INIT_SCALE = 0.01  # std of the random weights of the linear models


# ---- heads: (z, y) -> (mean loss, ∂L/∂z) ------------------------------------------------


def _squared(z: Array, y: Array, loss: str) -> tuple[float, Array]:
    """mse: L = mean(r²), ∂L/∂z = 2r/N;  half_mse: L = ½·mean(r²), ∂L/∂z = r/N  (r = z − y)."""
    r = z - np.asarray(y, dtype=z.dtype)
    c = 0.5 if loss == "half_mse" else 1.0
    return c * float(np.mean(r * r)), (2.0 * c / r.size) * r


def sigmoid(z: Array) -> Array:
    """σ(z) = 1/(1 + e^{−z}), computed from e^{−|z|} so that no z overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _log_loss(z: Array, y: Array) -> tuple[float, Array]:
    """ℓ = log(1 + e^z) − y·z (softplus form, no overflow), ∂ℓ/∂z = σ(z) − y."""
    y = np.asarray(y, dtype=z.dtype)
    return float(np.mean(np.logaddexp(0.0, z) - y * z)), (sigmoid(z) - y) / len(z)


def log_softmax(z: Array) -> Array:
    """log softmax(z) = z − logsumexp(z), with the row maximum taken out first."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def _cross_entropy(z: Array, y: Array) -> tuple[float, Array]:
    """ℓ = logsumexp(z) − z_y, ∂ℓ/∂z = softmax(z) − onehot(y)."""
    rows, y = np.arange(len(z)), np.asarray(y, dtype=np.intp)
    log_p = log_softmax(z)
    dz = np.exp(log_p)
    dz[rows, y] -= 1.0
    return -float(np.mean(log_p[rows, y])), dz / len(z)


# ---- checks ----------------------------------------------------------------------------


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")


def _check_count(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _numeric(name: str, values: ArrayLike) -> Array:
    """values as an array of a real dtype (bool and int become float64), all finite, non-empty."""
    array = np.asarray(values)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    if array.dtype.kind != "f":
        raise ValueError(f"{name} must be numeric, got dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{name} must be an array with one row per sample, got a scalar")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}): no samples or no features")
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        raise ValueError(f"{name} contains NaN or inf (first at index {tuple(map(int, bad[0]))})")
    return array


def _check_target(y: ArrayLike, n_samples: int, n_outputs: int | None) -> Array:
    """A regression target: 1-D when n_outputs is None, else (n_samples, n_outputs)."""
    y = _numeric("y", y)
    if len(y) != n_samples:
        raise ValueError(f"X has {n_samples} samples but y has {len(y)}")
    if n_outputs is None and y.ndim != 1:
        raise ValueError(
            f"y must be 1-D for a single-output model, got shape {y.shape}; "
            f"pass n_outputs={y.shape[1] if y.ndim == 2 else '...'} for a multi-output model"
        )
    if n_outputs is not None and y.shape[1:] != (n_outputs,):
        raise ValueError(
            f"y must have shape (n_samples, {n_outputs}) for n_outputs={n_outputs}, got {y.shape}"
        )
    return y


def _check_labels(y: ArrayLike, n_samples: int, n_classes: int | None) -> Array:
    """Class labels 0..K−1 (integers, integer-valued floats or booleans) as an int64 array."""
    y = _numeric("y", y)
    if len(y) != n_samples:
        raise ValueError(f"X has {n_samples} samples but y has {len(y)}")
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of class labels, got shape {y.shape}")
    odd = np.flatnonzero((y != np.round(y)) | (y < 0))
    if len(odd):
        at = int(odd[0])
        raise ValueError(f"class labels must be integers 0..K-1, got {y[at]} at index {at}")
    if n_classes is not None and y.max() >= n_classes:
        at = int(np.argmax(y))
        hint = "; map two-valued labels first, e.g. y = (labels == positive)" * (n_classes == 2)
        raise ValueError(
            f"label {int(y[at])} at index {at} is out of range: "
            f"this model takes labels 0..{n_classes - 1}{hint}"
        )
    return y.astype(np.int64)


def _solve(size: int, count: Any) -> int | None:
    """The t >= 1 with count(t) == size, for count affine in t (None when there is none)."""
    base = count(0)
    slope = count(1) - base
    if slope <= 0 or size < base + slope or (size - base) % slope:
        return None
    return (size - base) // slope


def _split(flat: Array, shapes: Shapes) -> dict[str, Array]:
    """Named views into one flat array: flat[a:b].reshape(shape), part after part."""
    parts, start = {}, 0
    for name, shape in shapes:
        stop = start + math.prod(shape)
        parts[name] = flat[start:stop].reshape(shape)
        start = stop
    return parts


def _fill(parts: dict[str, Array], flat: Array, start: Any) -> None:
    """Write explicit start values: a scalar, a flat sequence, or a dict by part name."""
    if isinstance(start, dict):
        if set(start) != set(parts):
            raise ValueError(f"start must name exactly the parts {list(parts)}, got {list(start)}")
        for name, value in start.items():
            try:
                parts[name][...] = np.broadcast_to(
                    np.asarray(value, dtype=float), parts[name].shape
                )
            except ValueError:
                shape = np.shape(value)
                raise ValueError(
                    f"start[{name!r}] has shape {shape}, needs {parts[name].shape}"
                ) from None
    else:
        values = np.asarray(start, dtype=float)
        if values.ndim > 1 or (values.ndim == 1 and values.size != flat.size):
            raise ValueError(
                f"start must be a scalar or {flat.size} values, got shape {values.shape}"
            )
        flat[...] = values
    if not np.all(np.isfinite(flat)):
        raise ValueError("start contains NaN or inf")


def _flat(params: ArrayLike) -> Array:
    """params as a flat float array (no copy when it already is one)."""
    array = np.asarray(params)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    if array.dtype.kind != "f" or array.ndim != 1:
        raise ValueError(f"params must be a flat 1-D float array, got {array.dtype} {array.shape}")
    return array


def _batch(X: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
    """The O(1) checks value_and_grad makes: X is 2-D, y has one row per sample, b >= 1."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(f"a batch needs b >= 1 samples in X and y, got {len(X)} and {len(y)}")
    return X, y


# ---- the models ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Model:
    """Layout, init, views and validation; a subclass gives the shapes and the maths."""

    l2: float = 0.0

    @property
    def task(self) -> str:
        """ "regression" or "classification"."""
        return "regression"

    def __post_init__(self) -> None:
        l2 = self.l2
        if (
            isinstance(l2, bool)
            or not isinstance(l2, (int, float, np.floating))
            or not (math.isfinite(l2) and l2 >= 0)
        ):
            raise ValueError(f"l2 must be a finite number >= 0, got {l2!r}")

    # -- what a subclass provides --------------------------------------------------------
    def _shapes(self, n_features: int, n_outputs: int) -> Shapes:
        raise NotImplementedError

    def _fixed_outputs(self) -> int | None:
        """The output count the configuration fixes (None: the data decides)."""
        return 1

    def _is_weight(self, name: str) -> bool:
        raise NotImplementedError

    def _draw(self, rng: np.random.Generator, name: str, shape: tuple[int, ...]) -> Array:
        raise NotImplementedError

    def _loss_and_grads(
        self, parts: dict[str, Array], X: Array, y: Array, grads: dict[str, Array]
    ) -> float:
        raise NotImplementedError

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        raise NotImplementedError

    def _features(self, X: Array) -> Array:
        """The design matrix the parameters multiply (the identity but for polynomials)."""
        return X

    def _check_X(self, X: ArrayLike) -> Array:
        X = _numeric("X", X)
        if X.ndim != 2:
            raise ValueError(
                f"X must be 2-D (n_samples, n_features), got shape {X.shape}; "
                "use X.reshape(-1, 1) for a single feature"
            )
        return X

    # -- the contract ----------------------------------------------------------------------
    def validate(self, X: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
        """Check a whole data set once: (X float 2-D, y) or ValueError naming the problem."""
        X = self._check_X(X)
        return X, self._check_y(y, len(X))

    def n_outputs_for(self, y: ArrayLike) -> int:
        """The number of output units a validated target y needs."""
        return self._resolve_outputs(None)

    def n_params(self, n_features: int, n_outputs: int | None = None) -> int:
        """The length of the flat parameter array."""
        return self._count(self._check_features(n_features), self._resolve_outputs(n_outputs))

    def init(
        self,
        n_features: int,
        *,
        n_outputs: int | None = None,
        seed: int = 0,
        rng: np.random.Generator | None = None,
        start: Any = None,
        dtype: DTypeLike = np.float64,
    ) -> Array:
        """A fresh flat parameter array: explicit (`start`) or seeded (`rng` wins over `seed`)."""
        d, k = self._check_features(n_features), self._resolve_outputs(n_outputs)
        kind = np.dtype(dtype)
        if kind.kind != "f":
            raise ValueError(f"dtype must be a floating type, got {kind}")
        shapes = self._shapes(d, k)
        params = np.zeros(self._count(d, k), dtype=kind)
        parts = _split(params, shapes)
        if start is not None:
            _fill(parts, params, start)
            return params
        rng = rng if rng is not None else np.random.default_rng(seed)
        for name, shape in shapes:
            if self._is_weight(name):
                parts[name][...] = self._draw(rng, name, shape)
        return params

    def views(self, params: ArrayLike, n_features: int | None = None) -> dict[str, Array]:
        """Named views into params; n_features is needed only when the classes are not fixed."""
        params = _flat(params)
        return _split(params, self._shapes(*self._layout(params.size, n_features)))

    def value_and_grad(self, params: ArrayLike, X: ArrayLike, y: ArrayLike) -> tuple[float, Array]:
        """(L, ∇L): the mean loss over the batch plus the L2 penalty, and its exact gradient."""
        params = _flat(params)
        X, y = _batch(X, y)
        shapes = self._shapes(*self._layout(params.size, X.shape[1]))
        grads = np.zeros_like(params)
        parts, grad_parts = _split(params, shapes), _split(grads, shapes)
        X = X.astype(np.result_type(params, X), copy=False)
        loss = self._loss_and_grads(parts, self._features(X), y, grad_parts)
        return loss + self._penalty(parts, grad_parts), grads

    # -- shared machinery --------------------------------------------------------------------
    def _count(self, n_features: int, n_outputs: int) -> int:
        return sum(math.prod(shape) for _, shape in self._shapes(n_features, n_outputs))

    def _check_features(self, n_features: int) -> int:
        return _check_count("n_features", n_features)

    def _resolve_outputs(self, n_outputs: int | None) -> int:
        fixed = self._fixed_outputs()
        if fixed is not None:
            if n_outputs is not None and n_outputs != fixed:
                raise ValueError(f"n_outputs={n_outputs!r} contradicts {self!r}, which has {fixed}")
            return fixed
        if n_outputs is None:
            raise ValueError(f"{self!r} needs n_outputs (the number of classes)")
        return _check_count("n_outputs", n_outputs, 2)

    def _layout(self, size: int, n_features: int | None) -> tuple[int, int]:
        """(n_features, n_outputs) of a params array of this size."""
        d, k = n_features, self._fixed_outputs()
        if d is None and k is None:
            raise ValueError(f"{self!r} cannot split {size} values alone; pass n_features")
        if k is None and d is not None:
            known = d
            k = _solve(size, lambda t: self._count(known, t))
        elif d is None and k is not None:
            known = k
            d = _solve(size, lambda t: self._count(t, known))
        if d is None or k is None or self._count(d, k) != size:
            need = "" if d is None or k is None else f" (needs {self._count(d, k)})"
            raise ValueError(
                f"params has {size} values, which does not fit {self!r} with "
                f"n_features={d if d is not None else n_features}, n_outputs={k}{need}"
            )
        return d, k

    def _penalty(self, parts: dict[str, Array], grads: dict[str, Array]) -> float:
        """l2·½‖W‖² over the weights, and ∇W += l2·W (intercepts and biases are free)."""
        if not self.l2:
            return 0.0
        total = 0.0
        for name, weights in parts.items():
            if self._is_weight(name):
                total += float(np.sum(weights * weights))
                grads[name] += self.l2 * weights
        return 0.5 * self.l2 * total


@dataclass(frozen=True, kw_only=True)
class _Affine(Model):
    """z = X·W + b, the body of the linear models: parts "coef" then "intercept"."""

    fit_intercept: bool = True

    def _single(self) -> bool:
        """True when there is one output: coef has shape (d,) and intercept shape ()."""
        return True

    def _shapes(self, n_features: int, n_outputs: int) -> Shapes:
        single = self._single()
        shapes: Shapes = [("coef", (n_features,) if single else (n_features, n_outputs))]
        if self.fit_intercept:
            shapes.append(("intercept", () if single else (n_outputs,)))
        return shapes

    def _is_weight(self, name: str) -> bool:
        return name == "coef"

    def _draw(self, rng: np.random.Generator, name: str, shape: tuple[int, ...]) -> Array:
        return INIT_SCALE * rng.standard_normal(shape)

    def _head(self, z: Array, y: Array) -> tuple[float, Array]:
        raise NotImplementedError

    def _z(self, parts: dict[str, Array], X: Array) -> Array:
        z = X @ parts["coef"]
        return z + parts["intercept"] if self.fit_intercept else z

    def _loss_and_grads(
        self, parts: dict[str, Array], X: Array, y: Array, grads: dict[str, Array]
    ) -> float:
        """∂L/∂W = Xᵀ·∂L/∂z,  ∂L/∂b = Σᵢ ∂L/∂zᵢ."""
        loss, dz = self._head(self._z(parts, X), y)
        grads["coef"][...] = X.T @ dz
        if self.fit_intercept:
            grads["intercept"][...] = dz.sum(axis=0)
        return loss

    def decision_function(self, params: ArrayLike, X: ArrayLike) -> Array:
        """z = X·W + b (the prediction of a regression, the logits of a classifier)."""
        X = np.asarray(self._check_X(X))
        return self._z(self.views(params, X.shape[1]), self._features(X))


@dataclass(frozen=True, kw_only=True)
class LinearRegression(_Affine):
    """ŷ = X·w + b, r = ŷ − y;  "mse": L = (1/b)Σr², ∇w = (2/b)·Xᵀr;  "half_mse": L = (1/2b)Σr².

    "half_mse" has ∇w = (1/b)·Xᵀr.  Seed 002 is LinearRegression(loss="half_mse",
    fit_intercept=False): its X already holds a column of ones.  Seed 001's mini-batch code
    divides by batch_size even for a short last batch; here b is always the true batch size.
    n_outputs=None: y is 1-D; n_outputs=k: y is (n, k), coef (d, k), and the loss averages r²
    over all n·k entries (as torch's MSELoss and sklearn's mean_squared_error do).
    """

    loss: str = "mse"
    n_outputs: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_choice("loss", self.loss, LOSSES)
        if self.n_outputs is not None:
            _check_count("n_outputs", self.n_outputs)

    def _single(self) -> bool:
        return self.n_outputs is None

    def _fixed_outputs(self) -> int | None:
        return 1 if self.n_outputs is None else self.n_outputs

    def _head(self, z: Array, y: Array) -> tuple[float, Array]:
        return _squared(z, y, self.loss)

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        return _check_target(y, n_samples, self.n_outputs)

    def predict(self, params: ArrayLike, X: ArrayLike) -> Array:
        """ŷ = X·w + b."""
        return self.decision_function(params, X)


@dataclass(frozen=True, kw_only=True)
class PolynomialRegression(_Affine):
    """ŷ = w1·x^degree + … + w_degree·x + w_const on one input x — seed 000 is degree 2.

    params = [w1, …, w_degree, w_const]: highest power first, the constant last (as the seed
    writes w1·x² + w2·x + w3); views: "coef" (highest power first) and "intercept".
    loss "mse": ℓ = (ŷ − y)², ∂ℓ/∂w_k = 2(ŷ − y)·x^k (the seed's per-sample gradient); "half_mse".
    X is x: shape (n,) or (n, 1).
    """

    degree: int = field(kw_only=False)
    loss: str = "mse"

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_count("degree", self.degree, 0)
        _check_choice("loss", self.loss, LOSSES)

    def _shapes(self, n_features: int, n_outputs: int) -> Shapes:
        return super()._shapes(self.degree, n_outputs)

    def _check_features(self, n_features: int) -> int:
        if _check_count("n_features", n_features) != 1:
            raise ValueError(f"PolynomialRegression takes one input x, got n_features={n_features}")
        return 1

    def _layout(self, size: int, n_features: int | None) -> tuple[int, int]:
        need = self._count(1, 1)
        if n_features not in (None, 1) or size != need:
            raise ValueError(f"params has {size} values but {self!r} has {need} on one input x")
        return 1, 1

    def _check_X(self, X: ArrayLike) -> Array:
        X = _numeric("X", X)
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != 1:
            raise ValueError(f"x must have shape (n,) or (n, 1), got {X.shape}")
        return X

    def _features(self, X: Array) -> Array:
        """[x^degree, …, x]: the Vandermonde columns without the constant."""
        return np.vander(X[:, 0], self.degree + 1)[:, :-1]

    def _head(self, z: Array, y: Array) -> tuple[float, Array]:
        return _squared(z, y, self.loss)

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        return _check_target(y, n_samples, None)

    def value_and_grad(self, params: ArrayLike, X: ArrayLike, y: ArrayLike) -> tuple[float, Array]:
        X = np.asarray(X)
        return super().value_and_grad(params, X[:, None] if X.ndim == 1 else X, y)

    def predict(self, params: ArrayLike, X: ArrayLike) -> Array:
        """ŷ = Σ_k w_k·x^k."""
        return self.decision_function(params, X)


@dataclass(frozen=True, kw_only=True)
class LogisticRegression(_Affine):
    """Binary: p = σ(z), z = X·w + b;  ℓ = log(1 + e^z) − y·z,  ∇w = (1/b)·Xᵀ(σ(z) − y).

    Labels are 0 and 1 (booleans and 0.0/1.0 too); map any other two labels first, e.g.
    y = (labels == "yes").  The loss is the softplus form (np.logaddexp), finite with no
    warning for |z| ~ 1000.  predict_proba gives P(y = 1), shape (n,).
    """

    @property
    def task(self) -> str:
        return "classification"

    def _head(self, z: Array, y: Array) -> tuple[float, Array]:
        return _log_loss(z, y)

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        return _check_labels(y, n_samples, 2)

    def predict_proba(self, params: ArrayLike, X: ArrayLike) -> Array:
        """P(y = 1 | x) = σ(z)."""
        return sigmoid(self.decision_function(params, X))

    def predict(self, params: ArrayLike, X: ArrayLike) -> Array:
        """1 where z > 0 (p > ½), else 0."""
        return (self.decision_function(params, X) > 0).astype(np.int64)


@dataclass(frozen=True, kw_only=True)
class SoftmaxRegression(_Affine):
    """K classes: p = softmax(z), z = X·W + b;  ℓ = logsumexp(z) − z_y,  ∇W = Xᵀ(p − 1_y)/b.

    Labels 0..K−1.  n_classes=None: K comes from the data (max label + 1, at least 2), and
    `views` then needs n_features.  Log-sum-exp with the row maximum taken out: no overflow.
    """

    n_classes: int | None = field(default=None, kw_only=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.n_classes is not None:
            _check_count("n_classes", self.n_classes, 2)

    @property
    def task(self) -> str:
        return "classification"

    def _single(self) -> bool:
        return False

    def _fixed_outputs(self) -> int | None:
        return self.n_classes

    def n_outputs_for(self, y: ArrayLike) -> int:
        return self.n_classes or max(2, int(np.max(y)) + 1)

    def _head(self, z: Array, y: Array) -> tuple[float, Array]:
        return _cross_entropy(z, y)

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        return _check_labels(y, n_samples, self.n_classes)

    def predict_proba(self, params: ArrayLike, X: ArrayLike) -> Array:
        """softmax(z), shape (n, K)."""
        return np.exp(log_softmax(self.decision_function(params, X)))

    def predict(self, params: ArrayLike, X: ArrayLike) -> Array:
        """argmax_k z_k."""
        return np.argmax(self.decision_function(params, X), axis=1)


def _activate(name: str, z: Array) -> Array:
    """tanh(z), max(z, 0) or σ(z)."""
    if name == "tanh":
        return np.tanh(z)
    return np.maximum(z, 0) if name == "relu" else sigmoid(z)


def _slope(name: str, a: Array) -> Array:
    """The activation's derivative from its output a: 1 − a², [a > 0], a·(1 − a)."""
    if name == "tanh":
        return 1 - a * a
    return a > 0 if name == "relu" else a * (1 - a)


@dataclass(frozen=True, kw_only=True)
class MLP(Model):
    """A multilayer perceptron with hand-written backpropagation (no autograd).

        a₀ = X,  aᵢ = act(aᵢ₋₁·Wᵢ + bᵢ),  z = a_L·W_{L+1} + b_{L+1}
        ∂L/∂Wᵢ = aᵢ₋₁ᵀ·δᵢ,  ∂L/∂bᵢ = Σ δᵢ,  δᵢ₋₁ = (δᵢ·Wᵢᵀ) ⊙ act′(aᵢ₋₁)

    Parts "W1", "b1", …, "W{L+1}", "b{L+1}"; Wᵢ has shape (fan_in, fan_out).  Hidden weights
    start Xavier-uniform, U(±√(6/(fan_in + fan_out))), for tanh and sigmoid, He-normal,
    N(0, 2/fan_in), for relu; the output layer Xavier (it feeds no activation); biases 0.
    output "regression": z is ŷ, loss "mse" or "half_mse", n_outputs as in LinearRegression.
    output "classification": softmax cross-entropy, labels 0..K−1, n_outputs = K (None: from
    the data); binary problems are two classes (K = 2), not a sigmoid unit.
    hidden=() is LinearRegression / SoftmaxRegression.
    """

    hidden: tuple[int, ...] = field(default=(32,), kw_only=False)
    activation: str = "tanh"
    output: str = "regression"
    loss: str = "mse"
    n_outputs: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.hidden, (int, str)) or not all(
            isinstance(w, (int, np.integer)) and not isinstance(w, bool) and w >= 1
            for w in self.hidden
        ):
            raise ValueError(f"hidden must be a sequence of layer widths >= 1, got {self.hidden!r}")
        object.__setattr__(self, "hidden", tuple(int(w) for w in self.hidden))
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("output", self.output, OUTPUTS)
        _check_choice("loss", self.loss, LOSSES)
        if self.n_outputs is not None:
            _check_count("n_outputs", self.n_outputs, 2 if self.task == "classification" else 1)

    @property
    def task(self) -> str:
        return self.output

    def _fixed_outputs(self) -> int | None:
        if self.output == "classification" or self.n_outputs is not None:
            return self.n_outputs
        return 1

    def _shapes(self, n_features: int, n_outputs: int) -> Shapes:
        widths = (n_features, *self.hidden, n_outputs)
        shapes: Shapes = []
        for i in range(1, len(widths)):
            shapes += [(f"W{i}", (widths[i - 1], widths[i])), (f"b{i}", (widths[i],))]
        return shapes

    def _is_weight(self, name: str) -> bool:
        return name.startswith("W")

    def _draw(self, rng: np.random.Generator, name: str, shape: tuple[int, ...]) -> Array:
        fan_in, fan_out = shape
        if self.activation == "relu" and name != f"W{len(self.hidden) + 1}":
            return math.sqrt(2.0 / fan_in) * rng.standard_normal(shape)
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, shape)

    def n_outputs_for(self, y: ArrayLike) -> int:
        if self.output == "classification" and self.n_outputs is None:
            return max(2, int(np.max(y)) + 1)
        return self._resolve_outputs(None)

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        if self.output == "classification":
            return _check_labels(y, n_samples, self.n_outputs)
        return _check_target(y, n_samples, self.n_outputs)

    def _forward(self, parts: dict[str, Array], X: Array) -> tuple[list[Array], Array]:
        """The activations a₀ … a_L and the output z."""
        acts = [X]
        for i in range(1, len(self.hidden) + 1):
            acts.append(_activate(self.activation, acts[-1] @ parts[f"W{i}"] + parts[f"b{i}"]))
        last = len(self.hidden) + 1
        return acts, acts[-1] @ parts[f"W{last}"] + parts[f"b{last}"]

    def _head(self, z: Array, y: Array) -> tuple[float, Array]:
        if self.output == "classification":
            return _cross_entropy(z, y)
        if self.n_outputs is None:
            loss, dz = _squared(z[:, 0], y, self.loss)
            return loss, dz[:, None]
        return _squared(z, y, self.loss)

    def _loss_and_grads(
        self, parts: dict[str, Array], X: Array, y: Array, grads: dict[str, Array]
    ) -> float:
        acts, z = self._forward(parts, X)
        loss, delta = self._head(z, y)
        for i in range(len(acts), 0, -1):
            grads[f"W{i}"][...] = acts[i - 1].T @ delta
            grads[f"b{i}"][...] = delta.sum(axis=0)
            if i > 1:
                delta = (delta @ parts[f"W{i}"].T) * _slope(self.activation, acts[i - 1])
        return loss

    def _output(self, params: ArrayLike, X: ArrayLike) -> Array:
        X = self._check_X(X)
        return self._forward(self.views(params, X.shape[1]), X)[1]

    def predict(self, params: ArrayLike, X: ArrayLike) -> Array:
        """ŷ for regression (1-D when n_outputs is None); the argmax class for classification."""
        z = self._output(params, X)
        if self.output == "classification":
            return np.argmax(z, axis=1)
        return z[:, 0] if self.n_outputs is None else z

    def predict_proba(self, params: ArrayLike, X: ArrayLike) -> Array:
        """softmax(z), shape (n, K) (classification only)."""
        if self.output != "classification":
            raise ValueError("predict_proba needs output='classification'")
        return np.exp(log_softmax(self._output(params, X)))
