"""Run several optimizers on one problem under one deadline (layer L5).

Each optimizer is an ordinary `gd.minimize` run; a callback keeps the optimizer's state at
every row of the path (the internals the page overlays) and stops the run, with status
"stopped", once the request has used its budget of CPU time (the thread's own clock: a busy
server makes a request wait, never cuts it short):

    row k of every array = the point x_k after k updates, as in `History`
    momentum_k = the first-moment slot (momentum_buffer or mu) after k updates
    scale_k    = √(second-moment slot) (√nu, √sum_of_squares; nu_inf as it is)
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from gdlab import catalog
from gdlab.base import RuleState, Transform
from gdlab.loop import StepInfo, minimize
from gdlab.problems import Problem
from gdlab.web import building
from gdlab.web.building import ExpressionCache
from gdlab.web.caches import Cache
from gdlab.web.errors import InputError, library_error
from gdlab.web.models import RunRequest
from gdlab.web.responses import Internals, RunInfo, RunResponse

MOMENTUM_SLOTS = ("momentum_buffer", "mu")
SCALE_SLOTS = {"nu": True, "sum_of_squares": True, "nu_inf": False}  # slot -> take the root


def numbers(values: Any) -> list[float | None]:
    """A float array as a JSON list, non-finite entries as None."""
    array = np.asarray(values, dtype=np.float64)
    if np.isfinite(array).all():
        return array.tolist()
    return [float(v) if math.isfinite(v) else None for v in array.tolist()]


def finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def cpu_clock() -> float:
    """Seconds of CPU this thread has used: the request's work, whatever else the server does."""
    return time.thread_time()


class Watcher:
    """The run's callback: keeps the optimizer state per row; stops the run once the request
    has used its CPU-time budget (`deadline` on `cpu_clock`)."""

    def __init__(self, deadline: float, steps: int, keep_state: bool) -> None:
        self.deadline = deadline
        self.steps = steps
        self.keep_state = keep_state
        self.states: list[Any] = []
        self.out_of_time = False

    def __call__(self, info: StepInfo) -> bool:
        if self.keep_state:
            self.states.append(info.state)
        if info.step < self.steps and cpu_clock() > self.deadline:
            self.out_of_time = True
        return self.out_of_time


def _where(optimizer: Transform, state: Any) -> dict[str, tuple[int | None, int]]:
    """Where each named slot lives in the optimizer's state: (link index or None, slot index)."""
    links = optimizer.links or (optimizer,)
    states = state if optimizer.links else (state,)
    found: dict[str, tuple[int | None, int]] = {}
    for index, (link, link_state) in enumerate(zip(links, states, strict=True)):
        if link.rule is None or not isinstance(link_state, RuleState):
            continue
        for position, name in enumerate(link.rule.slots):
            found.setdefault(name, (index if optimizer.links else None, position))
    return found


def _column(states: Sequence[Any], where: tuple[int | None, int]) -> np.ndarray:
    """One slot at every row, as a (rows, size) array."""
    link, position = where
    rows = [(state if link is None else state[link]).slots[position] for state in states]
    return np.stack(rows).reshape(len(rows), -1)


def internals(optimizer: Transform, states: Sequence[Any], rows: int) -> Internals:
    """Momentum and RMS-scale vectors at each of the first `rows` rows of a run."""
    if not states:
        return Internals(momentum=None, scale=None)
    where = _where(optimizer, states[0])
    momentum = next((name for name in MOMENTUM_SLOTS if name in where), None)
    scale = next((name for name in SCALE_SLOTS if name in where), None)
    kept = states[:rows]
    out = Internals(momentum=None, scale=None, momentum_slot=momentum, scale_slot=scale)
    if momentum is not None:
        out.momentum = _column(kept, where[momentum]).tolist()
    if scale is not None:
        column = _column(kept, where[scale])
        out.scale = (np.sqrt(column) if SCALE_SLOTS[scale] else column).tolist()
    return out


def run_one(
    problem: Problem,
    start: list[float],
    optimizer: Transform,
    steps: int,
    deadline: float,
    keep_state: bool,
) -> tuple[Any, Watcher]:
    """One minimize run with the watcher as its callback."""
    watcher = Watcher(deadline, steps, keep_state)
    result = minimize(problem, np.asarray(start, dtype=np.float64), optimizer=optimizer,
                      steps=steps, callback=watcher)  # fmt: skip
    return result, watcher


def _info(
    name: str,
    label: str,
    hyperparams: dict[str, Any],
    result: Any,
    watcher: Watcher,
    optimizer: Transform,
    budget: float,
) -> RunInfo:
    history = result.history
    message = result.message
    if watcher.out_of_time:
        message = (
            f"stopped after {result.nit} of {watcher.steps} steps: the request's budget of "
            f"{budget:g} s of CPU time ran out; ask for fewer steps or optimizers"
        )
    path = history.x.reshape(len(history), -1)
    rows = len(path)
    return RunInfo(
        name=name,
        label=label,
        hyperparams={
            k: v if isinstance(v, (bool, float, int)) else None for k, v in hyperparams.items()
        },
        status=result.status,
        diverged=result.status == "diverged",
        message=message,
        nit=result.nit,
        x=np.asarray(result.x, dtype=np.float64).reshape(-1).tolist(),
        fun=finite(result.fun),
        path=path.tolist(),
        loss=numbers(history.loss),
        grad_norm=numbers(history.grad_norm),
        learning_rate=numbers(history.learning_rate),
        internals=internals(optimizer, watcher.states, rows) if watcher.keep_state else None,
    )


RunCache = Cache[RunInfo]


def _key(request: RunRequest, start: list[float], spec: Any) -> tuple[Any, ...]:
    """What a run depends on (not its label): the same key, the same numbers."""
    schedule = None if request.schedule is None else request.schedule.model_dump_json()
    hyper = tuple(sorted(spec.hyperparams.items()))
    return (request.problem.model_dump_json(), tuple(start), request.steps, spec.name, hyper,
            schedule, request.internals)  # fmt: skip


def run(
    request: RunRequest, expressions: ExpressionCache, cache: RunCache, budget: float
) -> RunResponse:
    """Every optimizer of the request on its problem, from its start, within `budget` seconds.

    A run already made for the same problem, start, steps, optimizer and schedule comes from
    `cache`; runs cut short by the deadline are not kept.
    """
    began, deadline = time.monotonic(), cpu_clock() + budget
    problem = building.problem(request.problem, expressions)
    start = building.start_point(problem, request.start, ("body", "start"))
    built = [
        building.optimizer(
            spec, problem.name, request.schedule, request.steps, ("body", "optimizers", index)
        )
        for index, spec in enumerate(request.optimizers)
    ]
    runs = []
    for index, (spec, (optimizer, hyperparams)) in enumerate(
        zip(request.optimizers, built, strict=True)
    ):
        label = spec.label or _label(spec.name, index, request.optimizers)
        key = _key(request, start, spec)
        found = cache.get(key)
        if found is not None:
            runs.append(found.model_copy(update={"label": label}))
            continue
        try:
            result, watcher = run_one(
                problem, start, optimizer, request.steps, deadline, request.internals
            )
        except (ValueError, TypeError) as error:  # e.g. f is not finite at the start point
            raise library_error(("body", "start"), error) from None
        info = _info(spec.name, label, hyperparams, result, watcher, optimizer, budget)
        if not watcher.out_of_time:
            cache.put(key, info)
        runs.append(info)
    elapsed = (time.monotonic() - began) * 1e3
    described = building.describe(problem, tuple(catalog.OPTIMIZERS))
    return RunResponse(problem=described, runs=runs, elapsed_ms=elapsed)


def _label(name: str, index: int, specs: Sequence[Any]) -> str:
    """The optimizer's name, numbered when the request holds it more than once."""
    same = [i for i, spec in enumerate(specs) if spec.name == name]
    return name if len(same) == 1 else f"{name} #{same.index(index) + 1}"


__all__ = ["InputError", "RunCache", "Watcher", "internals", "numbers", "run", "run_one"]
