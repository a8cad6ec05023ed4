"""An epoch's mini-batches shared by numba's threads in one parallel region (layer L1).

A batch's gradient is summed in row ranges (`gdlab.epoch_kernels.chunks`); its update needs
all of them, and the next batch needs the update.  Summing each batch in its own parallel
region (prange over the ranges) opens and joins one region per batch: 0.8–2.4 µs each on an
AMD EPYC with 2 threads, 3–9 ms of an epoch of 256-row batches over 10⁶ rows (3906 batches).
The generated `epoch_threads` (gdlab.epoch_loops) opens one region for the epoch instead;
its workers share the batches through a board of int64 counters (gdlab.intrinsics' atomics).
A batch has P = min(workers, its ranges) parts of consecutive ranges; worker w, for t = 0, 1, …:

    wait until PUBLISHED ≥ t              (acquire: the parameters after update t − 1)
    for part p = w, w + 1, … (mod P):     its own part first, then any other still free —
        claim p: TAKEN[p] t → t + 1       (compare and swap: one claimant per part)
        sum the part's row ranges         partials[c], totals[c] for its ranges c
        COMPLETED += 1; the batch's last? this worker combines the sums, records the
                                          step, updates the parameters, PUBLISHED = t + 1

So a worker sums the same rows of every batch while all workers keep up — the rows that its
own prefetch of the next batch brought into its core's cache (epoch_kernels, NEXT_BATCH_ROWS)
— and takes over another's part only when that worker is late.  The ranges, their sums and
the order in which they are combined are the serial loop's, so the numbers are too.

No worker waits on a part that no running worker holds: a worker waits on batch t after it
found every part of batch t − 1 claimed — each by a worker that sums it, having passed its
own wait (by induction on t), before it waits again.  So an epoch ends however the threads are
scheduled, even when numba runs the workers one after the other on one thread (the first
takes every part; the others find none free).  A halt (divergence) publishes every batch at
once: the waiting workers see STATUS and stop.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from gdlab.intrinsics import compare_swap, fetch_add, load_acquire, spin_pause, store_release

LINE = 8  # int64 slots per cache line: the counters two threads write sit on lines apart
COMPLETED, PUBLISHED = 0, LINE  # parts summed in the epoch, batches updated
STATUS, STEPS = PUBLISHED + 1, PUBLISHED + 2  # written with PUBLISHED, by the same worker
TAKEN = 2 * LINE  # TAKEN + p·LINE: the batches whose part p was claimed


@njit(error_model="numpy", inline="always")
def new_board(parts: int) -> Any:
    """The counters of an epoch of batches of at most `parts` parts, all 0: nothing claimed,
    nothing published, status 0."""
    return np.zeros(TAKEN + parts * LINE, np.int64)


@njit(error_model="numpy", inline="always")
def part_count(workers: int, ranges: int) -> int:
    """The parts of a batch summed in `ranges` row ranges: one per worker, at most one per
    range."""
    return max(1, min(workers, ranges))


@njit(error_model="numpy", inline="always")
def all_parts(steps: int, parts: int, last_parts: int) -> int:
    """The parts of an epoch of `steps` batches: `parts` each, `last_parts` in the last."""
    return (steps - 1) * parts + last_parts if steps > 0 else 0


@njit(error_model="numpy", inline="always")
def await_batch(board: Any, t: int) -> bool:
    """Spin until batch t may be summed (PUBLISHED ≥ t); whether the epoch goes on."""
    while load_acquire(board, PUBLISHED) < t:
        spin_pause()
    return board[STATUS] == 0


@njit(error_model="numpy", inline="always")
def claim(board: Any, t: int, part: int) -> bool:
    """Whether this worker takes part `part` of batch t (no other worker has)."""
    return compare_swap(board, TAKEN + part * LINE, t, t + 1)


@njit(error_model="numpy", inline="always")
def part_ranges(part: int, parts: int, ranges: int) -> tuple[int, int]:
    """The row ranges [first, end) of a part: consecutive, as even as the counts allow."""
    return part * ranges // parts, (part + 1) * ranges // parts


@njit(error_model="numpy", inline="always")
def completes_batch(board: Any, t: int, steps: int, parts: int, last_parts: int) -> bool:
    """Count a part of batch t as summed; whether it was the batch's last (the parts of a batch
    are all summed before any part of the next: they wait for its update)."""
    done = fetch_add(board, COMPLETED, 1) + 1
    return done == min((t + 1) * parts, all_parts(steps, parts, last_parts))


@njit(error_model="numpy", inline="always")
def publish(board: Any, t: int, status: int, steps: int) -> None:
    """After batch t's step: 0, updated — batch t + 1 may be summed; 1 (diverged before the
    update) or 2 (the update made a parameter non-finite) — the epoch stops.  STEPS counts
    the updates made."""
    board[STATUS] = status
    board[STEPS] = t if status == 1 else t + 1
    store_release(board, PUBLISHED, t + 1 if status == 0 else steps)
