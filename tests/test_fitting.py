"""Fitting named data with spec-built models: loading, the classifier MLP, metrics, the run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gdlab as gd
from gdlab import data, fitting


def test_load_named_and_file(tmp_path: Path) -> None:
    assert fitting.load_data("seed002").y.tolist() == [2.0, 4.0, 6.0, 8.0]
    path = tmp_path / "t.csv"
    path.write_text("x,y\n1,2\n2,4\n3,6\n")
    loaded = fitting.load_data(str(path), target="y")
    assert loaded.X.tolist() == [[1.0], [2.0], [3.0]]
    with pytest.raises(ValueError, match="needs its target column"):
        fitting.load_data(str(path))
    with pytest.raises(ValueError, match="--target applies to data files"):
        fitting.load_data("iris", target="y")
    with pytest.raises(ValueError, match="unknown data set 'iriss'"):
        fitting.load_data("iriss")


def test_model_for_classification_data() -> None:
    iris = data.load("iris")
    assert fitting.model_for("mlp:8", iris).output == "classification"
    assert fitting.model_for("mlp", iris).output == "classification"
    assert fitting.model_for("mlp:8", data.load("linear")).output == "regression"


def test_metrics() -> None:
    model = gd.models.LinearRegression()
    X = np.array([[0.0], [1.0], [2.0]])
    params = np.array([2.0, 1.0])  # ŷ = 2x + 1
    assert fitting.metrics(model, params, X, np.array([1.0, 3.0, 5.0])) == {
        "mse": 0.0, "rmse": 0.0, "r2": 1.0,
    }  # fmt: skip
    found = fitting.metrics(model, params, X, np.array([1.0, 3.0, 6.0]))
    # residuals (0, 0, −1): mse = 1/3; var(y) = 38/9, so r² = 1 − (1/3)/(38/9) = 35/38
    assert found["mse"] == pytest.approx(1 / 3) and found["r2"] == pytest.approx(35 / 38)
    logistic = gd.models.LogisticRegression()
    labels = np.array([0, 1, 0])  # predicted (0, 1, 1)
    assert fitting.metrics(logistic, np.array([1.0, -0.5]), X, labels) == {"accuracy": 2 / 3}


def test_fit_dataset_is_gd_fit_on_standardised_features() -> None:
    ds = data.load("linear")
    model = gd.models.LinearRegression()
    fitted = fitting.fit_dataset(ds, model, gd.sgd(0.1), batch_size=10, epochs=5, seed=1)
    X, _ = data.standardize(ds.X)
    alone = gd.fit(model, X, ds.y, optimizer=gd.sgd(0.1), batch_size=10, epochs=5, seed=1)
    assert fitted.result.x.tolist() == alone.x.tolist()
    document = fitted.to_dict()
    assert document["standardized"] and document["updates"] == 50
    assert set(document["params"]) == {"coef", "intercept"}
    raw = fitting.fit_dataset(ds, model, gd.sgd(0.1), epochs=2, standardize=False)
    assert raw.scaler is None and raw.X is ds.X
