"""Slot arrays placed apart from the parameters within a page (gdlab.placement)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import gdlab as gd
from gdlab.placement import (
    HUGE_FROM,
    HUGE_PAGE,
    LINE_BYTES,
    PAGE,
    STAGGER,
    lined_zeros,
    staggered_full_like,
)


def page_offset(array: np.ndarray) -> int:
    return array.ctypes.data % PAGE


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("position", [1, 2, 3])
def test_a_slot_starts_its_position_in_kib_further_into_a_page(dtype, position):
    params = np.ones((300, 70), dtype=dtype)
    slot = staggered_full_like(params, 0.5, position)
    assert (page_offset(slot) - page_offset(params)) % PAGE == position * STAGGER
    assert slot.shape == params.shape and slot.dtype == params.dtype
    assert slot.flags.c_contiguous and slot.flags.writeable and slot.flags.aligned
    np.testing.assert_array_equal(slot, np.full_like(params, 0.5))


def test_the_offset_follows_the_parameters_wherever_they_start():
    base = np.zeros(20_000, dtype=np.float32)
    for shift in (0, 3, 16, 1000):  # parameters that start 0, 12, 64, 4000 bytes in
        params = base[shift : shift + 10_000]
        slot = staggered_full_like(params, 0.0, 1)
        assert (page_offset(slot) - page_offset(params)) % PAGE == STAGGER


def test_large_slots_keep_the_offset_within_a_huge_page():
    params = np.ones(HUGE_FROM // 4 + 1000, dtype=np.float32)
    slot = staggered_full_like(params, 0.0, 2)
    assert (slot.ctypes.data - params.ctypes.data) % HUGE_PAGE == 2 * STAGGER
    assert slot.shape == params.shape and not slot.any()
    spare = slot.base.nbytes - slot.nbytes
    assert 0 < spare <= HUGE_PAGE  # less than one huge page more than the slot itself


def test_slots_of_one_rule_start_apart_from_each_other():
    params = np.random.default_rng(0).standard_normal(100_000)
    state = gd.adam(1e-3).init(params)
    offsets = {page_offset(params)} | {page_offset(slot) for slot in state[0].slots}
    assert len(offsets) == 3


def test_small_or_strided_arrays_get_plain_full_like():
    small = np.ones(100, dtype=np.float32)  # 400 bytes: less than a page
    assert staggered_full_like(small, 2.0, 1).base is None
    assert staggered_full_like(np.float64(3.0), 1.0, 1).shape == ()
    assert staggered_full_like(np.empty((0, 5)), 1.0, 1).shape == (0, 5)
    strided = np.ones((2000, 4))[:, ::2]
    slot = staggered_full_like(strided, 2.0, 1)
    np.testing.assert_array_equal(slot, np.full_like(strided, 2.0))
    assert slot.shape == strided.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(16, 101), (16, 3, 16), (5, 1), (3, 8), (7,)])
def test_lined_rows_each_start_on_their_own_cache_line(dtype, shape):
    scratch = lined_zeros(shape, dtype)
    per_line = LINE_BYTES // np.dtype(dtype).itemsize
    assert scratch.dtype == dtype and scratch.flags.c_contiguous and not scratch.any()
    assert scratch.shape[:-1] == shape[:-1]
    assert shape[-1] <= scratch.shape[-1] < shape[-1] + per_line  # padded to whole lines
    assert scratch.shape[-1] % per_line == 0
    rows = scratch.reshape(-1, scratch.shape[-1])
    starts = [row.ctypes.data for row in rows]
    assert all(start % LINE_BYTES == 0 for start in starts)
    lines = [{(start + j * scratch.itemsize) // LINE_BYTES for j in range(shape[-1])}
             for start in starts]  # fmt: skip
    assert all(not (a & b) for a, b in itertools.pairwise(lines))  # no line holds two rows
