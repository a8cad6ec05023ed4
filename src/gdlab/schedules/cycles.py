"""Cycles: schedules that rise again — SGDR's cosine restarts, 1cycle and cyclical rates.

Each docstring gives the formula and its torch.optim.lr_scheduler / optax equivalent.
"""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

from gdlab.base import check_integer, check_range
from gdlab.schedules.core import Math, Schedule, check_choice, check_end_value, check_positive


@dataclass(frozen=True)
class cosine_restarts(Schedule):
    """SGDR: cosine from α₀ to α_end over T_i steps, then a restart at α₀.

    T_0 = first_period, T_{i+1} = period_mult·T_i;
    α_t = α_end + (α₀ − α_end)·(1 + cos(π·t_cur/T_i))/2, t_cur = t − (start of the current period).
    torch: CosineAnnealingWarmRestarts(T_0, T_mult=m, eta_min=α_end);  optax: sgdr_schedule.
    """

    init_value: float
    first_period: int
    _: KW_ONLY
    period_mult: int = 1
    end_value: float = 0.0

    def __post_init__(self) -> None:
        init_value = check_positive("init_value", self.init_value)
        self._set(
            init_value=init_value,
            first_period=check_integer("first_period", self.first_period, 1),
            period_mult=check_integer("period_mult", self.period_mult, 1),
            end_value=check_end_value(self.end_value, init_value),
        )

    def _value(self, t: Any, xp: Math) -> Any:
        first, mult = self.first_period, self.period_mult
        if mult == 1:
            position, period = t % first, first
        else:  # period starts 0, T0, T0 + T0·m, … in exact integers (no float log)
            starts, largest = [0], xp.largest(t)
            while starts[-1] <= largest:
                starts.append(starts[-1] + first * mult ** (len(starts) - 1))
            index = xp.bisect_right(starts, t) - 1
            position, period = t - xp.take(starts, index), first * mult**index
        angle = math.pi * position / period
        return self.end_value + (self.init_value - self.end_value) * (1.0 + xp.cos(angle)) / 2


def _anneal(kind: str, start: Any, end: Any, fraction: Any, xp: Math) -> Any:
    """From start (fraction 0) to end (fraction 1): torch OneCycleLR's _annealing_cos / _linear."""
    if kind == "cos":
        return end + (start - end) / 2.0 * (xp.cos(math.pi * fraction) + 1)
    return (end - start) * fraction + start


@dataclass(frozen=True)
class one_cycle(Schedule):
    """1cycle: anneal max/div → max over pct_start·T steps, then → max/(div·final_div).

    Phase k runs from e_{k−1} to e_k (torch's float phase ends: e₀ = 0, e₁ = pct·T − 1, last
    T − 1; three_phase adds e₂ = 2·pct·T − 2 and goes max → initial → minimum) with
    α_t = anneal(a_k, b_k, (t − e_{k−1})/(e_k − e_{k−1})), cosine or linear.  After T − 1 it
    stays at the minimum (torch raises after T steps).
    torch: OneCycleLR(max_lr, total_steps, pct_start, anneal_strategy, div_factor,
    final_div_factor, three_phase).  optax: cosine_/linear_onecycle_schedule (phases
    end a step later).
    """

    max_value: float
    total_steps: int
    _: KW_ONLY
    pct_start: float = 0.3
    anneal: str = "cos"
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    _phases: tuple[tuple[float, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._set(
            max_value=check_positive("max_value", self.max_value),
            total_steps=check_integer("total_steps", self.total_steps, 2),
            pct_start=check_range("pct_start", self.pct_start, 0.0, 1.0, low_open=True),
            anneal=check_choice("anneal", self.anneal, ("cos", "linear")),
            div_factor=check_range("div_factor", self.div_factor, 1.0),
            final_div_factor=check_range("final_div_factor", self.final_div_factor, 1.0),
            three_phase=bool(self.three_phase),
        )
        self._set(_phases=self._make_phases())

    def _make_phases(self) -> tuple[tuple[float, ...], ...]:
        """(starts, ends, start values, end values) of the phases, as torch computes them."""
        peak, total, pct = self.max_value, self.total_steps, self.pct_start
        initial = peak / self.div_factor
        values: tuple[float, ...] = (initial, peak, initial / self.final_div_factor)
        ends: tuple[float, ...] = (float(pct * total) - 1, total - 1.0)
        if self.three_phase:
            values = (initial, peak, initial, values[-1])
            ends = (ends[0], float(2 * pct * total) - 2, total - 1.0)
        starts = (0.0, *ends[:-1])
        if any(end <= start for start, end in zip(starts, ends, strict=True)):
            upper = "(total_steps + 1)/(2·total_steps)" if self.three_phase else "1"
            raise ValueError(
                f"pct_start must be in (1/total_steps, {upper}) so that every phase has steps, "
                f"got pct_start={pct} with total_steps={total}"
            )
        return starts, ends, values[:-1], values[1:]

    def _value(self, t: Any, xp: Math) -> Any:
        starts, ends, highs, lows = self._phases
        step = xp.minimum(t, self.total_steps - 1)
        phase = xp.bisect_left(ends[:-1], step)
        start, end = xp.take(starts, phase), xp.take(ends, phase)
        fraction = (step - start) / (end - start)
        return _anneal(self.anneal, xp.take(highs, phase), xp.take(lows, phase), fraction, xp)


@dataclass(frozen=True)
class cyclic(Schedule):
    """Cyclical learning rate: triangles between base_value and max_value (Smith 2017).

    cycle = ⌊1 + t/(up + down)⌋, x = 1 + t/(up + down) − cycle,
    h = x/r if x ≤ r else (x − 1)/(r − 1)  (r = up/(up + down)),
    α_t = base + (max − base)·h·scale,  scale = 1 (triangular), 1/2^(cycle−1) (triangular2)
    or γ^t (exp_range).
    torch: CyclicLR(base_lr, max_lr, step_size_up, step_size_down, mode, gamma).
    """

    base_value: float
    max_value: float
    step_size_up: int
    _: KW_ONLY
    step_size_down: int | None = None
    mode: str = "triangular"
    gamma: float = 1.0

    def __post_init__(self) -> None:
        base = check_positive("base_value", self.base_value)
        up = check_integer("step_size_up", self.step_size_up, 1)
        down = up if self.step_size_down is None else self.step_size_down
        mode = check_choice("mode", self.mode, ("triangular", "triangular2", "exp_range"))
        gamma = check_range("gamma", self.gamma, 0.0, 1.0, low_open=True, high_open=False)
        if mode != "exp_range" and gamma != 1.0:
            raise ValueError(
                f"gamma is used only with mode='exp_range', got gamma={gamma} with {mode=}"
            )
        self._set(
            base_value=base,
            max_value=check_range("max_value", self.max_value, base, low_open=True),
            step_size_up=up,
            step_size_down=check_integer("step_size_down", down, 1),
            mode=mode,
            gamma=gamma,
        )

    def _value(self, t: Any, xp: Math) -> Any:
        up, down = self.step_size_up, self.step_size_down
        total = float(up) + float(up if down is None else down)  # down is set by __post_init__
        ratio = up / total
        cycle = xp.floor(1 + t / total)
        x = 1.0 + t / total - cycle
        height = (self.max_value - self.base_value) * xp.where(
            x <= ratio, x / ratio, (x - 1) / (ratio - 1)
        )
        if self.mode == "triangular":
            return self.base_value + height * 1.0
        if self.mode == "triangular2":
            return self.base_value + height * (1 / xp.power(2.0, cycle - 1))
        return self.base_value + height * xp.power(self.gamma, t)
