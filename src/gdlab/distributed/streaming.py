"""Out-of-core mini-batches: the block-shuffled order of on-disk data (block by block).

A random row permutation would read a random block for every row.  Streamed data are shuffled
at two levels instead, both from the run's one Generator:

    blocks = rng.permutation(n_blocks)
    order  = concat over i in blocks of  bounds[i] + rng.permutation(bounds[i+1] − bounds[i])

and the order is cut into batches of b rows as usual (a batch may straddle two blocks).  An
epoch then reads every block once, holding the blocks of one batch at a time.  shuffle=False
keeps the rows in order; the full batch (batch_size=None) draws nothing, as in memory.

The in-memory equivalent, batch for batch and bit for bit: the same loop over the same order
on the arrays in memory,

    params = model.init(d, rng=rng)                   # rng = np.random.default_rng(seed)
    for each epoch:  order = block_order(rng, X.bounds)
        for index in Batches(n, b).indexers(order):   # θ ← θ + update(∇L(θ; X[index], y[index]))

and with shuffle=False, `gd.fit(model, X_in_memory, y, shuffle=False, …)` itself.

>>> block_order(np.random.default_rng(3), (0, 2, 5)).tolist()   # block 1 (rows 2..4), then 0
[2, 4, 3, 1, 0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gdlab.batching import Batches


def block_order(rng: np.random.Generator, bounds: Sequence[int]) -> NDArray[np.intp]:
    """The blocks in a random order, the rows of each block in a random order (module doc)."""
    edges = np.asarray(bounds, dtype=np.intp)
    order, filled = np.empty(edges[-1], dtype=np.intp), 0
    for i in rng.permutation(len(edges) - 1):
        size = edges[i + 1] - edges[i]
        order[filled : filled + size] = edges[i] + rng.permutation(size)
        filled += size
    return order


@dataclass(frozen=True)
class BlockBatches(Batches):
    """Batches over rows cut into blocks at `bounds`: a random order is `block_order`."""

    bounds: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.bounds) < 2 or self.bounds[0] != 0 or self.bounds[-1] != self.n_samples:
            raise ValueError(f"bounds must run from 0 to n_samples={self.n_samples}")
        if self.replace:
            raise ValueError(
                "replace=True is not available for data on disk: draws with replacement would "
                "read a random block for every row; use shuffle=True (block-shuffled order)"
            )

    def order(self, rng: np.random.Generator) -> NDArray[np.intp] | None:
        """None (in order, or the full batch) or the block-shuffled order."""
        if not self.shuffle or self.full_batch:
            return None
        return block_order(rng, self.bounds)
