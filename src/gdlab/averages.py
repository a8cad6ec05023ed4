"""The exponentially weighted average (EWA) and its bias correction — seed 001 §3–4.

    v_t = β·v_{t−1} + (1 − β)·x_t,        v_0 = 0
    v̂_t = v_t / (1 − β^t)                  (bias correction)

Every optimizer that averages (momentum, RMSprop, Adam and their kin) calls the two step
functions below, `ewa_step` and `debias`; they use only arithmetic, so the same functions run
on whole NumPy arrays, on Python floats and inside compiled (numba) loops.  `EWA` / `ewa()` is
the same block for a user: over a stream of values, one at a time, or over a whole series.

Closed form (unrolling the recursion from v_0 = 0):

    v_t = (1 − β) Σ_{i=1..t} β^{t−i} x_i,   and   Σ_{i=1..t} (1 − β) β^{t−i} = 1 − β^t,

so v̂_t is a true weighted mean of x_1..x_t: a constant series is reproduced exactly, where the
uncorrected v_t starts near 0 and is biased low for the first ~1/(1 − β) steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray


def ewa_step(average, value, beta):
    """One EWA update: β·v + (1 − β)·x (arrays, floats or compiled scalars)."""
    return beta * average + (1 - beta) * value


def accumulate(average, value, decay, weight):
    """A weighted running sum: decay·v + weight·x.

    The EWA is the case weight = 1 − decay; torch.optim.SGD's momentum buffer is
    decay = momentum, weight = 1 − dampening (and weight = 1 on the first step).
    """
    return decay * average + weight * value


def bias_correction(beta: float, count: int) -> float:
    """1 − β^t, the total weight the EWA has given to t values."""
    return 1.0 - beta**count


def debias(average, correction):
    """v̂ = v / (1 − β^t), with correction = bias_correction(beta, t): a multiplication by the
    reciprocal, which a compiled loop computes once per step, not per coordinate."""
    return average * (1.0 / correction)


def _check_beta(beta: float) -> float:
    if not isinstance(beta, (int, float, np.floating)) or isinstance(beta, bool):
        raise TypeError(f"beta must be a real number, got {type(beta).__name__}")
    if not 0.0 <= float(beta) < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta}")
    return float(beta)


@dataclass
class EWA:
    """An exponentially weighted average you can feed values to, one at a time.

    >>> avg = EWA(beta=0.5, debias=False)
    >>> avg.update(4.0), avg.update(8.0)
    (2.0, 5.0)
    >>> EWA(beta=0.5).update(4.0)       # bias-corrected: 2.0 / (1 − 0.5)
    4.0

    `update` returns the current estimate (bias-corrected when `debias`); `value` is the raw
    average v_t, `count` the number of values seen.  Values may be floats or arrays of one shape.
    """

    beta: float
    debias: bool = True
    count: int = 0
    value: NDArray[np.floating] | float = field(default=0.0)

    def __post_init__(self) -> None:
        self.beta = _check_beta(self.beta)
        if not isinstance(self.debias, (bool, np.bool_)):
            kind = type(self.debias).__name__
            raise TypeError(f"debias must be True or False, got {kind} {self.debias!r}")

    def update(self, x: ArrayLike) -> NDArray[np.floating] | float:
        """Fold in one value and return the current estimate."""
        value = np.asarray(x, dtype=float)
        self.value = ewa_step(self.value, value if value.ndim else float(value), self.beta)
        self.count += 1
        return self.estimate

    @property
    def estimate(self) -> NDArray[np.floating] | float:
        """v̂_t when debiasing, else v_t (0 before the first value)."""
        if not self.debias or self.count == 0:
            return self.value
        return debias(self.value, bias_correction(self.beta, self.count))

    def series(self, values: ArrayLike) -> NDArray[np.floating]:
        """The estimate after each value of a series (along axis 0), continuing this average.

        >>> EWA(0.5, debias=False).series([4.0, 8.0, 8.0]).tolist()
        [2.0, 5.0, 6.5]
        """
        values = np.asarray(values, dtype=float)
        if values.ndim == 0:
            raise ValueError("values must be a series (at least 1-D), got a scalar")
        out = np.empty_like(values)
        for i, x in enumerate(values):
            out[i] = self.update(x)
        return out


def ewa(beta: float, *, debias: bool = True) -> EWA:
    """The EWA building block on its own: `gd.ewa(0.9).series(noisy)` or `.update(x)` per value.

    v_t = β·v_{t−1} + (1 − β)·x_t; with debias, v̂_t = v_t / (1 − β^t) (seed 001 §4).
    """
    return EWA(beta=beta, debias=debias)
