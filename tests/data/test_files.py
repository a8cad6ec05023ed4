"""gdlab.data.files: read_table reads CSV and Parquet, never writes, names problems."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pandas as pd
import pytest

from gdlab import data

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
