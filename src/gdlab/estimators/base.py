"""The machinery the four estimators share: parameter checks, internal scaling, the step size,
`fit` through `gd.fit`, `partial_fit` one epoch at a time, and the regression and
classification targets.  The public classes are in `linear` and `mlp`; see the package
docstring for the step-size rule.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from gdlab import specs
from gdlab.batching import Batches, steps_per_epoch
from gdlab.data import Standardizer
from gdlab.epochs import Position, Run, choose_epoch
from gdlab.history import Recorder
from gdlab.problems import models
from gdlab.schedules import reduce_on_plateau
from gdlab.training import fit as gd_fit

STEP_LIKE = ("sgd", "momentum")  # optimizers whose step is α·(a running mean of) the gradient
CURVATURE = {"regression": 1.0, "binary": 0.25, "multiclass": 0.5}


def lipschitz_rate(X: np.ndarray, batch_size: int, *, curvature: float, alpha: float,
                   fit_intercept: bool = True) -> float:  # fmt: skip
    """α = 1/L, L = c·min(max_i ‖x̃_i‖², λ_max(X̃ᵀX̃)/b_min) + alpha (the package docstring).

    >>> X = np.array([[1.0, 0.0], [0.0, 2.0]])
    >>> lipschitz_rate(X, 2, curvature=1.0, alpha=0.0, fit_intercept=False)   # λ_max = 4, b = 2
    0.5
    """
    n = len(X)
    design = np.hstack([X, np.ones((n, 1), X.dtype)]) if fit_intercept else X
    row_bound = float(np.max(np.einsum("ij,ij->i", design, design)))
    smallest = n % batch_size or batch_size
    if design.shape[1] <= 2000:
        top = float(np.linalg.eigvalsh(design.T @ design)[-1])
    else:  # ‖X̃‖_F² ≥ λ_max: a cheaper bound, still an upper one
        top = float(np.vdot(design, design))
    bound = curvature * min(row_bound, top / smallest) + alpha
    return 1.0 / bound if bound > 0 else 1.0


def keep_parameters(estimator: BaseEstimator, arguments: dict[str, Any]) -> None:
    """Store each __init__ argument under its own name, as scikit-learn expects (its list of
    parameters is read from the estimator's __init__ signature); nothing is checked here."""
    for name in estimator._get_param_names():
        setattr(estimator, name, arguments[name])


class _GDBase(BaseEstimator):
    """What the four estimators share: parameter checks, scaling, the optimizer, fit loops."""

    _task = "regression"
    _mlp = False

    # ------------------------------------------------------------ parameters

    def _check_parameters(self) -> None:
        if not isinstance(self.optimizer, str):
            kind = type(self.optimizer).__name__
            raise TypeError(f"optimizer must be a spec string such as 'adam:beta1=0.8', got {kind}")
        specs.optimizer_name(self.optimizer)
        rate = self.learning_rate
        if not (rate == "auto" if isinstance(rate, str) else _positive(rate)):
            raise ValueError(f"learning_rate must be 'auto' or a number > 0, got {rate!r}")
        if self.schedule is not None and not isinstance(self.schedule, str):
            raise TypeError(f"schedule must be a spec string or None, got {self.schedule!r}")
        if self.batch_size is not None and not _integer(self.batch_size, 1):
            raise ValueError(f"batch_size must be an integer >= 1 or None, got {self.batch_size!r}")
        if not _integer(self.epochs, 1):
            raise ValueError(f"epochs must be an integer >= 1, got {self.epochs!r}")
        if self.tol is not None and not (_real(self.tol) and self.tol >= 0):
            raise ValueError(f"tol must be a number >= 0 or None, got {self.tol!r}")
        if not _integer(self.n_iter_no_change, 1):
            raise ValueError(
                f"n_iter_no_change must be an integer >= 1, got {self.n_iter_no_change!r}"
            )
        if not (_real(self.validation_fraction) and 0 < self.validation_fraction < 1):
            raise ValueError(
                f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}"
            )
        if not (_real(self.alpha) and self.alpha >= 0):
            raise ValueError(f"alpha must be a number >= 0, got {self.alpha!r}")
        for name in ("shuffle", "early_stopping", "scale", "warm_start"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")

    def _model(self, n_outputs: int) -> Any:
        raise NotImplementedError

    def _fits_intercept(self) -> bool:
        return bool(getattr(self, "fit_intercept", True))

    # ------------------------------------------------------------ data and scaling

    def _encode(self, y: np.ndarray, *, first: bool) -> np.ndarray:
        """The target the model trains on (class indices, or the scaled regression target)."""
        raise NotImplementedError

    def _set_scaling(self, X: np.ndarray) -> None:
        centre = self._fits_intercept()
        if self.scale:
            fitted = Standardizer.fit(X)
            mean = fitted.mean if centre else np.zeros_like(fitted.mean)
            self._x_scaling = (mean, fitted.scale)
        else:
            self._x_scaling = (np.zeros(X.shape[1], X.dtype), np.ones(X.shape[1], X.dtype))

    def _scaled(self, X: np.ndarray) -> np.ndarray:
        mean, scale = self._x_scaling
        return ((X - mean) / scale).astype(X.dtype, copy=False)

    # ------------------------------------------------------------ the optimizer

    def _rate(self, X: np.ndarray, batch: int) -> float:
        """The learning rate α: the one given, the spec's, or "auto" (see the package docstring)."""
        name = specs.optimizer_name(self.optimizer)
        values = specs.optimizer_values(self.optimizer)
        given = values.get("learning_rate")
        if given is not None and self.learning_rate != "auto":
            raise ValueError(
                f"the learning rate is given twice: in optimizer={self.optimizer!r} and "
                f"learning_rate={self.learning_rate!r}"
            )
        if given is not None:
            return float(given)
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        if name == "adadelta":
            return 1.0
        if name in STEP_LIKE and not self._mlp:
            curvature = CURVATURE[self._curvature_kind()]
            penalty = float(self.alpha) + float(values.get("weight_decay", 0.0))  # both add λ·I
            return lipschitz_rate(X, batch, curvature=curvature, alpha=penalty,
                                  fit_intercept=self._fits_intercept())  # fmt: skip
        return 0.001 if self._mlp else 0.01

    def _curvature_kind(self) -> str:
        return "regression"

    def _optimizer(self, rate: float, updates: int) -> Any:
        """The optimizer of the spec at rate α (the spec's own rate, when it has one, is α)."""
        text = self.optimizer
        if "learning_rate" in specs.optimizer_values(text):
            return specs.optimizer(text, schedule=self.schedule, steps=updates)
        return specs.optimizer(text, learning_rate=rate, schedule=self.schedule, steps=updates)

    def _batch(self, n_samples: int) -> int:
        return n_samples if self.batch_size is None else min(int(self.batch_size), n_samples)

    def _generator(self) -> np.random.Generator:
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        return np.random.default_rng(seed)

    # ------------------------------------------------------------ fit

    def fit(self, X: Any, y: Any) -> _GDBase:
        """Train on (X, y) for at most `epochs` epochs (warm_start: from the fitted weights)."""
        self._check_parameters()
        X, y = self._validate(X, y, reset=True)
        params: np.ndarray | None = getattr(self, "_params", None)
        warm = bool(self.warm_start) and params is not None and params.size == self._size(X)
        if not warm:
            self._set_scaling(X)
        target = self._encode(y, first=not warm)
        Xs, rng = self._scaled(X), self._generator()
        (X_train, y_train), validation = self._split(Xs, target, rng)
        batch = self._batch(len(X_train))
        updates = self.epochs * steps_per_epoch(len(X_train), batch)
        model = self._model(self._n_outputs)
        self.learning_rate_ = self._rate(X_train, batch)
        result = gd_fit(
            model, X_train, y_train, optimizer=self._optimizer(self.learning_rate_, updates),
            batch_size=batch, epochs=int(self.epochs), shuffle=bool(self.shuffle), seed=rng,
            start=params if warm else None, tol=self.tol, patience=int(self.n_iter_no_change),
            validation_data=validation, restore_best=bool(self.early_stopping),
        )  # fmt: skip
        self._diverged(result)
        self._params, self._state, self._count = result.x, None, result.nit
        self._rng = rng
        self._plateau_state: dict[str, Any] | None = None
        self.history_ = result.history
        self.loss_curve_ = np.asarray(result.history.epoch_loss).tolist()
        self.n_iter_, self.t_ = int(result.info["epochs"]), int(result.nit)
        self._publish()
        if result.status == "max_steps" and self.tol is not None:
            warnings.warn(
                f"{type(self).__name__}: made all {self.epochs} epochs without converging "
                f"(tol={self.tol}); raise epochs or tol",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _size(self, X: np.ndarray) -> int:
        """The number of parameters the model has on X (a warm start needs the same)."""
        outputs = getattr(self, "_n_outputs", 1)
        return int(self._model(outputs).n_params(X.shape[1]))

    def _split(self, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[Any, Any]:
        """(train, validation): a random validation_fraction held out for early stopping."""
        if not self.early_stopping:
            return (X, y), None
        n = len(X)
        held = math.ceil(self.validation_fraction * n)
        if held < 1 or n - held < 1:
            raise ValueError(
                f"early_stopping needs at least 2 samples (one to train, one to validate), "
                f"got {n} sample{'s' * (n != 1)}"
            )
        order = rng.permutation(n)
        train, test = order[held:], order[:held]
        return (X[train], y[train]), (X[test], y[test])

    def _diverged(self, result: Any) -> None:
        if result.status == "diverged":
            raise ValueError(
                f"{type(self).__name__}: training {result.message}, "
                "or learning_rate='auto' (it cannot diverge)"
            )

    # ------------------------------------------------------------ partial_fit

    def _partial(self, X: Any, y: Any, classes: Any = None) -> _GDBase:
        """One epoch over (X, y), the optimizer state carried over from the previous call."""
        first = not hasattr(self, "n_iter_")
        if first:
            self._check_parameters()
        X, y = self._validate(X, y, reset=first)
        if first:
            self._set_scaling(X)
            self._start_partial(y, classes)
        target = self._encode(y, first=False)
        Xs = self._scaled(X)
        model = self._model(self._n_outputs)
        batch = self._batch(len(Xs))
        if first:
            self.learning_rate_ = self._rate(Xs, batch)
        optimizer = self._optimizer(
            self.learning_rate_, self.epochs * steps_per_epoch(len(Xs), batch)
        )
        if first:
            self._rng = self._generator()
            params = model.init(Xs.shape[1], n_outputs=self._n_outputs, rng=self._rng,
                                dtype=np.result_type(Xs.dtype, np.float32))  # fmt: skip
            self._params, self._count, self.n_iter_, self.loss_curve_ = params, 0, 0, []
        if getattr(self, "_state", None) is None:
            self._state = optimizer.init(self._params)
        self._one_epoch(model, optimizer, Xs, target, batch)
        self._publish()
        return self

    def _one_epoch(self, model: Any, optimizer: Any, X: np.ndarray, y: np.ndarray, batch: int
                   ) -> None:  # fmt: skip
        batches = Batches(len(X), batch, shuffle=bool(self.shuffle))
        recorder = Recorder(None, self._params.dtype, capacity=batches.steps_per_epoch)
        run = Run(model, optimizer, X, y, batches, recorder, math.inf, None)
        position = Position(self._params, self._params, self._state, self._count)
        plateau = _plateau(optimizer, getattr(self, "_plateau_state", None))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            epoch = choose_epoch(model, optimizer, None)
            outcome = epoch(run, position, self.n_iter_, batches.order(self._rng))
        if outcome.status == "diverged":
            raise ValueError(f"{type(self).__name__}: partial_fit {outcome.message}")
        self._params, _, self._state, self._count = outcome.position
        self.history_ = recorder.history()
        self.loss_curve_.append(outcome.loss_sum / outcome.batches)
        self.n_iter_, self.t_ = self.n_iter_ + 1, self._count
        if plateau is not None:  # stepped with the epoch loss, as gd.fit does
            plateau.step(self.loss_curve_[-1], count=self._count)
            self._plateau_state = plateau.state_dict()

    def _start_partial(self, y: np.ndarray, classes: Any) -> None:
        """What the first partial_fit call fixes: the target's scaling, or the classes."""
        raise NotImplementedError

    # ------------------------------------------------------------ predictions

    def _outputs(self, X: Any) -> np.ndarray:
        """The model's raw outputs (scaled space) for X: prediction or logits."""
        check_is_fitted(self, "n_iter_")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        model = self._model(self._n_outputs)
        Xs = self._scaled(X)
        if self._mlp:  # the network's output layer: logits or predictions, before any head
            return np.asarray(model._output(self._params, Xs))
        return np.asarray(model.decision_function(self._params, Xs))

    def _publish(self) -> None:
        """Set the public fitted attributes from the parameters."""


def _plateau(optimizer: Any, state: Any) -> reduce_on_plateau | None:
    """The optimizer's reduce_on_plateau (rebuilt at each call) put back in its saved state."""
    for link in (optimizer, *optimizer.links):
        plateau = link.learning_rate
        if isinstance(plateau, reduce_on_plateau):
            if state is not None:
                plateau.load_state_dict(state)
            return plateau
    return None


def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _positive(value: Any) -> bool:
    return _real(value) and value > 0


def _integer(value: Any, low: int) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= low


# ---------------------------------------------------------------- the two kinds of target


class _Regression(_GDBase):
    """A real target, standardised with the features when scale=True (ŷ = z·s_y + m_y)."""

    _task = "regression"

    def _validate(self, X: Any, y: Any, *, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(self, X, y, reset=reset, dtype=[np.float64, np.float32],
                             y_numeric=True)  # fmt: skip
        self._n_outputs = 1
        return X, y.astype(X.dtype, copy=False)

    def _encode(self, y: np.ndarray, *, first: bool) -> np.ndarray:
        if first:
            centre = float(np.mean(y)) if self.scale and self._fits_intercept() else 0.0
            spread = float(np.std(y)) if self.scale else 1.0
            self._y_scaling = (centre, spread if spread > 0 and math.isfinite(spread) else 1.0)
        centre, spread = self._y_scaling
        return ((y - centre) / spread).astype(y.dtype, copy=False)

    def _start_partial(self, y: np.ndarray, classes: Any) -> None:
        self._encode(y, first=True)

    def partial_fit(self, X: Any, y: Any) -> _Regression:
        """One epoch over (X, y), the optimizer state carried over from the previous call."""
        return self._partial(X, y)

    def predict(self, X: Any) -> np.ndarray:
        """ŷ in the target's units."""
        z = self._outputs(X).reshape(-1)
        centre, spread = self._y_scaling
        return z * spread + centre


class _Classification(_GDBase):
    """Class labels of any kind (classes_), trained as indices 0..K−1."""

    _task = "classification"

    def _validate(self, X: Any, y: Any, *, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(self, X, y, reset=reset, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        return X, y

    def _start_partial(self, y: np.ndarray, classes: Any) -> None:
        if classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        self._set_classes(np.unique(column_or_1d(np.asarray(classes))))

    def _set_classes(self, classes: np.ndarray) -> None:
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes, got 1 class: "
                f"{classes.tolist()}"
            )
        self.classes_ = classes
        self._n_outputs = len(classes)

    def _encode(self, y: np.ndarray, *, first: bool) -> np.ndarray:
        if first:
            self._set_classes(np.unique(y))
        index = np.searchsorted(self.classes_, y).clip(0, len(self.classes_) - 1)
        unknown = self.classes_[index] != y
        if np.any(unknown):
            raise ValueError(
                f"y has labels {np.unique(y[unknown]).tolist()} that are not in classes_ "
                f"{self.classes_.tolist()}"
            )
        return index.astype(np.int64)

    def _curvature_kind(self) -> str:
        return "binary" if self._n_outputs == 2 else "multiclass"

    def decision_function(self, X: Any) -> np.ndarray:
        """Binary: the logit of classes_[1], shape (n,); K classes: the K logits, (n, K)."""
        z = self._outputs(X)
        if z.ndim == 2 and len(self.classes_) == 2:
            return z[:, 1] - z[:, 0]
        return z

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(class | x), shape (n, K), columns in the order of classes_."""
        z = self._outputs(X)
        if z.ndim == 1:
            p = models.sigmoid(z)
            return np.column_stack([1.0 - p, p])
        return np.exp(models.log_softmax(z))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log P(class | x)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        z = self._outputs(X)
        index = (z > 0).astype(np.intp) if z.ndim == 1 else np.argmax(z, axis=1)
        return self.classes_[index]

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> _Classification:
        """One epoch over (X, y); `classes` (every label there will be) on the first call."""
        return self._partial(X, y, classes)
