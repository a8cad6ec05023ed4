"""Composition: schedules built from schedules — a warm-up before one, several in sequence,
one stepped per epoch.  Inner schedules may be gdlab schedules, floats or any callable of t.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any

import numpy as np

from gdlab.base import check_integer, check_range
from gdlab.schedules.core import SCALAR, Math, Schedule, as_schedule, check_integers, evaluate


@dataclass(frozen=True)
class warmup(Schedule):
    """Linear warm-up, then the schedule shifted to start when the warm-up ends.

    α_t = s(0)·(f + (1 − f)·t/W) for t < W,   α_t = s(t − W) for t ≥ W   (f = start_factor).
    torch: SequentialLR([LinearLR(start_factor=f, total_iters=W), S], milestones=[W]).
    optax: join_schedules([linear_schedule(f·α₀, α₀, W), S], [W]).
    """

    schedule: Callable[[Any], Any]
    warmup_steps: int
    _: KW_ONLY
    start_factor: float = 1.0 / 3.0

    def __post_init__(self) -> None:
        self._set(
            schedule=as_schedule(self.schedule),
            warmup_steps=check_integer("warmup_steps", self.warmup_steps, 1),
            start_factor=check_range("start_factor", self.start_factor, 0.0, 1.0, high_open=False),
        )

    def _value(self, t: Any, xp: Math) -> Any:
        steps, factor = self.warmup_steps, self.start_factor
        ramp = float(self.schedule(0)) * (factor + (1.0 - factor) * t / steps)
        after = evaluate(self.schedule, xp.maximum(t - steps, 0), xp)
        return xp.where(t < steps, ramp, after)


@dataclass(frozen=True)
class join(Schedule):
    """Schedule k runs from boundaries[k−1] on, with its count restarted at 0 there.

    α_t = s_k(t − b_k),  k = #{boundaries ≤ t},  b_0 = 0.
    torch: SequentialLR(schedulers, milestones=boundaries);  optax: join_schedules.
    """

    schedules: tuple[Callable[[Any], Any], ...]
    boundaries: tuple[int, ...]

    def __post_init__(self) -> None:
        if isinstance(self.schedules, (str, bytes)) or not hasattr(self.schedules, "__iter__"):
            raise TypeError(f"schedules must be a sequence, got {type(self.schedules).__name__}")
        schedules = tuple(as_schedule(s) for s in self.schedules)
        boundaries = check_integers("boundaries", self.boundaries, 1)
        if not schedules:
            raise ValueError("schedules must hold at least one schedule, got none")
        if len(boundaries) != len(schedules) - 1:
            raise ValueError(
                f"boundaries must hold len(schedules) - 1 = {len(schedules) - 1} counts, "
                f"got {len(boundaries)}"
            )
        self._set(schedules=schedules, boundaries=boundaries)

    def _value(self, t: Any, xp: Math) -> Any:
        starts = (0, *self.boundaries)
        index = xp.bisect_right(self.boundaries, t)
        if xp is SCALAR:
            return evaluate(self.schedules[index], t - starts[index], xp)
        values = np.empty(t.shape, dtype=np.float64)
        for k, schedule in enumerate(self.schedules):
            mask = index == k
            if mask.any():
                values[mask] = evaluate(schedule, t[mask] - starts[k], xp)
        return values


@dataclass(frozen=True)
class per_epoch(Schedule):
    """The schedule stepped once per epoch: α_t = s(⌊t / steps_per_epoch⌋).

    torch: calling scheduler.step() once per epoch instead of once per batch.
    """

    schedule: Callable[[Any], Any]
    steps_per_epoch: int

    def __post_init__(self) -> None:
        self._set(
            schedule=as_schedule(self.schedule),
            steps_per_epoch=check_integer("steps_per_epoch", self.steps_per_epoch, 1),
        )

    def _value(self, t: Any, xp: Math) -> Any:
        return evaluate(self.schedule, t // self.steps_per_epoch, xp)
