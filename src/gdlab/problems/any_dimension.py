"""The named test functions of any dimension n: a quadratic bowl, Styblinski–Tang, Rastrigin,
Ackley — each a `Problem` with a hand-derived, vectorised gradient (see `functions`).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from gdlab.problems.arguments import (
    alternate,
    check_dimension,
    check_number,
    check_points,
    variable_names,
)
from gdlab.problems.problem import Array, Problem


def quadratic(condition: float = 10.0, dim: int = 2) -> Problem:
    """f(x) = ½ Σ λ_i x_i², ∇f = λ ⊙ x, with λ log-spaced from 1 to `condition`.

    The Hessian is diag(λ), so `condition` is its condition number λ_max / λ_min. A 1-D
    quadratic has condition number 1, so dim=1 needs condition=1.
    """
    condition = check_number("condition", condition, " >= 1", lambda v: v >= 1)
    dim = check_dimension(dim)
    if dim == 1 and condition != 1.0:
        raise ValueError(f"condition must be 1 when dim is 1, got {condition}")
    curvature = np.geomspace(1.0, condition, dim)

    def value(x: Array) -> Array:
        x = check_points(x, dim, "quadratic")
        return 0.5 * np.sum(curvature.astype(x.dtype) * x**2, axis=-1)

    def grad(x: Array) -> Array:
        x = check_points(x, dim, "quadratic")
        return curvature.astype(x.dtype) * x

    return Problem(
        "quadratic", dim, value, grad, ((0.0,) * dim,), 0.0, ((-2.0, 2.0),) * dim,
        alternate(-1.5, 1.5, dim),
        "An ill-conditioned bowl: a learning rate small enough for the steep axis crawls along "
        "the flat one, so GD zig-zags where momentum, RMSprop and Adam go straight.",
        variables=variable_names(dim), params={"condition": condition, "dim": dim},
    )  # fmt: skip


_STYBLINSKI_TANG_MIN, _STYBLINSKI_TANG_LOCAL = -2.903534027771177, 2.746802770990837


def styblinski_tang(dim: int = 2) -> Problem:
    """f = ½ Σ (x_i⁴ - 16x_i² + 5x_i), ∂f/∂x_i = 2x_i³ - 16x_i + 2.5."""
    dim = check_dimension(dim)

    def value(x: Array) -> Array:
        x = check_points(x, dim, "styblinski_tang")
        return 0.5 * np.sum(x**4 - 16 * x**2 + 5 * x, axis=-1)

    def grad(x: Array) -> Array:
        x = check_points(x, dim, "styblinski_tang")
        return 2 * x**3 - 16 * x + 2.5

    corners = itertools.product((_STYBLINSKI_TANG_MIN, _STYBLINSKI_TANG_LOCAL), repeat=dim)
    local = tuple(corners)[1:] if dim <= 4 else ()  # all 2^n - 1 others, listed up to n = 4
    return Problem(
        "styblinski_tang", dim, value, grad, ((_STYBLINSKI_TANG_MIN,) * dim,),
        -39.166165703771415 * dim, ((-5.0, 5.0),) * dim, alternate(0.5, 4.5, dim),
        "Two valleys per coordinate, the deeper at x_i = -2.9035: from (0.5, 4.5) GD slides "
        "into the shallow ones at x_i = 2.7468 and stays in that local minimum.",
        variables=variable_names(dim), params={"dim": dim},
        points={"local_minimum": local} if local else {},
    )  # fmt: skip


def rastrigin(dim: int = 2, amplitude: float = 10.0) -> Problem:
    """f = A·n + Σ (x_i² - A cos 2πx_i) = Σ (x_i² + 2A sin² πx_i), A = `amplitude`.

    ∂f/∂x_i = 2x_i + 2πA sin 2πx_i; the second form keeps f exact near the minimum 0.
    """
    dim, amplitude = (
        check_dimension(dim),
        check_number("amplitude", amplitude, " >= 0", lambda v: v >= 0),
    )

    def value(x: Array) -> Array:
        x = check_points(x, dim, "rastrigin")
        return np.sum(x**2 + 2 * amplitude * np.sin(np.pi * x) ** 2, axis=-1)

    def grad(x: Array) -> Array:
        x = check_points(x, dim, "rastrigin")
        return 2 * x + 2 * np.pi * amplitude * np.sin(2 * np.pi * x)

    return Problem(
        "rastrigin", dim, value, grad, ((0.0,) * dim,), 0.0, ((-5.12, 5.12),) * dim,
        alternate(3.2, -2.7, dim),
        "A bowl covered in a lattice of local minima, one near every integer point: gradient "
        "methods stop in a nearby dent, far from the global minimum at 0.",
        variables=variable_names(dim), params={"dim": dim, "amplitude": amplitude},
    )  # fmt: skip


def ackley(dim: int = 2) -> Problem:
    """f = -a·exp(-b·r) - exp(mean cos cx) + a + e, r = √(mean x²), a = 20, b = 0.2, c = 2π.

    ∂f/∂x_i = a·b·exp(-b·r)·x_i / (n·r) + exp(mean cos cx)·c·sin(c·x_i) / n; f is a cone at 0,
    where the gradient is taken as 0 (a subgradient).
    """
    dim = check_dimension(dim)
    a, b, c = 20.0, 0.2, 2 * math.pi

    def value(x: Array) -> Array:
        x = check_points(x, dim, "ackley")
        r = np.sqrt(np.mean(x**2, axis=-1))
        return -a * np.expm1(-b * r) - math.e * np.expm1(np.mean(np.cos(c * x), axis=-1) - 1)

    def grad(x: Array) -> Array:
        x = check_points(x, dim, "ackley")
        r = np.sqrt(np.mean(x**2, axis=-1))
        cone = a * b * np.exp(-b * r) / (dim * np.where(r > 0, r, 1))
        ripple = np.exp(np.mean(np.cos(c * x), axis=-1)) * c / dim
        return cone[..., None] * x + ripple[..., None] * np.sin(c * x)

    return Problem(
        "ackley", dim, value, grad, ((0.0,) * dim,), 0.0, ((-5.0, 5.0),) * dim,
        alternate(-3.2, 2.7, dim),
        "A nearly flat, egg-crate outer region around one deep funnel: the ripples trap small "
        "steps in local minima, and the funnel's kink at 0 makes the last steps oscillate.",
        variables=variable_names(dim), params={"dim": dim},
    )  # fmt: skip
