"""gdlab.batch_sharing: the board on which epoch_threads' workers share an epoch's batches.

The workers themselves run in tests/test_compiled_epochs.py (the serial loop's numbers, bit
for bit, with workers run together, one after another, or more of them than threads); here
each counter's rule, one call at a time.
"""

import numpy as np
import pytest

from gdlab.batch_sharing import (
    COMPLETED,
    LINE,
    PUBLISHED,
    STATUS,
    STEPS,
    TAKEN,
    all_parts,
    await_batch,
    claim,
    completes_batch,
    new_board,
    part_count,
    part_ranges,
    publish,
)


def test_the_counters_two_workers_write_sit_on_different_cache_lines():
    board = new_board(4)
    assert board.dtype == np.int64 and not board.any()
    slots = [COMPLETED, PUBLISHED, *(TAKEN + p * LINE for p in range(4))]
    assert len({slot // LINE for slot in slots}) == len(slots)
    assert {STATUS // LINE, STEPS // LINE} == {PUBLISHED // LINE}  # written together
    assert board.size == TAKEN + 4 * LINE


@pytest.mark.parametrize("ranges", range(1, 17))
@pytest.mark.parametrize("workers", [1, 2, 3, 16])
def test_a_batchs_parts_cover_its_ranges_once_in_order(workers, ranges):
    parts = part_count(workers, ranges)
    assert parts == min(workers, ranges)
    covered = [c for part in range(parts) for c in range(*part_ranges(part, parts, ranges))]
    assert covered == list(range(ranges))
    assert all(part_ranges(part, parts, ranges)[1] > part_ranges(part, parts, ranges)[0]
               for part in range(parts))  # fmt: skip


def test_a_part_is_taken_once_and_only_in_its_batchs_turn():
    board = new_board(2)
    assert not claim(board, 1, 0)  # batch 0's part 0 not taken yet
    assert claim(board, 0, 0) and not claim(board, 0, 0)
    assert claim(board, 0, 1)
    assert claim(board, 1, 1) and claim(board, 1, 0) and not claim(board, 1, 1)
    assert board[TAKEN] == board[TAKEN + LINE] == 2


def test_the_last_part_of_each_batch_completes_it():
    steps, parts, last_parts = 3, 2, 1  # batches of 2, 2 and 1 parts
    assert all_parts(steps, parts, last_parts) == 5 and all_parts(0, parts, last_parts) == 0
    board = new_board(parts)
    done = [completes_batch(board, t, steps, parts, last_parts) for t in (0, 0, 1, 1, 2)]
    assert done == [False, True, False, True, True]
    assert board[COMPLETED] == 5


@pytest.mark.parametrize(
    ("status", "steps_made", "published"),
    [(0, 4, 4), (1, 3, 10), (2, 4, 10)],  # updated; diverged before it; made non-finite
)
def test_publishing_a_step_counts_the_updates_and_a_halt_releases_every_batch(
    status, steps_made, published
):
    board = new_board(2)
    publish(board, 3, status, 10)  # batch 3 of 10
    assert (board[STATUS], board[STEPS], board[PUBLISHED]) == (status, steps_made, published)
    assert await_batch(board, 4) == (status == 0)  # batch 4 may be summed, or the epoch ends
    if status:
        assert not await_batch(board, 9)  # no worker waits on a halted epoch
