"""Learning-rate schedules: α_t as a pure function of the update count t (layer L1).

t = 0 is the *first* update, so α_0 is the learning rate of the first step — the value torch's
`scheduler.get_last_lr()` holds after t calls to `scheduler.step()`.  Every schedule is a small
frozen dataclass whose class name is its public name (its repr is the call that rebuilds it):

    schedule(7)               -> float                  (one update: the hot path, pure Python)
    schedule(np.arange(100))  -> float64 array          (plots, vectorised runs)

Both paths run the *same* formula, written once with arithmetic and a few functions taken from
a namespace (`_SCALAR` = math/bisect, `_ARRAY` = NumPy); they agree to within one ulp
(NumPy's vectorised pow and C's pow may round differently).  The formulas follow the operation
order of torch.optim.lr_scheduler's closed forms (2.13), so parity with torch is to rounding.

`reduce_on_plateau` is the one stateful exception: it reads a metric (`step(metric)`).
See docs/schedules.md for the table of formulas and torch/optax equivalents.

>>> from gdlab import schedules
>>> lr = schedules.warmup(schedules.cosine(0.1, total_steps=90), warmup_steps=10)
>>> lr(0), lr(5), lr(10), lr(55), lr(100)
(0.03333333333333333, 0.06666666666666668, 0.1, 0.05, 0.0)
>>> lr(np.arange(0, 101, 25)).round(4).tolist()
[0.0333, 0.0933, 0.0587, 0.0179, 0.0]
>>> schedules.describe(lr)["schedule"]
{'name': 'cosine', 'init_value': 0.1, 'total_steps': 90, 'end_value': 0.0}
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field, fields
from typing import Any, cast, overload

import numpy as np
from numpy.typing import NDArray

from gdlab.base import check_range

_Floats = NDArray[np.float64]

# ---------------------------------------------------------------- one formula, two executions


@dataclass(frozen=True)
class _Math:
    """The few functions a schedule formula may call besides arithmetic (a namespace, no state)."""

    cos: Callable[..., Any]
    sqrt: Callable[..., Any]
    floor: Callable[..., Any]
    minimum: Callable[..., Any]
    maximum: Callable[..., Any]
    power: Callable[..., Any]
    where: Callable[..., Any]
    bisect_right: Callable[..., Any]
    bisect_left: Callable[..., Any]
    take: Callable[..., Any]
    largest: Callable[..., Any]


# Python scalars: the per-update hot path (the arithmetic of torch's closed forms, in Python).
_SCALAR = _Math(
    cos=math.cos,
    sqrt=math.sqrt,
    floor=math.floor,
    minimum=min,
    maximum=max,
    power=math.pow,
    where=lambda condition, if_true, if_false: if_true if condition else if_false,
    bisect_right=bisect.bisect_right,
    bisect_left=bisect.bisect_left,
    take=lambda sequence, index: sequence[index],
    largest=lambda t: t,
)
# NumPy arrays: the same formulas over many counts at once.
_ARRAY = _Math(
    cos=np.cos,
    sqrt=np.sqrt,
    floor=np.floor,
    minimum=np.minimum,
    maximum=np.maximum,
    power=np.power,
    where=np.where,
    bisect_right=lambda sequence, t: np.searchsorted(sequence, t, side="right"),
    bisect_left=lambda sequence, t: np.searchsorted(sequence, t, side="left"),
    take=lambda sequence, index: np.asarray(sequence)[index],
    largest=lambda t: int(t.max()),
)


def _counts(count: Any) -> NDArray[np.int64]:
    """Update counts as an int64 array, or TypeError/ValueError naming `count`."""
    t = np.asarray(count)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"count must be an integer or an array of integers, got {t.dtype} {count!r}"
        )
    if t.size and t.min() < 0:
        raise ValueError(f"count must be >= 0, got {t.min()}")
    return t.astype(np.int64)


def _integer(name: str, value: Any, minimum: int) -> int:
    """An integer ≥ minimum, or TypeError/ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def _integers(name: str, values: Any, minimum: int) -> tuple[int, ...]:
    """A strictly increasing tuple of integers ≥ minimum (milestones, boundaries)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of integers, got {type(values).__name__}")
    items = tuple(_integer(name, value, minimum) for value in values)
    if any(b <= a for a, b in itertools.pairwise(items)):
        raise ValueError(f"{name} must be strictly increasing, got {list(items)}")
    return items


def _choice(name: str, value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return str(value)


def _evaluate(schedule: Callable[[Any], Any], t: Any, xp: _Math) -> Any:
    """An inner schedule at counts t: one call on the scalar path, vectorised on the array path."""
    if xp is _SCALAR:
        return float(schedule(int(t)))
    if isinstance(schedule, Schedule):
        return schedule(t)
    return np.array([float(schedule(int(c))) for c in t], dtype=np.float64)


# ---------------------------------------------------------------- the contract


class Schedule:
    """Base of every schedule: `schedule(count)`, count = 0 for the first update.

    An int gives a float; an integer array gives a float64 array of the same shape.
    Subclasses write `_value(t, xp)` once, with arithmetic and `xp` functions only.
    """

    @overload
    def __call__(self, count: int | np.integer) -> float: ...
    @overload
    def __call__(self, count: NDArray[Any]) -> _Floats: ...
    def __call__(self, count: Any) -> float | _Floats:
        if isinstance(count, (int, np.integer)) and not isinstance(count, bool):
            if count < 0:
                raise ValueError(f"count must be >= 0, got {count}")
            return float(self._value(int(count), _SCALAR))
        t = _counts(count)
        flat = t.reshape(-1)
        values = np.asarray(self._value(flat, _ARRAY), dtype=np.float64) if flat.size else flat
        values = np.broadcast_to(values, flat.shape).astype(np.float64).reshape(t.shape)
        return float(values) if t.ndim == 0 else values

    def _value(self, t: Any, xp: _Math) -> Any:
        raise NotImplementedError

    def _set(self, **values: Any) -> None:
        """Store validated (normalised) arguments on a frozen dataclass."""
        for name, value in values.items():
            object.__setattr__(self, name, value)


def _positive(name: str, value: Any) -> float:
    return check_range(name, value, 0.0, low_open=True)


def _end_value(value: Any, init_value: float) -> float:
    return check_range("end_value", value, 0.0, init_value, high_open=False)


@dataclass(frozen=True)
class constant(Schedule):
    """α_t = value.   torch: no scheduler;  optax: constant_schedule(value)."""

    value: float

    def __post_init__(self) -> None:
        self._set(value=_positive("value", self.value))

    def _value(self, t: Any, xp: _Math) -> Any:
        return self.value


def as_schedule(learning_rate: Any) -> Callable[[Any], Any]:
    """A float → constant(learning_rate); a schedule (any callable of the count) → itself.

    The learning rate must be finite and > 0; anything else raises TypeError.
    """
    if isinstance(learning_rate, Schedule):
        return learning_rate
    if isinstance(learning_rate, (int, float, np.integer, np.floating)) and not isinstance(
        learning_rate, bool
    ):
        return constant(_positive("learning_rate", learning_rate))
    if callable(learning_rate) and not isinstance(learning_rate, (bool, type)):
        return learning_rate
    kind = type(learning_rate).__name__
    raise TypeError(f"learning_rate must be a number or a schedule, got {kind} {learning_rate!r}")


# ---------------------------------------------------------------- decays


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
        init_value = _positive("init_value", self.init_value)
        end = None if self.end_value is None else _end_value(self.end_value, init_value)
        self._set(
            init_value=init_value,
            decay_rate=check_range(
                "decay_rate", self.decay_rate, 0.0, 1.0, low_open=True, high_open=False
            ),
            transition_steps=_integer("transition_steps", self.transition_steps, 1),
            staircase=bool(self.staircase),
            end_value=end,
        )

    def _value(self, t: Any, xp: _Math) -> Any:
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
            init_value=_positive("init_value", self.init_value),
            decay_rate=check_range("decay_rate", self.decay_rate, 0.0),
            transition_steps=_integer("transition_steps", self.transition_steps, 1),
            staircase=bool(self.staircase),
        )

    def _value(self, t: Any, xp: _Math) -> Any:
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
            init_value=_positive("init_value", self.init_value),
            timescale=_positive("timescale", self.timescale),
        )

    def _value(self, t: Any, xp: _Math) -> Any:
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
            init_value=_positive("init_value", self.init_value),
            step_size=_integer("step_size", self.step_size, 1),
            gamma=check_range("gamma", self.gamma, 0.0, 1.0, low_open=True, high_open=False),
        )

    def _value(self, t: Any, xp: _Math) -> Any:
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
            init_value=_positive("init_value", self.init_value),
            milestones=_integers("milestones", self.milestones, 1),
            gamma=check_range("gamma", self.gamma, 0.0, 1.0, low_open=True, high_open=False),
        )

    def _value(self, t: Any, xp: _Math) -> Any:
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
        init_value = _positive("init_value", self.init_value)
        self._set(
            init_value=init_value,
            total_steps=_integer("total_steps", self.total_steps, 1),
            power=_positive("power", self.power),
            end_value=_end_value(self.end_value, init_value),
        )

    def _value(self, t: Any, xp: _Math) -> Any:
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
        init_value = _positive("init_value", self.init_value)
        self._set(
            init_value=init_value,
            total_steps=_integer("total_steps", self.total_steps, 1),
            end_value=_end_value(self.end_value, init_value),
        )

    def _value(self, t: Any, xp: _Math) -> Any:
        angle = math.pi * xp.minimum(t, self.total_steps) / self.total_steps
        return self.end_value + (self.init_value - self.end_value) * (1.0 + xp.cos(angle)) / 2


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
        init_value = _positive("init_value", self.init_value)
        self._set(
            init_value=init_value,
            first_period=_integer("first_period", self.first_period, 1),
            period_mult=_integer("period_mult", self.period_mult, 1),
            end_value=_end_value(self.end_value, init_value),
        )

    def _value(self, t: Any, xp: _Math) -> Any:
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


# ---------------------------------------------------------------- composition


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
            warmup_steps=_integer("warmup_steps", self.warmup_steps, 1),
            start_factor=check_range("start_factor", self.start_factor, 0.0, 1.0, high_open=False),
        )

    def _value(self, t: Any, xp: _Math) -> Any:
        steps, factor = self.warmup_steps, self.start_factor
        ramp = float(self.schedule(0)) * (factor + (1.0 - factor) * t / steps)
        after = _evaluate(self.schedule, xp.maximum(t - steps, 0), xp)
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
        boundaries = _integers("boundaries", self.boundaries, 1)
        if not schedules:
            raise ValueError("schedules must hold at least one schedule, got none")
        if len(boundaries) != len(schedules) - 1:
            raise ValueError(
                f"boundaries must hold len(schedules) - 1 = {len(schedules) - 1} counts, "
                f"got {len(boundaries)}"
            )
        self._set(schedules=schedules, boundaries=boundaries)

    def _value(self, t: Any, xp: _Math) -> Any:
        starts = (0, *self.boundaries)
        index = xp.bisect_right(self.boundaries, t)
        if xp is _SCALAR:
            return _evaluate(self.schedules[index], t - starts[index], xp)
        values = np.empty(t.shape, dtype=np.float64)
        for k, schedule in enumerate(self.schedules):
            mask = index == k
            if mask.any():
                values[mask] = _evaluate(schedule, t[mask] - starts[k], xp)
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
            steps_per_epoch=_integer("steps_per_epoch", self.steps_per_epoch, 1),
        )

    def _value(self, t: Any, xp: _Math) -> Any:
        return _evaluate(self.schedule, t // self.steps_per_epoch, xp)


# ---------------------------------------------------------------- cycles


def _anneal(kind: str, start: Any, end: Any, fraction: Any, xp: _Math) -> Any:
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
            max_value=_positive("max_value", self.max_value),
            total_steps=_integer("total_steps", self.total_steps, 2),
            pct_start=check_range("pct_start", self.pct_start, 0.0, 1.0, low_open=True),
            anneal=_choice("anneal", self.anneal, ("cos", "linear")),
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

    def _value(self, t: Any, xp: _Math) -> Any:
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
        base = _positive("base_value", self.base_value)
        up = _integer("step_size_up", self.step_size_up, 1)
        down = up if self.step_size_down is None else self.step_size_down
        mode = _choice("mode", self.mode, ("triangular", "triangular2", "exp_range"))
        gamma = check_range("gamma", self.gamma, 0.0, 1.0, low_open=True, high_open=False)
        if mode != "exp_range" and gamma != 1.0:
            raise ValueError(
                f"gamma is used only with mode='exp_range', got gamma={gamma} with {mode=}"
            )
        self._set(
            base_value=base,
            max_value=check_range("max_value", self.max_value, base, low_open=True),
            step_size_up=up,
            step_size_down=_integer("step_size_down", down, 1),
            mode=mode,
            gamma=gamma,
        )

    def _value(self, t: Any, xp: _Math) -> Any:
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


# ---------------------------------------------------------------- the stateful exception


@dataclass(eq=False)
class reduce_on_plateau(Schedule):
    """α_t = scale·s(t): scale shrinks by `factor` when a reported metric stops improving.

    `step(metric)` once per epoch (or evaluation) applies torch ReduceLROnPlateau's logic:
    better = metric < best·(1 − threshold) (mode "min", "rel"; "abs": best − threshold; mode "max"
    mirrors), else one more bad epoch; during cooldown bad epochs are not counted; after more
    than `patience` bad epochs the learning rate becomes max(α·factor, min_lr) — applied only if
    that lowers it by more than eps — and cooldown starts.  `min_lr` bounds the reductions, not
    the underlying schedule s.  With a float learning rate this is torch's trajectory; with a
    schedule, `step(metric, count=t)` names the update count at which the reduction is measured.
    """

    learning_rate: Any
    _: KW_ONLY
    factor: float = 0.1
    patience: int = 10
    threshold: float = 1e-4
    threshold_mode: str = "rel"
    mode: str = "min"
    cooldown: int = 0
    min_lr: float = 0.0
    eps: float = 1e-8
    scale: float = field(init=False, repr=False, default=1.0)
    best: float | None = field(init=False, repr=False, default=None)
    num_bad_epochs: int = field(init=False, repr=False, default=0)
    cooldown_counter: int = field(init=False, repr=False, default=0)
    num_reductions: int = field(init=False, repr=False, default=0)

    def __post_init__(self) -> None:
        base = as_schedule(self.learning_rate)
        self.learning_rate = base.value if isinstance(base, constant) else base
        self._base = base
        self.factor = check_range("factor", self.factor, 0.0, 1.0)
        self.patience = _integer("patience", self.patience, 0)
        self.threshold = check_range("threshold", self.threshold, 0.0)
        self.threshold_mode = _choice("threshold_mode", self.threshold_mode, ("rel", "abs"))
        self.mode = _choice("mode", self.mode, ("min", "max"))
        self.cooldown = _integer("cooldown", self.cooldown, 0)
        self.min_lr = check_range("min_lr", self.min_lr, 0.0)
        self.eps = check_range("eps", self.eps, 0.0)

    def _value(self, t: Any, xp: _Math) -> Any:
        return _evaluate(self._base, t, xp) * self.scale

    def step(self, metric: float, *, count: int | None = None) -> None:
        """Report one metric value (e.g. the validation loss at the end of an epoch)."""
        current = float(metric)
        if not math.isfinite(current):
            raise ValueError(f"metric must be finite, got {current}")
        if self._is_better(current):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce(count)
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0

    def _is_better(self, current: float) -> bool:
        best, threshold = self.best, self.threshold
        if best is None:
            return True
        if self.mode == "min":
            bound = best * (1.0 - threshold) if self.threshold_mode == "rel" else best - threshold
            return current < bound
        bound = best * (threshold + 1.0) if self.threshold_mode == "rel" else best + threshold
        return current > bound

    def _reduce(self, count: int | None) -> None:
        """α ← max(α·factor, min_lr) if that lowers α by more than eps (torch's _reduce_lr)."""
        if isinstance(self._base, constant):
            base = self._base.value
        elif count is None:
            raise ValueError("count is required when learning_rate is a schedule, got None")
        else:
            base = float(self._base(_integer("count", count, 0)))
        old = base * self.scale
        new = max(old * self.factor, self.min_lr)
        if old - new > self.eps:
            self.scale = new / base
            self.num_reductions += 1

    def reset(self) -> None:
        """Back to the state of a new object: scale 1, no best, no bad epochs, no cooldown."""
        self.load_state_dict(
            {
                "scale": 1.0,
                "best": None,
                "num_bad_epochs": 0,
                "cooldown_counter": 0,
                "num_reductions": 0,
            }
        )

    def state_dict(self) -> dict[str, Any]:
        """The mutable state as plain floats/ints (best is None before the first metric)."""
        return {name: getattr(self, name) for name in _PLATEAU_STATE}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state_dict(), checking its keys."""
        if set(state) != set(_PLATEAU_STATE):
            raise ValueError(f"state keys must be {sorted(_PLATEAU_STATE)}, got {sorted(state)}")
        self.scale = check_range("scale", state["scale"], 0.0, 1.0, high_open=False)
        self.best = None if state["best"] is None else check_range("best", state["best"], -math.inf)
        for name in ("num_bad_epochs", "cooldown_counter", "num_reductions"):
            setattr(self, name, _integer(name, state[name], 0))


_PLATEAU_STATE = ("scale", "best", "num_bad_epochs", "cooldown_counter", "num_reductions")


# ---------------------------------------------------------------- catalog


def describe(schedule: Any) -> dict[str, Any]:
    """{"name": public name, **arguments}, nested schedules described too (JSON-ready)."""
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a gdlab schedule, got {type(schedule).__name__}")
    out: dict[str, Any] = {"name": type(schedule).__name__}
    for item in fields(cast(Any, schedule)):
        if item.init:
            out[item.name] = _plain(getattr(schedule, item.name))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Schedule):
        return describe(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if callable(value):
        return {"name": getattr(value, "__name__", type(value).__name__)}
    return value
