"""Decays: α_t falls from init_value as the update count t grows (seed 001 §8).

Exponential, inverse-time, inverse-square-root, step, multistep, polynomial and cosine decay;
each docstring gives the formula and its torch.optim.lr_scheduler / optax equivalent.
"""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass
from typing import Any

from gdlab.base import check_integer, check_range
from gdlab.schedules.core import (
    Math,
    Schedule,
    check_end_value,
    check_integers,
    check_positive,
)


@dataclass(frozen=True)
class exponential_decay(Schedule):
    """α_t = α₀·γ^(t/steps)  (staircase: γ^⌊t/steps⌋), floored at end_value — seed 001 §8.

    torch: ExponentialLR(gamma=γ) is transition_steps=1; staircase=True ≡ StepLR(steps, γ).
    optax: exponential_decay(init_value, transition_steps, decay_rate, staircase=, end_value=).
    """

    init_value: float
    decay_rate: float
    _: KW_ONLY
    transition_steps: int = 1
    staircase: bool = False
    end_value: float | None = None

    def __post_init__(self) -> None:
        init_value = check_positive("init_value", self.init_value)
        end = None if self.end_value is None else check_end_value(self.end_value, init_value)
        self._set(
            init_value=init_value,
            decay_rate=check_range(
                "decay_rate", self.decay_rate, 0.0, 1.0, low_open=True, high_open=False
            ),
            transition_steps=check_integer("transition_steps", self.transition_steps, 1),
            staircase=bool(self.staircase),
            end_value=end,
        )

    def _value(self, t: Any, xp: Math) -> Any:
        steps = self.transition_steps
        progress = t // steps if self.staircase else t / steps
        value = self.init_value * xp.power(self.decay_rate, progress)
        return value if self.end_value is None else xp.maximum(value, self.end_value)


@dataclass(frozen=True)
class inverse_time_decay(Schedule):
    """α_t = α₀ / (1 + k·t/steps)  (staircase: ⌊t/steps⌋) — seed 001 §8 "1/(1+kt)".

    torch: Adagrad(lr=α₀, lr_decay=k) uses exactly this factor; otherwise LambdaLR.
    optax: none (keras: InverseTimeDecay(α₀, steps, k, staircase)).
    """

    init_value: float
    decay_rate: float
    _: KW_ONLY
    transition_steps: int = 1
    staircase: bool = False

    def __post_init__(self) -> None:
        self._set(
            init_value=check_positive("init_value", self.init_value),
            decay_rate=check_range("decay_rate", self.decay_rate, 0.0),
            transition_steps=check_integer("transition_steps", self.transition_steps, 1),
            staircase=bool(self.staircase),
        )

    def _value(self, t: Any, xp: Math) -> Any:
        steps = self.transition_steps
        progress = t // steps if self.staircase else t / steps
        return self.init_value / (1.0 + self.decay_rate * progress)


@dataclass(frozen=True)
class inverse_sqrt_decay(Schedule):
    """α_t = α₀ / √(1 + t/timescale) — the seeds' "k/√t" made finite at t = 0.

    With timescale = 1 this is k/√n for the n-th update (n = t + 1, k = α₀).
    torch: LambdaLR(lambda t: 1/sqrt(1 + t/timescale));  optax: no single schedule.
    """

    init_value: float
    _: KW_ONLY
    timescale: float = 1.0

    def __post_init__(self) -> None:
        self._set(
            init_value=check_positive("init_value", self.init_value),
            timescale=check_positive("timescale", self.timescale),
        )

    def _value(self, t: Any, xp: Math) -> Any:
        return self.init_value / xp.sqrt(1.0 + t / self.timescale)


@dataclass(frozen=True)
class step_decay(Schedule):
    """α_t = α₀·γ^⌊t/step_size⌋.

    torch: StepLR(step_size, gamma);  optax: exponential_decay(α₀, step_size, γ, staircase=True).
    """

    init_value: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        self._set(
            init_value=check_positive("init_value", self.init_value),
            step_size=check_integer("step_size", self.step_size, 1),
            gamma=check_range("gamma", self.gamma, 0.0, 1.0, low_open=True, high_open=False),
        )

    def _value(self, t: Any, xp: Math) -> Any:
        return self.init_value * xp.power(self.gamma, t // self.step_size)


@dataclass(frozen=True)
class multistep(Schedule):
    """α_t = α₀·γ^(number of milestones ≤ t).

    torch: MultiStepLR(milestones, gamma);  optax: piecewise_constant_schedule(α₀, {m: γ}).
    """

    init_value: float
    milestones: tuple[int, ...]
    gamma: float = 0.1

    def __post_init__(self) -> None:
        self._set(
            init_value=check_positive("init_value", self.init_value),
            milestones=check_integers("milestones", self.milestones, 1),
            gamma=check_range("gamma", self.gamma, 0.0, 1.0, low_open=True, high_open=False),
        )

    def _value(self, t: Any, xp: Math) -> Any:
        return self.init_value * xp.power(self.gamma, xp.bisect_right(self.milestones, t))


@dataclass(frozen=True)
class polynomial(Schedule):
    """α_t = (α₀ − α_end)·(1 − min(t, T)/T)^power + α_end.

    torch: PolynomialLR(total_iters=T, power) when end_value = 0;
    optax: polynomial_schedule(α₀, α_end, power, transition_steps=T).
    """

    init_value: float
    total_steps: int
    power: float = 1.0
    end_value: float = 0.0

    def __post_init__(self) -> None:
        init_value = check_positive("init_value", self.init_value)
        self._set(
            init_value=init_value,
            total_steps=check_integer("total_steps", self.total_steps, 1),
            power=check_positive("power", self.power),
            end_value=check_end_value(self.end_value, init_value),
        )

    def _value(self, t: Any, xp: Math) -> Any:
        total = self.total_steps
        remaining = 1.0 - xp.minimum(t, total) / total
        return (self.init_value - self.end_value) * xp.power(remaining, self.power) + self.end_value


@dataclass(frozen=True)
class cosine(Schedule):
    """α_t = α_end + (α₀ − α_end)·(1 + cos(π·min(t, T)/T))/2, then α_end after T.

    torch: CosineAnnealingLR(T_max=T, eta_min=α_end) closed form for t ≤ T (torch keeps going
    round the cosine after T_max; this schedule stays at α_end).
    optax: cosine_decay_schedule(α₀, decay_steps=T, alpha=α_end/α₀).
    """

    init_value: float
    total_steps: int
    end_value: float = 0.0

    def __post_init__(self) -> None:
        init_value = check_positive("init_value", self.init_value)
        self._set(
            init_value=init_value,
            total_steps=check_integer("total_steps", self.total_steps, 1),
            end_value=check_end_value(self.end_value, init_value),
        )

    def _value(self, t: Any, xp: Math) -> Any:
        angle = math.pi * xp.minimum(t, self.total_steps) / self.total_steps
        return self.end_value + (self.init_value - self.end_value) * (1.0 + xp.cos(angle)) / 2
