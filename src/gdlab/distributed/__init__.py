"""Fit beyond one machine's memory (the Dask glue, layer L4): `gd.fit` on Dask arrays and on
data on disk, with the answer of the in-memory fit.

    gd.fit(model, X_dask, y_dask, optimizer=…, client=client)    # data-parallel on a cluster
    gd.fit(model, gd.data.open_npy("X.npy"), y, optimizer=…, batch_size=256)   # streamed

Dask arrays (or NumPy data with `client=`): the row chunks are persisted, validated, on the
workers; every update is a reduction over chunks (gdlab.distributed.chunks) — batch_size=None
all of them (full-batch GD), batch_size = k·(chunk rows) k random chunks per update (an epoch
is a permutation of the chunks cut into groups of k).  The result equals the in-memory fit on
the same rows to rounding (≤ 1e-12 relative in float64).

Data on disk (`gd.data.open_npy`, `open_zarr`, `open_parquet`): mini-batches are read block by
block in a block-shuffled order (gdlab.distributed.streaming), so memory holds a few blocks,
never the data; the batches are exactly those of the documented in-memory equivalent.  The full
batch is a reduction over the blocks.

Dask is imported only by the Dask path: this package needs NumPy for the on-disk path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from gdlab.batching import Batches
from gdlab.data.ondisk import BlockArray
from gdlab.distributed.reduction import Partial, ReducedModel, combine, partial_sums
from gdlab.distributed.streaming import BlockBatches, block_order

__all__ = [
    "BlockBatches",
    "Partial",
    "ReducedModel",
    "block_order",
    "cluster_client",
    "combine",
    "partial_sums",
    "prepare",
    "wanted",
]


def wanted(X: Any, client: Any) -> bool:
    """True when fit should take this path: a client, a Dask array or a BlockArray."""
    return client is not None or hasattr(X, "__dask_graph__") or isinstance(X, BlockArray)


def prepare(
    model: Any, X: Any, y: Any, *, batch_size: int | None = None, client: Any = None
) -> tuple[ReducedModel, Any, Any, Callable[..., Batches]]:
    """(model, X, y, batch plan) for `fit`: the reduced model, the data as pieces, and the
    plan that `fit` calls as plan(len(X), batch_size, shuffle=…, drop_last=…, replace=…)."""
    if isinstance(X, BlockArray):
        if client is not None:
            raise ValueError(
                "client= runs Dask arrays on a cluster; data on disk stream in this process "
                "(for a cluster, open them as a Dask array, e.g. dask.array.from_zarr)"
            )
        return ReducedModel(model), X, y, partial(BlockBatches, bounds=X.bounds)
    from gdlab.distributed import chunks

    selected = chunks.persist(client, model, X, y, batch_size)
    reduced = ReducedModel(model, selected.store.client)
    return reduced, selected, selected, chunks.chunk_plan(selected.store.rows)


@contextmanager
def cluster_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A dask.distributed Client: on the scheduler at `scheduler` (an address such as
    tcp://10.0.0.5:8786), or on a new LocalCluster of `workers` processes (one thread each,
    free ports, no dashboard), closed on exit; neither given: None (fit in this process)."""
    if scheduler is not None and workers is not None:
        raise ValueError("give scheduler (an address) or workers (a count), not both")
    if scheduler is None and workers is None:
        yield None
        return
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    options = {"dashboard_address": "127.0.0.1:0"}  # its HTTP routes on a free port, no dashboard
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=None,
            scheduler_kwargs=options,
        ) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        yield client
