"""gdlab.intrinsics: prefetch hints, and subnormal numbers flushed on x86 with MXCSR restored."""

import numpy as np
import pytest
from numba import njit
from numba.core.errors import TypingError

from gdlab.intrinsics import (
    FLUSH_BITS,
    X86,
    flush_subnormals,
    prefetch,
    prefetch_ahead,
    restore_floating,
)


@njit
def product_flushed(a, b, c):
    """(a·b with subnormals flushed, a·c after restoring, MXCSR before, inside, after); c = b,
    another argument so that LLVM cannot reuse a·b (it does not order arithmetic against MXCSR)."""
    before = flush_subnormals()
    flushed = a * b
    inside = flush_subnormals()
    restore_floating(inside)
    restore_floating(before)
    after = a * c
    control = flush_subnormals()
    restore_floating(control)
    return flushed, after, before, inside, control


def test_flushing_gives_zeros_for_subnormal_results_and_restoring_gives_them_back():
    a, b = np.float32(1e-30), np.float32(1e-10)  # a·b = 1e-40: subnormal in float32
    flushed, after, before, inside, control = product_flushed(a, b, b)
    assert after == np.float32(1e-40) and after != 0
    if X86:
        assert flushed == 0
        modes = ~0x3F  # MXCSR without its sticky exception flags (a·b raised some)
        assert inside & modes == (before | FLUSH_BITS) & modes
        assert control & modes == before & modes
    else:
        assert flushed == after and before == inside == control == 0


def test_a_plain_call_leaves_the_callers_arithmetic_as_it_was():
    product_flushed(np.float32(1e-30), np.float32(1e-10), np.float32(1e-10))
    assert np.float32(1e-30) * np.float32(1e-10) != 0  # NumPy, after the compiled call


@njit
def prefetch_rows(X, level_one):
    for i in range(X.shape[0]):
        if level_one:
            prefetch(X, i, 0, 1)
        else:
            prefetch(X, i, 0, 2)
    return X.sum()


def test_prefetch_is_a_hint_that_changes_no_value():
    X = np.arange(12.0).reshape(4, 3)
    assert prefetch_rows(X, True) == prefetch_rows(X, False) == 66.0


def test_prefetch_takes_only_the_levels_it_knows():
    @njit
    def level_three(X):
        prefetch(X, 0, 0, 3)

    with pytest.raises(TypingError):
        level_three(np.zeros((2, 2)))


@njit
def prefetch_far(X, distance):
    for i in range(X.shape[0]):
        prefetch_ahead(X, i, 0, distance)
        prefetch_ahead(X, i, X.shape[1] - 1, -distance)
    return X.sum()


def test_prefetch_ahead_is_a_hint_even_far_outside_the_array():
    """No value changes, and an address far past the array does not fault."""
    X = np.arange(12.0).reshape(4, 3)
    for distance in (0, 64, 4096, 1 << 40):
        assert prefetch_far(X, distance) == 66.0


def test_prefetch_ahead_takes_a_whole_number_of_bytes():
    @njit
    def halfway(X):
        prefetch_ahead(X, 0, 0, 0.5)

    with pytest.raises(TypingError):
        halfway(np.zeros((2, 2)))
