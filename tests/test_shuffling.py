"""gdlab.shuffling: Fisher–Yates on the generator's 64-bit words, bounded by Lemire's method.

Checked against the same algorithm in Python's exact integers (the same words give the same
permutation), on the rare words it must reject, when the words run out, and for uniformity:
every permutation of 4 items equally often, every item equally often at every position.
"""

import itertools
import math

import numpy as np
import pytest

from gdlab import shuffling
from gdlab.shuffling import SPARE_WORDS, permutation, shuffle_down

WORD = 2**64


def python_shuffle(n, words):
    """The documented algorithm with Python's integers: (order, words taken)."""
    order, k = list(range(n)), 0
    for i in range(n - 1, 0, -1):
        bound = i + 1
        while True:
            product = words[k] * bound
            k += 1
            if product % WORD >= (WORD - bound) % bound:
                break
        j = product // WORD
        order[i], order[j] = order[j], order[i]
    return order, k


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1000])
def test_the_same_words_give_the_documented_algorithms_permutation(n):
    rng = np.random.default_rng(n)
    order = permutation(rng, n)
    words = np.random.default_rng(n).bit_generator.random_raw(max(n - 1, 0) + SPARE_WORDS)
    expected, _ = python_shuffle(n, [int(word) for word in words])
    assert order.dtype == np.intp and order.tolist() == expected


@pytest.mark.parametrize("n", [-1, 2.0, True, "3"])
def test_a_count_that_is_not_a_whole_number_of_samples_is_refused(n):
    with pytest.raises(ValueError, match="whole number of samples, 0 or more"):
        permutation(np.random.default_rng(0), n)


def test_a_permutation_of_a_million_takes_every_index_once():
    order = permutation(np.random.default_rng(0), 10**6)
    np.testing.assert_array_equal(np.sort(order), np.arange(10**6))


def rejected_word(bound):
    """A word whose product with `bound` has a low half below (2⁶⁴ − bound) mod bound."""
    least = (WORD - bound) % bound
    assert least > 0
    return 0  # 0·bound = 0 < least


def test_a_word_lemires_method_rejects_is_skipped_for_the_next():
    bound = 3  # the first step of a permutation of 3: (2⁶⁴ − 3) mod 3 = 1
    words = [rejected_word(bound), 2**63, 5 * 2**60, 2**62]
    order, taken = python_shuffle(3, words)
    assert taken == 3  # one rejected, one for each step
    shuffled = np.arange(3)
    assert shuffle_down(shuffled, np.array(words, dtype=np.uint64), 2) == 0
    assert shuffled.tolist() == order == [2, 0, 1]  # j = ⌊2⁶³·3 / 2⁶⁴⌋ = 1, then j = 0


def test_words_running_out_leave_the_step_for_the_caller():
    """Words that run out within a step (after a rejection) or between two: the step is
    returned unmade, and the order is as the steps before left it."""
    shuffled = np.arange(4)
    words = np.array([2**63, rejected_word(3)], dtype=np.uint64)
    assert shuffle_down(shuffled, words, 3) == 2  # step 3 made (j = 2), step 2's word rejected
    assert shuffled.tolist() == [0, 1, 3, 2]
    assert shuffle_down(shuffled, np.array([2**63], dtype=np.uint64), 2) == 1  # step 2: j = 1
    assert shuffled.tolist() == [0, 3, 1, 2]


def words_with_rejections(count, seed):
    """`count` words for a shuffle of 100 items, three of which Lemire's method rejects: 0
    (rejected wherever (2⁶⁴ − s) mod s > 0), twice at step 96 (s = 97) and at step 84."""
    words = np.random.default_rng(seed).bit_generator.random_raw(count)
    words[[3, 4, 17]] = rejected_word(97), rejected_word(97), rejected_word(85)
    return words


@pytest.mark.parametrize("size", [1, 2, 5, 31, 33, 64])
def test_words_given_a_block_at_a_time_make_the_permutation_of_all_at_once(size):
    """shuffle_down on blocks of the words, each from the step the last left unmade, gives the
    permutation of one call: a step cut by a block's end is made from the next block's words,
    as if the words had come in one piece.  Blocks shorter and longer than SWAP_AHEAD."""
    steps = 99
    words = words_with_rejections(steps + 3, size)
    expected, taken = python_shuffle(steps + 1, [int(word) for word in words])
    assert taken == steps + 3  # the three rejected words, one for each step
    shuffled, step = np.arange(steps + 1), steps
    for start in range(0, len(words), size):
        step = shuffle_down(shuffled, words[start : start + size], step)
    assert step == 0 and shuffled.tolist() == expected


@pytest.mark.parametrize("n", [2, 63, 64, 65, 200, 1000])
def test_permutation_draws_its_words_in_blocks_as_one_draw(monkeypatch, n):
    """With blocks of 64 words (WORD_BLOCK, made small here), `permutation` takes the words
    of one draw of n − 1 + SPARE_WORDS and leaves the generator where that draw would: the
    next permutation is the same too."""
    monkeypatch.setattr(shuffling, "WORD_BLOCK", 64)
    rng, same = np.random.default_rng(n), np.random.default_rng(n)
    for _ in range(2):
        words = same.bit_generator.random_raw(n - 1 + SPARE_WORDS)
        expected, _ = python_shuffle(n, [int(word) for word in words])
        assert permutation(rng, n).tolist() == expected
    assert rng.bit_generator.state == same.bit_generator.state


def test_every_permutation_of_four_is_equally_likely():
    """24 000 permutations of 4 items: each of the 24 about 1000 times (a χ² test with 23
    degrees of freedom, at a one in a million chance of failing a true uniform), and every
    item at every position about 6000 times."""
    rng = np.random.default_rng(2026)
    draws = np.array([permutation(rng, 4) for _ in range(24_000)])
    index = {p: k for k, p in enumerate(itertools.permutations(range(4)))}
    counts = np.bincount([index[tuple(row)] for row in draws.tolist()], minlength=24)
    expected = len(draws) / 24
    chi_squared = float(((counts - expected) ** 2 / expected).sum())
    assert chi_squared < 69.0  # P(χ²₂₃ > 69) ≈ 1e-6
    for position in range(4):
        seen = np.bincount(draws[:, position], minlength=4)
        assert np.all(np.abs(seen - 6000) < 5 * math.sqrt(6000 * 0.75))
