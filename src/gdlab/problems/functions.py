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
"""

from __future__ import annotations

import inspect
import itertools
import math
import operator
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from gdlab.problems.problem import Array, Problem

Points = tuple[tuple[float, ...], ...]


def _points(x: Any, dim: int, name: str) -> Array:
    """x as a float array of shape (..., dim), keeping a floating dtype as it is."""
    x = np.asarray(x)
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    elif x.dtype.kind != "f":
        raise ValueError(f"{name} takes real numbers, got dtype {x.dtype}")
    if x.ndim == 0 or x.shape[-1] != dim:
        raise ValueError(f"{name} takes x of shape (..., {dim}), got {x.shape}")
    return x


def _dimension(dim: Any) -> int:
    if isinstance(dim, bool):
        raise ValueError(f"dim must be an integer >= 1, got {dim!r}")
    try:
        dim = operator.index(dim)
    except TypeError:
        raise ValueError(f"dim must be an integer >= 1, got {dim!r}") from None
    if dim < 1:
        raise ValueError(f"dim must be an integer >= 1, got {dim}")
    return int(dim)


def _real(
    name: str, value: Any, allowed: str = "", check: Callable[[float], bool] = math.isfinite
) -> float:
    """value as a finite float that passes `check`; else ValueError naming `allowed`."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    number = float(value) if ok else math.nan
    if not (math.isfinite(number) and check(number)):
        raise ValueError(f"{name} must be a finite number{allowed}, got {value!r}")
    return number


def _variables(dim: int) -> tuple[str, ...]:
    return (
        ("x", "y") if dim == 2 else ("x",) if dim == 1 else tuple(f"x{i + 1}" for i in range(dim))
    )


def _alternate(first: float, second: float, dim: int) -> tuple[float, ...]:
    return tuple(first if i % 2 == 0 else second for i in range(dim))


# --- one variable (seed 000) -----------------------------------------------------------------


def parabola() -> Problem:
    """f(x) = x², f'(x) = 2x: the seed's first example, one minimum at 0."""

    def value(x: Array) -> Array:
        return _points(x, 1, "parabola")[..., 0] ** 2

    def grad(x: Array) -> Array:
        return 2 * _points(x, 1, "parabola")

    return Problem(
        "parabola", 1, value, grad, ((0.0,),), 0.0, ((-1.5, 1.5),), (-1.0,),
        "The seed's y = x²: from x = -1 the derivative -2 says 'go right', and each step "
        "x ← x - α·2x shrinks x by the factor 1 - 2α.",
        variables=("x",),
    )  # fmt: skip


def x_cos_pi_x() -> Problem:
    """f(x) = x·cos(πx), f'(x) = cos(πx) - πx·sin(πx): local minima in one dimension."""

    def value(x: Array) -> Array:
        x = _points(x, 1, "x_cos_pi_x")[..., 0]
        return x * np.cos(np.pi * x)

    def grad(x: Array) -> Array:
        x = _points(x, 1, "x_cos_pi_x")
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


def quadratic(condition: float = 10.0, dim: int = 2) -> Problem:
    """f(x) = ½ Σ λ_i x_i², ∇f = λ ⊙ x, with λ log-spaced from 1 to `condition`.

    The Hessian is diag(λ), so `condition` is its condition number λ_max / λ_min. A 1-D
    quadratic has condition number 1, so dim=1 needs condition=1.
    """
    condition, dim = _real("condition", condition, " >= 1", lambda v: v >= 1), _dimension(dim)
    if dim == 1 and condition != 1.0:
        raise ValueError(f"condition must be 1 when dim is 1, got {condition}")
    curvature = np.geomspace(1.0, condition, dim)

    def value(x: Array) -> Array:
        x = _points(x, dim, "quadratic")
        return 0.5 * np.sum(curvature.astype(x.dtype) * x**2, axis=-1)

    def grad(x: Array) -> Array:
        x = _points(x, dim, "quadratic")
        return curvature.astype(x.dtype) * x

    return Problem(
        "quadratic", dim, value, grad, ((0.0,) * dim,), 0.0, ((-2.0, 2.0),) * dim,
        _alternate(-1.5, 1.5, dim),
        "An ill-conditioned bowl: a learning rate small enough for the steep axis crawls along "
        "the flat one, so GD zig-zags where momentum, RMSprop and Adam go straight.",
        variables=_variables(dim), params={"condition": condition, "dim": dim},
    )  # fmt: skip


def booth() -> Problem:
    """f = (x + 2y - 7)² + (2x + y - 5)², ∇f = (2u + 4v, 4u + 2v) with u, v the brackets."""

    def residuals(x: Array) -> tuple[Array, Array]:
        x = _points(x, 2, "booth")
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
    a, b = _real("a", a), _real("b", b, " > 0", lambda v: v > 0)

    def value(x: Array) -> Array:
        x = _points(x, 2, "rosenbrock")
        return (a - x[..., 0]) ** 2 + b * (x[..., 1] - x[..., 0] ** 2) ** 2

    def grad(x: Array) -> Array:
        x = _points(x, 2, "rosenbrock")
        x0, valley = x[..., 0], x[..., 1] - x[..., 0] ** 2
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
        x = _points(x, 2, "beale")
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
        x = _points(x, 2, "himmelblau")
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
        x = _points(x, 2, "six_hump_camel")
        x0, y = x[..., 0], x[..., 1]
        return (4 - 2.1 * x0**2 + x0**4 / 3) * x0**2 + x0 * y + (4 * y**2 - 4) * y**2

    def grad(x: Array) -> Array:
        x = _points(x, 2, "six_hump_camel")
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
        x = _points(x, 2, "goldstein_price")
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


# --- any dimension ---------------------------------------------------------------------------

_STYBLINSKI_TANG_MIN, _STYBLINSKI_TANG_LOCAL = -2.903534027771177, 2.746802770990837


def styblinski_tang(dim: int = 2) -> Problem:
    """f = ½ Σ (x_i⁴ - 16x_i² + 5x_i), ∂f/∂x_i = 2x_i³ - 16x_i + 2.5."""
    dim = _dimension(dim)

    def value(x: Array) -> Array:
        x = _points(x, dim, "styblinski_tang")
        return 0.5 * np.sum(x**4 - 16 * x**2 + 5 * x, axis=-1)

    def grad(x: Array) -> Array:
        x = _points(x, dim, "styblinski_tang")
        return 2 * x**3 - 16 * x + 2.5

    corners = itertools.product((_STYBLINSKI_TANG_MIN, _STYBLINSKI_TANG_LOCAL), repeat=dim)
    local = tuple(corners)[1:] if dim <= 4 else ()  # all 2^n - 1 others, listed up to n = 4
    return Problem(
        "styblinski_tang", dim, value, grad, ((_STYBLINSKI_TANG_MIN,) * dim,),
        -39.166165703771415 * dim, ((-5.0, 5.0),) * dim, _alternate(0.5, 4.5, dim),
        "Two valleys per coordinate, the deeper at x_i = -2.9035: from (0.5, 4.5) GD slides "
        "into the shallow ones at x_i = 2.7468 and stays in that local minimum.",
        variables=_variables(dim), params={"dim": dim},
        points={"local_minimum": local} if local else {},
    )  # fmt: skip


def rastrigin(dim: int = 2, amplitude: float = 10.0) -> Problem:
    """f = A·n + Σ (x_i² - A cos 2πx_i) = Σ (x_i² + 2A sin² πx_i), A = `amplitude`.

    ∂f/∂x_i = 2x_i + 2πA sin 2πx_i; the second form keeps f exact near the minimum 0.
    """
    dim, amplitude = _dimension(dim), _real("amplitude", amplitude, " >= 0", lambda v: v >= 0)

    def value(x: Array) -> Array:
        x = _points(x, dim, "rastrigin")
        return np.sum(x**2 + 2 * amplitude * np.sin(np.pi * x) ** 2, axis=-1)

    def grad(x: Array) -> Array:
        x = _points(x, dim, "rastrigin")
        return 2 * x + 2 * np.pi * amplitude * np.sin(2 * np.pi * x)

    return Problem(
        "rastrigin", dim, value, grad, ((0.0,) * dim,), 0.0, ((-5.12, 5.12),) * dim,
        _alternate(3.2, -2.7, dim),
        "A bowl covered in a lattice of local minima, one near every integer point: gradient "
        "methods stop in a nearby dent, far from the global minimum at 0.",
        variables=_variables(dim), params={"dim": dim, "amplitude": amplitude},
    )  # fmt: skip


def ackley(dim: int = 2) -> Problem:
    """f = -a·exp(-b·r) - exp(mean cos cx) + a + e, r = √(mean x²), a = 20, b = 0.2, c = 2π.

    ∂f/∂x_i = a·b·exp(-b·r)·x_i / (n·r) + exp(mean cos cx)·c·sin(c·x_i) / n; f is a cone at 0,
    where the gradient is taken as 0 (a subgradient).
    """
    dim = _dimension(dim)
    a, b, c = 20.0, 0.2, 2 * math.pi

    def value(x: Array) -> Array:
        x = _points(x, dim, "ackley")
        r = np.sqrt(np.mean(x**2, axis=-1))
        return -a * np.expm1(-b * r) - math.e * np.expm1(np.mean(np.cos(c * x), axis=-1) - 1)

    def grad(x: Array) -> Array:
        x = _points(x, dim, "ackley")
        r = np.sqrt(np.mean(x**2, axis=-1))
        cone = a * b * np.exp(-b * r) / (dim * np.where(r > 0, r, 1))
        ripple = np.exp(np.mean(np.cos(c * x), axis=-1)) * c / dim
        return cone[..., None] * x + ripple[..., None] * np.sin(c * x)

    return Problem(
        "ackley", dim, value, grad, ((0.0,) * dim,), 0.0, ((-5.0, 5.0),) * dim,
        _alternate(-3.2, 2.7, dim),
        "A nearly flat, egg-crate outer region around one deep funnel: the ripples trap small "
        "steps in local minima, and the funnel's kink at 0 makes the last steps oscillate.",
        variables=_variables(dim), params={"dim": dim},
    )  # fmt: skip


# --- saddles and plateaus (seed 001 §9) ------------------------------------------------------


def saddle() -> Problem:
    """f = x² - y², ∇f = (2x, -2y): a saddle point at 0, unbounded below along y."""

    def value(x: Array) -> Array:
        x = _points(x, 2, "saddle")
        return x[..., 0] ** 2 - x[..., 1] ** 2

    def grad(x: Array) -> Array:
        x = _points(x, 2, "saddle")
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
        x = _points(x, 2, "monkey_saddle")
        return x[..., 0] ** 3 - 3 * x[..., 0] * x[..., 1] ** 2

    def grad(x: Array) -> Array:
        x = _points(x, 2, "monkey_saddle")
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
        x = _points(x, 2, "plateau")
        return np.tanh(x[..., 0]) ** 2 + 0.5 * x[..., 1] ** 2

    def grad(x: Array) -> Array:
        x = _points(x, 2, "plateau")
        slope = np.tanh(x[..., 0])
        return np.stack([2 * slope * (1 - slope**2), x[..., 1]], axis=-1)

    return Problem(
        "plateau", 2, value, grad, ((0.0, 0.0),), 0.0, ((-5.0, 2.0), (-1.5, 1.5)), (-4.0, 1.0),
        "A long plateau where the gradient is nearly 0 (seed 001 §9): from (-4, 1) plain GD "
        "crawls for ~1900 steps at α = 0.1, heavy-ball momentum ~230 and Adam ~40.",
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
