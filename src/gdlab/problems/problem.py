"""The Problem contract: an objective with its gradient and what a plot needs to show it.

Every problem (a named test function, a parsed expression) is a `Problem`:

    loss, grad = problem.value_and_grad(x)

`value` and `grad` are vectorised over leading axes: for x of shape (..., n) they return
shapes (...) and (..., n). One point, a grid for a contour plot and K stacked runs are the
same call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]
Window = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Problem:
    """An objective f: R^n -> R with its analytic gradient.

    Attributes:
        name: catalog name, e.g. "rosenbrock".
        dim: number of variables n.
        value: f, vectorised: (..., n) -> (...).
        grad: ∇f, vectorised: (..., n) -> (..., n).
        minima: the known global minimisers (may be empty when unknown).
        minimum: f at the global minimisers (NaN when unknown).
        window: plot window, one (low, high) pair per variable.
        start: a suggested start point that shows the problem's character.
        description: one sentence on what the problem demonstrates.
        variables: names of the variables, in order.
        params: the parameters the problem was built with (e.g. {"condition": 10}).
        points: other notable points by kind, e.g. {"saddle": ((0, 0),)}.
    """

    name: str
    dim: int
    value: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    minima: tuple[tuple[float, ...], ...]
    minimum: float
    window: Window
    start: tuple[float, ...]
    description: str
    variables: tuple[str, ...] = ("x", "y")
    params: dict[str, Any] = field(default_factory=dict)
    points: dict[str, tuple[tuple[float, ...], ...]] = field(default_factory=dict)

    def __call__(self, x: Array) -> Array:
        return self.value(x)

    def value_and_grad(self, x: Array) -> tuple[Array, Array]:
        """Return (f(x), ∇f(x)) for x of shape (..., n)."""
        return self.value(x), self.grad(x)
