"""gdlab.data: the seeds' data bit for bit, synthetic truth, bundled sets, files, standardising."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pandas as pd
import pytest

from gdlab import data
from gdlab.problems.models import (
    LinearRegression,
    LogisticRegression,
    PolynomialRegression,
    SoftmaxRegression,
)

# ---- the seeds ----------------------------------------------------------------------------


def test_seed000_is_built_exactly_as_the_seed_builds_it():
    ds = data.seed000()
    xs = [0.01 * x for x in range(100)]
    assert ds.X.shape == (100, 1)
    assert ds.X.dtype == np.float64
    assert ds.X[3, 0] == 0.01 * 3
    assert ds.X[35, 0] == 0.01 * 35  # 0.35000000000000003: the seed's float, not 35/100
    assert ds.X[35, 0] != 35 / 100
    assert ds.X[:, 0].tolist() != (np.arange(100) / 100).tolist()
    assert ds.X[:, 0].tolist() == xs
    assert ds.y.tolist() == [2 * x**2 + 3 * x + 4 for x in xs]
    assert ds.feature_names == ("x",)
    assert ds.task == "regression"


def test_seed000_truth_is_the_seed_polynomial():
    ds = data.seed000()
    model = PolynomialRegression(2)
    params = model.init(1, start=ds.truth)
    assert params.tolist() == [2.0, 3.0, 4.0]
    assert model.value_and_grad(params, ds.X, ds.y)[0] < 1e-28


def test_seed002():
    ds = data.seed002()
    assert ds.X.dtype == np.float64
    assert ds.X.tolist() == [[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0]]
    assert ds.y.tolist() == [2.0, 4.0, 6.0, 8.0]
    model = LinearRegression(loss="half_mse", fit_intercept=False)
    loss, grads = model.value_and_grad(model.init(2, start=ds.truth), ds.X, ds.y)
    assert loss == 0.0
    assert grads.tolist() == [0.0, 0.0]


def test_each_call_builds_fresh_arrays():
    first = data.seed002()
    first.X[0, 0] = 99.0
    assert data.seed002().X[0, 0] == 1.0


# ---- synthetic ------------------------------------------------------------------------------


def test_make_linear_has_its_truth():
    ds = data.make_linear(50, 3, noise=0.0, seed=4)
    assert ds.X.shape == (50, 3)
    assert ds.y.shape == (50,)
    np.testing.assert_allclose(ds.y, ds.X @ ds.truth["coef"] + ds.truth["intercept"], rtol=1e-14)
    model = LinearRegression()
    assert model.value_and_grad(model.init(3, start=ds.truth), ds.X, ds.y)[0] < 1e-28


def test_make_linear_noise_and_scales():
    ds = data.make_linear(20000, 2, noise=0.5, scales=(1.0, 100.0), seed=1)
    residual = ds.y - ds.X @ ds.truth["coef"] - ds.truth["intercept"]
    assert np.std(residual) == pytest.approx(0.5, rel=0.02)
    np.testing.assert_allclose(ds.X.std(axis=0), [1.0, 100.0], rtol=0.02)


@pytest.mark.parametrize(
    "maker",
    [data.make_linear, data.make_polynomial, data.make_blobs, data.make_classification],
)
def test_synthetic_data_is_seeded(maker):
    first, again, other = maker(seed=7), maker(seed=7), maker(seed=8)
    np.testing.assert_array_equal(first.X, again.X)
    np.testing.assert_array_equal(first.y, again.y)
    assert not np.array_equal(first.X, other.X)


def test_make_polynomial_has_its_truth():
    ds = data.make_polynomial(40, 3, noise=0.0, low=-2.0, high=1.0, seed=2)
    assert ds.X.shape == (40, 1)
    assert ds.X.min() >= -2.0
    assert ds.X.max() < 1.0
    model = PolynomialRegression(3)
    assert model.value_and_grad(model.init(1, start=ds.truth), ds.X, ds.y)[0] < 1e-24


def test_make_blobs():
    ds = data.make_blobs(90, 3, 4, spread=0.0, seed=5)
    assert ds.task == "classification"
    assert ds.y.dtype == np.int64
    assert np.bincount(ds.y).tolist() == [30, 30, 30]
    np.testing.assert_array_equal(ds.X, ds.truth["centers"][ds.y])


@pytest.mark.parametrize("n_classes", [2, 4])
def test_make_classification_draws_labels_from_its_model(n_classes):
    ds = data.make_classification(20000, 3, n_classes, weight_scale=1.0, seed=3)
    model = LogisticRegression() if n_classes == 2 else SoftmaxRegression(n_classes)
    X, y = model.validate(ds.X, ds.y)
    params = model.init(3, start=ds.truth)
    proba = model.predict_proba(params, X)
    if n_classes == 2:
        proba = np.column_stack([1 - proba, proba])
    frequency = np.bincount(y, minlength=n_classes) / len(y)
    np.testing.assert_allclose(frequency, proba.mean(axis=0), atol=0.01)
    truth_loss = model.value_and_grad(params, X, y)[0]
    assert truth_loss < model.value_and_grad(np.zeros_like(params), X, y)[0]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.make_linear(0), r"n_samples must be an integer >= 1, got 0"),
        (lambda: data.make_linear(10, 2, noise=-1.0), r"noise must be a finite number >= 0"),
        (lambda: data.make_linear(10, 2, scales=(1.0,)), r"scales must be 2 positive numbers"),
        (lambda: data.make_linear(10, 2, scales=(1.0, 0.0)), r"scales must be 2 positive"),
        (lambda: data.make_polynomial(10, -1), r"degree must be an integer >= 0, got -1"),
        (lambda: data.make_polynomial(low=1.0, high=1.0), r"low must be < high"),
        (lambda: data.make_blobs(n_classes=1), r"n_classes must be an integer >= 2, got 1"),
        (lambda: data.make_classification(n_features=0), r"n_features must be an integer >= 1"),
    ],
)
def test_maker_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---- by name ----------------------------------------------------------------------------------


def test_names_lists_every_data_set():
    assert data.names() == (
        "seed000",
        "seed002",
        "linear",
        "polynomial",
        "blobs",
        "classification",
        "diabetes",
        "breast_cancer",
        "iris",
        "wine",
        "digits",
    )


@pytest.mark.parametrize(
    ("name", "shape", "task", "n_classes"),
    [
        ("diabetes", (442, 10), "regression", None),
        ("breast_cancer", (569, 30), "classification", 2),
        ("iris", (150, 4), "classification", 3),
        ("wine", (178, 13), "classification", 3),
        ("digits", (1797, 64), "classification", 10),
    ],
)
def test_load_bundled(name, shape, task, n_classes):
    ds = data.load(name)
    assert ds.name == name
    assert ds.X.shape == shape
    assert ds.X.dtype == np.float64
    assert ds.task == task
    assert len(ds.feature_names) == shape[1]
    assert "scikit-learn" in ds.description
    if n_classes is None:
        assert ds.y.dtype == np.float64
    else:
        assert ds.y.dtype == np.int64
        assert sorted(set(ds.y.tolist())) == list(range(n_classes))


def test_load_by_name_matches_the_makers():
    np.testing.assert_array_equal(data.load("linear", seed=3).X, data.make_linear(seed=3).X)
    assert data.load("seed000").X[:, 0].tolist() == data.seed000().X[:, 0].tolist()
    assert all(data.load(name).name == name for name in data.names())


def test_load_errors():
    with pytest.raises(ValueError, match=r"unknown data set 'mnist'; known: seed000, .*, digits"):
        data.load("mnist")
    with pytest.raises(ValueError, match=r"'iris' is a bundled data set and takes no options"):
        data.load("iris", seed=1)


def test_dataset_checks_itself():
    with pytest.raises(ValueError, match=r"task must be one of"):
        data.Dataset(np.zeros((2, 1)), np.zeros(2), "d", ("x",), task="ranking")
    with pytest.raises(ValueError, match=r"X must be \(n, d\) and y \(n,\)"):
        data.Dataset(np.zeros((2, 1)), np.zeros(3), "d", ("x",))
    with pytest.raises(ValueError, match=r"1 feature names for 2 columns"):
        data.Dataset(np.zeros((2, 2)), np.zeros(2), "d", ("x",))
    ds = data.seed002()
    assert (ds.n_samples, ds.n_features) == (4, 2)


# ---- the user's files ----------------------------------------------------------------------

TABLE = pd.DataFrame(
    {"size": [1.0, 2.0, 3.0, 4.0], "rooms": [1, 2, 2, 3], "price": [10.0, 19.0, 31.0, 40.0]}
)


def fingerprint(path):
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


@pytest.fixture(params=["csv", "parquet"])
def table_file(request, tmp_path):
    path = tmp_path / f"houses.{request.param}"
    if request.param == "csv":
        TABLE.to_csv(path, index=False)
    else:
        TABLE.to_parquet(path)
    return path


def test_read_table(table_file):
    before = fingerprint(table_file)
    ds = data.read_table(table_file, target="price")
    assert ds.X.tolist() == TABLE[["size", "rooms"]].to_numpy(float).tolist()
    assert ds.y.tolist() == [10.0, 19.0, 31.0, 40.0]
    assert ds.feature_names == ("size", "rooms")
    assert (ds.name, ds.target_name, ds.task) == ("houses", "price", "regression")
    assert data.read_table(table_file, "price", features=["rooms"]).X.tolist() == [
        [1],
        [2],
        [2],
        [3],
    ]
    labels = data.read_table(table_file, "rooms", features=["size"], task="classification")
    assert labels.y.dtype == np.int64
    assert labels.y.tolist() == [1, 2, 2, 3]
    assert fingerprint(table_file) == before


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("name", "text", "options", "message"),
    [
        ("houses.txt", "a,b\n1,2\n", {}, r"unknown file type '\.txt' for houses\.txt; .*\.csv"),
        ("houses", "a,b\n1,2\n", {}, r"unknown file type '\(none\)'"),
        ("empty.csv", "", {}, r"empty\.csv is empty \(no header, no rows\)"),
        ("header.csv", "a,b\n", {}, r"header\.csv has no rows; available columns: a, b"),
        (
            "t.csv",
            "a,b\n1,2\n",
            {"target": "price"},
            r"column\(s\) \['price'\] not found in t\.csv; available columns: a, b",
        ),
        (
            "t.csv",
            "a,b\n1,2\n",
            {"target": "b", "features": ["a", "c"]},
            r"column\(s\) \['c'\] not found in t\.csv; available columns: a, b",
        ),
        (
            "t.csv",
            "a,b\n1,2\n",
            {"target": "b", "features": ["a", "b"]},
            r"features must be other columns than the target 'b'; available columns: a, b",
        ),
        ("t.csv", "b\n1\n", {"target": "b"}, r"features must be other .*; available columns: b"),
        (
            "t.csv",
            "a,b\n1,x\n2,y\n",
            {"target": "b"},
            r"non-numeric column\(s\) in t\.csv: 'b' \(\w+\); available columns: a, b",
        ),
        (
            "t.csv",
            "a,city,b\n1,Paris,2\n",
            {"target": "b"},
            r"non-numeric .* 'city' \(\w+\); available columns: a, city, b",
        ),
        (
            "t.csv",
            "a,b\n1,2\n,3\n4,5\n",
            {"target": "b"},
            r"NaN, inf or empty cells in t\.csv, column\(s\) 'a' \(1 rows\)",
        ),
        ("t.csv", "a,b\n1,inf\n2,3\n", {"target": "b"}, r"NaN, inf .* column\(s\) 'b' \(1 rows\)"),
        (
            "t.csv",
            "a,b\n1,0.5\n2,1\n",
            {"target": "b", "task": "classification"},
            r"target 'b' must hold class labels 0\.\.K-1",
        ),
        ("t.csv", "a,b\n1,2\n", {"target": "b", "task": "ranking"}, r"task must be one of"),
        ("bad.parquet", "not parquet at all", {}, r"could not read bad\.parquet as parquet"),
    ],
)
def test_read_table_names_the_problem(tmp_path, name, text, options, message):
    path = write(tmp_path, name, text)
    before = fingerprint(path)
    with pytest.raises(ValueError, match=message):
        data.read_table(path, **{"target": "b", **options})
    assert fingerprint(path) == before


def test_read_table_missing_file_or_directory(tmp_path):
    with pytest.raises(ValueError, match=r"no such file: .*nowhere\.csv"):
        data.read_table(tmp_path / "nowhere.csv", target="y")
    with pytest.raises(ValueError, match=r"not a file: "):
        data.read_table(tmp_path, target="y")


def test_read_table_parquet_problems(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"a": [1.0, np.nan], "b": ["x", "y"], "c": [1.0, 2.0]}).to_parquet(path)
    with pytest.raises(ValueError, match=r"non-numeric column\(s\) in t\.parquet: 'b'"):
        data.read_table(path, target="c")
    with pytest.raises(ValueError, match=r"column\(s\) 'a' \(1 rows\)"):
        data.read_table(path, target="c", features=["a"])


# ---- standardisation ---------------------------------------------------------------------------


def test_standardize_centres_and_scales():
    X = np.array([[1.0, 10.0, 5.0], [2.0, 30.0, 5.0], [3.0, 50.0, 5.0]])
    X_std, scaler = data.standardize(X)
    np.testing.assert_allclose(scaler.mean, [2.0, 30.0, 5.0])
    np.testing.assert_allclose(scaler.scale, [np.sqrt(2 / 3), np.sqrt(800 / 3), 1.0])
    np.testing.assert_allclose(X_std.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(X_std.std(axis=0), [1.0, 1.0, 0.0], atol=1e-15)
    assert X_std[:, 2].tolist() == [0.0, 0.0, 0.0]  # the constant column: scale 1, no 0/0
    np.testing.assert_allclose(scaler.inverse_transform(X_std), X, rtol=1e-15)
    np.testing.assert_allclose(scaler.transform(X), X_std)


def test_standardize_with_given_mean_and_scale_and_float32():
    X = np.array([[1.0, 4.0], [3.0, 8.0]], dtype=np.float32)
    X_std, _scaler = data.standardize(X, mean=[1.0, 0.0], scale=[2.0, 4.0])
    assert X_std.dtype == np.float32
    assert X_std.tolist() == [[0.0, 1.0], [1.0, 2.0]]
    assert data.Standardizer.fit(X).transform(X).dtype == np.float32
    assert data.standardize(X, mean=[1.0, 1.0])[0].tolist() == [[0.0, 3.0], [2.0, 7.0]]


def test_coef_back_to_original_units():
    ds = data.make_linear(60, 3, noise=0.1, scales=(1.0, 50.0, 0.02), seed=6)
    X_std, scaler = data.standardize(ds.X)
    design = np.column_stack([X_std, np.ones(60)])
    solution = np.linalg.lstsq(design, ds.y, rcond=None)[0]
    coef, intercept = scaler.coef_to_original(solution[:3], solution[3])
    raw = np.linalg.lstsq(np.column_stack([ds.X, np.ones(60)]), ds.y, rcond=None)[0]
    np.testing.assert_allclose(np.append(coef, intercept), raw, rtol=1e-9)


def test_standardizing_improves_the_condition_number():
    """κ(XᵀX) of skewed columns (scales 1 and 1000) drops to about 1."""
    ds = data.make_linear(500, 2, scales=(1.0, 1000.0), seed=0)
    X_std, _ = data.standardize(ds.X)
    assert np.linalg.cond(ds.X.T @ ds.X) > 1e5
    assert np.linalg.cond(X_std.T @ X_std) < 1.5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: data.standardize(np.zeros(3)), r"X must be a non-empty 2-D numeric array"),
        (lambda: data.standardize(np.zeros((0, 2))), r"X must be a non-empty 2-D numeric array"),
        (lambda: data.standardize([["a"]]), r"X must be a non-empty 2-D numeric array, got <U1"),
        (lambda: data.standardize([[1.0, np.nan]]), r"X contains NaN or inf"),
        (lambda: data.standardize([[1.0]], scale=[0.0]), r"mean and scale must be 1 values each"),
        (lambda: data.standardize([[1.0]], mean=[0.0, 1.0]), r"mean and scale must be 1 values"),
    ],
)
def test_standardize_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
