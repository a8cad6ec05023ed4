"""gdlab.data.ondisk: arrays on disk read block by block (.npy, Zarr, Parquet row groups); a
batch reads only the blocks it touches and keeps only those."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import zarr

from gdlab.data.ondisk import BlockArray, in_blocks, open_npy, open_parquet, open_zarr

DATA = np.arange(46.0).reshape(23, 2)


def counting(array: np.ndarray, bounds: list[int]) -> tuple[BlockArray, list[tuple[int, int]]]:
    """A BlockArray over `array` that logs every read."""
    reads: list[tuple[int, int]] = []

    def read(start: int, stop: int) -> np.ndarray:
        reads.append((start, stop))
        return array[start:stop].copy()

    return BlockArray(read, bounds, array.shape, array.dtype, "counting"), reads


# ---------------------------------------------------------------- BlockArray


def test_indexing_gives_the_rows_of_the_array() -> None:
    X = in_blocks(DATA, block_rows=5)
    assert X.bounds == (0, 5, 10, 15, 20, 23)
    assert (len(X), X.shape, X.ndim, X.n_blocks, X.dtype) == (23, (23, 2), 2, 5, np.float64)
    index = np.array([22, 0, 7, 5, 4, 19])  # five blocks, out of order
    np.testing.assert_array_equal(X[index], DATA[index])
    np.testing.assert_array_equal(X[3:12], DATA[3:12])
    np.testing.assert_array_equal(X[-2:], DATA[-2:])
    np.testing.assert_array_equal(X.to_numpy(), DATA)
    assert X[:] is X and X[0:23] is X  # all the rows stay lazy: fit reduces over the blocks
    assert X[np.array([], dtype=np.intp)].shape == (0, 2)
    assert [start for start, _ in X.blocks()] == [0, 5, 10, 15, 20]


def test_a_pass_in_block_order_reads_each_block_once() -> None:
    X, reads = counting(DATA, [0, 5, 10, 15, 20, 23])
    order = np.concatenate([np.arange(10, 15), np.arange(0, 5)[::-1], np.arange(20, 23)])
    for start in range(0, len(order), 4):  # batches of 4 straddle the blocks
        np.testing.assert_array_equal(X[order[start : start + 4]], DATA[order[start : start + 4]])
    assert reads == [(10, 15), (0, 5), (20, 23)]


def test_only_the_blocks_of_the_last_batch_are_kept() -> None:
    X, reads = counting(DATA, [0, 5, 10, 15, 20, 23])
    X[np.array([0, 6])]
    X[np.array([11])]
    X[np.array([1])]  # block 0 was dropped after the batch that did not touch it
    assert reads == [(0, 5), (5, 10), (10, 15), (0, 5)]


def test_bad_indexes_and_bounds() -> None:
    X = in_blocks(DATA, block_rows=5)
    with pytest.raises(IndexError, match="step 1, got step 2"):
        X[::2]
    with pytest.raises(IndexError, match="empty slice"):
        X[5:5]
    with pytest.raises(IndexError, match="a slice or a 1-D integer array"):
        X[np.array([0.5])]
    with pytest.raises(IndexError, match="out of range for a BlockArray of 23 rows"):
        X[np.array([23])]
    with pytest.raises(ValueError, match="bounds must run from 0 to 23"):
        BlockArray(lambda a, b: DATA[a:b], [0, 10], DATA.shape, DATA.dtype, "x")
    with pytest.raises(ValueError, match="strictly increasing"):
        BlockArray(lambda a, b: DATA[a:b], [0, 10, 10, 23], DATA.shape, DATA.dtype, "x")


# ---------------------------------------------------------------- .npy


@pytest.mark.parametrize("block_rows", [1, 4, 23, 100])
def test_open_npy(tmp_path: Path, block_rows: int) -> None:
    np.save(tmp_path / "X.npy", DATA)
    X = open_npy(tmp_path / "X.npy", block_rows=block_rows)
    assert X.bounds == (*range(0, 23, block_rows), 23)
    np.testing.assert_array_equal(X.to_numpy(), DATA)
    np.testing.assert_array_equal(X[np.array([22, 3, 9])], DATA[[22, 3, 9]])
    np.testing.assert_array_equal(X.block(X.n_blocks - 1), DATA[X.bounds[-2] :])


def test_open_npy_default_blocks_and_1d(tmp_path: Path) -> None:
    y = np.arange(3_000_000, dtype=np.float32)
    np.save(tmp_path / "y.npy", y)
    Y = open_npy(tmp_path / "y.npy")
    assert Y.bounds[1] == 2**21  # 8 MiB of 4-byte rows
    assert Y.shape == (3_000_000,)
    assert Y.dtype == np.float32
    np.testing.assert_array_equal(Y[np.array([2_999_999, 5])], [2_999_999.0, 5.0])


def test_open_npy_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        open_npy(tmp_path / "missing.npy")
    (tmp_path / "text.npy").write_text("hello")
    with pytest.raises(ValueError, match=r"text\.npy is not a \.npy file"):
        open_npy(tmp_path / "text.npy")
    np.save(tmp_path / "f.npy", np.asfortranarray(DATA))
    with pytest.raises(ValueError, match="Fortran order"):
        open_npy(tmp_path / "f.npy")
    np.save(tmp_path / "empty.npy", np.zeros((0, 2)))
    with pytest.raises(ValueError, match="holds no rows"):
        open_npy(tmp_path / "empty.npy")
    np.save(tmp_path / "X.npy", DATA)
    with pytest.raises(ValueError, match="block_rows must be an integer >= 1, got 0"):
        open_npy(tmp_path / "X.npy", block_rows=0)


# ---------------------------------------------------------------- Zarr and Parquet


def test_open_zarr(tmp_path: Path) -> None:
    array = zarr.create_array(tmp_path / "X.zarr", shape=DATA.shape, chunks=(6, 2), dtype="f8")
    array[:] = DATA
    for source in (str(tmp_path / "X.zarr"), array):
        X = open_zarr(source)
        assert X.bounds == (0, 6, 12, 18, 23)
        np.testing.assert_array_equal(X[np.array([20, 1, 13])], DATA[[20, 1, 13]])
        np.testing.assert_array_equal(X.to_numpy(), DATA)


def parquet(path: Path, frame: pd.DataFrame, group: int) -> Path:
    frame.to_parquet(path, row_group_size=group)
    return path


def test_open_parquet_row_groups(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": DATA[:, 0], "b": DATA[:, 1].astype(int), "t": np.arange(23.0)})
    X, y = open_parquet(parquet(tmp_path / "d.parquet", frame, 10), "t")
    assert X.bounds == y.bounds == (0, 10, 20, 23)
    assert (X.shape, y.shape) == ((23, 2), (23,))
    np.testing.assert_array_equal(X.to_numpy(), DATA)
    np.testing.assert_array_equal(X[np.array([22, 0, 15])], DATA[[22, 0, 15]])
    np.testing.assert_array_equal(y[np.array([22, 0, 15])], [22.0, 0.0, 15.0])
    np.testing.assert_array_equal(X[8:12], DATA[8:12])  # across two row groups
    only_b, _ = open_parquet(tmp_path / "d.parquet", "t", features=["b"])
    np.testing.assert_array_equal(only_b.to_numpy(), DATA[:, 1:])


@pytest.mark.parametrize(
    ("target", "features", "message"),
    [
        ("nope", None, r"column\(s\) \['nope'\] not found"),
        ("t", ["t"], "other columns than the target"),
        ("t", ["name"], r"column\(s\) \['name'\] of d.parquet are not numeric"),
    ],
)
def test_open_parquet_errors(tmp_path: Path, target: str, features: Any, message: str) -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0], "name": ["x", "y"], "t": [0.0, 1.0]})
    path = parquet(tmp_path / "d.parquet", frame, 1)
    with pytest.raises(ValueError, match=message):
        open_parquet(path, target, features)
