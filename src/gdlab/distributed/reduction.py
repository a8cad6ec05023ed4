"""The loss and gradient of a batch made of pieces: sums per piece, combined in piece order.

A model's `value_and_grad` returns the mean over its batch, L_p = (1/n_p)·Σᵢ ℓᵢ + P (P the L2
penalty, once per batch).  For a batch cut into pieces p (Dask chunks, on-disk blocks):

    piece p sends (n_p, n_p·L_p, n_p·∇L_p);   N = Σ_p n_p
    L = Σ_p n_p·L_p / N,   ∇L = Σ_p n_p·∇L_p / N

— the mean over all the rows, and the penalty once: Σ_p n_p·P / Σ_p n_p = P.  The pieces are
added in their given order, whatever order they are computed in, so a reduction gives the same
bits every time (≈ 1e-16 relative from the in-memory mean: only the summation order differs).

`ReducedModel` wraps a model for `gd.fit`: its `value_and_grad(params, X, y)` takes NumPy
batches as the model does, and whole pieced data (a `BlockArray` on disk, a selection of Dask
chunks) as a reduction over their pieces.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from gdlab.data.dataset import Array
from gdlab.data.ondisk import BlockArray, in_blocks


class Partial(NamedTuple):
    """One piece's share of a batch: its rows n, n·L and n·∇L."""

    rows: int
    loss_sum: float
    grad_sum: Array


def partial_sums(model: Any, params: Array, X: Array, y: Array) -> Partial:
    """(n, n·L, n·∇L) of the piece (X, y): the model's mean loss and gradient times its rows."""
    loss, grads = model.value_and_grad(params, X, y)
    rows = len(X)
    return Partial(rows, rows * float(loss), rows * grads)


def combine(partials: Iterable[Partial]) -> tuple[float, Array]:
    """(L, ∇L) = (Σ n·L, Σ n·∇L) / Σ n, added in the order given."""
    rows, loss_sum, grad_sum = 0, 0.0, None
    for part in partials:
        rows += part.rows
        loss_sum += part.loss_sum
        grad_sum = part.grad_sum.copy() if grad_sum is None else grad_sum + part.grad_sum
    if grad_sum is None or rows == 0:
        raise ValueError("a reduction needs at least one piece with rows")
    return loss_sum / rows, grad_sum / rows


def stream_sums(model: Any, params: Array, X: BlockArray, y: BlockArray) -> list[Partial]:
    """One Partial per block of X (y read alongside), one block in memory at a time."""
    parts = []
    for start, rows in X.blocks():
        parts.append(partial_sums(model, params, rows, y.read(start, start + len(rows))))
    return parts


def stream_validate(model: Any, X: BlockArray, y: BlockArray) -> None:
    """`model.validate` on every block; an error names the block's rows."""
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}")
    for start, rows in X.blocks():
        stop = start + len(rows)
        try:
            model.validate(rows, y.read(start, stop))
        except ValueError as error:
            raise ValueError(f"rows {start}..{stop - 1} of {X.name}: {error}") from None


class ReducedModel:
    """A model whose loss on pieced data is the reduction over the pieces (see the module).

    NumPy batches go straight to `model`; a BlockArray (all the rows of on-disk data) is
    reduced block by block in this process; data with a `partials(model, params)` method (a
    selection of Dask chunks, gdlab.distributed.chunks) by the workers that hold them.
    `client`: the Dask client that validation data in Dask arrays are sent to.
    """

    def __init__(self, model: Any, client: Any = None) -> None:
        self.model, self.client = model, client

    def __repr__(self) -> str:
        return f"ReducedModel({self.model!r})"

    def validate(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Check the data once: in memory, block by block, or chunk by chunk on the workers."""
        if isinstance(X, BlockArray):
            y = y if isinstance(y, BlockArray) else in_blocks(np.asarray(y), X.bounds)
            stream_validate(self.model, X, y)
            return X, y
        if hasattr(X, "partials"):  # a chunk selection: validated when its chunks were persisted
            return X, y
        if hasattr(X, "__dask_graph__"):
            from gdlab.distributed.chunks import persist

            chunks = persist(self.client, self.model, X, y)
            return chunks, chunks
        return self.model.validate(X, y)

    def n_outputs_for(self, y: Any) -> int:
        """The outputs the target needs: the largest any block or chunk needs."""
        if isinstance(y, BlockArray):
            return max(self.model.n_outputs_for(rows) for _, rows in y.blocks())
        if hasattr(y, "partials"):
            return int(y.n_outputs)
        return int(self.model.n_outputs_for(y))

    def init(self, n_features: int, **options: Any) -> Array:
        return self.model.init(n_features, **options)

    def value_and_grad(self, params: Array, X: Any, y: Any) -> tuple[float, Array]:
        """(L, ∇L) of a NumPy batch, or of pieced data by the reduction."""
        if isinstance(X, BlockArray):
            return combine(stream_sums(self.model, params, X, y))
        if hasattr(X, "partials"):
            return combine(X.partials(self.model, params))
        return self.model.value_and_grad(params, X, y)
