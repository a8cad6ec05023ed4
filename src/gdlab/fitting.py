"""Fit a model named by a spec to a data set named or read from a file (layer L4): what
`gdlab fit` and the web API run, on top of `gd.fit`.

    data = load_data("diabetes")                      # or load_data("houses.csv", target="price")
    model = model_for("mlp:32,16", data)              # classification data → a classifier MLP
    fitted = fit_dataset(data, model, gd.adam(0.01), batch_size=32, epochs=50)
    fitted.metrics                                    # {"mse": …, "rmse": …, "r2": …} or accuracy

Features are standardised (zero mean, unit variance per column, `gd.data.standardize`) unless
asked otherwise: gradient descent with one learning rate needs features of one scale.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gdlab import catalog, data, specs
from gdlab.base import Transform
from gdlab.history import Result
from gdlab.training import fit


def load_data(text: str, *, target: str | None = None, task: str = "regression") -> data.Dataset:
    """A bundled or synthetic data set by name, or a CSV/Parquet file with its target column."""
    if Path(text).suffix.lower() in data.TABLE_SUFFIXES or Path(text).exists():
        if target is None:
            raise ValueError(f"a data file needs its target column: --target COLUMN ({text})")
        return data.read_table(text, target, task=task)
    if target is not None:
        raise ValueError(f"--target applies to data files; {text!r} is a named data set")
    return catalog.dataset_entry(text).load()


def model_for(text: str, dataset: data.Dataset) -> Any:
    """The model from its spec; an MLP on classification data defaults to output=classification."""
    if (
        dataset.task == "classification"
        and specs.split(text).name == "mlp"
        and "output" not in dict(specs.split(text).keywords)
    ):
        text = f"{text}{',' if ':' in text else ':'}output=classification"
    return specs.model(text)


def metrics(model: Any, params: np.ndarray, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Regression: mse, rmse, r2; classification: accuracy."""
    predicted = np.asarray(model.predict(params, X))
    if model.task == "classification":
        return {"accuracy": float(np.mean(predicted == y))}
    residual = predicted.reshape(y.shape) - y
    mse = float(np.mean(residual**2))
    variance = float(np.var(y))
    return {
        "mse": mse,
        "rmse": math.sqrt(mse),
        "r2": 1.0 - mse / variance if variance > 0 else math.nan,
    }


@dataclass(frozen=True)
class Fitted:
    """A fitted model: the data it saw (standardised X), the Result, metrics and timing."""

    dataset: data.Dataset
    X: np.ndarray
    model: Any
    optimizer: Transform
    result: Result
    scaler: data.Standardizer | None
    metrics: dict[str, float]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        history = self.result.history
        views = self.model.views(self.result.x, self.dataset.n_features)
        return {
            "data": self.dataset.name,
            "n_samples": self.dataset.n_samples,
            "n_features": self.dataset.n_features,
            "task": self.dataset.task,
            "model": repr(self.model),
            "optimizer": repr(self.optimizer),
            "standardized": self.scaler is not None,
            "status": self.result.status,
            "message": self.result.message,
            "updates": self.result.nit,
            "final_loss": self.result.fun,
            "metrics": self.metrics,
            "seconds": self.seconds,
            "params": {name: np.asarray(view).tolist() for name, view in views.items()},
            "epoch_loss": [] if history.epoch_loss is None else history.epoch_loss.tolist(),
        }


def fit_dataset(
    dataset: data.Dataset,
    model: Any,
    optimizer: Transform,
    *,
    batch_size: int | None = None,
    epochs: int = 100,
    seed: int = 0,
    standardize: bool = True,
    callback: Any = None,
    client: Any = None,
    checkpoint: Any = None,
    checkpoint_every: int = 1,
    resume_from: Any = None,
) -> Fitted:
    """Standardise X (unless told not to), run `gd.fit` (on a Dask `client` if given), and
    measure the fitted model.  checkpoint, checkpoint_every, resume_from: as gd.fit's."""
    X, scaler = data.standardize(dataset.X) if standardize else (dataset.X, None)
    began = time.perf_counter()
    result = fit(
        model, X, dataset.y, optimizer=optimizer, batch_size=batch_size, epochs=epochs,
        seed=seed, callback=callback, client=client, checkpoint=checkpoint,
        checkpoint_every=checkpoint_every, resume_from=resume_from,
    )  # fmt: skip
    seconds = time.perf_counter() - began
    found = metrics(model, result.x, X, dataset.y)
    return Fitted(dataset, X, model, optimizer, result, scaler, found, seconds)
