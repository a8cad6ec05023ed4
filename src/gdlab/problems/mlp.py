"""The multilayer perceptron, with hand-written backpropagation (no autograd)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from gdlab.problems.losses import LOSSES, cross_entropy, log_softmax, sigmoid, squared_error
from gdlab.problems.model import Model, Shapes
from gdlab.problems.validation import Array, check_choice, check_count, check_labels, check_target

ACTIVATIONS = ("tanh", "relu", "sigmoid")
OUTPUTS = ("regression", "classification")


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
        check_choice("activation", self.activation, ACTIVATIONS)
        check_choice("output", self.output, OUTPUTS)
        check_choice("loss", self.loss, LOSSES)
        if self.n_outputs is not None:
            check_count("n_outputs", self.n_outputs, 2 if self.task == "classification" else 1)

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
            return check_labels(y, n_samples, self.n_outputs)
        return check_target(y, n_samples, self.n_outputs)

    def _forward(self, parts: dict[str, Array], X: Array) -> tuple[list[Array], Array]:
        """The activations a₀ … a_L and the output z."""
        acts = [X]
        for i in range(1, len(self.hidden) + 1):
            acts.append(_activate(self.activation, acts[-1] @ parts[f"W{i}"] + parts[f"b{i}"]))
        last = len(self.hidden) + 1
        return acts, acts[-1] @ parts[f"W{last}"] + parts[f"b{last}"]

    def _head(self, z: Array, y: Array) -> tuple[float, Array]:
        if self.output == "classification":
            return cross_entropy(z, y)
        if self.n_outputs is None:
            loss, dz = squared_error(z[:, 0], y, self.loss)
            return loss, dz[:, None]
        return squared_error(z, y, self.loss)

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
