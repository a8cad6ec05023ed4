"""Learning-rate sweeps (layer L4): a log grid of learning rates × optimizers × start seeds, each
optimizer's grid run as ONE vectorised pass — K runs stacked in a (K, n) array, each row with its
own hyper-parameters — equal, number for number, to K separate `minimize` runs.

    x_{k+1}[r] = x_k[r] + update_r(∇f(x_k[r]))        for every row r at once

Seeds vary the start: seed 0 is the problem's start, seed s > 0 adds N(0, (spread·w)²) to each
coordinate (w the width of the problem's plot window), drawn from one Generator made from
`seed`.  A row that diverges is frozen at its last finite point with status "diverged", exactly
as `minimize` would stop it.

>>> import gdlab as gd
>>> result = sweep(gd.problems.get("quadratic"), ["sgd", "adam"], [0.01, 0.1, 1.0], steps=100)
>>> result.best()["sgd"], result.status[0, :, 0].tolist()
(0.1, ['max_steps', 'max_steps', 'diverged'])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gdlab import specs
from gdlab.base import check_integer, check_range
from gdlab.problems import Problem
from gdlab.stacked import StackedResult, minimize_stacked

Progress = Callable[[str], Any]


def log_grid(text: str) -> np.ndarray:
    """Learning rates from "low:high:count" (log-spaced, both ends included) or "a,b,c".

    >>> log_grid("1e-3:1e-1:3").tolist(), log_grid("0.1,0.5").tolist()
    ([0.001, 0.01, 0.1], [0.1, 0.5])
    """
    parts = text.split(":")
    try:
        if len(parts) == 3:
            low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
            if not (0 < low < high and math.isfinite(high)) or count < 2:
                raise ValueError
            return np.geomspace(low, high, count)
        values = np.array([float(part) for part in text.split(",")])
    except ValueError:
        raise ValueError(
            f"learning rates must be 'low:high:count' (0 < low < high, count >= 2) or "
            f"'a,b,c', got {text!r}"
        ) from None
    if len(parts) != 1 or not (np.isfinite(values).all() and (values > 0).all()):
        raise ValueError(f"learning rates must be finite and > 0, got {text!r}")
    return values


def starts(problem: Problem, seeds: int, *, seed: int = 0, spread: float = 0.05) -> np.ndarray:
    """(seeds, n) start points: the problem's start, then seeded jitter around it."""
    seeds = check_integer("seeds", seeds, 1)
    spread = check_range("spread", spread, 0.0)
    rng = np.random.default_rng(seed)
    width = np.array([high - low for low, high in problem.window])
    jitter = rng.normal(0.0, 1.0, size=(seeds, problem.dim)) * spread * width
    jitter[0] = 0.0
    return np.asarray(problem.start, dtype=np.float64) + jitter


@dataclass(frozen=True)
class Sweep:
    """Final losses of optimizers × learning rates × seeds; arrays indexed [optimizer, lr, seed]."""

    problem: Problem
    optimizers: tuple[str, ...]
    learning_rates: np.ndarray
    starts: np.ndarray
    steps: int
    x: np.ndarray  # final points, (optimizers, lrs, seeds, n)
    final_loss: np.ndarray
    nit: np.ndarray
    status: np.ndarray
    losses: tuple[np.ndarray, ...]  # per optimizer: (steps + 1, lr·seeds) loss histories

    def summary(self, statistic: str = "median") -> np.ndarray:
        """(optimizers, lrs): the median or the worst ("max") final loss over the seeds, a
        diverged run counting as +inf."""
        finals = np.where(self.status == "diverged", np.inf, self.final_loss)
        if statistic not in ("median", "max"):
            raise ValueError(f"statistic must be 'median' or 'max', got {statistic!r}")
        return np.median(finals, axis=2) if statistic == "median" else finals.max(axis=2)

    def best(self, statistic: str = "median") -> dict[str, float | None]:
        """Per optimizer, the smallest learning rate with the lowest `summary(statistic)`
        (None when every rate diverged)."""
        best: dict[str, float | None] = {}
        for name, row in zip(self.optimizers, self.summary(statistic), strict=True):
            best[name] = (
                None
                if not np.isfinite(row).any()
                else float(self.learning_rates[int(np.argmin(row))])
            )
        return best

    def rows(self) -> list[dict[str, Any]]:
        """Tidy rows: optimizer, learning_rate, seed, final_loss, nit, status."""
        return [
            {
                "optimizer": name,
                "learning_rate": float(rate),
                "seed": seed,
                "final_loss": float(self.final_loss[i, j, seed]),
                "nit": int(self.nit[i, j, seed]),
                "status": str(self.status[i, j, seed]),
            }
            for i, name in enumerate(self.optimizers)
            for j, rate in enumerate(self.learning_rates)
            for seed in range(len(self.starts))
        ]

    def to_csv(self) -> str:
        lines = ["optimizer,learning_rate,seed,final_loss,nit,status"]
        for row in self.rows():
            lines.append(
                ",".join(repr(v) if isinstance(v, float) else str(v) for v in row.values())
            )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        finite = [
            {k: (v if not isinstance(v, float) or math.isfinite(v) else None) for k, v in r.items()}
            for r in self.rows()
        ]
        return {
            "problem": self.problem.name,
            "steps": self.steps,
            "learning_rates": self.learning_rates.tolist(),
            "starts": self.starts.tolist(),
            "best": self.best(),
            "runs": finite,
        }


def sweep(
    problem: Problem,
    optimizers: Sequence[str],
    learning_rates: Sequence[float] | np.ndarray,
    *,
    steps: int = 1000,
    seeds: int = 1,
    seed: int = 0,
    progress: Progress | None = None,
) -> Sweep:
    """Run every optimizer spec at every learning rate from every start, one pass per spec."""
    steps = check_integer("steps", steps, 1)
    rates = np.asarray(learning_rates, dtype=np.float64)
    if rates.ndim != 1 or rates.size == 0:
        raise ValueError(f"learning_rates must be a non-empty list, got shape {rates.shape}")
    if not optimizers:
        raise ValueError("sweep needs at least one optimizer, got none")
    x0 = starts(problem, seeds, seed=seed)
    names, passes = [], []
    for text in optimizers:
        transforms = [specs.optimizer(text, learning_rate=float(rate)) for rate in rates]
        rows = [transform for transform in transforms for _ in range(len(x0))]
        x = np.tile(x0, (len(rates), 1))
        passes.append(minimize_stacked(problem, x, rows, steps=steps, record_path=False))
        names.append(text)
        if progress is not None:
            progress(text)
    return _collect(problem, tuple(names), rates, x0, steps, passes)


def _collect(
    problem: Problem,
    names: tuple[str, ...],
    rates: np.ndarray,
    x0: np.ndarray,
    steps: int,
    passes: list[StackedResult],
) -> Sweep:
    shape = (len(names), len(rates), len(x0))
    return Sweep(
        problem,
        names,
        rates,
        x0,
        steps,
        np.array([runs.x for runs in passes]).reshape(*shape, -1),
        np.array([runs.fun for runs in passes]).reshape(shape),
        np.array([runs.nit for runs in passes]).reshape(shape),
        np.array([runs.status for runs in passes]).reshape(shape),
        tuple(runs.losses for runs in passes),
    )


def tune(
    problem: Problem,
    optimizers: Sequence[str],
    grid: Sequence[float],
    *,
    steps: int = 1000,
    seeds: int = 5,
) -> dict[str, float | None]:
    """Per optimizer, the rate on `grid` whose worst f(x) after `steps` updates, over `seeds`
    starts (the problem's start and seeded jitter around it), is lowest — a rate that does well
    and does not diverge near the start.  This is how `catalog.SUGGESTED_LEARNING_RATES` is made."""
    return sweep(problem, optimizers, grid, steps=steps, seeds=seeds).best("max")
