"""The learning-rate range test (layer L4): grow the learning rate exponentially along one run,
smooth the loss with the library's bias-corrected EWA, stop when it blows up, suggest rates.

    α_t = α_min·(α_max/α_min)^(t/(T−1)),   t = 0 … T−1
    L̂_t = EWA_β(L_0 … L_t) / (1 − β^(t+1))          (gd.ewa, bias-corrected)
    stop once L̂_t > blowup·min(L̂_0 … L̂_t)  (or the run diverges)

L is f − f* when the problem's minimum f* is known.  When L can be ≤ 0 (f* unknown), the stop
is L̂_t − min L̂ > blowup·|L̂_0 − min L̂| instead.  Suggestions, read off L̂ against log α:
steepest — where log L̂ falls fastest (L̂ itself when L̂ ≤ 0 somewhere); valley — 2/3 of the
way along the longest decreasing stretch (fastai's "valley"); minimum/10 — a tenth of the rate
at min L̂.

>>> import gdlab as gd
>>> found = lr_find(gd.problems.get("quadratic"), gd.sgd, steps=60)
>>> found.stopped_early, 0.01 < found.suggestions["steepest"] < 1.0
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gdlab.averages import ewa
from gdlab.base import Transform, check_integer, check_range
from gdlab.loop import StepInfo, minimize
from gdlab.problems import Problem


@dataclass(frozen=True)
class ExponentialRange:
    """α_t = low·(high/low)^(t/(steps−1)): the range test's schedule, then held at high."""

    low: float
    high: float
    steps: int

    def __call__(self, count: Any) -> Any:
        fraction = np.minimum(np.asarray(count, dtype=np.float64) / (self.steps - 1), 1.0)
        value = self.low * (self.high / self.low) ** fraction
        return float(value) if np.ndim(value) == 0 else value


@dataclass(frozen=True)
class LRFind:
    """The raw and smoothed losses at each learning rate tried, and the suggestions."""

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestions: dict[str, float]
    stopped_early: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "learning_rates": self.learning_rates.tolist(),
            "losses": self.losses.tolist(),
            "smoothed": self.smoothed.tolist(),
            "suggestions": self.suggestions,
            "stopped_early": self.stopped_early,
            "message": self.message,
        }


def lr_find(
    problem: Problem,
    optimizer: Callable[..., Transform],
    *,
    start: Any = None,
    low: float = 1e-6,
    high: float = 10.0,
    steps: int = 100,
    beta: float = 0.7,
    blowup: float = 4.0,
) -> LRFind:
    """Run the range test with `optimizer(learning_rate)` (e.g. `gd.adam` or a spec builder)."""
    low = check_range("low", low, 0.0, low_open=True)
    high = check_range("high", high, low, low_open=True)
    steps = check_integer("steps", steps, 3)
    blowup = check_range("blowup", blowup, 1.0, low_open=True)
    schedule = ExponentialRange(low, high, steps)
    average = ewa(beta)
    raw: list[float] = []
    smoothed: list[float] = []
    offset = problem.minimum if math.isfinite(problem.minimum) else 0.0

    def watch(info: StepInfo) -> bool:
        raw.append(info.loss)
        smoothed.append(float(average.update(info.loss - offset)))
        return blew_up(smoothed, blowup)

    x0 = np.asarray(problem.start if start is None else start, dtype=np.float64)
    result = minimize(problem, x0, optimizer=optimizer(schedule), steps=steps - 1, callback=watch)
    count = len(smoothed)
    rates = schedule(np.arange(count))
    losses, curve = np.array(raw), np.array(smoothed) + offset
    stopped = result.status in ("stopped", "diverged")
    message = (
        f"the smoothed loss blew up at learning rate {rates[-1]:.3g}"
        if result.status == "stopped"
        else result.message
    )
    return LRFind(rates, losses, curve, suggest(rates, curve - offset), stopped, message)


def blew_up(smoothed: list[float], blowup: float) -> bool:
    """L̂_t > blowup·min L̂ (positive curves), else L̂_t − min L̂ > blowup·|L̂_0 − min L̂|."""
    lowest, last = min(smoothed), smoothed[-1]
    if lowest > 0:
        return last > blowup * lowest
    return last - lowest > blowup * abs(smoothed[0] - lowest) > 0


def suggest(rates: np.ndarray, curve: np.ndarray) -> dict[str, float]:
    """steepest, valley and minimum/10 on a smoothed curve (log α on x); {} below 3 points."""
    if len(rates) < 3:
        return {}
    scaled = np.log(curve) if (curve > 0).all() else curve
    slopes = np.diff(scaled) / np.diff(np.log(rates))
    return {
        "steepest": float(rates[int(np.argmin(slopes))]),
        "valley": float(rates[_valley(curve)]),
        "minimum/10": float(rates[int(np.argmin(curve))] / 10),
    }


def _valley(curve: np.ndarray) -> int:
    """Index 2/3 of the way along the longest strictly decreasing subsequence (fastai's valley)."""
    n = len(curve)
    lengths = [1] * n
    best_end = 0
    for i in range(1, n):
        for j in range(i):
            if curve[i] < curve[j] and lengths[i] < lengths[j] + 1:
                lengths[i] = lengths[j] + 1
        if lengths[i] > lengths[best_end]:
            best_end = i
    best_start = best_end - lengths[best_end]
    sections = (best_end - best_start) / 3
    return max(0, best_start + int(sections) + int(sections / 2))
