"""Numerical gradients by central differences, and a check of an analytic gradient against them.

    ∂f/∂x_i ≈ (f(x + h_i e_i) - f(x - h_i e_i)) / 2h_i,     h_i = step · max(1, |x_i|)

The default step, ∛ε of x's dtype (≈ 6.1e-6 in float64, 4.9e-3 in float32), balances the
truncation error O(h²) against the rounding error O(ε/h), so the result is good to about ε^(2/3)
relative to the size of f (≈ 4e-11 in float64). `gd.minimize` uses `central_difference` when
no gradient is given; `check_grad` is how a user (and every test here) checks a hand-derived one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


def _real_array(x: Any) -> Array:
    """x as a floating array (integers are read as float64); a copy, never a view of x."""
    x = np.array(x)
    if x.dtype.kind in "biu":
        return x.astype(np.float64)
    if x.dtype.kind != "f":
        raise ValueError(f"x must hold real numbers, got dtype {x.dtype}")
    return x


def _step(step: float | None, dtype: np.dtype[Any]) -> float:
    if step is None:
        return float(np.cbrt(np.finfo(dtype).eps))
    if not (isinstance(step, (int, float, np.number)) and 0 < float(step) < np.inf):
        raise ValueError(f"step must be a finite number > 0, got {step!r}")
    return float(step)


def _scalar(value: Any) -> float:
    if np.ndim(value) != 0:
        raise ValueError(f"fun must return a scalar, got an array of shape {np.shape(value)}")
    return float(value)


def central_difference(fun: Callable[[Array], Any], x: Any, *, step: float | None = None) -> Array:
    """The gradient of a scalar `fun` at x by central differences, in x's shape and dtype.

        g_i = (f(x + h_i e_i) - f(x - h_i e_i)) / ((x_i + h_i) - (x_i - h_i)),
        h_i = step · max(1, |x_i|),  step = ∛ε by default

    The divisor is the distance actually stepped after rounding. 2·x.size calls of `fun`.

    >>> central_difference(lambda x: x[0] ** 2 + 3 * x[1], [1.0, 2.0]).round(6)
    array([2., 3.])
    """
    x = _real_array(x)
    h = _step(step, x.dtype)
    grad = np.empty_like(x)
    shifted = x.copy()
    for i in range(x.size):
        centre = x.flat[i]
        width = h * max(1.0, abs(float(centre)))
        shifted.flat[i] = centre + width
        upper, forward = _scalar(fun(shifted)), shifted.flat[i]
        shifted.flat[i] = centre - width
        lower, backward = _scalar(fun(shifted)), shifted.flat[i]
        shifted.flat[i] = centre
        if forward == backward:
            raise ValueError(f"step {h} is too small to move x.flat[{i}] = {centre} in {x.dtype}")
        grad.flat[i] = (upper - lower) / float(forward - backward)
    return grad


@dataclass(frozen=True, eq=False)
class GradCheck:
    """The outcome of `check_grad`: both gradients, their largest differences, and the verdict.

    ok is `|analytic - numerical| <= atol + rtol·|numerical|` everywhere (numpy.allclose);
    max_rel_error is the largest |analytic - numerical| / max(|analytic|, |numerical|).
    """

    analytic: Array
    numerical: Array
    max_abs_error: float
    max_rel_error: float
    ok: bool

    def __str__(self) -> str:
        verdict = "gradient check passed" if self.ok else "gradient check FAILED"
        text = (
            f"{verdict}: max abs error {self.max_abs_error:.3g}, "
            f"max rel error {self.max_rel_error:.3g} over {self.analytic.size} component(s)"
        )
        if self.ok:
            return text
        error = np.abs(self.analytic - self.numerical)
        worst = np.unravel_index(np.argmax(np.where(np.isnan(error), np.inf, error)), error.shape)
        return (
            f"{text}; worst at index {tuple(int(i) for i in worst)}: "
            f"analytic {self.analytic[worst]:.6g}, numerical {self.numerical[worst]:.6g}"
        )


def check_grad(
    fun: Callable[[Array], Any],
    grad: Callable[[Array], Any],
    x: Any,
    *,
    step: float | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> GradCheck:
    """Compare grad(x) with the central difference of fun at x.

        ok ⇔ |∇f(x) - g_num| <= atol + rtol·|g_num|   (componentwise)

    >>> result = check_grad(lambda x: (x**2).sum(), lambda x: 2 * x, [1.0, -2.0])
    >>> result.ok, result.max_abs_error < 1e-8
    (True, True)
    """
    if not (rtol >= 0 and atol >= 0):
        raise ValueError(f"rtol and atol must be >= 0, got rtol={rtol!r}, atol={atol!r}")
    x = _real_array(x)
    if x.size == 0:
        raise ValueError(f"x must not be empty, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite, got NaN or infinity")
    analytic = _real_array(grad(x.copy()))
    if analytic.shape != x.shape:
        raise ValueError(f"grad returned shape {analytic.shape}, expected x's shape {x.shape}")
    numerical = central_difference(fun, x, step=step)
    error = np.abs(analytic - numerical)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 where both are 0: no error
        relative = np.where(error == 0, 0.0, error / np.maximum(abs(analytic), abs(numerical)))
    return GradCheck(
        analytic=analytic,
        numerical=numerical,
        max_abs_error=float(np.max(error)),
        max_rel_error=float(np.max(relative)),
        ok=bool(np.all(error <= atol + rtol * np.abs(numerical))),
    )
