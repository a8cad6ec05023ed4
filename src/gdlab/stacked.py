"""Stacked runs: K independent minimisations advancing together as one (K, n) array (layer L3).

    X ∈ R^{K×n}, row k = run k;   f(X) → (K,), ∇f(X) → (K, n)   (problems are vectorised)
    X ← X + U_k(∇f(X))            one compiled pass over all rows, each with its own scalars

Row k computes exactly what `gd.minimize(fun, x0_k, optimizer=optimizers[k], …)` computes:
the same fused loop as `gdlab.kernels` (bitwise equal to the reference path), the same
stopping rules and messages, per row.  A row that diverges or meets a criterion stops with its
own status (it keeps its last finite point); the others go on.  The coefficients of rows with
equal hyper-parameters are computed once per step for the group.

    runs = minimize_stacked(gd.problems.get("rosenbrock"), [-1.5, 2.0],
                            [gd.adam(lr) for lr in np.geomspace(1e-4, 1, 1000)], steps=1000)
    runs.fun, runs.status, runs.result(3)          # per-row arrays; row 3 as a Result
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab.base import Array, Transform, check_integer, check_range, check_real
from gdlab.history import History, Result
from gdlab.loop import initial_point
from gdlab.stacked_loop import Evaluate, Runner


@dataclass(frozen=True)
class StackedResult:
    """The outcome of K stacked runs: one entry (or column) per run.

    x (K, …) final points (the last finite ones), fun (K,), nit (K,), status (K,) and
    message (K,) as in `Result`; losses, grad_norms, learning_rates (steps + 1, K): row k's
    history in column k (NaN after it stopped); path (steps + 1, K, …) when recorded; grid:
    the hyper-parameters of each row when the runs came from a factory and a grid.
    """

    x: Array
    fun: NDArray[np.float64]
    nit: NDArray[np.int64]
    status: NDArray[np.str_]
    message: tuple[str, ...]
    losses: NDArray[np.float64]
    grad_norms: NDArray[np.float64]
    learning_rates: NDArray[np.float64]
    path: Array | None = None
    grid: tuple[dict[str, Any], ...] = ()

    def __len__(self) -> int:
        return len(self.fun)

    def result(self, row: int) -> Result:
        """Row `row` as the Result `gd.minimize` returns for that run alone."""
        rows = int(self.nit[row]) + 1
        history = History(
            step=np.arange(rows, dtype=np.int64),
            loss=self.losses[:rows, row].copy(),
            grad_norm=self.grad_norms[:rows, row].copy(),
            learning_rate=self.learning_rates[:rows, row].copy(),
            x=None if self.path is None else self.path[:rows, row].copy(),
        )
        info = {"grid": self.grid[row]} if self.grid else {}
        status = str(self.status[row])
        x = self.x[row].copy()
        return Result(
            x, float(self.fun[row]), rows - 1, status, self.message[row], history, info=info
        )

    def results(self) -> tuple[Result, ...]:
        return tuple(self.result(row) for row in range(len(self)))


def optimizer_grid(
    factory: Callable[..., Transform], grid: Mapping[str, Sequence[Any]]
) -> tuple[tuple[dict[str, Any], ...], tuple[Transform, ...]]:
    """Every combination of the grid's values (first name slowest), and factory(**combination).

    >>> import gdlab as gd
    >>> points, optimizers = optimizer_grid(gd.adam, {"learning_rate": [0.1, 0.01]})
    >>> points, optimizers[1].name, optimizers[1].hyperparams["learning_rate"]
    (({'learning_rate': 0.1}, {'learning_rate': 0.01}), 'adam', 0.01)
    """
    if not grid:
        raise ValueError("grid must name at least one hyper-parameter, got none")
    names = list(grid)
    combinations = itertools.product(*grid.values())
    points = tuple(dict(zip(names, values, strict=True)) for values in combinations)
    return points, tuple(factory(**point) for point in points)


def minimize_stacked(
    fun: Any,
    x0: Any,
    optimizers: Sequence[Transform] | Callable[..., Transform],
    *,
    grid: Mapping[str, Sequence[Any]] | None = None,
    grad: Callable[[Array], Array] | bool | None = None,
    steps: int = 1000,
    target: float | None = None,
    xtol: float | None = None,
    gtol: float | None = None,
    record_path: bool = True,
) -> StackedResult:
    """Run K optimizers as one stacked run; row k equals `gd.minimize` with optimizers[k].

    Args:
        fun: a vectorised objective: a Problem, or a callable X (K, …) -> (K,) losses with
            `grad` (a vectorised callable, or True when fun returns (losses, gradients)).
        x0: one start point for every row (1-D), or one per row (shape (K, …)).
        optimizers: K Transforms of one recipe (same links, kernels and slots; the
            hyper-parameters may differ), or a factory such as `gd.adam` with `grid`.
        grid: hyper-parameter name -> values; the rows are every combination
            (`optimizer_grid`), recorded in `StackedResult.grid`.
        steps, target, xtol, gtol, record_path: as in `gd.minimize`, applied to each row.
    """
    points, optimizers = _rows(optimizers, grid)
    steps = check_integer("steps", steps, 0)
    target = None if target is None else check_real("target", target)
    xtol = None if xtol is None else check_range("xtol", xtol, 0.0)
    gtol = None if gtol is None else check_range("gtol", gtol, 0.0)
    x = _starts(x0, len(optimizers))
    runner = Runner(_objective(fun, grad), x, optimizers, steps, record_path)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return StackedResult(**runner.run(target, xtol, gtol), grid=points)


def _rows(
    optimizers: Sequence[Transform] | Callable[..., Transform],
    grid: Mapping[str, Sequence[Any]] | None,
) -> tuple[tuple[dict[str, Any], ...], tuple[Transform, ...]]:
    if isinstance(optimizers, Transform):
        raise TypeError("optimizers must be a sequence of Transforms (or a factory with grid)")
    if callable(optimizers):
        if grid is None:
            raise TypeError("an optimizer factory needs grid= (name -> values)")
        return optimizer_grid(optimizers, grid)
    if grid is not None:
        raise TypeError("grid= goes with an optimizer factory, not with a list of optimizers")
    rows = tuple(optimizers)
    if not rows:
        raise ValueError("stacked runs need at least one optimizer, got none")
    for index, row in enumerate(rows):
        if not isinstance(row, Transform):
            raise TypeError(f"optimizers[{index}] must be a Transform, got {type(row).__name__}")
    return (), rows


def _starts(x0: Any, rows: int) -> Array:
    """A fresh (K, …) array: a 1-D x0 repeated for every row, or one start per row."""
    x = initial_point(x0)
    if x.ndim == 1:
        return np.repeat(x[None, :], rows, axis=0)
    if x.shape[0] != rows:
        raise ValueError(f"x0 must be 1-D or have one row per optimizer ({rows}), got {x.shape}")
    return x


def _objective(fun: Any, grad: Callable[[Array], Array] | bool | None) -> Evaluate:
    if grad is None and hasattr(fun, "value_and_grad"):
        return fun.value_and_grad
    if not callable(fun):
        raise TypeError(f"fun must be callable or have value_and_grad, got {type(fun).__name__}")
    if grad is True:
        return fun
    if callable(grad):
        return lambda x: (fun(x), grad(x))
    raise TypeError(
        "stacked runs need a vectorised analytic gradient: a Problem, grad=callable or grad=True"
    )
