"""GDRegressor and GDClassifier: linear models trained by gradient descent, scikit-learn style."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin

from gdlab.estimators.base import _Classification, _Regression, keep_parameters
from gdlab.problems import models


class _Linear:
    """The linear estimators' parameters (one __init__: scikit-learn reads its signature) and
    coef_ and intercept_ in the units of the data the estimator was given."""

    fit_intercept: bool
    _params: np.ndarray
    _x_scaling: tuple[np.ndarray, np.ndarray]

    def __init__(
        self,
        *,
        optimizer: str = "sgd",
        learning_rate: float | str = "auto",
        schedule: str | None = None,
        batch_size: int | None = None,
        epochs: int = 1000,
        shuffle: bool = True,
        tol: float | None = 1e-4,
        n_iter_no_change: int = 5,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        alpha: float = 1e-4,
        fit_intercept: bool = True,
        scale: bool = True,
        random_state: Any = None,
        warm_start: bool = False,
    ) -> None:
        keep_parameters(self, locals())

    def _original(self, model: Any, n_features: int, spread: float = 1.0) -> tuple[Any, Any]:
        """w = s_y·w′/s_x, b = s_y·(b′ − m_x·w′/s_x) (+ m_y by the caller), w′ and b′ scaled."""
        views = model.views(self._params, n_features)
        mean, scale = self._x_scaling
        coef = views["coef"] / (scale if views["coef"].ndim == 1 else scale[:, None])
        intercept = views.get("intercept", np.zeros(coef.shape[1:]))
        return spread * coef, spread * (intercept - mean @ coef)


class GDRegressor(RegressorMixin, _Linear, _Regression):
    """Linear regression by gradient descent: L = (1/2b)·Σ(x·w + b − y)² + alpha·½‖w‖².

    The objective of scikit-learn's SGDRegressor (squared_error, penalty="l2"), minimised with
    any gdlab optimizer.  With scale=True the features and target are standardised inside and
    alpha applies to the standardised weights; coef_ and intercept_ are in the data's units.

    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]) * 1000    # unscaled: still no divergence
    >>> model = GDRegressor(alpha=0.0, random_state=0).fit(X, 3 * X[:, 0] / 1000 + 1)
    >>> model.coef_.round(6).tolist(), model.intercept_.round(4).tolist()
    ([0.003], [1.0])
    """

    def _model(self, n_outputs: int) -> Any:
        return models.LinearRegression(
            loss="half_mse", fit_intercept=self.fit_intercept, l2=float(self.alpha)
        )

    def _publish(self) -> None:
        centre, spread = self._y_scaling
        coef, intercept = self._original(self._model(1), self.n_features_in_, spread)
        self.coef_ = coef
        self.intercept_ = np.atleast_1d(intercept + centre)


class GDClassifier(ClassifierMixin, _Linear, _Classification):
    """Logistic (2 classes) or softmax (K classes) regression by gradient descent:
    L = mean log loss + alpha·½‖W‖²  (SGDClassifier(loss="log_loss")'s objective; multinomial
    for K > 2, as LogisticRegression).  coef_ is (1, d) for two classes, (K, d) for K.

    >>> X = np.array([[-2.0, 1], [-1, 0], [1, 0], [2, 1]]) * 100
    >>> model = GDClassifier(random_state=0).fit(X, ["no", "no", "yes", "yes"])
    >>> model.predict([[150.0, 0.0]]).tolist(), model.predict_proba([[-150.0, 0.0]]).argmax()
    (['yes'], np.int64(0))
    """

    def _model(self, n_outputs: int) -> Any:
        intercept, l2 = bool(self.fit_intercept), float(self.alpha)
        if n_outputs == 2:
            return models.LogisticRegression(fit_intercept=intercept, l2=l2)
        return models.SoftmaxRegression(n_outputs, fit_intercept=intercept, l2=l2)

    def _publish(self) -> None:
        coef, intercept = self._original(self._model(self._n_outputs), self.n_features_in_)
        self.coef_ = coef[None, :] if coef.ndim == 1 else coef.T.copy()
        self.intercept_ = np.atleast_1d(intercept)
