"""gdlab.distributed.reduction: a batch in pieces — sums per piece, the mean over all rows, the L2
penalty once — and the ReducedModel that fit runs on pieced data."""

from __future__ import annotations

import numpy as np
import pytest

import gdlab as gd
from gdlab.data.ondisk import in_blocks
from gdlab.distributed.reduction import (
    Partial,
    ReducedModel,
    combine,
    partial_sums,
    stream_sums,
    stream_validate,
)

# ℓ = (w·x − y)², w = 2:  x = 1, 2, 3;  y = 1, 2, 4  →  r = 1, 2, 2
LINE = gd.models.LinearRegression(fit_intercept=False)
X = np.array([[1.0], [2.0], [3.0]])
Y = np.array([1.0, 2.0, 4.0])
W = np.array([2.0])


def test_partial_sums_by_hand() -> None:
    rows, loss_sum, grad_sum = partial_sums(LINE, W, X, Y)
    assert rows == 3
    assert loss_sum == 9.0  # Σ r² = 1 + 4 + 4 (3 rows × the mean 3)
    np.testing.assert_array_equal(grad_sum, [22.0])  # Σ 2·r·x = 2 + 8 + 12


def test_pieces_give_the_whole_batch_by_hand() -> None:
    pieces = [partial_sums(LINE, W, X[:1], Y[:1]), partial_sums(LINE, W, X[1:], Y[1:])]
    assert pieces[0] == (1, 1.0, pieces[0].grad_sum)  # r = 1: ℓ = 1, ∇ = 2
    loss, grads = combine(pieces)
    assert loss == 3.0  # (1 + 8) / 3
    np.testing.assert_allclose(grads, [22.0 / 3], rtol=1e-15)


def test_the_penalty_is_counted_once() -> None:
    """l2 = 0.5: P = ½·0.5·w² = 1 on every piece's mean; Σ n·P / Σ n = P, not 2P."""
    ridge = gd.models.LinearRegression(fit_intercept=False, l2=0.5)
    pieces = [partial_sums(ridge, W, X[:1], Y[:1]), partial_sums(ridge, W, X[1:], Y[1:])]
    loss, grads = combine(pieces)
    assert loss == 4.0  # 3 + 1
    np.testing.assert_allclose(grads, [22.0 / 3 + 1.0], rtol=1e-15)  # + l2·w
    whole_loss, whole_grads = ridge.value_and_grad(W, X, Y)
    assert loss == whole_loss
    np.testing.assert_allclose(grads, whole_grads, rtol=1e-15)


def test_combine_adds_in_the_order_given() -> None:
    """Floating-point addition is not associative: the order given is the order added."""
    parts = [Partial(1, 1e16, np.array([1e16])), Partial(1, 1.0, np.array([1.0])),
             Partial(1, -1e16, np.array([-1e16]))]  # fmt: skip
    assert combine(parts)[0] == 0.0  # (1e16 + 1) − 1e16: the 1 is lost
    assert combine([parts[0], parts[2], parts[1]])[0] == 1.0 / 3
    with pytest.raises(ValueError, match="at least one piece"):
        combine([])


def test_combine_does_not_write_the_pieces() -> None:
    first = Partial(1, 1.0, np.array([1.0]))
    combine([first, Partial(1, 1.0, np.array([2.0]))])
    assert first.grad_sum.tolist() == [1.0]


# ---------------------------------------------------------------- blocks and ReducedModel


def data(n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    features = rng.standard_normal((n, 3))
    return features, features @ [1.0, -2.0, 0.5] + 1.0


def test_stream_sums_over_blocks_equal_the_whole() -> None:
    features, target = data()
    model = gd.models.LinearRegression(l2=0.1)
    params = model.init(3, seed=1)
    blocks = in_blocks(features, block_rows=7)
    parts = stream_sums(model, params, blocks, in_blocks(target, blocks.bounds))
    assert [p.rows for p in parts] == [7] * 7 + [1]
    loss, grads = combine(parts)
    expected_loss, expected_grads = model.value_and_grad(params, features, target)
    assert abs(loss - expected_loss) <= 1e-15 * expected_loss
    np.testing.assert_allclose(grads, expected_grads, rtol=1e-14)


def test_reduced_model_on_numpy_is_the_model() -> None:
    features, target = data()
    model = gd.models.LinearRegression()
    reduced = ReducedModel(model)
    params = model.init(3, seed=1)
    loss, grads = reduced.value_and_grad(params, features[:5], target[:5])
    expected = model.value_and_grad(params, features[:5], target[:5])
    assert loss == expected[0]
    np.testing.assert_array_equal(grads, expected[1])
    assert reduced.n_outputs_for(target) == 1
    np.testing.assert_array_equal(reduced.init(3, seed=1), params)
    assert repr(reduced) == f"ReducedModel({model!r})"


def test_reduced_model_on_blocks() -> None:
    features, _ = data()
    labels = np.zeros(50, dtype=np.int64)
    labels[45] = 3  # the largest label is in the last block
    reduced = ReducedModel(gd.models.SoftmaxRegression())
    X_blocks, y_blocks = reduced.validate(in_blocks(features, block_rows=10), labels)
    assert y_blocks.bounds == X_blocks.bounds  # y in memory is cut like X
    assert reduced.n_outputs_for(y_blocks) == 4
    params = reduced.init(3, n_outputs=4, seed=0)
    loss, grads = reduced.value_and_grad(params, X_blocks, y_blocks)
    expected_loss, expected_grads = reduced.model.value_and_grad(params, features, labels)
    assert abs(loss - expected_loss) <= 1e-15 * expected_loss
    np.testing.assert_allclose(grads, expected_grads, rtol=1e-13, atol=1e-17)


def test_stream_validate_names_the_rows() -> None:
    features, target = data()
    features[33, 1] = np.inf
    model = gd.models.LinearRegression()
    with pytest.raises(ValueError, match=r"rows 30\.\.39 of memory: X contains NaN or inf"):
        stream_validate(model, in_blocks(features, block_rows=10), in_blocks(target, block_rows=10))
    with pytest.raises(ValueError, match="X has 50 samples but y has 49"):
        stream_validate(model, in_blocks(features), in_blocks(target[:-1]))
