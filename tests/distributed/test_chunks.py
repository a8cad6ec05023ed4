"""gdlab.distributed.chunks: gd.fit on Dask arrays as a reduction over chunks on the workers —
the in-memory answer (≤ 1e-12 relative in float64), k random chunks per update, clear errors,
and a killed worker that changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import dask
import dask.array as da
import numpy as np
import pytest

import gdlab as gd
from gdlab.distributed import chunks, cluster_client

TIGHT = 1e-12


def regression(n: int = 1000, d: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, X @ np.arange(1.0, d + 1) + 0.5 + 0.1 * rng.standard_normal(n)


def relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


X, Y = regression()
LABELS = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
CASES = {
    "linear l2": (gd.models.LinearRegression(l2=0.1), Y, gd.adam(0.05)),
    "logistic l2": (gd.models.LogisticRegression(l2=0.01), (X[:, 0] > 0).astype(int), gd.sgd(0.5)),
    "softmax": (gd.models.SoftmaxRegression(), LABELS, gd.rmsprop(0.01)),
    "mlp": (gd.models.MLP((6,), l2=0.001), Y, gd.sgd(0.01, momentum=0.9)),
}


# ---------------------------------------------------------------- full batch ≡ in memory


@pytest.mark.parametrize("case", list(CASES))
def test_full_batch_equals_the_in_memory_fit(client: Any, case: str) -> None:
    model, y, optimizer = CASES[case]
    expected = gd.fit(model, X, y, optimizer=optimizer, epochs=40)
    X_dask = da.from_array(X, chunks=(300, 5))  # chunks of 300, 300, 300 and 100 rows
    got = gd.fit(model, X_dask, da.from_array(y, chunks=250), optimizer=optimizer, epochs=40,
                 client=client)  # fmt: skip
    assert got.nit == expected.nit == 40
    assert got.status == expected.status
    assert relative(got.x, expected.x) <= TIGHT
    assert abs(got.fun - expected.fun) <= TIGHT * abs(expected.fun)
    np.testing.assert_allclose(got.history.loss, expected.history.loss, rtol=TIGHT)
    np.testing.assert_allclose(got.history.grad_norm, expected.history.grad_norm, rtol=1e-10)


def test_the_default_client_numpy_y_and_column_chunks(client: Any) -> None:
    """No client= : the current Client; y may stay in NumPy; X may be cut along columns."""
    model = gd.models.LinearRegression()
    expected = gd.fit(model, X, Y, optimizer=gd.sgd(0.1), epochs=20)
    got = gd.fit(model, da.from_array(X, chunks=(400, 2)), Y, optimizer=gd.sgd(0.1), epochs=20)
    assert relative(got.x, expected.x) <= TIGHT


def test_numpy_data_sent_to_a_cluster(client: Any) -> None:
    model = gd.models.LinearRegression()
    expected = gd.fit(model, X, Y, optimizer=gd.sgd(0.1), epochs=20, full_loss=True)
    got = gd.fit(model, X, Y, optimizer=gd.sgd(0.1), epochs=20, full_loss=True, client=client)
    assert relative(got.x, expected.x) <= TIGHT
    np.testing.assert_allclose(
        got.history.epoch_full_loss, expected.history.epoch_full_loss, rtol=TIGHT
    )


def test_large_numpy_data_go_to_the_cluster_without_a_warning(client: Any) -> None:
    """12 MB of NumPy data travel in the graph: Dask's "large graph" warning is expected there
    (pytest turns warnings into errors), and the chunks land aligned on the workers."""
    X_big, y_big = regression(150_000, 10)
    got = gd.fit(gd.models.LinearRegression(), X_big, y_big, optimizer=gd.sgd(0.1), epochs=2,
                 client=client)  # fmt: skip
    assert got.nit == 2
    selected = chunks.persist(client, gd.models.LinearRegression(), X_big, y_big)
    aligned = client.gather([client.submit(lambda pair: pair[0].flags.aligned, future)
                             for future in selected.store.pairs])  # fmt: skip
    assert aligned == [True, True]  # one chunk per worker


def test_unaligned_chunks_are_copied_aligned() -> None:
    raw = bytearray(8 * 6 + 1)
    unaligned = np.frombuffer(raw, dtype=np.float64, count=6, offset=1).reshape(3, 2)
    assert not unaligned.flags.aligned
    labels = np.arange(3.0)
    X_out, y_out = chunks._aligned_pair(unaligned, labels)
    assert X_out.flags.aligned
    np.testing.assert_array_equal(X_out, unaligned)
    assert y_out is labels  # already aligned: no copy


def test_validation_data_in_dask(client: Any) -> None:
    X_val, y_val = regression(200, seed=1)
    model = gd.models.LinearRegression()
    expected = gd.fit(model, X, Y, optimizer=gd.sgd(0.1), epochs=10, validation_data=(X_val, y_val))
    got = gd.fit(model, da.from_array(X, chunks=500), Y, optimizer=gd.sgd(0.1), epochs=10,
                 validation_data=(da.from_array(X_val, chunks=50), y_val))  # fmt: skip
    np.testing.assert_allclose(got.history.epoch_val_loss, expected.history.epoch_val_loss,
                               rtol=TIGHT)  # fmt: skip


def test_float32_stays_float32(client: Any) -> None:
    model = gd.models.LinearRegression()
    X32, y32 = X.astype(np.float32), Y.astype(np.float32)
    expected = gd.fit(model, X32, y32, optimizer=gd.sgd(0.1), epochs=5)
    got = gd.fit(model, da.from_array(X32, chunks=500), y32, optimizer=gd.sgd(0.1), epochs=5)
    assert got.x.dtype == np.float32
    assert relative(got.x, expected.x) <= 1e-5


# ---------------------------------------------------------------- k random chunks


def chunk_loop(model: Any, optimizer: Any, chunk: int, k: int, epochs: int, drop_last: bool):
    """The definition: per epoch a permutation of the chunks, cut into groups of k; each update
    is the in-memory batch of the rows of its chunks (Batches over chunks, same Generator)."""
    rng = np.random.default_rng(0)
    params = model.init(X.shape[1], rng=rng)
    state = optimizer.init(params)
    n_chunks = -(-len(X) // chunk)
    for _ in range(epochs):
        order = rng.permutation(n_chunks)
        stop = n_chunks - n_chunks % k if drop_last else n_chunks
        for start in range(0, stop, k):
            rows = np.concatenate([np.arange(c * chunk, min((c + 1) * chunk, len(X)))
                                   for c in order[start : start + k]])  # fmt: skip
            _, grads = model.value_and_grad(params, X[rows], Y[rows])
            updates, state = optimizer.update(grads, state, params)
            params = params + updates
    return params


@pytest.mark.parametrize("drop_last", [False, True])
def test_k_random_chunks_equal_the_in_memory_batches(client: Any, drop_last: bool) -> None:
    model = gd.models.LinearRegression(l2=0.05)
    X_dask = da.from_array(X, chunks=(90, 5))  # 12 chunks: 11 of 90 rows and one of 10
    got = gd.fit(model, X_dask, Y, optimizer=gd.adam(0.05), batch_size=450, epochs=3,
                 drop_last=drop_last)  # fmt: skip
    steps = 2 if drop_last else 3  # groups of k = 5 chunks: 5, 5 and (unless dropped) 2
    assert got.nit == 3 * steps
    assert got.info["steps_per_epoch"] == steps
    expected = chunk_loop(model, gd.adam(0.05), 90, 5, 3, drop_last)
    assert relative(got.x, expected) <= TIGHT


def test_chunks_per_batch() -> None:
    assert chunks.chunks_per_batch((100, 100, 50), None) is None
    assert chunks.chunks_per_batch((100, 100, 50), 200) == 2
    with pytest.raises(
        ValueError, match="multiple of the chunk size 100 in \\[100, 250\\], got 150"
    ):
        chunks.chunks_per_batch((100, 100, 50), 150)
    with pytest.raises(ValueError, match="got 300"):
        chunks.chunks_per_batch((100, 100, 50), 300)
    with pytest.raises(ValueError, match=r"chunks of \[50, 100\] rows; rechunk X"):
        chunks.chunks_per_batch((100, 50, 100), 100)
    with pytest.raises(TypeError, match="batch_size must be an integer or None, got float"):
        chunks.chunks_per_batch((100,), 100.0)


def test_numpy_chunk_rows(client: Any) -> None:
    assert chunks.numpy_chunk_rows(1001, None, client) == 501  # one chunk per worker
    assert chunks.numpy_chunk_rows(1000, 100, client) == 50  # b/w: k = 2 chunks per update
    assert chunks.numpy_chunk_rows(1000, 101, client) == 101
    with pytest.raises(ValueError, match="into 10000 chunks"):
        chunks.numpy_chunk_rows(10_000, 1, client)


# ---------------------------------------------------------------- errors


def test_bad_data_is_named_by_its_rows(client: Any) -> None:
    bad = X.copy()
    bad[250, 2] = np.nan
    with pytest.raises(ValueError, match=r"rows 200\.\.299: X contains NaN or inf"):
        gd.fit(gd.models.LinearRegression(), da.from_array(bad, chunks=100), Y,
               optimizer=gd.sgd(0.1), epochs=1)  # fmt: skip
    with pytest.raises(ValueError, match="X has 1000 samples but y has shape \\(999,\\)"):
        gd.fit(gd.models.LinearRegression(), da.from_array(X, chunks=100), Y[:-1],
               optimizer=gd.sgd(0.1), epochs=1)  # fmt: skip
    with pytest.raises(ValueError, match=r"labels 0\.\.1"):
        gd.fit(gd.models.LogisticRegression(), da.from_array(X, chunks=100), LABELS,
               optimizer=gd.sgd(0.1), epochs=1)  # fmt: skip


def test_client_must_be_a_client() -> None:
    with pytest.raises(TypeError, match=r"client must be a dask\.distributed\.Client, got str"):
        chunks.resolve_client("tcp://127.0.0.1:8786")


def test_no_cluster_is_a_clear_error() -> None:
    script = (
        "import dask.array as da, numpy as np, gdlab as gd\n"
        "X = da.ones((10, 2), chunks=5)\n"
        "try:\n"
        "    gd.fit(gd.models.LinearRegression(), X, np.ones(10), optimizer=gd.sgd(0.1))\n"
        "except ValueError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    assert "pass client=Client(...)" in done.stdout


# ---------------------------------------------------------------- worker failure


def worker_pids(client: Any) -> dict[str, int]:
    return client.run(os.getpid)


@pytest.mark.slow
@pytest.mark.parametrize("when", ["between updates", "during a reduction"])
def test_a_killed_worker_changes_nothing(when: str) -> None:
    """SIGKILL a worker between two updates, or while its tasks run (each chunk then takes
    0.1 s on a worker): Dask recomputes the chunks it held and reruns its tasks on the other
    worker (its nanny starts a new one); the fit ends as usual with the in-memory answer."""
    model = gd.models.LinearRegression(l2=0.1)
    expected = gd.fit(model, X, Y, optimizer=gd.adam(0.05), epochs=8)
    delay = 0.05 if when == "during a reduction" else 0.0
    with cluster_client(workers=2) as client:
        victim = sorted(worker_pids(client).values())[0]
        killer = threading.Timer(delay, os.kill, (victim, signal.SIGKILL))

        def kill(step: Any) -> None:
            if step.step == 4:
                killer.start()  # the update, then the next reduction, start at once
                if not delay:
                    killer.join()

        got = gd.fit(slowed(model, 0.1) if delay else model, da.from_array(X, chunks=250), Y,
                     optimizer=gd.adam(0.05), epochs=8, callback=kill, client=client)  # fmt: skip
        killer.join()
        assert victim not in worker_pids(client).values()
    assert got.status == "max_steps"
    assert got.nit == 8
    assert relative(got.x, expected.x) <= TIGHT


def slowed(model: Any, seconds: float) -> Any:
    """The model, taking `seconds` longer on a worker (a local class: sent by value)."""

    class Slowed(type(model)):  # type: ignore[misc]
        def value_and_grad(self, params: Any, X: Any, y: Any) -> Any:
            if on_a_worker():
                time.sleep(seconds)
            return super().value_and_grad(params, X, y)

    return Slowed(**{f: getattr(model, f) for f in model.__dataclass_fields__})


def on_a_worker() -> bool:
    from distributed import get_worker

    try:
        get_worker()
    except ValueError:
        return False
    return True


def test_a_cluster_that_gives_up_stops_the_fit(tmp_path: Path) -> None:
    """Once the step's tasks have killed their workers (allowed-failures exceeded), the fit stops
    with a RuntimeError that says so — no Result from part of the data."""
    marker = tmp_path / "poison"
    model = poisoned(gd.models.LinearRegression(), str(marker))

    def poison(step: Any) -> None:
        if step.step == 2:
            marker.touch()

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        cluster_client(workers=2) as client,
        pytest.raises(RuntimeError, match="the Dask cluster failed during the reduction"),
    ):
        gd.fit(model, da.from_array(X, chunks=250), Y, optimizer=gd.sgd(0.1), epochs=10,
               callback=poison, client=client)  # fmt: skip


def poisoned(model: Any, marker: str) -> Any:
    """A model whose value_and_grad kills its worker process once `marker` exists (a local class:
    cloudpickle sends it by value, so the workers need not import this test module)."""
    base = type(model)

    class Poisoned(base):  # type: ignore[valid-type, misc]
        def value_and_grad(self, params: Any, X: Any, y: Any) -> Any:
            if on_a_worker() and os.path.exists(marker):
                os._exit(1)
            return super().value_and_grad(params, X, y)

    return Poisoned(**{f: getattr(model, f) for f in model.__dataclass_fields__})
