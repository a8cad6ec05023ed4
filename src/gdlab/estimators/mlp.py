"""GDMLPRegressor and GDMLPClassifier: multilayer perceptrons trained by gradient descent."""

from __future__ import annotations

from typing import Any

from sklearn.base import ClassifierMixin, RegressorMixin

from gdlab.estimators.base import _Classification, _Regression, keep_parameters
from gdlab.problems import models


class _Network:
    """coefs_ and intercepts_: the layers' weights and biases (on the standardised features)."""

    hidden_layer_sizes: Any
    activation: str
    _mlp = True

    def __init__(
        self,
        hidden_layer_sizes: Any = (32,),
        *,
        activation: str = "tanh",
        optimizer: str = "adam",
        learning_rate: float | str = "auto",
        schedule: str | None = None,
        batch_size: int | None = 32,
        epochs: int = 200,
        shuffle: bool = True,
        tol: float | None = 1e-4,
        n_iter_no_change: int = 10,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        alpha: float = 1e-4,
        scale: bool = True,
        random_state: Any = None,
        warm_start: bool = False,
    ) -> None:
        keep_parameters(self, locals())

    def _check_network(self) -> tuple[int, ...]:
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, int) and not isinstance(sizes, bool) else sizes
        try:
            widths = tuple(sizes)
        except TypeError:
            raise ValueError(
                f"hidden_layer_sizes must be a sequence of layer widths >= 1, got {sizes!r}"
            ) from None
        if not all(isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in widths):
            raise ValueError(f"hidden_layer_sizes must be layer widths >= 1, got {sizes!r}")
        if self.activation not in models.ACTIVATIONS:
            choices = ", ".join(models.ACTIVATIONS)
            raise ValueError(f"activation must be one of {choices}, got {self.activation!r}")
        return widths

    def _layers(self) -> None:
        views = self._model(self._n_outputs).views(self._params, self.n_features_in_)  # type: ignore[attr-defined]
        count = len(views) // 2
        self.coefs_ = [views[f"W{i}"].copy() for i in range(1, count + 1)]
        self.intercepts_ = [views[f"b{i}"].copy() for i in range(1, count + 1)]


_PARAMETERS = """
    Parameters as GDRegressor's, plus hidden_layer_sizes (the hidden layers' widths) and
    activation ("tanh", "relu" or "sigmoid"); the default optimizer is Adam at α = 0.001.
"""


class GDMLPRegressor(RegressorMixin, _Network, _Regression):
    """A multilayer perceptron regressor: L = (1/2b)·Σ(ŷ − y)² + alpha·½Σ‖Wᵢ‖²."""

    __doc__ = (__doc__ or "") + _PARAMETERS

    def _model(self, n_outputs: int) -> Any:
        return models.MLP(self._check_network(), activation=self.activation, loss="half_mse",
                          l2=float(self.alpha))  # fmt: skip

    def _publish(self) -> None:
        self._layers()


class GDMLPClassifier(ClassifierMixin, _Network, _Classification):
    """A multilayer perceptron classifier: softmax cross-entropy + alpha·½Σ‖Wᵢ‖² (two classes
    are two output units)."""

    __doc__ = (__doc__ or "") + _PARAMETERS

    def _model(self, n_outputs: int) -> Any:
        return models.MLP(
            self._check_network(), activation=self.activation, output="classification",
            n_outputs=n_outputs, l2=float(self.alpha),
        )  # fmt: skip

    def _publish(self) -> None:
        self._layers()
