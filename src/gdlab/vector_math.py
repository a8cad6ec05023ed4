"""Elementary functions written so that LLVM can vectorise the loops that call them (layer L0).

A loop that calls libm (numba's np.exp) runs one element at a time: this llvmlite is built
without a vector math library.  `exp_nonpositive` is the exponential of x ≤ 0 in plain
float64 arithmetic, inlined into the loop — four lanes at a time here (LLVM keeps to
256-bit vectors on this AVX-512 Xeon; the loop over 10⁶ values: 3.2 ns each, libm's 5.9):

    n = round(x·log₂e)                        t = x·log₂e + 1.5·2⁵², n = t − 1.5·2⁵²
    r = (x − n·ln2_hi) − n·ln2_lo             Cody–Waite: n·ln2_hi is exact, |r| ≤ ½ln2 + ε
    e^r = Σ_{k ≤ 13} r^k / k!                 Horner; the next term is < 0.347¹⁴/14! < 2⁻⁵⁷
    e^x = e^r · 2^(n+64) · 2⁻⁶⁴               2^(n+64) built from its bits: t's low bits are n

It is within 1 ulp of e^x (tests/test_vector_math.py measures it against NumPy's exp);
rounded to float32, its results are e^x correctly rounded to float32 in all of the tests'
10⁶ values (NumPy's own float32 exp is one ulp off in ≈40% of them).  x < −746 gives 0 (e^−746
is below half the least subnormal), −inf gives 0, NaN gives NaN; results below 2⁻¹⁰²²
come out as subnormal numbers — or 0 where the caller flushes them (gdlab.intrinsics).
Every step is a select, a multiply-add or a bit operation: no branch, no call.

`log1p_unit` is log(1 + e) for 0 ≤ e ≤ 1 (the log loss's e = e^−|z|), the same way:

    u = 1 + e (rounded),  c = (e − (u − 1))/u  log1p(e) = log u + log(1 + c) = log u + c + O(2⁻¹⁰⁶)
    u = 2^k·m, m ∈ [√½, √2)                   k = 1 where u ≥ √2 (a select); m − 1 is exact
    log m = 2·atanh(s) = Σ_{j ≤ 10} 2s^(2j+1)/(2j+1),  s = (m − 1)/(m + 1), |s| ≤ 0.1716
                                              (the next term is < 2⁻⁵⁸ of the first)

within 3 ulp of NumPy's log1p (tests/test_vector_math.py); e = 0 gives 0, NaN gives NaN.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

LOG2_E = 1.4426950408889634  # log₂ e
LN2_HI = 6.93147180369123816490e-01  # ln 2's leading 32 bits (fdlibm): n·LN2_HI is exact
LN2_LO = 1.90821492927058770002e-10  # ln 2 − LN2_HI
SHIFTER = 6755399441055744.0  # 1.5·2⁵²: t = v + SHIFTER rounds v to an integer, in t's bits
SHIFTER_BITS = np.float64(SHIFTER).view(np.int64).item()
EXP_FLOOR = -746.0  # below: e^x rounds to 0
BIAS = 1023  # float64's exponent bias
GUARD = 64  # 2^(n+GUARD) stays a normal number for n ≥ −1077
UNGUARD = 2.0**-GUARD
TAYLOR = tuple(1.0 / math.factorial(k) for k in range(13, -1, -1))  # 1/k!, k = 13 … 0
SQRT2 = math.sqrt(2.0)
LN2 = math.log(2.0)
ATANH = tuple(2.0 / (2 * j + 1) for j in range(10, -1, -1))  # 2/(2j + 1), j = 10 … 0


@njit(error_model="numpy", inline="always")
def exp_nonpositive(x: float) -> float:
    """e^x for x ≤ 0 (or NaN) in float64, without a branch or a call (see the module)."""
    x = x if not x < EXP_FLOOR else EXP_FLOOR  # NaN stays NaN
    t = x * LOG2_E + SHIFTER
    n = t - SHIFTER
    r = (x - n * LN2_HI) - n * LN2_LO
    p = 0.0
    for coefficient in TAYLOR:  # Horner, from r¹³/13! down (numba unrolls the tuple)
        p = p * r + coefficient
    power = power_of_two(np.float64(t).view(np.int64) - SHIFTER_BITS + GUARD)
    return p * power * UNGUARD


@njit(error_model="numpy", inline="always")
def power_of_two(n: Any) -> float:
    """2ⁿ for −1022 ≤ n ≤ 1023, from its bits: the biased exponent n + 1023, mantissa 0."""
    return np.int64((n + BIAS) << 52).view(np.float64)


@njit(error_model="numpy", inline="always")
def log1p_unit(e: float) -> float:
    """log(1 + e) for 0 ≤ e ≤ 1 (or NaN) in float64, without a branch or a call (see the
    module)."""
    u = 1.0 + e
    correction = (e - (u - 1.0)) / u
    halved = u >= SQRT2
    m = u * 0.5 if halved else u
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    p = 0.0
    for coefficient in ATANH:  # Horner in s², from 2/21 down (numba unrolls the tuple)
        p = p * s2 + coefficient
    return ((LN2 if halved else 0.0) + s * p) + correction
