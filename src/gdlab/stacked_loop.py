"""The loop of stacked runs: K rows of one recipe, advanced by one compiled pass (layer L3).

Used by `gdlab.stacked.minimize_stacked` (read its docstring first).  Per step, for all rows:

    f, ∇f at X (K, …)  →  per-row divergence / criteria (minimize's rules)  →  records
    →  per-row scalars (once per group of equal rows)  →  X' = X + U(∇f) into a spare buffer

Rows that stopped are left alone by the loop (`active`); the two buffers swap, so a row that
diverges still has its previous point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gdlab import kernels
from gdlab.base import Array, Transform
from gdlab.codegen import NotFusable
from gdlab.loop import DIVERGENCE_FACTOR, diverged_message, divergence, norm
from gdlab.loop import _criterion as criterion  # minimize's stopping rule, shared
from gdlab.schedules import Schedule

Evaluate = Callable[[Array], tuple[Any, Any]]


class _Link:
    """One link of the recipe across the K rows: its coefficients, once per group of equal rows.

    Rows whose links have the same name, kernel and hyper-parameters form a group; a group's
    coefficients (and carry) are computed once per step and copied to its rows.
    """

    def __init__(self, links: Sequence[Transform]) -> None:
        keys = [_group_key(link) for link in links]
        first: dict[Any, int] = {}
        for row, key in enumerate(keys):
            first.setdefault(key, row)
        self.clip = kernels.norm_driven(links[0])
        self.links = [links[row] for row in first.values()]
        self.carries = [link.rule.carry if link.rule else () for link in self.links]
        index = {key: group for group, key in enumerate(first)}
        self.group_of_row = np.array([index[key] for key in keys], dtype=np.intp)
        self.static: NDArray[np.float64] | None = None

    def coefficients(self, count: int, grads: Array) -> NDArray[np.float64]:
        """(K, C): this link's scalars for every row at update `count`."""
        if self.clip:
            rows = [self.links[group] for group in self.group_of_row]
            return np.array(
                [[kernels.clip_factor(link, g)] for link, g in zip(rows, grads, strict=True)]
            )
        if self.static is not None:
            return self.static
        table = []
        for group, link in enumerate(self.links):
            assert link.rule is not None
            values, self.carries[group] = link.rule.coefficients(count, self.carries[group])
            table.append(values)
        scalars = np.array(table, dtype=np.float64).reshape(len(table), -1)[self.group_of_row]
        if all(getattr(link.rule, "static", False) for link in self.links):
            self.static = scalars  # Rule.static: coefficients depend on neither count nor carry
        return scalars


def _group_key(link: Transform) -> Any:
    if link.rule is None or kernels.norm_driven(link):
        return ("clip", repr(link.hyperparams))
    if not link.hyperparams:
        return id(link)  # nothing says two such links are equal
    return (link.name, link.rule.kernel, repr(sorted(link.hyperparams.items())))


def _program(optimizers: Sequence[Transform]) -> Any:
    """The one traced program of the recipe, or ValueError naming the row that differs."""
    shapes = [_structure(optimizer) for optimizer in optimizers]
    for row, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise ValueError(
                f"stacked runs need one recipe: row 0 is {optimizers[0]!r}, "
                f"row {row} is {optimizers[row]!r}"
            )
    try:
        return kernels.program_of(optimizers[0])
    except NotFusable as error:
        raise ValueError(f"stacked runs need elementwise optimizers: {error}") from None


def _structure(optimizer: Transform) -> list[Any]:
    links = optimizer.links or (optimizer,)
    return [(link.name, link.rule and (link.rule.kernel, link.rule.slots)) for link in links]


def _learning_rates(optimizers: Sequence[Transform], steps: int) -> NDArray[np.float64]:
    """(steps + 1, K): α_t of each row, one evaluation per distinct schedule.

    A gdlab Schedule is evaluated on all counts at once (its array form, equal to the scalar
    one to within an ulp, exactly for constants); other callables count by count.
    """
    counts = np.arange(steps + 1)
    table = np.empty((steps + 1, len(optimizers)))
    memo: dict[Any, NDArray[np.float64]] = {}
    for row, optimizer in enumerate(optimizers):
        schedule = optimizer.learning_rate
        try:
            key: Any = hash(schedule) and schedule
        except TypeError:
            key = id(schedule)
        if key not in memo:
            memo[key] = _rates(optimizer, counts)
        table[:, row] = memo[key]
    return table


def _rates(optimizer: Transform, counts: NDArray[np.int64]) -> NDArray[np.float64]:
    schedule = optimizer.learning_rate
    if schedule is None:
        return np.full(len(counts), math.nan)
    if isinstance(schedule, Schedule):
        try:
            return np.broadcast_to(np.asarray(schedule(counts), dtype=np.float64), counts.shape)
        except (TypeError, ValueError):  # a schedule without an array form
            pass
    return np.array([optimizer.current_learning_rate(int(count)) for count in counts])


def _slots(x: Array, chains: Sequence[tuple[Transform, ...]]) -> list[Array]:
    """Each slot of each link as a (K, m) array, row k filled as its own rule says."""
    slots = []
    for j, link in enumerate(chains[0]):
        for i in range(len(link.rule.slots) if link.rule else 0):
            fills = [chain[j].rule.initial_fill(i) for chain in chains]  # type: ignore[union-attr]
            slot = np.empty((len(x), x[0].size), dtype=x.dtype)
            slot[:] = np.array(fills, dtype=x.dtype)[:, None]
            slots.append(slot)
    return slots


def _row_norms(grads: Array) -> NDArray[np.float64]:
    """‖g_k‖₂ per row; rows whose squares overflow go through `norm` (scaled, as minimize)."""
    squared = np.einsum("ij,ij->i", grads, grads).astype(np.float64)
    norms = np.sqrt(squared)
    for row in np.flatnonzero(~np.isfinite(norms)):
        norms[row] = norm(grads[row])
    return norms


class Runner:
    """The state of K stacked runs: two (K, m) buffers, slots, records and per-row outcomes."""

    def __init__(
        self,
        evaluate: Evaluate,
        x: Array,
        optimizers: Sequence[Transform],
        steps: int,
        record_path: bool,
    ) -> None:
        if x.dtype not in (np.float32, np.float64):
            raise TypeError(f"stacked runs take float32 or float64 points, got {x.dtype}")
        rows = len(optimizers)
        self.evaluate, self.steps, self.optimizers = evaluate, steps, optimizers
        self.x, self.spare = x, x.copy()
        self.loops = kernels.compiled_loops(_program(optimizers), x.dtype.name)
        chains = [optimizer.links or (optimizer,) for optimizer in optimizers]
        self.links = [_Link([chain[j] for chain in chains]) for j in range(len(chains[0]))]
        self.slots = _slots(x, chains)
        self.rates = _learning_rates(optimizers, steps)
        self.losses = np.full((steps + 1, rows), math.nan)
        self.grad_norms = np.full((steps + 1, rows), math.nan)
        self.path = np.full((steps + 1, *x.shape), math.nan, x.dtype) if record_path else None
        self.active = np.ones(rows, dtype=bool)
        self.final_x, self.fun = np.empty_like(x), np.full(rows, math.nan)
        self.nit = np.zeros(rows, dtype=np.int64)
        self.status = ["max_steps"] * rows
        self.messages = [""] * rows
        self.bound = np.full(rows, math.inf)

    # ------------------------------------------------------------ the loop

    def run(self, target: float | None, xtol: float | None, gtol: float | None) -> dict[str, Any]:
        """Advance every row until it stops; the per-row arrays of a StackedResult."""
        moved = np.full(len(self.active), math.inf)
        for count in range(self.steps + 1):
            loss, grads = self._evaluate()
            grad_norm = _row_norms(grads)
            if count == 0:
                self._start(loss, grad_norm)
            self._diverged_rows(count, loss, grad_norm)
            self._record(count, loss, grad_norm)
            self._converged_rows(count, loss, grad_norm, moved, (target, xtol, gtol))
            if count == self.steps:
                self._finish(self.active.copy(), loss, count, "max_steps")
            if not self.active.any():
                break
            moved = self._update(count, loss, grads, xtol is not None)
        return self._result()

    def _evaluate(self) -> tuple[NDArray[np.float64], Array]:
        loss, grads = self.evaluate(self.x)
        loss = np.asarray(loss, dtype=np.float64)
        grads = np.ascontiguousarray(grads, dtype=self.x.dtype)
        if loss.shape != self.active.shape or grads.shape != self.x.shape:
            raise ValueError(
                f"a stacked objective must map {self.x.shape} to losses {self.active.shape} and "
                f"gradients {self.x.shape}, got {loss.shape} and {grads.shape}"
            )
        return loss, grads.reshape(len(grads), -1)

    def _start(self, loss: NDArray[np.float64], grad_norm: NDArray[np.float64]) -> None:
        for row in range(len(loss)):
            problem = divergence(float(loss[row]), float(grad_norm[row]), math.inf)
            if problem is not None:
                raise ValueError(f"cannot start row {row} from its x0: {problem}")
        self.bound = loss + DIVERGENCE_FACTOR * np.maximum(1.0, np.abs(loss))

    def _diverged_rows(
        self, count: int, loss: NDArray[np.float64], grad_norm: NDArray[np.float64]
    ) -> None:
        """Rows whose new point is not finite or too high stop at their previous point."""
        suspects = self.active & ~(np.isfinite(loss) & np.isfinite(grad_norm))
        suspects |= self.active & (loss > self.bound)
        for row in np.flatnonzero(suspects):
            problem = divergence(float(loss[row]), float(grad_norm[row]), float(self.bound[row]))
            assert problem is not None
            message = diverged_message(count, problem, float(self.rates[count - 1, row]))
            self._stop(int(row), self.spare[row], self.losses[count - 1, row], count - 1, message)

    def _record(
        self, count: int, loss: NDArray[np.float64], grad_norm: NDArray[np.float64]
    ) -> None:
        active = self.active
        self.losses[count, active] = loss[active]
        self.grad_norms[count, active] = grad_norm[active]
        if self.path is not None:
            self.path[count, active] = self.x[active]

    def _converged_rows(
        self,
        count: int,
        loss: NDArray[np.float64],
        grad_norm: NDArray[np.float64],
        moved: NDArray[np.float64],
        tolerances: tuple[float | None, float | None, float | None],
    ) -> None:
        target, xtol, gtol = tolerances
        met = np.zeros_like(self.active)
        for value, tolerance in ((loss, target), (moved, xtol), (grad_norm, gtol)):
            if tolerance is not None:
                met |= value <= tolerance
        for row in np.flatnonzero(self.active & met):
            _, message = criterion(
                count, float(loss[row]), float(grad_norm[row]), float(moved[row]), *tolerances
            )
            self._stop(int(row), self.x[row], loss[row], count, message, "converged")

    def _finish(
        self, rows: NDArray[np.bool_], loss: NDArray[np.float64], count: int, status: str
    ) -> None:
        for row in np.flatnonzero(rows):
            self._stop(int(row), self.x[row], loss[row], count, f"made all {count} updates", status)

    def _stop(
        self, row: int, x: Array, loss: float, nit: int, message: str, status: str = "diverged"
    ) -> None:
        self.final_x[row] = x
        self.fun[row], self.nit[row] = loss, nit
        self.status[row], self.messages[row] = status, message
        self.active[row] = False

    def _update(
        self, count: int, loss: NDArray[np.float64], grads: Array, measure: bool
    ) -> NDArray[np.float64]:
        """X ← X + U(G) into the spare buffer, rows that stopped left alone; then swap."""
        scalars = [link.coefficients(count, grads) for link in self.links]
        table = np.ascontiguousarray(np.concatenate([np.empty((len(grads), 0)), *scalars], 1))
        x, out = self.x.reshape(len(grads), -1), self.spare.reshape(len(grads), -1)
        self.loops.step_rows(x, grads, out, *self.slots, table, self.active)
        broken = self.active & ~np.isfinite(out).all(axis=1)
        for row in np.flatnonzero(broken):
            problem = "the parameters became non-finite"
            message = diverged_message(count + 1, problem, float(self.rates[count, row]))
            self._stop(int(row), self.x[row], loss[row], count, message)
        moved = np.sqrt(np.square(out - x).sum(axis=1)) if measure else np.full(len(x), math.inf)
        self.x, self.spare = self.spare, self.x
        return moved

    def _result(self) -> dict[str, Any]:
        for row, nit in enumerate(self.nit):
            self.rates[nit + 1 :, row] = math.nan
        return {
            "x": self.final_x,
            "fun": self.fun,
            "nit": self.nit,
            "status": np.array(self.status),
            "message": tuple(self.messages),
            "losses": self.losses,
            "grad_norms": self.grad_norms,
            "learning_rates": self.rates,
            "path": self.path,
        }
