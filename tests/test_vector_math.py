"""gdlab.vector_math: e^x for x ≤ 0 within 1 ulp, float32 results correctly rounded; log(1 + e)
for 0 ≤ e ≤ 1 within 3 ulp; loops over them that LLVM vectorises."""

import re

import numpy as np
import pytest
from numba import njit

from gdlab.intrinsics import X86
from gdlab.vector_math import EXP_FLOOR, exp_nonpositive, log1p_unit, power_of_two


def elementwise(function):
    """A compiled loop out[i] = function(x[i]), whose assembly the tests inspect."""

    @njit(error_model="numpy")
    def loop(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = function(x[i])
        return out

    return loop


exps, log1ps = elementwise(exp_nonpositive), elementwise(log1p_unit)


@njit(error_model="numpy")
def exps32(x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = np.float32(exp_nonpositive(np.float64(x[i])))
    return out


def ulps(values, reference):
    return np.abs(values - reference) / np.spacing(reference)


def test_within_one_ulp_of_numpys_exp_over_the_whole_range():
    rng = np.random.default_rng(0)
    x = np.concatenate([-rng.exponential(3.0, 10**6), rng.uniform(-745.0, 0.0, 10**6)])
    reference = np.exp(x)
    normal = reference >= np.finfo(np.float64).tiny
    assert ulps(exps(x)[normal], reference[normal]).max() <= 1.0
    assert np.mean(exps(x) == reference) > 0.85  # NumPy's exp is not correctly rounded either


def test_rounded_to_float32_it_is_the_correctly_rounded_float32_exp():
    """In float64 arithmetic, ≤ 1 ulp of float64: rounding to float32 gives the float32
    nearest e^x (NumPy's float32 exp is off by one ulp in a large share of these)."""
    x = -np.random.default_rng(1).exponential(4.0, 10**6).astype(np.float32)
    nearest = np.exp(x.astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(exps32(x), nearest)


def test_the_edges():
    x = np.array([0.0, -0.0, -1e-300, -np.log(2.0), -708.0, -745.0, EXP_FLOOR, -1e6, -np.inf])
    values = exps(x)
    assert values[0] == values[1] == values[2] == 1.0
    assert values[3] == 0.5
    assert values[4] == pytest.approx(np.exp(-708.0), rel=2.3e-16)
    assert values[5] == np.exp(-745.0)  # the least subnormal number, 5e-324
    assert list(values[6:]) == [0.0, 0.0, 0.0]
    assert np.isnan(exps(np.array([np.nan, -np.nan]))).all()


def test_power_of_two_is_exact_over_the_normal_exponents():
    @njit
    def powers(n):
        return np.array([power_of_two(k) for k in n])

    n = np.arange(-1022, 1024)
    np.testing.assert_array_equal(powers(n), np.ldexp(1.0, n))


def test_the_loop_is_vectorised():
    """No libm call and packed arithmetic: the point of the module."""
    exps(np.zeros(8))
    assembly = next(iter(exps.inspect_asm().values()))
    if "inspection disabled" in assembly.lower() or not assembly.strip():
        pytest.skip("numba loaded the loop from its cache: no assembly to inspect")
    assert not libm_exp(assembly)
    if X86:
        assert "mulpd" in assembly  # packed multiplies (vmulpd or mulpd)


def libm_exp(assembly):
    """Whether the assembly refers to libm's exp (numba's np.exp is a call to it)."""
    return re.search(r"[$\s,]exp\b", assembly) is not None


def test_the_check_finds_a_libm_call():
    @njit(error_model="numpy")
    def libm(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = np.exp(x[i])
        return out

    libm(np.zeros(8))
    assert libm_exp(next(iter(libm.inspect_asm().values())))


def test_log1p_unit_is_within_three_ulp_of_numpys_log1p():
    """Over [0, 1] and the e = e^−|z| of margins up to 700 (down to 1e-304)."""
    rng = np.random.default_rng(2)
    e = np.concatenate([rng.random(10**6), np.exp(-rng.exponential(30.0, 10**6))])
    reference = np.log1p(e)
    positive = reference > 0
    assert ulps(log1ps(e)[positive], reference[positive]).max() <= 3.0
    assert np.mean(log1ps(e) == reference) > 0.5


def test_log1p_unit_edges():
    """0 → 0, 1 → log 2, either side of the √2 − 1 where u is halved, tiny e → e, NaN → NaN."""
    below = np.nextafter(np.sqrt(2.0) - 1.0, 0.0)
    e = np.array([0.0, 1.0, np.sqrt(2.0) - 1.0, below, 5e-324, 1e-300, 2.0**-60])
    values = log1ps(e)
    assert values[0] == 0.0 and values[1] == np.log(2.0)
    np.testing.assert_allclose(values[2:4], np.log1p(e[2:4]), rtol=4e-16)
    np.testing.assert_array_equal(values[4:], e[4:])
    assert np.isnan(log1ps(np.array([np.nan])))[0]


def test_the_log1p_loop_is_vectorised():
    log1ps(np.zeros(8))
    assembly = next(iter(log1ps.inspect_asm().values()))
    if "inspection disabled" in assembly.lower() or not assembly.strip():
        pytest.skip("numba loaded the loop from its cache: no assembly to inspect")
    assert re.search(r"[$\s,]log1?p?\b", assembly) is None
    if X86:
        assert "divpd" in assembly  # packed divisions (vdivpd or divpd)
