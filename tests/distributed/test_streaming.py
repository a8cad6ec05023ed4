"""gdlab.distributed.streaming: gd.fit on data on disk — the block-shuffled order, exactly the
batches of the in-memory equivalent, the full batch as a reduction, and data 3× larger than the
memory the process may use."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import zarr
from hypothesis import given
from hypothesis import strategies as st

import gdlab as gd
from gdlab.batching import Batches
from gdlab.data.ondisk import BlockArray, open_npy, open_parquet, open_zarr
from gdlab.distributed import prepare
from gdlab.distributed.streaming import BlockBatches, block_order

RNG = np.random.default_rng(0)
X = RNG.standard_normal((1003, 4))
Y = X @ [1.0, -2.0, 0.5, 3.0] + 0.5 + 0.1 * RNG.standard_normal(1003)
LABELS = (X[:, 0] + X[:, 1] > 0).astype(np.int64)


# ---------------------------------------------------------------- the order


def test_block_order_by_hand() -> None:
    """Seed 3: blocks in the order 1, 0; rows 2..4 as 2 + (0, 2, 1); rows 0..1 as 1, 0."""
    rng = np.random.default_rng(3)
    assert rng.permutation(2).tolist() == [1, 0]
    assert rng.permutation(3).tolist() == [0, 2, 1]
    assert rng.permutation(2).tolist() == [1, 0]
    assert block_order(np.random.default_rng(3), (0, 2, 5)).tolist() == [2, 4, 3, 1, 0]


@given(st.lists(st.integers(1, 9), min_size=1, max_size=8), st.integers(0, 2**32 - 1))
def test_block_order_is_a_permutation_that_keeps_blocks_together(
    sizes: list[int], seed: int
) -> None:
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    order = block_order(np.random.default_rng(seed), bounds)
    assert sorted(order.tolist()) == list(range(bounds[-1]))
    owner = np.searchsorted(bounds, order, side="right") - 1
    runs = owner[np.concatenate([[True], owner[1:] != owner[:-1]])]
    assert sorted(runs.tolist()) == list(range(len(sizes)))  # each block in one run


def test_block_batches() -> None:
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert BlockBatches(10, None, bounds=(0, 4, 10)).order(rng) is None  # full batch: no draw
    assert BlockBatches(10, 3, shuffle=False, bounds=(0, 4, 10)).order(rng) is None
    assert rng.bit_generator.state == state
    plan = BlockBatches(10, 3, bounds=(0, 4, 10))
    assert plan.steps_per_epoch == 4
    expected = block_order(np.random.default_rng(5), (0, 4, 10))
    np.testing.assert_array_equal(plan.order(np.random.default_rng(5)), expected)
    with pytest.raises(ValueError, match="bounds must run from 0 to n_samples=10"):
        BlockBatches(10, 3, bounds=(0, 4, 9))
    with pytest.raises(ValueError, match="replace=True is not available for data on disk"):
        BlockBatches(10, 3, replace=True, bounds=(0, 10))


# ---------------------------------------------------------------- the same batches as in memory


def block_loop(model: Any, optimizer: Any, bounds: Any, batch_size: int, epochs: int) -> Any:
    """The documented in-memory equivalent: the batches of block_order, on NumPy arrays."""
    rng = np.random.default_rng(0)
    params = model.init(X.shape[1], rng=rng)
    state = optimizer.init(params)
    target = LABELS if model.task == "classification" else Y
    for _ in range(epochs):
        for index in Batches(len(X), batch_size).indexers(block_order(rng, bounds)):
            _, grads = model.value_and_grad(params, X[index], target[index])
            updates, state = optimizer.update(grads, state, params)
            params = params + updates
    return params


def on_disk(kind: str, tmp_path: Path, target: np.ndarray) -> tuple[BlockArray, Any]:
    """X (and y) written as .npy, Zarr or Parquet in blocks of 100 rows."""
    if kind == "npy":
        np.save(tmp_path / "X.npy", X)
        return open_npy(tmp_path / "X.npy", block_rows=100), target
    if kind == "zarr":
        array = zarr.create_array(tmp_path / "X.zarr", shape=X.shape, chunks=(100, 4), dtype="f8")
        array[:] = X
        return open_zarr(tmp_path / "X.zarr"), target
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(t=target)
    frame.to_parquet(tmp_path / "d.parquet", row_group_size=100)
    return open_parquet(tmp_path / "d.parquet", "t")


@pytest.mark.parametrize("kind", ["npy", "zarr", "parquet"])
def test_shuffled_batches_are_the_in_memory_ones_bit_for_bit(tmp_path: Path, kind: str) -> None:
    model = gd.models.LinearRegression(l2=0.01)
    X_disk, y_disk = on_disk(kind, tmp_path, Y)
    got = gd.fit(model, X_disk, y_disk, optimizer=gd.adam(0.05), batch_size=64, epochs=3)
    assert got.nit == 3 * 16
    np.testing.assert_array_equal(got.x, block_loop(model, gd.adam(0.05), X_disk.bounds, 64, 3))


def test_classification_streamed(tmp_path: Path) -> None:
    model = gd.models.LogisticRegression()
    X_disk, labels = on_disk("npy", tmp_path, LABELS)
    got = gd.fit(model, X_disk, labels, optimizer=gd.sgd(0.5), batch_size=50, epochs=2)
    np.testing.assert_array_equal(got.x, block_loop(model, gd.sgd(0.5), X_disk.bounds, 50, 2))


@pytest.mark.parametrize("drop_last", [False, True])
def test_in_order_it_is_gd_fit_itself(tmp_path: Path, drop_last: bool) -> None:
    """shuffle=False: the batches are slices, read across blocks; gd.fit in memory, exactly."""
    model = gd.models.LinearRegression()
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", Y)
    X_disk, y_disk = open_npy(tmp_path / "X.npy", block_rows=90), open_npy(tmp_path / "y.npy")
    options: dict[str, Any] = {
        "batch_size": 64,
        "epochs": 2,
        "shuffle": False,
        "drop_last": drop_last,
    }
    got = gd.fit(model, X_disk, y_disk, optimizer=gd.momentum(0.05), **options)
    expected = gd.fit(model, X, Y, optimizer=gd.momentum(0.05), **options)
    # in memory, gd.fit runs a compiled epoch: its sums round apart from NumPy's by ~1e-16
    np.testing.assert_allclose(got.x, expected.x, rtol=1e-12)
    np.testing.assert_allclose(got.history.loss, expected.history.loss, rtol=1e-12)
    assert abs(got.fun - expected.fun) <= 1e-12 * expected.fun


def test_the_full_batch_is_a_reduction_over_the_blocks(tmp_path: Path) -> None:
    model = gd.models.LinearRegression(l2=0.1)
    X_disk, _ = on_disk("npy", tmp_path, Y)
    got = gd.fit(model, X_disk, Y, optimizer=gd.adam(0.05), epochs=30, full_loss=True)
    expected = gd.fit(model, X, Y, optimizer=gd.adam(0.05), epochs=30, full_loss=True)
    assert np.max(np.abs(got.x - expected.x)) <= 1e-12 * np.max(np.abs(expected.x))
    np.testing.assert_allclose(got.history.epoch_full_loss, expected.history.epoch_full_loss,
                               rtol=1e-12)  # fmt: skip


def test_validation_data_on_disk(tmp_path: Path) -> None:
    model = gd.models.LinearRegression()
    np.save(tmp_path / "X.npy", X)
    X_disk = open_npy(tmp_path / "X.npy", block_rows=300)
    got = gd.fit(model, X_disk, Y, optimizer=gd.sgd(0.1), epochs=3, validation_data=(X_disk, Y))
    expected = gd.fit(model, X, Y, optimizer=gd.sgd(0.1), epochs=3, validation_data=(X, Y))
    np.testing.assert_allclose(got.history.epoch_val_loss, expected.history.epoch_val_loss,
                               rtol=1e-12)  # fmt: skip


def test_streamed_errors(tmp_path: Path) -> None:
    np.save(tmp_path / "X.npy", X)
    X_disk = open_npy(tmp_path / "X.npy", block_rows=100)
    model = gd.models.LinearRegression()
    with pytest.raises(ValueError, match="replace=True is not available"):
        gd.fit(model, X_disk, Y, optimizer=gd.sgd(0.1), batch_size=10, replace=True)
    with pytest.raises(ValueError, match="data on disk stream in this process"):
        prepare(model, X_disk, Y, client=object())
    with pytest.raises(ValueError, match="checkpoint and resume_from are not available"):
        gd.fit(model, X_disk, Y, optimizer=gd.sgd(0.1), checkpoint=tmp_path / "c.json")
    bad = Y.copy()
    bad[507] = np.nan
    with pytest.raises(ValueError, match=r"rows 500\.\.599 of X.npy: y contains NaN"):
        gd.fit(model, X_disk, bad, optimizer=gd.sgd(0.1))


# ---------------------------------------------------------------- out of core

OUT_OF_CORE = """
import json, resource, sys
import numpy as np
import gdlab as gd
from gdlab.data import ondisk

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

folder, cap, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
room = status("VmSize:") + cap  # address space: what is mapped now, plus the cap
resource.setrlimit(resource.RLIMIT_AS, (room, room))
X = ondisk.open_npy(folder + "/X.npy")
y = ondisk.open_npy(folder + "/y.npy", block_rows=X.bounds[1])
if mode == "load":
    X = np.load(folder + "/X.npy")  # the control: the data do not fit
model = gd.models.LinearRegression()
result = gd.fit(model, X, y, optimizer=gd.adam(0.01), batch_size=4096, epochs=1)
peak = status("VmHWM:")  # peak resident memory (ru_maxrss would count the parent's, fork)
print(json.dumps({"peak": peak, "x": result.x.tolist(), "fun": result.fun,
                  "blocks": X.n_blocks, "dask": any(m.startswith("dask") for m in sys.modules)}))
"""


@pytest.fixture(scope="module")
def big_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """X: 2,000,000 × 20 float64 = 320 MB (y 16 MB), written block by block."""
    folder = tmp_path_factory.mktemp("big")
    n, d, rows = 2_000_000, 20, 100_000
    coef = np.linspace(-1.0, 1.0, d)
    X_file = np.lib.format.open_memmap(folder / "X.npy", mode="w+", dtype=np.float64, shape=(n, d))
    y_file = np.lib.format.open_memmap(folder / "y.npy", mode="w+", dtype=np.float64, shape=(n,))
    rng = np.random.default_rng(0)
    for start in range(0, n, rows):
        block = rng.standard_normal((rows, d))
        X_file[start : start + rows] = block
        y_file[start : start + rows] = block @ coef + 0.1 * rng.standard_normal(rows)
    X_file.flush()
    y_file.flush()
    del X_file, y_file
    return folder, coef


def run_capped(folder: Path, cap: int, mode: str) -> subprocess.CompletedProcess[str]:
    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(OUT_OF_CORE), str(folder), str(cap), mode],
        capture_output=True, text=True, timeout=300, env={**env, "PATH": ""},
    )  # fmt: skip


@pytest.mark.slow
def test_data_three_times_the_memory_cap_train_under_it(big_files: tuple[Path, Any]) -> None:
    """320 MB of data, a 100 MiB cap: the process may map only 100 MiB more than it had before
    reading them (RLIMIT_AS; loading the data fails), and its peak resident memory — Python and
    NumPy included — stays under 100 MiB while one epoch (and three passes: checks, start and
    final loss) trains the model."""
    folder, coef = big_files
    cap = 100 * 2**20
    size = (folder / "X.npy").stat().st_size
    assert size >= 3 * cap
    control = run_capped(folder, cap, "load")
    assert control.returncode != 0 and "MemoryError" in control.stderr  # the cap is real
    done = run_capped(folder, cap, "stream")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["peak"] < cap
    assert report["blocks"] >= 6
    assert not report["dask"]  # the streamed path needs NumPy only
    np.testing.assert_allclose(report["x"][:-1], coef, atol=0.02)  # trained: w ≈ the truth
    assert report["fun"] < 0.02  # noise 0.1² = 0.01
