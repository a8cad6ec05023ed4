"""The linear models, z = X·W + b: linear, polynomial, logistic and softmax regression.

Seeds 000 (polynomial), 001 and 002 (linear regression); each docstring gives the loss and
its gradient.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from gdlab.problems.losses import (
    LOSSES,
    cross_entropy,
    log_loss,
    log_softmax,
    sigmoid,
    squared_error,
)
from gdlab.problems.model import Model, Shapes
from gdlab.problems.validation import (
    Array,
    check_choice,
    check_count,
    check_labels,
    check_numeric,
    check_target,
)

INIT_SCALE = 0.01  # std of the random weights of the linear models


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
        return self._z(self.views(params, X.shape[1]), self.design_matrix(X))


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
        check_choice("loss", self.loss, LOSSES)
        if self.n_outputs is not None:
            check_count("n_outputs", self.n_outputs)

    def _single(self) -> bool:
        return self.n_outputs is None

    def _fixed_outputs(self) -> int | None:
        return 1 if self.n_outputs is None else self.n_outputs

    def _head(self, z: Array, y: Array) -> tuple[float, Array]:
        return squared_error(z, y, self.loss)

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        return check_target(y, n_samples, self.n_outputs)

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
        check_count("degree", self.degree, 0)
        check_choice("loss", self.loss, LOSSES)

    def _shapes(self, n_features: int, n_outputs: int) -> Shapes:
        return super()._shapes(self.degree, n_outputs)

    def _check_features(self, n_features: int) -> int:
        if check_count("n_features", n_features) != 1:
            raise ValueError(f"PolynomialRegression takes one input x, got n_features={n_features}")
        return 1

    def _layout(self, size: int, n_features: int | None) -> tuple[int, int]:
        need = self._count(1, 1)
        if n_features not in (None, 1) or size != need:
            raise ValueError(f"params has {size} values but {self!r} has {need} on one input x")
        return 1, 1

    def _check_X(self, X: ArrayLike) -> Array:
        X = check_numeric("X", X)
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != 1:
            raise ValueError(f"x must have shape (n,) or (n, 1), got {X.shape}")
        return X

    def design_matrix(self, X: Array) -> Array:
        """[x^degree, …, x]: the Vandermonde columns without the constant."""
        return np.vander(X[:, 0], self.degree + 1)[:, :-1]

    def _head(self, z: Array, y: Array) -> tuple[float, Array]:
        return squared_error(z, y, self.loss)

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        return check_target(y, n_samples, None)

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
        return log_loss(z, y)

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        return check_labels(y, n_samples, 2)

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
            check_count("n_classes", self.n_classes, 2)

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
        return cross_entropy(z, y)

    def _check_y(self, y: ArrayLike, n_samples: int) -> Array:
        return check_labels(y, n_samples, self.n_classes)

    def predict_proba(self, params: ArrayLike, X: ArrayLike) -> Array:
        """softmax(z), shape (n, K)."""
        return np.exp(log_softmax(self.decision_function(params, X)))

    def predict(self, params: ArrayLike, X: ArrayLike) -> Array:
        """argmax_k z_k."""
        return np.argmax(self.decision_function(params, X), axis=1)
