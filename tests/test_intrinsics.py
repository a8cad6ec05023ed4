"""gdlab.intrinsics: prefetch hints, subnormal numbers flushed on x86 with MXCSR restored, and
the atomics two threads share counters with."""

import numpy as np
import pytest
from numba import njit, prange
from numba.core.errors import TypingError

from gdlab.intrinsics import (
    FLUSH_BITS,
    X86,
    compare_swap,
    fetch_add,
    flush_subnormals,
    load_acquire,
    prefetch,
    prefetch_ahead,
    prefetch_item,
    restore_floating,
    spin_pause,
    store_release,
    wide_product,
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


@njit
def prefetch_items(a):
    for i in range(a.size):
        prefetch_item(a, a.size - 1 - i)
    return a.sum()


def test_prefetch_item_is_a_hint_on_one_dimensional_arrays_only():
    a = np.arange(10, dtype=np.intp)
    assert prefetch_items(a) == 45 and a.tolist() == list(range(10))

    @njit
    def of_a_matrix(X):
        prefetch_item(X, 0)

    with pytest.raises(TypingError):
        of_a_matrix(np.zeros((2, 2)))


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


@njit
def one_thread_atomics(counters):
    """Each atomic once on counters [5, 0, 0]: what it returns, then the counters."""
    old = fetch_add(counters, 0, 3)
    swapped = compare_swap(counters, 1, 0, 7)
    refused = compare_swap(counters, 1, 0, 9)  # counters[1] is 7 now, not 0
    store_release(counters, 2, -4)
    spin_pause()
    return old, swapped, refused, load_acquire(counters, 2)


def test_each_atomic_does_what_it_says_on_one_thread():
    counters = np.array([5, 0, 0], dtype=np.int64)
    assert one_thread_atomics(counters) == (5, True, False, -4)
    assert counters.tolist() == [8, 7, -4]


@njit(parallel=True)
def count_together(counters, each):
    """Two workers add 1 to counters[0] `each` times apiece; and each claims counters[8] from
    every value it sees, a claim succeeding only once per value (counters[16 + w]: worker w's)."""
    for worker in prange(2):
        for _ in range(each):
            fetch_add(counters, 0, 1)
            value = load_acquire(counters, 8)
            if compare_swap(counters, 8, value, value + 1):
                fetch_add(counters, 16 + worker, 1)


def test_atomic_updates_from_two_threads_are_never_lost():
    counters = np.zeros(24, dtype=np.int64)
    count_together(counters, 200_000)
    assert counters[0] == 400_000  # a read, then a write of one more: 250–320 thousand here
    assert counters[16] + counters[17] == counters[8]  # every successful claim counted once
    assert counters[8] <= 400_000


@njit(parallel=True)
def hand_over(data, flags, rounds):
    """Worker 0 writes data[r] then publishes r + 1 (release); worker 1 waits for it (acquire)
    and copies what it reads into data[rounds + r].  Gives up after 10⁹ spins."""
    for worker in prange(2):
        for r in range(rounds):
            if worker == 0:
                data[r] = 3.0 * r + 1.0
                store_release(flags, 0, r + 1)
            else:
                spins = 0
                while load_acquire(flags, 0) < r + 1 and spins < 1_000_000_000:
                    spin_pause()
                    spins += 1
                data[rounds + r] = data[r]


def test_a_value_written_before_a_release_is_read_after_the_acquire_that_sees_it():
    rounds = 10_000
    data, flags = np.zeros(2 * rounds), np.zeros(1, dtype=np.int64)
    hand_over(data, flags, rounds)
    np.testing.assert_array_equal(data[rounds:], 3.0 * np.arange(rounds) + 1.0)


@pytest.mark.parametrize("counters", [np.zeros(3), np.zeros((2, 2), dtype=np.int64)])
def test_the_atomics_take_only_one_dimensional_int64_arrays(counters):
    @njit
    def add(counters):
        return fetch_add(counters, 0, 1)

    with pytest.raises(TypingError):
        add(counters)


@njit
def products(a, b):
    high = np.empty(a.size, np.uint64)
    low = np.empty(a.size, np.uint64)
    for k in range(a.size):
        high[k], low[k] = wide_product(a[k], b[k])
    return high, low


def test_the_wide_product_is_the_exact_128_bit_product():
    rng = np.random.default_rng(4)
    edges = [0, 1, 2**32 - 1, 2**32, 2**63, 2**64 - 1]
    a = np.array(edges + [int(v) for v in rng.bit_generator.random_raw(1000)], dtype=np.uint64)
    b = np.array(edges[::-1] + [int(v) for v in rng.bit_generator.random_raw(1000)],
                 dtype=np.uint64)  # fmt: skip
    high, low = products(a, b)
    exact = [int(x) * int(y) for x, y in zip(a, b, strict=True)]
    assert [int(h) << 64 | int(lo) for h, lo in zip(high, low, strict=True)] == exact


def test_the_wide_product_takes_only_uint64():
    with pytest.raises(TypingError):
        products(np.arange(3), np.arange(3))
