"""Where arrays start in memory: an optimizer's slots apart from the parameters, and the
scratch rows that threads write at once on cache lines of their own (`lined_zeros`) (layer L0).

A fused step streams p, g and every slot in one pass: for Adam, element i of p, g, μ and ν
in each iteration.  Large arrays from one allocator all start at the same offset within a
4 KiB page (NumPy's: 16 bytes in), so element i of each array has the same low 12 address
bits, and, with transparent huge pages, arbitrary bits above.  Loads and stores of different
arrays then look alike to the core, which compares the low 12 bits first ("4K aliasing":
a load waits for an older store it only seems to depend on), and their lines meet in the
same L1 sets.  The slots here start `position · STAGGER` bytes further into a page than the
parameters; from HUGE_FROM bytes on, further into a 2 MiB huge page (so that the L2 sets of
element i differ too).  Adam's fused step on float32, two threads, in turns (medians):

    N      np.full_like    within 4 KiB    within 2 MiB     (of the memory floor)
    50M    28.6–29.3 ms    27.4–28.4 ms    26.9–28.1 ms     81% → 84–85% → 85–86%
    10M    5.69–5.74 ms    5.47–5.53 ms    5.43–5.49 ms     82% → 85% → 86%

The bare loop, on arrays that start at the same offset of their huge pages, went from 88–89%
to 98–100% of the floor with the slots 1 and 2 KiB further in (64 bytes: 90–92%).  The values,
shape and dtype are those of `np.full_like`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

PAGE = 4096  # bytes: the address bits a core compares first (x86's 4K aliasing)
HUGE_PAGE = 2**21  # bytes: a transparent huge page, where virtual and physical offsets agree
HUGE_FROM = 16 * HUGE_PAGE  # bytes: from here the offset is kept within a huge page
STAGGER = 1024  # bytes between the page offsets of the parameters and of each slot
LINE_BYTES = 64  # bytes: a cache line, the unit in which cores hand memory to each other


def staggered_full_like(like: Any, fill: float, position: int) -> NDArray[Any]:
    """`np.full_like(like, fill)`, C-ordered, starting `position · STAGGER` bytes further into
    a page than `like` does — into a huge page (2 MiB) from HUGE_FROM bytes on.

    position 1, 2, 3 give offsets 1, 2, 3 KiB from the parameters (4 KiB is the same page
    offset again).  Arrays smaller than a page, or not C-contiguous, get plain
    `np.full_like`.  The allocation is less than one (huge) page larger, the rest untouched.
    """
    like = np.asarray(like)
    if not like.flags.c_contiguous or like.nbytes < PAGE:
        return np.full_like(like, fill)
    modulus = HUGE_PAGE if like.nbytes >= HUGE_FROM else PAGE
    wanted = (like.ctypes.data + position * STAGGER) % modulus
    spare = -(-modulus // like.itemsize)  # elements: room to move the start by up to a page
    raw = np.empty(like.size + spare, dtype=like.dtype)
    start = ((wanted - raw.ctypes.data) % modulus) // like.itemsize
    out = raw[start : start + like.size].reshape(like.shape)
    out.fill(fill)
    return out


def lined_zeros(shape: tuple[int, ...], dtype: Any) -> NDArray[Any]:
    """Zeros of `shape`, C-ordered, whose every row along the last axis starts on its own cache
    line: the start is line-aligned and the last axis is padded (with zeros) to whole lines, so
    the returned shape's last entry may be larger than asked.

    For scratch rows that different threads write at once (an epoch's row-range sums, one row
    per range, `gdlab.compiled_epochs`): two rows that share a line make each write of one
    core take the line from the other ("false sharing").  Rows of 101 float32 (a 100-feature
    model's gradient) ended and began on one line; shuffled 256-row batches, two threads, each
    summing its ranges alone, on a Zen 4 EPYC: 55–67 → 45–57 ms per 10⁶ rows.
    """
    itemsize = np.dtype(dtype).itemsize
    per_line = max(1, LINE_BYTES // itemsize)
    padded = (*shape[:-1], -(-shape[-1] // per_line) * per_line) if shape else shape
    size = int(np.prod(padded))
    raw = np.zeros(size + per_line, dtype=dtype)
    start = (-raw.ctypes.data % LINE_BYTES) // itemsize
    return raw[start : start + size].reshape(padded)
