"""Data on disk, read block by block: memory-mapped .npy, Zarr arrays, Parquet row groups.

A `BlockArray` stands for an (n, …) array that lives on disk, cut into blocks of rows

    bounds = (0, r₁, r₂, …, n):   block i holds the rows [bounds[i], bounds[i+1])

(.npy: `block_rows` rows each; Zarr: its chunks along axis 0; Parquet: its row groups).  It is
what `gd.fit` streams from: `X[index]` for a batch reads only the blocks the batch touches and
keeps just those (the blocks of the last batch), so a pass in block order reads each block
once and holds at most the blocks of one batch; `X[:]` (all rows) stays lazy — `fit` then
reduces over the blocks one at a time.  The file is only read, never written.

>>> import numpy as np, pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "X.npy"
>>> np.save(path, np.arange(10.0).reshape(5, 2))
>>> X = open_npy(path, block_rows=2)
>>> X.shape, X.bounds, X[np.array([4, 0])].tolist()
((5, 2), (0, 2, 4, 5), [[8.0, 9.0], [0.0, 1.0]])
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from gdlab.data.dataset import Array

BLOCK_BYTES = 8 * 2**20  # default .npy block: about 8 MiB of rows

Reader = Callable[[int, int], Array]  # (start, stop) -> the rows [start, stop) as an ndarray


class BlockArray:
    """An array on disk read block by block (see the module docstring).

    Attributes: shape, dtype, bounds (block edges, 0 … n), name (where it is read from).
    """

    def __init__(
        self, read: Reader, bounds: Sequence[int], shape: tuple[int, ...], dtype: Any, name: str
    ) -> None:
        edges = tuple(int(b) for b in bounds)
        if len(edges) < 2 or edges[0] != 0 or edges[-1] != shape[0]:
            raise ValueError(f"bounds must run from 0 to {shape[0]}, got {edges[:3]}…{edges[-1:]}")
        if any(b >= c for b, c in pairwise(edges)):
            raise ValueError("bounds must be strictly increasing (no empty block)")
        self._read, self.bounds, self.shape = read, edges, tuple(shape)
        self.dtype, self.name = np.dtype(dtype), name
        self._cache: dict[int, Array] = {}

    def __repr__(self) -> str:
        where = f"{self.name}, shape={self.shape}, dtype={self.dtype}"
        return f"BlockArray({where}, blocks={self.n_blocks})"

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def n_blocks(self) -> int:
        return len(self.bounds) - 1

    def block(self, i: int) -> Array:
        """Block i, freshly read: rows [bounds[i], bounds[i+1])."""
        return self._read(self.bounds[i], self.bounds[i + 1])

    def read(self, start: int, stop: int) -> Array:
        """Rows [start, stop), read straight from disk (no cache)."""
        return self._read(start, stop)

    def blocks(self) -> Iterator[tuple[int, Array]]:
        """(start, rows) for every block, in order, one read at a time."""
        for i in range(self.n_blocks):
            yield self.bounds[i], self.block(i)

    def to_numpy(self) -> Array:
        """All rows in memory (for data that fit: tests, the in-memory equivalent)."""
        return self._read(0, len(self))

    def __getitem__(self, index: Any) -> Any:
        """`X[:]` (all rows) → self, lazy; a slice or an index array → the rows, in memory."""
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise IndexError(f"a BlockArray takes slices with step 1, got step {step}")
            if start == 0 and stop == len(self):
                return self
            if stop <= start:
                raise IndexError(f"empty slice {index} of a BlockArray")
            return self._slice(start, stop)
        index = np.asarray(index)
        if index.ndim != 1 or index.dtype.kind not in "iu":
            raise IndexError(f"a BlockArray takes a slice or a 1-D integer array, got {index!r}")
        if not len(index):
            return np.empty((0, *self.shape[1:]), dtype=self.dtype)
        low, high = int(index.min()), int(index.max())
        if low < 0 or high >= len(self):
            raise IndexError(f"index out of range for a BlockArray of {len(self)} rows")
        return self._gather(index, low, high)

    def _owner(self, row: int) -> int:
        """The block that holds `row`."""
        return bisect_right(self.bounds, row) - 1

    def _keep(self, blocks: Iterable[int]) -> dict[int, Array]:
        """Exactly these blocks in the cache: the ones kept, the others read."""
        kept = self._cache
        self._cache = {i: kept[i] if i in kept else self.block(i) for i in blocks}
        return self._cache

    def _slice(self, start: int, stop: int) -> Array:
        """Rows [start, stop): a view of one cached block, or the pieces of several joined."""
        first, last = self._owner(start), self._owner(stop - 1)
        cache, bounds = self._keep(range(first, last + 1)), self.bounds
        parts = [
            cache[b][max(start, bounds[b]) - bounds[b] : min(stop, bounds[b + 1]) - bounds[b]]
            for b in range(first, last + 1)
        ]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _gather(self, index: Array, low: int, high: int) -> Array:
        """The rows `index` (within [low, high]), from the blocks they touch."""
        first = self._owner(low)
        if high < self.bounds[first + 1]:  # one block: the usual batch of a block order
            return self._keep([first])[first][index - self.bounds[first]]
        owner = np.searchsorted(self.bounds, index, side="right") - 1
        touched = np.unique(owner).tolist()
        cache = self._keep(touched)
        out = np.empty((len(index), *self.shape[1:]), dtype=self.dtype)
        for block in touched:
            mask = owner == block
            out[mask] = cache[block][index[mask] - self.bounds[block]]
        return out


def in_blocks(
    array: Any, bounds: Sequence[int] | None = None, *, block_rows: int = 0
) -> BlockArray:
    """A NumPy array seen as a BlockArray (given bounds, or blocks of block_rows rows)."""
    array = np.asarray(array)
    if bounds is None:
        bounds = _even_bounds(len(array), block_rows or len(array))
    return BlockArray(lambda a, b: array[a:b], bounds, array.shape, array.dtype, "memory")


def open_npy(path: str | Path, *, block_rows: int | None = None) -> BlockArray:
    """A .npy file as a BlockArray: each block is memory-mapped only while it is read.

    block_rows: rows per block (default: about 8 MiB of rows).  C order only.
    """
    path = _existing(path)
    with path.open("rb") as handle:
        try:
            version = np.lib.format.read_magic(handle)
            header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = header(handle)
        except ValueError as error:
            raise ValueError(f"{path.name} is not a .npy file: {error}") from None
        offset = handle.tell()
    if fortran and len(shape) > 1:
        raise ValueError(f"{path.name} is stored in Fortran order; save it in C order to stream it")
    if len(shape) == 0 or shape[0] == 0:
        raise ValueError(f"{path.name} holds no rows (shape {shape})")
    row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
    rows = block_rows if block_rows is not None else max(1, BLOCK_BYTES // max(row_bytes, 1))

    def read(start: int, stop: int) -> Array:
        mapped = np.memmap(
            path, dtype=dtype, mode="r", offset=offset + start * row_bytes,
            shape=(stop - start, *shape[1:]),
        )  # fmt: skip
        rows_read = np.array(mapped)  # a copy: the mapping closes with `mapped`
        del mapped
        return rows_read

    bounds = _even_bounds(shape[0], _block_rows(rows))
    return BlockArray(read, bounds, tuple(shape), dtype, path.name)


def open_zarr(source: Any) -> BlockArray:
    """A Zarr array (a path or an opened array) as a BlockArray: its chunks along axis 0."""
    import zarr

    array = zarr.open_array(source, mode="r") if isinstance(source, (str, Path)) else source
    if len(array.shape) == 0 or array.shape[0] == 0:
        raise ValueError(f"the Zarr array holds no rows (shape {array.shape})")
    bounds = _even_bounds(array.shape[0], int(array.chunks[0]))
    name = str(source) if isinstance(source, (str, Path)) else "zarr array"
    return BlockArray(
        lambda a, b: np.asarray(array[a:b]), bounds, tuple(array.shape), array.dtype, name
    )


def open_parquet(
    path: str | Path, target: str, features: Sequence[str] | None = None
) -> tuple[BlockArray, BlockArray]:
    """(X, y) from a Parquet file, one block per row group; each reads only its columns."""
    import pyarrow.parquet as pq

    path = _existing(path)
    table = pq.ParquetFile(path)
    schema = table.schema_arrow
    columns = list(schema.names)
    chosen = [c for c in columns if c != target] if features is None else list(features)
    missing = [c for c in [target, *chosen] if c not in columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found in {path.name}; columns: {columns}")
    if target in chosen or not chosen:
        raise ValueError(f"features must be other columns than the target {target!r}")
    odd = [c for c in [*chosen, target] if not _numeric(schema.field(c).type)]
    if odd:
        raise ValueError(f"column(s) {odd} of {path.name} are not numeric")
    sizes = [table.metadata.row_group(i).num_rows for i in range(table.num_row_groups)]
    bounds = np.concatenate([[0], np.cumsum([s for s in sizes if s])]).tolist()
    if bounds[-1] == 0:
        raise ValueError(f"{path.name} has no rows")
    groups = [i for i, s in enumerate(sizes) if s]

    def reader(names: list[str], flat: bool) -> Reader:
        def read(start: int, stop: int) -> Array:
            rows = _parquet_rows(table, groups, bounds, names, start, stop)
            return rows[:, 0] if flat else rows

        return read

    n = int(bounds[-1])
    X = BlockArray(reader(chosen, False), bounds, (n, len(chosen)), np.float64, path.name)
    return X, BlockArray(reader([target], True), bounds, (n,), np.float64, f"{path.name}[{target}]")


def _parquet_rows(
    table: Any,
    groups: list[int],
    bounds: list[int],
    names: list[str],
    start: int,
    stop: int,
) -> Array:
    """Rows [start, stop) of the columns `names`, reading only the row groups they span."""
    first = int(np.searchsorted(bounds, start, side="right") - 1)
    parts = []
    for block in range(first, len(groups)):
        low, high = bounds[block], bounds[block + 1]
        if low >= stop:
            break
        data = table.read_row_group(groups[block], columns=names)
        frame = np.column_stack([data.column(c).to_numpy().astype(np.float64) for c in names])
        parts.append(frame[max(start, low) - low : min(stop, high) - low])
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _numeric(kind: Any) -> bool:
    import pyarrow as pa

    return bool(
        pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)
    )


def _even_bounds(n: int, rows: int) -> list[int]:
    return [*range(0, n, rows), n]


def _block_rows(rows: Any) -> int:
    if isinstance(rows, bool) or not isinstance(rows, (int, np.integer)) or rows < 1:
        raise ValueError(f"block_rows must be an integer >= 1, got {rows!r}")
    return int(rows)


def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    return path
