"""Experiments the command line and the web API run (layer L4): a fair comparison of optimizers
on one problem, and the internals of one run (momentum vector, per-coordinate step size).

A comparison is fair by construction: every optimizer starts from the same point, makes the
same number of updates (no early stop) and is judged by f(x), and by the first step at which
f(x_k) − f* ≤ tolerance when the problem's minimum f* is known.

>>> import gdlab as gd
>>> problem = gd.problems.get("quadratic")
>>> runs = {"sgd": gd.sgd(0.1), "adam": gd.adam(0.1)}
>>> comparison = compare(problem, runs, steps=200, tolerance=1e-6)
>>> [(run.label, run.result.status) for run in comparison.runs]
[('sgd', 'max_steps'), ('adam', 'max_steps')]
>>> comparison.runs[0].steps_to_tolerance
67
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gdlab.base import RuleState, Transform, check_integer, check_range
from gdlab.history import Result
from gdlab.loop import minimize
from gdlab.problems import Problem
from gdlab.schedules import Schedule, describe

Progress = Callable[[str], Any]


def plain_hyperparams(optimizer: Transform) -> dict[str, Any]:
    """The optimizer's hyper-parameters as JSON-ready values (schedules described)."""
    return {
        key: describe(value) if isinstance(value, Schedule) else value
        for key, value in optimizer.hyperparams.items()
    }


def start_point(problem: Problem, start: Iterable[float] | None = None) -> np.ndarray:
    """The start as a float array of the problem's dimension (default: the problem's start)."""
    point = np.array(problem.start if start is None else list(start), dtype=np.float64)
    if point.shape != (problem.dim,):
        raise ValueError(
            f"start must have {problem.dim} coordinates for {problem.name}, got {point.size}"
        )
    if not np.isfinite(point).all():
        raise ValueError(f"start must be finite, got {point.tolist()}")
    return point


def steps_to_tolerance(losses: np.ndarray, minimum: float, tolerance: float) -> int | None:
    """The first step k with f(x_k) − f* ≤ tolerance (None when never, or f* is unknown)."""
    if not math.isfinite(minimum):
        return None
    reached = np.flatnonzero(losses - minimum <= tolerance)
    return int(reached[0]) if reached.size else None


@dataclass(frozen=True)
class Run:
    """One optimizer's run in a comparison."""

    label: str
    name: str
    optimizer: Transform
    result: Result
    seconds: float
    steps_to_tolerance: int | None

    def to_dict(self, minimum: float) -> dict[str, Any]:
        gap = self.result.fun - minimum if math.isfinite(minimum) else None
        return {
            "label": self.label,
            "optimizer": self.name,
            "hyperparams": plain_hyperparams(self.optimizer),
            "final_loss": self.result.fun,
            "gap": gap,
            "steps_to_tolerance": self.steps_to_tolerance,
            "status": self.result.status,
            "message": self.result.message,
            "nit": self.result.nit,
            "seconds": self.seconds,
            "x": np.asarray(self.result.x).tolist(),
        }


@dataclass(frozen=True)
class Comparison:
    """Every run of a comparison, with what they were run on."""

    problem: Problem
    start: np.ndarray
    steps: int
    tolerance: float
    runs: tuple[Run, ...]

    @property
    def diverged(self) -> tuple[Run, ...]:
        return tuple(run for run in self.runs if run.result.status == "diverged")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (no per-step histories: see `to_csv`)."""
        minimum = self.problem.minimum
        return {
            "problem": self.problem.name,
            "params": dict(self.problem.params),
            "start": self.start.tolist(),
            "steps": self.steps,
            "tolerance": self.tolerance,
            "minimum": minimum if math.isfinite(minimum) else None,
            "runs": [run.to_dict(minimum) for run in self.runs],
        }

    def to_csv(self) -> str:
        """Every step of every run, tidy: optimizer, step, loss, grad_norm, learning_rate, x_i."""
        header = ["optimizer", "step", "loss", "grad_norm", "learning_rate"]
        header += [f"x_{i}" for i in range(self.problem.dim)]
        lines = [",".join(header)]
        for run in self.runs:
            history = run.result.history
            points = np.empty((len(history), 0)) if history.x is None else history.x
            for row in zip(
                history.step, history.loss, history.grad_norm, history.learning_rate, points,
                strict=True,
            ):  # fmt: skip
                step, loss, grad_norm, rate, x = row
                values = [repr(float(v)) for v in (loss, grad_norm, rate, *x)]
                lines.append(",".join([run.label, str(int(step)), *values]))
        return "\n".join(lines) + "\n"


def compare(
    problem: Problem,
    optimizers: Mapping[str, Transform],
    *,
    start: Iterable[float] | None = None,
    steps: int = 1000,
    tolerance: float = 1e-6,
    progress: Progress | None = None,
) -> Comparison:
    """Run every optimizer (label → Transform) on `problem` from one start for `steps` updates.

    `progress(label)` is called after each run.  A run that diverges is kept (status
    "diverged", its last finite point); the comparison goes on.
    """
    steps = check_integer("steps", steps, 1)
    tolerance = check_range("tolerance", tolerance, 0.0)
    if not optimizers:
        raise ValueError("compare needs at least one optimizer, got none")
    x0 = start_point(problem, start)
    runs = []
    for label, optimizer in optimizers.items():
        began = time.perf_counter()
        result = minimize(problem, x0, optimizer=optimizer, steps=steps)
        seconds = time.perf_counter() - began
        reached = steps_to_tolerance(result.history.loss, problem.minimum, tolerance)
        runs.append(Run(label, optimizer.name, optimizer, result, seconds, reached))
        if progress is not None:
            progress(label)
    return Comparison(problem, x0, steps, tolerance, tuple(runs))


# ---------------------------------------------------------------- internals of a run


@dataclass(frozen=True)
class Internals:
    """What an optimizer carries along a path: row k belongs to the update x_k → x_{k+1}.

    momentum: the momentum vector that update used, as stored in the state (slot "mu" or
    "momentum_buffer"), or None; step_scale: the per-coordinate factor that multiplied α in
    it, 1/(√ŝ + ε) from the RMS scale s (slot "nu" or "sum_of_squares", bias-corrected as the
    optimizer does; Adadelta's √(d + ε)/√(s + ε)), or None.  path has one row more.
    """

    name: str
    path: np.ndarray
    momentum: np.ndarray | None
    step_scale: np.ndarray | None
    result: Result


MOMENTUM_SLOTS = ("mu", "momentum_buffer")
SCALE_SLOTS = ("nu", "sum_of_squares")


def _link_states(optimizer: Transform, state: Any) -> list[tuple[Transform, RuleState]]:
    links = optimizer.links or (optimizer,)
    states = state if optimizer.links else (state,)
    return [
        (link, link_state)
        for link, link_state in zip(links, states, strict=True)
        if link.rule is not None and isinstance(link_state, RuleState)
    ]


def _slot(optimizer: Transform, state: Any, names: tuple[str, ...]) -> np.ndarray | None:
    for link, link_state in _link_states(optimizer, state):
        slots = dict(zip(link.rule.slots, link_state.slots, strict=True))  # type: ignore[union-attr]
        for name in names:
            if name in slots:
                return np.array(slots[name], dtype=float)
    return None


def _step_scale(optimizer: Transform, state: Any) -> np.ndarray | None:
    """1/(√ŝ + ε) (Adadelta: √(d + ε)/√(s + ε)) from the state after an update."""
    for link, link_state in _link_states(optimizer, state):
        slots = dict(zip(link.rule.slots, link_state.slots, strict=True))  # type: ignore[union-attr]
        hyper, count = link.hyperparams, link_state.count
        eps = float(hyper.get("eps", 0.0))
        if "delta_nu" in slots:
            return np.sqrt(slots["delta_nu"] + eps) / np.sqrt(slots["nu"] + eps)
        name = next((name for name in SCALE_SLOTS if name in slots), None)
        if name is None:
            continue
        value = np.array(slots[name], dtype=float)
        if "beta2" in hyper and hyper.get("bias_correction", True) and name == "nu":
            value = value / (1.0 - float(hyper["beta2"]) ** count)
        with np.errstate(divide="ignore"):
            return 1.0 / (np.sqrt(value) + eps)
    return None


def trace_internals(
    problem: Problem,
    optimizer: Transform,
    *,
    start: Iterable[float] | None = None,
    steps: int = 100,
) -> Internals:
    """Run `optimizer` and read its state after every update (for the internals overlay)."""
    states: list[Any] = []
    result = minimize(
        problem,
        start_point(problem, start),
        optimizer=optimizer,
        steps=check_integer("steps", steps, 1),
        callback=lambda info: states.append(info.state),
    )
    after = states[1 : result.nit + 1]  # the state seen at x_{k+1} is the one after update k
    momentum = [_slot(optimizer, state, MOMENTUM_SLOTS) for state in after]
    scales = [_step_scale(optimizer, state) for state in after]
    path = result.history.x
    assert path is not None  # minimize records the path by default
    return Internals(
        optimizer.name,
        path,
        None if not after or momentum[0] is None else np.array(momentum),
        None if not after or scales[0] is None else np.array(scales),
        result,
    )
