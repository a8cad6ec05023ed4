"""What the named test functions share: checks of x and of the parameters, variable names.

`check_points` reads x of shape (..., n) in its floating dtype (integers as float64); the other
checks raise a ValueError that names the parameter, its value and what is allowed.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from gdlab.problems.problem import Array


def check_points(x: Any, dim: int, name: str) -> Array:
    """x as a float array of shape (..., dim), keeping a floating dtype as it is."""
    x = np.asarray(x)
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    elif x.dtype.kind != "f":
        raise ValueError(f"{name} takes real numbers, got dtype {x.dtype}")
    if x.ndim == 0 or x.shape[-1] != dim:
        raise ValueError(f"{name} takes x of shape (..., {dim}), got {x.shape}")
    return x


def check_dimension(dim: Any) -> int:
    """dim as an int >= 1 (an integer type, never a bool)."""
    if isinstance(dim, bool):
        raise ValueError(f"dim must be an integer >= 1, got {dim!r}")
    try:
        dim = operator.index(dim)
    except TypeError:
        raise ValueError(f"dim must be an integer >= 1, got {dim!r}") from None
    if dim < 1:
        raise ValueError(f"dim must be an integer >= 1, got {dim}")
    return int(dim)


def check_number(
    name: str, value: Any, allowed: str = "", check: Callable[[float], bool] = math.isfinite
) -> float:
    """value as a finite float that passes `check`; else ValueError naming `allowed`."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    number = float(value) if ok else math.nan
    if not (math.isfinite(number) and check(number)):
        raise ValueError(f"{name} must be a finite number{allowed}, got {value!r}")
    return number


def variable_names(dim: int) -> tuple[str, ...]:
    """("x",), ("x", "y"), then ("x1", …, "xn") from three variables on."""
    return (
        ("x", "y") if dim == 2 else ("x",) if dim == 1 else tuple(f"x{i + 1}" for i in range(dim))
    )


def alternate(first: float, second: float, dim: int) -> tuple[float, ...]:
    """(first, second, first, …) of length dim: a start point in any dimension."""
    return tuple(first if i % 2 == 0 else second for i in range(dim))
