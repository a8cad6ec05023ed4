"""Contracts shared by every layer: the Transform pair, `chain`, and the elementwise Rule.

A transform turns gradients into updates, and updates are *added* to the parameters:

    state = transform.init(params)
    updates, state = transform.update(grads, state, params)
    params = params + updates

`chain(t1, t2, …)` feeds the updates of t1 to t2 as its gradients, and so on.  A named optimizer
is such a chain (`adam = chain(scale_by_adam(…), scale_by_learning_rate(α))`).

Most transforms are *elementwise*: each coordinate's update depends only on that coordinate's
gradient, parameter and state, plus a few scalars that depend on the step count (a learning rate,
a bias correction).  Such a transform is described once, by a `Rule`:

    kernel(g, p, *slots, *coefficients) -> (u, *new_slots)

written with arithmetic and a few NumPy ufuncs (sqrt, abs, maximum, sign) only, so that the same
function runs on whole arrays (the reference path, here) and on scalars inside a compiled loop
(the fused path in `gdlab.kernels`, generated from the same rules).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from gdlab.placement import staggered_full_like

Array = NDArray[np.floating]
Schedule = Callable[[int], float]
Kernel = Callable[..., tuple[Any, ...]]
Coefficients = Callable[[int, tuple[float, ...]], tuple[tuple[float, ...], tuple[float, ...]]]


def _no_coefficients(count: int, carry: tuple[float, ...]) -> tuple[tuple[float, ...], tuple]:
    return (), carry


@dataclass(frozen=True)
class Rule:
    """One elementwise update rule: the single description behind the reference and fused paths.

    Attributes:
        kernel: (g, p, *slots, *coefficients) -> (u, *new_slots); arithmetic only.
        slots: names of the per-coordinate state arrays (e.g. ("mu", "nu")).
        coefficients: (count, carry) -> (coefficients, new carry), evaluated once per update;
            count is the number of updates already made (0 for the first).  `carry` holds scalars
            that a rule threads from one update to the next (NAdam's running μ product).
        fill: initial value of each slot (default 0).
        carry: initial carry.
        static: the coefficients depend on neither the count nor the carry (stacked runs
            evaluate them once instead of every step).
        norm_coefficients: when given, the coefficients are a function of the global norm
            ‖g‖₂ of the incoming gradient instead of the count (clip_by_global_norm).
    """

    kernel: Kernel
    slots: tuple[str, ...] = ()
    coefficients: Coefficients = _no_coefficients
    fill: tuple[float, ...] = ()
    carry: tuple[float, ...] = ()
    static: bool = False
    norm_coefficients: Callable[[float], tuple[float, ...]] | None = None

    def initial_fill(self, index: int) -> float:
        return self.fill[index] if index < len(self.fill) else 0.0


class RuleState(NamedTuple):
    """State of an elementwise transform: the update count, its slot arrays and carried scalars."""

    count: int  # type: ignore[assignment]  # the field shadows tuple.count, as in optax
    slots: tuple[Array, ...]
    carry: tuple[float, ...] = ()


@dataclass(frozen=True, eq=False)
class Transform:
    """A gradient transformation: `init(params) -> state`, `update(grads, state, params)`.

    Attributes:
        init, update: the pair (state goes in and comes out; nothing is mutated).
        name, hyperparams: what the transform is, for repr, catalogs and histories.
        rule: the elementwise description when there is one (enables fused kernels).
        links: the parts of a chain, in order (empty for a single transform).
        learning_rate: the step-size schedule applied by this transform (or by one of its
            links), so that drivers can record the learning rate in effect at each update.
    """

    init: Callable[[Array], Any]
    update: Callable[[Array, Any, Array], tuple[Array, Any]]
    name: str = "transform"
    hyperparams: Mapping[str, Any] = field(default_factory=dict)
    rule: Rule | None = None
    links: tuple[Transform, ...] = ()
    learning_rate: Schedule | None = None

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.hyperparams.items())
        return f"{self.name}({args})"

    def named(self, name: str, **hyperparams: Any) -> Transform:
        """The same transform under a public name with its hyper-parameters (for recipes)."""
        return replace(self, name=name, hyperparams=hyperparams)

    def current_learning_rate(self, count: int) -> float:
        """α_t for the update with index `count` (NaN when the transform has no learning rate)."""
        return math.nan if self.learning_rate is None else float(self.learning_rate(count))


def elementwise(
    rule: Rule, name: str, *, schedule: Schedule | None = None, **hyperparams: Any
) -> Transform:
    """Build the reference Transform of an elementwise Rule (NumPy on whole arrays).

    `schedule` is the learning rate the rule applies, when it applies one.
    """

    def init(params: Array) -> RuleState:
        params = np.asarray(params)
        slots = tuple(
            staggered_full_like(params, rule.initial_fill(i), i + 1) for i in range(len(rule.slots))
        )
        return RuleState(0, slots, rule.carry)

    def update(grads: Array, state: RuleState, params: Array) -> tuple[Array, RuleState]:
        if rule.norm_coefficients is not None:
            coefficients, carry = rule.norm_coefficients(float(np.linalg.norm(grads))), state.carry
        else:
            coefficients, carry = rule.coefficients(state.count, state.carry)
        updates, *slots = rule.kernel(grads, params, *state.slots, *coefficients)
        return updates, RuleState(state.count + 1, tuple(slots), carry)

    return Transform(init, update, name, hyperparams, rule=rule, learning_rate=schedule)


def chain(*transforms: Transform) -> Transform:
    """Compose transforms: the updates of each are the gradients of the next.

    chain(scale(a), scale(b)) ≡ scale(a·b).  The state is the tuple of the links' states.
    """
    if not transforms:
        raise ValueError("chain needs at least one transform, got none")
    for index, transform in enumerate(transforms):
        if not isinstance(transform, Transform):
            raise TypeError(
                f"chain argument {index} must be a Transform, got {type(transform).__name__}"
            )
    links = tuple(link for transform in transforms for link in (transform.links or (transform,)))

    def init(params: Array) -> tuple[Any, ...]:
        return tuple(link.init(params) for link in links)

    def update(
        grads: Array, state: tuple[Any, ...], params: Array
    ) -> tuple[Array, tuple[Any, ...]]:
        new_state = []
        for link, link_state in zip(links, state, strict=True):
            grads, link_state = link.update(grads, link_state, params)
            new_state.append(link_state)
        return grads, tuple(new_state)

    rates = [link.learning_rate for link in links if link.learning_rate is not None]
    learning_rate = rates[0] if len(rates) == 1 else None
    names = " → ".join(link.name for link in links)
    return Transform(
        init, update, "chain", {"links": names}, links=links, learning_rate=learning_rate
    )


# ---------------------------------------------------------------- hyper-parameter validation


def check_real(name: str, value: Any) -> float:
    """A finite real number, or TypeError/ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return float(value)


def check_range(
    name: str,
    value: Any,
    low: float,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = True,
) -> float:
    """Check low ≤ value < high (brackets chosen by low_open/high_open); the message names all."""
    value = check_real(name, value)
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    if not (above and below):
        left = "(" if low_open else "["
        right = ")" if high_open or math.isinf(high) else "]"
        upper = "inf" if math.isinf(high) else f"{high:g}"
        raise ValueError(f"{name} must be in {left}{low:g}, {upper}{right}, got {value:g}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """True or False (numpy's too), or TypeError naming `name`: a flag is never a truthy 'yes'."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_integer(name: str, value: Any, low: int) -> int:
    """An integer ≥ low (bools refused), or TypeError/ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value}")
    return int(value)
