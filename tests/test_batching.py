"""Batch plans: sizes, counts, orders, the remainder, randomness from the given Generator only."""

import numpy as np
import pytest

from gdlab import shuffling
from gdlab.batching import PERMUTE_FROM, Batches, resolve_batch_size, steps_per_epoch


def covered(plan, rng):
    """All indices of one epoch, in order, and the batch sizes."""
    order = plan.order(rng)
    indexers = list(plan.indexers(order))
    positions = np.arange(plan.n_samples)
    indices = [positions[index] for index in indexers]
    return np.concatenate(indices), [len(index) for index in indices]


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "steps"),
    [(10, None, False, 1), (10, 10, False, 1), (10, 1, False, 10), (10, 3, False, 4),
     (10, 3, True, 3), (10, 5, True, 2), (7, 7, True, 1), (1, 1, False, 1)],
)  # fmt: skip
def test_steps_per_epoch_is_ceil_or_floor(n, batch_size, drop_last, steps):
    assert steps_per_epoch(n, batch_size, drop_last) == steps
    assert Batches(n, batch_size, drop_last=drop_last).steps_per_epoch == steps
    sizes = covered(Batches(n, batch_size, drop_last=drop_last), np.random.default_rng(0))[1]
    assert len(sizes) == steps


def test_in_order_batches_are_slices_with_a_short_last_one():
    plan = Batches(10, 4, shuffle=False)
    assert plan.order(np.random.default_rng(0)) is None
    assert list(plan.indexers(None)) == [slice(0, 4), slice(4, 8), slice(8, 10)]
    assert list(Batches(10, 4, shuffle=False, drop_last=True).indexers(None)) == [
        slice(0, 4),
        slice(4, 8),
    ]


def test_shuffled_batches_are_index_arrays_covering_a_permutation():
    plan = Batches(11, 3)
    order = plan.order(np.random.default_rng(5))
    assert order is not None and order.dtype == np.intp
    indexers = list(plan.indexers(order))
    assert all(isinstance(index, np.ndarray) and index.dtype == np.intp for index in indexers)
    assert all(np.shares_memory(index, order) for index in indexers)  # views, not copies
    assert [len(index) for index in indexers] == [3, 3, 3, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(indexers)), np.arange(11))
    np.testing.assert_array_equal(order, np.random.default_rng(5).permutation(11))


@pytest.mark.parametrize("n", [PERMUTE_FROM - 1, PERMUTE_FROM])
def test_large_data_is_shuffled_by_the_compiled_permutation(n):
    """NumPy's permutation below PERMUTE_FROM samples, gdlab.shuffling's from there on."""
    order = Batches(n, 256).order(np.random.default_rng(9))
    assert order is not None and order.dtype == np.intp
    np.testing.assert_array_equal(np.sort(order), np.arange(n))
    numpy_order = np.random.default_rng(9).permutation(n)
    compiled = shuffling.permutation(np.random.default_rng(9), n)
    np.testing.assert_array_equal(order, numpy_order if n < PERMUTE_FROM else compiled)
    assert not np.array_equal(numpy_order, compiled)


def test_drop_last_drops_the_short_batch_of_a_permutation():
    indices, sizes = covered(Batches(11, 3, drop_last=True), np.random.default_rng(1))
    assert sizes == [3, 3, 3]
    assert len(set(indices.tolist())) == 9


def test_replacement_draws_n_integers_from_the_generator():
    plan = Batches(6, 1, replace=True)
    order = plan.order(np.random.default_rng(3))
    np.testing.assert_array_equal(order, np.random.default_rng(3).integers(0, 6, size=6))
    assert plan.steps_per_epoch == 6


def test_the_full_batch_draws_nothing_and_is_one_slice():
    for plan in (Batches(8), Batches(8, 8), Batches(8, 8, shuffle=True)):
        rng = np.random.default_rng(0)
        assert plan.full_batch
        assert list(plan.epoch(rng)) == [slice(0, 8)]
        assert rng.random() == np.random.default_rng(0).random()  # no draw was made
    assert not Batches(8, 8, replace=True).full_batch


@pytest.mark.parametrize(
    ("plan", "in_order"),
    [(Batches(8, 3, shuffle=False), True), (Batches(8, shuffle=True), True),
     (Batches(8, 3, shuffle=True), False), (Batches(8, 8, replace=True), False)],
)  # fmt: skip
def test_in_order_plans_are_those_whose_order_is_none_and_draws_nothing(plan, in_order):
    rng = np.random.default_rng(0)
    assert plan.in_order == in_order == (plan.order(rng) is None)
    assert (rng.random() == np.random.default_rng(0).random()) == in_order


def test_same_generator_same_orders_and_epochs_differ():
    plan = Batches(20, 4)

    def three_epochs(seed):
        rng = np.random.default_rng(seed)
        return [covered(plan, rng)[0] for _ in range(3)]

    first, again = three_epochs(9), three_epochs(9)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])
    assert not np.array_equal(first[0], three_epochs(10)[0])


@pytest.mark.parametrize(
    ("batch_size", "error", "message"),
    [(0, ValueError, r"batch_size must be in \[1, 5\] \(the number of samples\) or None"),
     (-2, ValueError, r"got -2"), (6, ValueError, r"got 6"),
     (2.0, TypeError, "batch_size must be an integer or None, got float"),
     (True, TypeError, "batch_size must be an integer")],
)  # fmt: skip
def test_bad_batch_sizes_are_named(batch_size, error, message):
    with pytest.raises(error, match=message):
        resolve_batch_size(batch_size, 5)
    with pytest.raises(error, match=message):
        Batches(5, batch_size)


def test_other_bad_plans():
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1, got 0"):
        Batches(0)
    with pytest.raises(ValueError, match="replace=True draws random indices, so it needs shuffle"):
        Batches(5, 1, shuffle=False, replace=True)
    with pytest.raises(TypeError, match="drop_last must be True or False, got str"):
        Batches(5, 2, drop_last="yes")
