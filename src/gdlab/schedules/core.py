"""The schedule contract and what every schedule shares: `schedule(count) -> learning rate`.

A schedule writes its formula once, `_value(t, xp)`, with arithmetic and the functions of the
namespace `xp`: `SCALAR` (math/bisect, one update, the hot path) or `ARRAY` (NumPy, many counts
at once).  Here too: the argument checks the schedules share, `constant`, `as_schedule` (a float
or a schedule → a schedule) and `describe` (a schedule → a JSON-ready dict).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, cast, overload

import numpy as np
from numpy.typing import NDArray

from gdlab.base import check_integer, check_range

Floats = NDArray[np.float64]

# ---------------------------------------------------------------- one formula, two executions


@dataclass(frozen=True)
class Math:
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
SCALAR = Math(
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
ARRAY = Math(
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


def check_integers(name: str, values: Any, minimum: int) -> tuple[int, ...]:
    """A strictly increasing tuple of integers ≥ minimum (milestones, boundaries)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of integers, got {type(values).__name__}")
    items = tuple(check_integer(name, value, minimum) for value in values)
    if any(b <= a for a, b in itertools.pairwise(items)):
        raise ValueError(f"{name} must be strictly increasing, got {list(items)}")
    return items


def check_choice(name: str, value: Any, options: tuple[str, ...]) -> str:
    """One of `options`, or ValueError listing them."""
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return str(value)


def evaluate(schedule: Callable[[Any], Any], t: Any, xp: Math) -> Any:
    """An inner schedule at counts t: one call on the scalar path, vectorised on the array path."""
    if xp is SCALAR:
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
    def __call__(self, count: NDArray[Any]) -> Floats: ...
    def __call__(self, count: Any) -> float | Floats:
        if isinstance(count, (int, np.integer)) and not isinstance(count, bool):
            if count < 0:
                raise ValueError(f"count must be >= 0, got {count}")
            return float(self._value(int(count), SCALAR))
        t = _counts(count)
        flat = t.reshape(-1)
        values = np.asarray(self._value(flat, ARRAY), dtype=np.float64) if flat.size else flat
        values = np.broadcast_to(values, flat.shape).astype(np.float64).reshape(t.shape)
        return float(values) if t.ndim == 0 else values

    def _value(self, t: Any, xp: Math) -> Any:
        raise NotImplementedError

    def _set(self, **values: Any) -> None:
        """Store validated (normalised) arguments on a frozen dataclass."""
        for name, value in values.items():
            object.__setattr__(self, name, value)


def check_positive(name: str, value: Any) -> float:
    """A finite real number > 0, or TypeError/ValueError naming `name`."""
    return check_range(name, value, 0.0, low_open=True)


def check_end_value(value: Any, init_value: float) -> float:
    """end_value in [0, init_value]: where a decay ends."""
    return check_range("end_value", value, 0.0, init_value, high_open=False)


@dataclass(frozen=True)
class constant(Schedule):
    """α_t = value.   torch: no scheduler;  optax: constant_schedule(value)."""

    value: float

    def __post_init__(self) -> None:
        self._set(value=check_positive("value", self.value))

    def _value(self, t: Any, xp: Math) -> Any:
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
        return constant(check_positive("learning_rate", learning_rate))
    if callable(learning_rate) and not isinstance(learning_rate, (bool, type)):
        return learning_rate
    kind = type(learning_rate).__name__
    raise TypeError(f"learning_rate must be a number or a schedule, got {kind} {learning_rate!r}")


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
