"""Dask arrays persisted on the workers as validated chunks, and the reduction over them.

    persist:   X, y → one future per row chunk c holding (X_c, y_c), checked by model.validate
    each step: one task per worker gets θ and the chunks of the batch it holds, and returns
               (n_c, n_c·L_c, n_c·∇L_c) for each; the client adds them in chunk order
               (gdlab.distributed.reduction.combine) and the optimizer steps

No task graph is built per step: the tasks are `client.submit` calls on futures of data already
on the workers.  A lost worker's chunks are recomputed by Dask from their graph and its tasks
rerun elsewhere; the sums are added in chunk order whoever computed them, so the answer does
not change.  When Dask gives up (KilledWorker, a lost scheduler), the fit stops with a
RuntimeError — never a result computed from part of the data.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass
from typing import Any

import numpy as np

from gdlab.batching import Batches
from gdlab.data.dataset import Array
from gdlab.distributed.reduction import Partial, partial_sums

MAX_CHUNKS = 4096  # at most this many chunks when NumPy data are cut for a cluster


# ---------------------------------------------------------------- on the workers


def _aligned_pair(X: Array, y: Array) -> tuple[Array, Array]:
    """X and y in aligned memory: arrays Dask deserialises may be unaligned, and NumPy then
    multiplies without BLAS (6× slower here); a copy only where needed."""
    return np.require(X, requirements="A"), np.require(y, requirements="A")


def _validated(model: Any, X: Array, y: Array, start: int) -> tuple[Array, Array]:
    """(X_c, y_c) after model.validate, aligned; an error names the chunk's rows."""
    try:
        return _aligned_pair(*model.validate(X, y))
    except ValueError as error:
        raise ValueError(f"rows {start}..{start + len(X) - 1}: {error}") from None


def _described(model: Any, pair: tuple[Array, Array]) -> tuple[int, int, str]:
    """(rows, outputs the chunk's target needs, dtype) of a validated chunk."""
    X, y = pair
    return len(X), int(model.n_outputs_for(y)), X.dtype.str


def _group_sums(model: Any, params: Array, *pairs: tuple[Array, Array]) -> list[Partial]:
    """The Partial of each chunk this task holds, in the order given (a chunk copied in from
    another worker may arrive unaligned: aligned first)."""
    return [partial_sums(model, params, *_aligned_pair(X, y)) for X, y in pairs]


# ---------------------------------------------------------------- on the client


@dataclass(frozen=True, eq=False)
class ChunkStore:
    """The persisted chunks of one data set: futures of (X_c, y_c), their rows and holders."""

    client: Any
    pairs: tuple[Any, ...]
    rows: tuple[int, ...]
    holders: tuple[str, ...]  # the worker that held each chunk once persisted
    n_features: int
    dtype: np.dtype
    n_outputs: int


@dataclass(frozen=True, eq=False)
class Chunks:
    """A selection of chunks (all of them, or the chunks of a batch), for `ReducedModel`.

    len() counts chunks; `chunks[index]` selects chunks as `X[index]` selects rows; shape is
    (rows, n_features).  `partials` returns one Partial per selected chunk, in selection order.
    """

    store: ChunkStore
    ids: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: Any) -> Chunks:
        return Chunks(self.store, tuple(np.asarray(self.ids)[index].tolist()))

    @property
    def shape(self) -> tuple[int, int]:
        return sum(self.store.rows[i] for i in self.ids), self.store.n_features

    @property
    def dtype(self) -> np.dtype:
        return self.store.dtype

    @property
    def n_outputs(self) -> int:
        return self.store.n_outputs

    def partials(self, model: Any, params: Array) -> list[Partial]:
        """One task per holder with its chunks; the Partials back in selection order."""
        store = self.store
        groups: dict[str, list[int]] = {}
        for position, chunk in enumerate(self.ids):
            groups.setdefault(store.holders[chunk], []).append(position)
        submit, pairs = store.client.submit, store.pairs
        tasks = [
            submit(_group_sums, model, params, *(pairs[self.ids[p]] for p in positions), pure=False)
            for positions in groups.values()
        ]
        ordered: dict[int, Partial] = {}
        for positions, partials in zip(groups.values(), _gather(store.client, tasks), strict=True):
            ordered.update(zip(positions, partials, strict=True))  # one Partial per chunk sent
        return [ordered[position] for position in range(len(self.ids))]


def _gather(client: Any, futures: list[Any]) -> list[Any]:
    """client.gather, with Dask giving up turned into a RuntimeError that says so."""
    from distributed import KilledWorker

    try:
        return list(client.gather(futures))
    except (KilledWorker, CancelledError, OSError, TimeoutError) as error:
        raise RuntimeError(
            f"the Dask cluster failed during the reduction ({type(error).__name__}: {error}); "
            "the fit stopped without a result — check the workers and run it again"
        ) from error


def persist(client: Any, model: Any, X: Any, y: Any, batch_size: int | None = None) -> Chunks:
    """X, y (Dask or NumPy) as validated chunks held by the workers: all of them selected."""
    import dask.array as da

    client = resolve_client(client)
    in_memory = not hasattr(X, "__dask_graph__")
    if in_memory:
        X = np.asarray(X)
        X = da.from_array(X, chunks=(numpy_chunk_rows(len(X), batch_size, client), *X.shape[1:]))
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}")
    if any(math.isnan(r) for r in X.chunks[0]):
        raise ValueError("X has unknown chunk sizes; call X.compute_chunk_sizes() first")
    X = X.rechunk({1: -1})
    in_memory = in_memory or not hasattr(y, "__dask_graph__")
    y = _cut_like(da, y, X)
    xs, ys = X.to_delayed().ravel().tolist(), y.to_delayed().ravel().tolist()
    with warnings.catch_warnings():
        if in_memory:  # NumPy data go to the cluster in the graph: that is the point here
            warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
        raw = client.compute(xs + ys)
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).tolist()
    count = len(xs)
    pairs = client.map(_validated, [model] * count, raw[:count], raw[count:], starts, pure=False)
    described = client.gather(client.map(_described, [model] * count, pairs, pure=False))
    located = client.who_has(pairs)
    holders = tuple(sorted(located.get(f.key, ("",)))[0] for f in pairs)
    store = ChunkStore(
        client=client,
        pairs=tuple(pairs),
        rows=tuple(int(r) for r, _, _ in described),
        holders=holders,
        n_features=int(X.shape[1]),
        dtype=np.result_type(*{np.dtype(kind) for _, _, kind in described}),
        n_outputs=max(k for _, k, _ in described),
    )
    return Chunks(store, tuple(range(count)))


def _cut_like(da: Any, y: Any, X: Any) -> Any:
    """y as a Dask array cut into X's row chunks."""
    if not hasattr(y, "__dask_graph__"):
        y = np.asarray(y)
        if y.ndim == 0 or len(y) != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} samples but y has shape {y.shape}")
        return da.from_array(y, chunks=(X.chunks[0], *y.shape[1:]))
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has shape {y.shape}")
    return y.rechunk((X.chunks[0], *((size,) for size in y.shape[1:])))


def resolve_client(client: Any) -> Any:
    """The given Client, else the current default one; a clear error when there is none."""
    from distributed import Client, default_client

    if client is not None:
        if not isinstance(client, Client):
            kind = type(client).__name__
            raise TypeError(f"client must be a dask.distributed.Client, got {kind}")
        return client
    try:
        return default_client()
    except ValueError:
        raise ValueError(
            "Dask arrays are fitted on a dask.distributed cluster: pass client=Client(...) "
            "(e.g. from gdlab.distributed.cluster_client(workers=2)) or start a Client first"
        ) from None


def numpy_chunk_rows(n: int, batch_size: int | None, client: Any) -> int:
    """Rows per chunk for NumPy data sent to a cluster: one chunk per worker for the full
    batch; b/w (w workers) when that divides a mini-batch of b, else b."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    if batch_size is None:
        return -(-n // workers)
    rows = batch_size // workers if batch_size % workers == 0 else batch_size
    if -(-n // rows) > MAX_CHUNKS:
        raise ValueError(
            f"batch_size={batch_size} would cut {n} samples into {-(-n // rows)} chunks "
            f"(more than {MAX_CHUNKS}); on a cluster use the full batch or a larger batch_size"
        )
    return rows


def chunk_plan(rows: Sequence[int]) -> Callable[..., Batches]:
    """The batch plan over chunks: batch_size = k whole chunks (a multiple of the chunk rows)."""

    def plan(n_chunks: int, batch_size: Any, **options: Any) -> Batches:
        return Batches(n_chunks, chunks_per_batch(rows, batch_size), **options)

    return plan


def chunks_per_batch(rows: Sequence[int], batch_size: Any) -> int | None:
    """k for a batch_size in rows: None (all chunks) or batch_size / chunk rows."""
    if batch_size is None:
        return None
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be an integer or None, got {type(batch_size).__name__}")
    size, total = rows[0], sum(rows)
    if any(r != size for r in rows[:-1]) or rows[-1] > size:
        raise ValueError(
            f"batch_size on Dask arrays takes whole chunks of equal rows (the last may be "
            f"shorter), got chunks of {sorted(set(rows))} rows; rechunk X, e.g. "
            f"X.rechunk({{0: {size}}})"
        )
    if batch_size % size or not size <= batch_size <= total:
        raise ValueError(
            f"batch_size on Dask arrays is k whole chunks: a multiple of the chunk size {size} "
            f"in [{size}, {total}], got {batch_size} (or None for the full batch)"
        )
    return int(batch_size) // size
