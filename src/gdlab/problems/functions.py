"""Named test functions, each a `Problem` with a hand-derived, vectorised gradient.

    >>> import numpy as np
    >>> problem = get("rosenbrock")
    >>> problem.value(np.array([1.0, 1.0])), problem.grad(np.array([0.0, 0.0]))
    (np.float64(0.0), array([-2.,  0.]))

`value` and `grad` take x of shape (..., n) and return (...) and (..., n), in x's floating dtype
(float32 in, float32 out; integers are read as float64). The formulas, minima and what each
problem shows are tabulated in docs/problems.md. Problems without a minimum (saddles, x·cos πx)
have `minima == ()` and `minimum == -inf`: they are unbounded below. Other critical points are
in `points`, keyed "local_minimum", "local_maximum" or "saddle".

Here: the one-variable problems, booth, the valleys and the registry (`names`, `get`); the
problems of any dimension are in `any_dimension`, the saddles and the plateau in `saddles`,
the checks they share in `arguments` — all importable from here.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from gdlab.problems.any_dimension import ackley, quadratic, rastrigin, styblinski_tang
from gdlab.problems.arguments import check_number, check_points
from gdlab.problems.problem import Array, Problem
from gdlab.problems.saddles import monkey_saddle, plateau, saddle

Points = tuple[tuple[float, ...], ...]


# --- one variable (seed 000) -----------------------------------------------------------------


def parabola() -> Problem:
    """f(x) = x², f'(x) = 2x: the seed's first example, one minimum at 0."""

    def value(x: Array) -> Array:
        return check_points(x, 1, "parabola")[..., 0] ** 2

    def grad(x: Array) -> Array:
        return 2 * check_points(x, 1, "parabola")

    return Problem(
        "parabola", 1, value, grad, ((0.0,),), 0.0, ((-1.5, 1.5),), (-1.0,),
        "The seed's y = x²: from x = -1 the derivative -2 says 'go right', and each step "
        "x ← x - α·2x shrinks x by the factor 1 - 2α.",
        variables=("x",),
    )  # fmt: skip


def x_cos_pi_x() -> Problem:
    """f(x) = x·cos(πx), f'(x) = cos(πx) - πx·sin(πx): local minima in one dimension."""

    def value(x: Array) -> Array:
        x = check_points(x, 1, "x_cos_pi_x")[..., 0]
        return x * np.cos(np.pi * x)

    def grad(x: Array) -> Array:
        x = check_points(x, 1, "x_cos_pi_x")
        return np.cos(np.pi * x) - np.pi * x * np.sin(np.pi * x)

    return Problem(
        "x_cos_pi_x", 1, value, grad, (), -math.inf, ((-1.0, 2.0),), (-0.8,),
        "A 1-D landscape with a shallow local minimum (x ≈ -0.274, f ≈ -0.179) beside a deeper "
        "one (x ≈ 1.090, f ≈ -1.047): from x = -0.8 plain GD stops in the shallow one.",
        variables=("x",),
        points={
            "local_minimum": ((-0.2738526868008509,), (1.0904082219467212,)),
            "local_maximum": ((0.2738526868008509,),),
        },
    )  # fmt: skip


# --- bowls -----------------------------------------------------------------------------------


def booth() -> Problem:
    """f = (x + 2y - 7)² + (2x + y - 5)², ∇f = (2u + 4v, 4u + 2v) with u, v the brackets."""

    def residuals(x: Array) -> tuple[Array, Array]:
        x = check_points(x, 2, "booth")
        return x[..., 0] + 2 * x[..., 1] - 7, 2 * x[..., 0] + x[..., 1] - 5

    def value(x: Array) -> Array:
        u, v = residuals(x)
        return u**2 + v**2

    def grad(x: Array) -> Array:
        u, v = residuals(x)
        return np.stack([2 * u + 4 * v, 4 * u + 2 * v], axis=-1)

    return Problem(
        "booth", 2, value, grad, ((1.0, 3.0),), 0.0, ((-10.0, 10.0), (-10.0, 10.0)), (-8.0, 8.0),
        "A convex quadratic with a tilted, elongated bowl (Hessian eigenvalues 2 and 18): "
        "easy, but the steps zig-zag across the valley when the learning rate is large.",
    )  # fmt: skip


# --- valleys and several minima ----------------------------------------------------------------


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Problem:
    """f = (a - x)² + b(y - x²)², ∇f = (-2(a - x) - 4bx(y - x²), 2b(y - x²))."""
    a, b = check_number("a", a), check_number("b", b, " > 0", lambda v: v > 0)

    def value(x: Array) -> Array:
        x = check_points(x, 2, "rosenbrock")
        # np.square, not **: one point and a stack of points then round identically
        return np.square(a - x[..., 0]) + b * np.square(x[..., 1] - np.square(x[..., 0]))

    def grad(x: Array) -> Array:
        x = check_points(x, 2, "rosenbrock")
        x0, valley = x[..., 0], x[..., 1] - np.square(x[..., 0])
        return np.stack([-2 * (a - x0) - 4 * b * x0 * valley, 2 * b * valley], axis=-1)

    window = ((min(-2.0, a - 1), max(2.0, a + 1)), (min(-1.0, a * a - 1), max(3.0, a * a + 1)))
    return Problem(
        "rosenbrock", 2, value, grad, ((a, a * a),), 0.0, window, (-1.2, 1.0),
        "A curved, narrow, nearly flat valley: GD reaches the valley floor at once and then "
        "crawls along it, while momentum and Adam travel the valley to (a, a²).",
        params={"a": a, "b": b},
    )  # fmt: skip


def beale() -> Problem:
    """f = Σ_k (c_k - x + x·y^k)², c = (1.5, 2.25, 2.625), ∇f = Σ_k 2u_k (y^k - 1, k·x·y^(k-1))."""

    def residuals(x: Array) -> tuple[Array, Array, Array, Array, Array]:
        x = check_points(x, 2, "beale")
        x0, y = x[..., 0], x[..., 1]
        return x0, y, 1.5 - x0 + x0 * y, 2.25 - x0 + x0 * y**2, 2.625 - x0 + x0 * y**3

    def value(x: Array) -> Array:
        _, _, u1, u2, u3 = residuals(x)
        return u1**2 + u2**2 + u3**2

    def grad(x: Array) -> Array:
        x0, y, u1, u2, u3 = residuals(x)
        gx = 2 * u1 * (y - 1) + 2 * u2 * (y**2 - 1) + 2 * u3 * (y**3 - 1)
        gy = 2 * x0 * (u1 + 2 * u2 * y + 3 * u3 * y**2)
        return np.stack([gx, gy], axis=-1)

    return Problem(
        "beale", 2, value, grad, ((3.0, 0.5),), 0.0, ((-4.5, 4.5), (-4.5, 4.5)), (1.0, 1.5),
        "Flat plains and steep ridges with values spanning six orders of magnitude: one "
        "learning rate cannot suit both, which is what per-coordinate scaling (Adam) fixes.",
        points={"saddle": ((0.0, 1.0), (0.10053793732415836, -2.644513585023125))},
    )  # fmt: skip


def himmelblau() -> Problem:
    """f = (x² + y - 11)² + (x + y² - 7)², ∇f = (4xu + 2v, 2u + 4yv)."""

    def residuals(x: Array) -> tuple[Array, Array, Array, Array]:
        x = check_points(x, 2, "himmelblau")
        x0, y = x[..., 0], x[..., 1]
        return x0, y, x0**2 + y - 11, x0 + y**2 - 7

    def value(x: Array) -> Array:
        _, _, u, v = residuals(x)
        return u**2 + v**2

    def grad(x: Array) -> Array:
        x0, y, u, v = residuals(x)
        return np.stack([4 * x0 * u + 2 * v, 2 * u + 4 * y * v], axis=-1)

    minima = (
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.283185991286169),
        (3.5844283403304917, -1.8481265269644036),
    )
    saddles = (
        (3.385154183607021, 0.07385187983774929),
        (0.08667750455539635, 2.884254701174776),
        (-3.0730257507643896, -0.08135304428796751),
        (-0.12796134673068007, -1.9537149802445764),
    )
    return Problem(
        "himmelblau", 2, value, grad, minima, 0.0, ((-5.0, 5.0), (-5.0, 5.0)), (-0.3, -0.9),
        "Four equal global minima around one local maximum: which one a run reaches depends "
        "on the start point and the optimizer, not only on the landscape.",
        points={"local_maximum": ((-0.2708445906673476, -0.9230385564799815),), "saddle": saddles},
    )  # fmt: skip


def six_hump_camel() -> Problem:
    """f = (4 - 2.1x² + x⁴/3)x² + xy + (4y² - 4)y², ∇f = (8x - 8.4x³ + 2x⁵ + y, x - 8y + 16y³)."""

    def value(x: Array) -> Array:
        x = check_points(x, 2, "six_hump_camel")
        x0, y = x[..., 0], x[..., 1]
        return (4 - 2.1 * x0**2 + x0**4 / 3) * x0**2 + x0 * y + (4 * y**2 - 4) * y**2

    def grad(x: Array) -> Array:
        x = check_points(x, 2, "six_hump_camel")
        x0, y = x[..., 0], x[..., 1]
        gx = 8 * x0 - 8.4 * x0**3 + 2 * x0**5 + y
        return np.stack([gx, x0 - 8 * y + 16 * y**3], axis=-1)

    minima = (
        (0.08984201310031806, -0.7126564030207396),
        (-0.08984201310031806, 0.7126564030207396),
    )
    local = (
        (-1.7036067149699808, 0.7960835686726251),
        (1.7036067149699808, -0.7960835686726251),
        (-1.6071047529201972, -0.5686514548841314),
        (1.6071047529201972, 0.5686514548841314),
    )
    return Problem(
        "six_hump_camel", 2, value, grad, minima, -1.0316284534898774,
        ((-2.0, 2.0), (-1.0, 1.0)), (-1.5, -0.8),
        "Six valleys, two of them global: a run started on an outer hump settles in a local "
        "minimum, and which one depends on the learning rate and the momentum.",
        points={"local_minimum": local},
    )  # fmt: skip


def goldstein_price() -> Problem:
    """f = [1 + s²P][30 + t²Q], s = x + y + 1, t = 2x - 3y; ∇f by the product rule."""

    def parts(x: Array) -> tuple[Array, ...]:
        x = check_points(x, 2, "goldstein_price")
        x0, y = x[..., 0], x[..., 1]
        s, t = x0 + y + 1, 2 * x0 - 3 * y
        p = 19 - 14 * x0 + 3 * x0**2 - 14 * y + 6 * x0 * y + 3 * y**2
        q = 18 - 32 * x0 + 12 * x0**2 + 48 * y - 36 * x0 * y + 27 * y**2
        return x0, y, s, t, p, q, 1 + s**2 * p, 30 + t**2 * q

    def value(x: Array) -> Array:
        *_, first, second = parts(x)
        return first * second

    def grad(x: Array) -> Array:
        x0, y, s, t, p, q, first, second = parts(x)
        first_d = 2 * s * p + s**2 * (6 * x0 + 6 * y - 14)  # ∂/∂x = ∂/∂y of [1 + s²P]
        second_dx = 4 * t * q + t**2 * (24 * x0 - 36 * y - 32)
        second_dy = -6 * t * q + t**2 * (54 * y - 36 * x0 + 48)
        gx = first_d * second + first * second_dx
        return np.stack([gx, first_d * second + first * second_dy], axis=-1)

    return Problem(
        "goldstein_price", 2, value, grad, ((0.0, -1.0),), 3.0, ((-2.0, 2.0), (-2.0, 2.0)),
        (1.5, 1.5),
        "Values from 3 to about 10⁶ and local minima at f = 30, 84, 840: a learning rate safe "
        "on the cliffs is tiny on the floor, and from (1.5, 1.5) such GD stops at f = 840.",
        points={"local_minimum": ((-0.6, -0.4), (1.8, 0.2), (1.2, 0.8))},
    )  # fmt: skip


# --- registry --------------------------------------------------------------------------------

_FACTORIES: Mapping[str, Callable[..., Problem]] = MappingProxyType(
    {
        factory.__name__: factory
        for factory in (
            parabola, x_cos_pi_x, quadratic, booth, rosenbrock, beale, himmelblau,
            six_hump_camel, goldstein_price, styblinski_tang, rastrigin, ackley,
            saddle, monkey_saddle, plateau,
        )
    }
)  # fmt: skip


def names() -> tuple[str, ...]:
    """The problem names, from the seed's parabola to the saddles and the plateau."""
    return tuple(_FACTORIES)


def get(name: str, **params: Any) -> Problem:
    """The problem `name` built with `params`, e.g. get("quadratic", condition=100).

    >>> get("rastrigin", dim=3).dim
    3
    """
    factory = _FACTORIES.get(name)
    if factory is None:
        raise ValueError(f"unknown problem {name!r}; valid names: {', '.join(names())}")
    allowed = tuple(inspect.signature(factory).parameters)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(
            f"{name} has no parameter {', '.join(map(repr, unknown))}; "
            f"its parameters: {', '.join(allowed) or 'none'}"
        )
    return factory(**params)
