"""Batch index schedules for `gd.fit`: which samples each update sees (layer L3).

One epoch is one pass over an *order* of the n samples, cut into batches of b:

    batch_size=None      b = n: batch gradient descent, one update per epoch (the data in order)
    batch_size=1         stochastic gradient descent, n updates per epoch
    batch_size=k         mini-batch gradient descent, ⌈n/k⌉ updates (⌊n/k⌋ with drop_last)

The order is 0, 1, …, n−1 (`shuffle=False`), a fresh permutation per epoch (`shuffle=True`),
or n indices drawn with replacement (`replace=True`, seed 002's SGD: `np.random.randint(m)` for
each of the m draws of an iteration).  Random orders come from the one `numpy.random.Generator`
that `fit` makes from its seed: a permutation is NumPy's `rng.permutation(n)`, from
PERMUTE_FROM samples on `gdlab.shuffling.permutation` (as uniform; 10–11 → 7.7 ms at 10⁶).
X is never copied: a batch is `X[indexer]`, where the indexer is a slice (in order: a view,
no copy at all) or a view into the order array (a gather of b rows only) — so an epoch
allocates the order (n integers) and one batch at a time, never a shuffled copy of X.  The
last batch keeps its true size (the model averages over it) unless `drop_last`.  A single
batch that covers the data in order is the full batch, exactly: with b = n and no
replacement, no permutation is drawn (the order of one batch cannot matter).

>>> plan = Batches(5, 2, shuffle=False)
>>> plan.steps_per_epoch, list(plan.indexers(None))
(3, [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)])
>>> [index.tolist() for index in Batches(5, 2).epoch(np.random.default_rng(0))]
[[2, 4], [3, 0], [1]]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.base import check_integer

Indexer = slice | NDArray[np.intp]
PERMUTE_FROM = 2**16  # samples from which a shuffled order is gdlab.shuffling's permutation


def resolve_batch_size(batch_size: Any, n_samples: int) -> int:
    """b for a batch_size argument: None → n; else an integer in [1, n], or an error naming it."""
    n_samples = check_integer("n_samples", n_samples, 1)
    if batch_size is None:
        return n_samples
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        kind = type(batch_size).__name__
        raise TypeError(f"batch_size must be an integer or None, got {kind} {batch_size!r}")
    if not 1 <= batch_size <= n_samples:
        raise ValueError(
            f"batch_size must be in [1, {n_samples}] (the number of samples) or None "
            f"for the full batch, got {batch_size}"
        )
    return int(batch_size)


def steps_per_epoch(n_samples: int, batch_size: int | None = None, drop_last: bool = False) -> int:
    """Updates per epoch: ⌈n/b⌉, or ⌊n/b⌋ with drop_last (b = n when batch_size is None).

    Use it to step a schedule once per epoch: `schedules.per_epoch(s, steps_per_epoch(n, b))`.

    >>> steps_per_epoch(10, 4), steps_per_epoch(10, 4, drop_last=True), steps_per_epoch(10)
    (3, 2, 1)
    """
    size = resolve_batch_size(batch_size, n_samples)
    return n_samples // size if drop_last else -(-n_samples // size)


@dataclass(frozen=True)
class Batches:
    """The batch plan of a run: n samples, batch size, order and what to do with the remainder.

    Attributes:
        n_samples: n ≥ 1.
        batch_size: None (b = n) or an integer in [1, n].
        shuffle: a new random order each epoch (else 0, 1, …, n−1).
        drop_last: skip a last batch shorter than b (else it is kept at its true size).
        replace: draw the n indices of an epoch with replacement (needs shuffle).
    """

    n_samples: int
    batch_size: int | None = None
    shuffle: bool = True
    drop_last: bool = False
    replace: bool = False

    def __post_init__(self) -> None:
        check_integer("n_samples", self.n_samples, 1)
        resolve_batch_size(self.batch_size, self.n_samples)
        for name in ("shuffle", "drop_last", "replace"):
            value = getattr(self, name)
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
        if self.replace and not self.shuffle:
            raise ValueError("replace=True draws random indices, so it needs shuffle=True")

    @property
    def size(self) -> int:
        """b, the number of samples in a full batch."""
        return resolve_batch_size(self.batch_size, self.n_samples)

    @property
    def steps_per_epoch(self) -> int:
        """Updates per epoch: ⌈n/b⌉, or ⌊n/b⌋ with drop_last."""
        return steps_per_epoch(self.n_samples, self.batch_size, self.drop_last)

    @property
    def in_order(self) -> bool:
        """Every epoch takes the samples in order: `order` is None and draws nothing."""
        return not self.replace and (not self.shuffle or self.full_batch)

    @property
    def full_batch(self) -> bool:
        """One batch that holds every sample in order: no random draw can change it."""
        return self.size == self.n_samples and not self.replace

    def order(self, rng: np.random.Generator) -> NDArray[np.intp] | None:
        """The sample order of one epoch: None (in order), a permutation or draws with replacement.

        Draws from `rng` only when the order is random (shuffle, and not the full batch).
        """
        n = self.n_samples
        if self.replace:
            return rng.integers(0, n, size=n).astype(np.intp, copy=False)
        if self.in_order:
            return None
        if n < PERMUTE_FROM:
            return rng.permutation(n).astype(np.intp, copy=False)
        from gdlab.shuffling import permutation  # compiled (numba): only for large data

        return permutation(rng, n)

    def indexers(self, order: NDArray[np.intp] | None) -> Iterator[Indexer]:
        """The batches of one epoch as indexers into X: slices (order None) or views of order."""
        size, n = self.size, self.n_samples
        stop = n - n % size if self.drop_last else n
        for start in range(0, stop, size):
            end = min(start + size, n)
            yield slice(start, end) if order is None else order[start:end]

    def epoch(self, rng: np.random.Generator) -> Iterator[Indexer]:
        """The batches of a new epoch: `indexers(order(rng))`."""
        return self.indexers(self.order(rng))
