"""Memory bandwidth: an in-place read-modify-write stream, and the floors it implies.

A fused optimizer step must at least read every array it uses and write back the ones it
changes: (2 + slots) reads and (1 + slots) writes of N elements.  At the stream's bandwidth B,

    floor = (reads + writes) · N · itemsize / B,     B = 2 · bytes(stream array) / t_stream
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numba import njit, prange

from benchmarks.report import Row
from benchmarks.timing import interleaved_medians
from gdlab.placement import staggered_full_like

STREAM_FACTOR = 0.999  # a ← a·c with c < 1 keeps the values finite for any number of passes


def _scale(a: Any, factor: Any) -> None:
    for i in range(a.size):
        a[i] = a[i] * factor


def _scale_threads(a: Any, factor: Any) -> None:
    for i in prange(a.size):
        a[i] = a[i] * factor


@functools.cache
def _streams() -> dict[str, Any]:
    return {
        "numba stream": njit(error_model="numpy")(_scale),
        "numba stream, threads": njit(parallel=True, error_model="numpy")(_scale_threads),
        "numpy a *= c": lambda a, factor: np.multiply(a, factor, out=a),
    }


def bandwidth_rows(
    sizes: list[int], repeats: int, budget: float = 0.0
) -> tuple[list[Row], dict[int, float]]:
    """One row per stream variant and size; the best bandwidth (bytes/s) per size.

    The stream array holds 4·N float32, the working set of an Adam step on N parameters.
    """
    rows: list[Row] = []
    best: dict[int, float] = {}
    factor = np.float32(STREAM_FACTOR)
    for size in sizes:
        array = np.ones(4 * size, dtype=np.float32)
        moved = 2 * array.nbytes
        streams = {
            variant: functools.partial(stream, array, factor)
            for variant, stream in _streams().items()
        }
        for variant, seconds in interleaved_medians(
            streams, repeats=repeats, budget=budget
        ).items():
            rate = moved / seconds
            best[size] = max(best.get(size, 0.0), rate)
            case = f"stream 4×{label(size)} float32"
            note = f"{rate / 1e9:.1f} GB/s"
            rows.append(Row("bandwidth", case, variant, seconds, note=note, extra={"bytes": moved}))
        del array, streams
    return rows, best


def _same_arrays_0(p: Any, g: Any, c: Any) -> None:
    for i in prange(p.size):
        p[i] = p[i] + c * g[i]


def _same_arrays_1(p: Any, g: Any, a: Any, c: Any) -> None:
    for i in prange(p.size):
        a[i] = c * a[i] + g[i]
        p[i] = p[i] + c * a[i]


def _same_arrays_2(p: Any, g: Any, a: Any, b: Any, c: Any) -> None:
    for i in prange(p.size):
        a[i] = c * a[i] + g[i]
        b[i] = c * b[i] + g[i]
        p[i] = p[i] + c * a[i] + b[i]


@functools.cache
def _same_arrays_kernels() -> tuple[Any, ...]:
    jit = njit(parallel=True, error_model="numpy")
    return jit(_same_arrays_0), jit(_same_arrays_1), jit(_same_arrays_2)


def same_arrays(params: Any, grads: Any, slots: int) -> Any:
    """A step that reads and writes what an optimizer with `slots` slots does (p, g and the
    slots in; p and the slots out, in one pass on numba's threads) with next to no arithmetic:
    what that access pattern reaches on this machine, the ceiling of any such step.  The slots
    start where an optimizer's init puts them (`gdlab.placement`)."""
    x = params.copy()
    arrays = [staggered_full_like(params, 0.0, k + 1) for k in range(slots)]
    kernel = _same_arrays_kernels()[slots]
    factor = np.float32(0.5)
    return functools.partial(kernel, x, grads, *arrays, factor)


def floor_seconds(arrays_moved: int, size: int, itemsize: int, bandwidth: float) -> float:
    """The time to move `arrays_moved` arrays of `size` elements at `bandwidth` bytes/s."""
    return arrays_moved * size * itemsize / bandwidth


def label(size: int) -> str:
    for unit, name in ((10**6, "M"), (10**3, "k")):
        if size >= unit and size % unit == 0:
            return f"{size // unit}{name}"
    return str(size)
