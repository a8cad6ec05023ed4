"""One epoch of `fit`, batch by batch: the epoch-function contract and its reference (layer L3).

    for each batch B of the epoch's order (see gdlab.batching):
        L_B, ∇L_B = model.value_and_grad(θ, X[B], y[B]);  record L_B, ‖∇L_B‖, α
        θ ← θ + update(∇L_B)

`fit` runs every epoch through the function `choose_epoch(model, optimizer, callback)` returns.
`reference_epoch` is the definition in NumPy; compiled epochs for particular models and
optimizers plug in there with the same contract: a `Run` (what stays fixed), a `Position`
(where the run stands) in, an `EpochOutcome` out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from gdlab.base import Array, Transform
from gdlab.batching import Batches
from gdlab.history import Recorder
from gdlab.loop import divergence, norm


class FitStep(NamedTuple):
    """What the per-step callback sees: the batch loss and gradient before update `step`."""

    step: int
    epoch: int
    batch: int
    params: Array
    loss: float
    grad: Array
    learning_rate: float
    state: Any


@dataclass(frozen=True, eq=False)
class Run:
    """What stays fixed during a fit (the recorder fills up): an epoch function's context."""

    model: Any
    optimizer: Transform
    X: Array
    y: Array
    batches: Batches
    recorder: Recorder
    bound: float
    callback: Callable[[FitStep], Any] | None


class Position(NamedTuple):
    """Where a run stands: params after `count` updates, the optimizer state, and `previous`,
    the params before the last update (the last whose batch loss is recorded and finite)."""

    params: Array
    previous: Array
    state: Any
    count: int  # type: ignore[assignment]  # the field shadows tuple.count, as in base.RuleState


class EpochOutcome(NamedTuple):
    """An epoch function's answer.

    position: where the epoch left the run; after a divergence, position.params are the last
    parameters whose batch loss was finite and position.count their number of updates.
    loss_sum/batches: the sum and number of the batch losses recorded in the epoch.
    status: None (the epoch finished), "diverged" or "stopped"; message says why.
    """

    position: Position
    loss_sum: float
    batches: int
    status: str | None = None
    message: str = ""


EpochFunction = Callable[[Run, Position, int, "np.ndarray | None"], EpochOutcome]


def reference_epoch(
    run: Run, position: Position, epoch: int, order: np.ndarray | None
) -> EpochOutcome:
    """One epoch, batch by batch, in NumPy: the definition every fast epoch must reproduce."""
    value_and_grad, optimizer = run.model.value_and_grad, run.optimizer
    X, y, record, callback = run.X, run.y, run.recorder.record, run.callback
    params, previous, state, count = position
    total, batch = 0.0, 0
    for batch, index in enumerate(run.batches.indexers(order)):
        loss, grads = value_and_grad(params, X[index], y[index])
        grad_norm = norm(grads)
        rate = optimizer.current_learning_rate(count)
        problem = divergence(loss, grad_norm, run.bound)
        if problem is not None:
            message = diverged_message(optimizer, count, epoch, problem)
            last = Position(previous, previous, state, max(count - 1, 0))
            return EpochOutcome(last, total, batch, "diverged", message)
        record(loss, grad_norm, rate, params)
        total += loss
        if callback is not None and callback(
            FitStep(count, epoch, batch, params, loss, grads, rate, state)
        ):
            message = f"stopped by the callback at update {count} (epoch {epoch})"
            here = Position(params, previous, state, count)
            return EpochOutcome(here, total, batch + 1, "stopped", message)
        updates, state = optimizer.update(grads, state, params)
        previous, params = params, params + updates
        if not np.isfinite(params).all():
            message = diverged_message(
                optimizer, count + 1, epoch, "the parameters became non-finite"
            )
            last = Position(previous, previous, state, count)
            return EpochOutcome(last, total, batch + 1, "diverged", message)
        count += 1
    return EpochOutcome(Position(params, previous, state, count), total, batch + 1)


def choose_epoch(
    model: Any, optimizer: Transform, callback: Callable[[FitStep], Any] | None
) -> EpochFunction:
    """The epoch function for this model and optimizer: a compiled one (gdlab.compiled_epochs:
    linear, logistic and polynomial regression with a fusable optimizer) when there is one and
    no per-step callback, else `reference_epoch`."""
    if callback is None:
        from gdlab.compiled_epochs import compiled_epoch  # it imports this module

        compiled = compiled_epoch(model, optimizer)
        if compiled is not None:
            return compiled
    return reference_epoch


def diverged_message(optimizer: Transform, count: int, epoch: int, problem: str) -> str:
    """'diverged at update k (epoch e) with learning rate α: why; try a smaller learning rate'."""
    rate = optimizer.current_learning_rate(max(count - 1, 0))
    rate_text = "" if math.isnan(rate) else f" with learning rate {rate:g}"
    return (
        f"diverged at update {count} (epoch {epoch}){rate_text}: {problem}; "
        "try a smaller learning rate"
    )
