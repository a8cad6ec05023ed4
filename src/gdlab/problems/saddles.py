"""Saddles and plateaus (seed 001 §9): where the gradient vanishes or nearly does, away from
any minimum — each a `Problem` with a hand-derived, vectorised gradient (see `functions`).
"""

from __future__ import annotations

import math

import numpy as np

from gdlab.problems.arguments import check_points
from gdlab.problems.problem import Array, Problem


def saddle() -> Problem:
    """f = x² - y², ∇f = (2x, -2y): a saddle point at 0, unbounded below along y."""

    def value(x: Array) -> Array:
        x = check_points(x, 2, "saddle")
        return x[..., 0] ** 2 - x[..., 1] ** 2

    def grad(x: Array) -> Array:
        x = check_points(x, 2, "saddle")
        return np.stack([2 * x[..., 0], -2 * x[..., 1]], axis=-1)

    return Problem(
        "saddle", 2, value, grad, (), -math.inf, ((-2.0, 2.0), (-2.0, 2.0)), (-1.5, 0.01),
        "A saddle point: started almost on the x-axis, GD first heads straight for (0, 0), "
        "where the gradient vanishes, and leaves only as the tiny y offset grows.",
        points={"saddle": ((0.0, 0.0),)},
    )  # fmt: skip


def monkey_saddle() -> Problem:
    """f = x³ - 3xy², ∇f = (3x² - 3y², -6xy): a degenerate saddle at 0 (zero Hessian)."""

    def value(x: Array) -> Array:
        x = check_points(x, 2, "monkey_saddle")
        return x[..., 0] ** 3 - 3 * x[..., 0] * x[..., 1] ** 2

    def grad(x: Array) -> Array:
        x = check_points(x, 2, "monkey_saddle")
        x0, y = x[..., 0], x[..., 1]
        return np.stack([3 * x0**2 - 3 * y**2, -6 * x0 * y], axis=-1)

    return Problem(
        "monkey_saddle", 2, value, grad, (), -math.inf, ((-1.5, 1.5), (-1.5, 1.5)), (1.0, 0.001),
        "A saddle with three valleys and a zero Hessian at 0: from (1, 0.001) GD creeps along "
        "the ridge (gradient ~ |x|²) for hundreds of steps; heavy-ball momentum rolls through.",
        points={"saddle": ((0.0, 0.0),)},
    )  # fmt: skip


def plateau() -> Problem:
    """f = tanh²(x) + ½y², ∇f = (2 tanh(x)·(1 - tanh²(x)), y).

    For |x| > 3 the surface is a plateau at height 1 whose slope decays like 8·exp(-2|x|)
    (≈ 2.7e-3 at x = -4); beyond it lies a basin with its minimum 0 at (0, 0).
    """

    def value(x: Array) -> Array:
        x = check_points(x, 2, "plateau")
        return np.tanh(x[..., 0]) ** 2 + 0.5 * x[..., 1] ** 2

    def grad(x: Array) -> Array:
        x = check_points(x, 2, "plateau")
        slope = np.tanh(x[..., 0])
        return np.stack([2 * slope * (1 - slope**2), x[..., 1]], axis=-1)

    return Problem(
        "plateau", 2, value, grad, ((0.0, 0.0),), 0.0, ((-5.0, 2.0), (-1.5, 1.5)), (-4.0, 1.0),
        "A long plateau where the gradient is nearly 0 (seed 001 §9): from (-4, 1) plain GD "
        "crawls for ~1900 steps at α = 0.1, heavy-ball momentum ~230 and Adam ~40.",
    )  # fmt: skip
