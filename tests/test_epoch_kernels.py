"""gdlab.epoch_kernels: every compiled head and gradient pass is the model's own maths."""

import numpy as np
import pytest
from numba import njit, prange

import gdlab as gd
from gdlab import epoch_kernels as kernels
from gdlab import loop, placement
from gdlab.intrinsics import flush_subnormals, restore_floating
from gdlab.problems.losses import sigmoid
from gdlab.vector_math import exp_nonpositive

MODELS = {
    "linear mse": gd.models.LinearRegression(),
    "linear half_mse, no intercept": gd.models.LinearRegression(
        loss="half_mse", fit_intercept=False
    ),
    "linear l2": gd.models.LinearRegression(l2=0.3),
    "logistic": gd.models.LogisticRegression(),
    "logistic l2, no intercept": gd.models.LogisticRegression(l2=0.1, fit_intercept=False),
}


def head_of(model):
    kind = kernels.LOG_LOSS if isinstance(model, gd.models.LogisticRegression) else kernels.SQUARED
    half = 0.5 if getattr(model, "loss", "mse") == "half_mse" else 1.0
    return kind, half, int(model.fit_intercept)


def batch(model, rows, seed, dtype=np.float64, d=6):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, d)).astype(dtype)
    if isinstance(model, gd.models.LogisticRegression):
        y = (rng.random(rows) < 0.5).astype(dtype)
    else:
        y = rng.normal(size=rows).astype(dtype)
    params = rng.normal(size=model.n_params(d)).astype(dtype)
    return X, y, params


def compiled_value_and_grad(model, params, X, y, order=None):
    """The compiled batch pass over all rows of X (through `order` when given)."""
    kind, half, intercept = head_of(model)
    shuffled = order is not None
    order = np.empty(0, np.intp) if order is None else order
    b = len(X)
    count = kernels.chunks(b)
    partials = placement.lined_zeros((kernels.CHUNKS, params.size), np.float64)
    blocks = placement.lined_zeros((kernels.CHUNKS, params.size), params.dtype)
    heads = np.empty((kernels.CHUNKS, kernels.HEAD_SLOTS, kernels.HEAD_ROWS), params.dtype)
    totals = np.empty(kernels.CHUNKS)
    partials[:, params.size :] = blocks[:, params.size :] = np.nan  # the rows' padding …
    for c in range(count):
        low, high = c * b // count, (c + 1) * b // count
        totals[c] = kernels.chunk_gradient(
            X, y, order, shuffled, low, high, params, X.shape[1], partials, blocks, heads, c,
            intercept, kind, half, b,
        )  # fmt: skip
    assert np.isnan(partials[:, params.size :]).all()  # … is never read nor written
    assert np.isnan(blocks[:, params.size :]).all()
    grads = np.empty_like(params)
    loss = kernels.combine(partials, totals, count, grads, kind, half, b)
    if model.l2:
        loss += kernels.penalty(params, grads, intercept, model.l2)
    return loss, grads


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("rows", [2, 7, 300, 1500])  # 1, 4 and 16 row ranges; blocks of 256
def test_the_batch_pass_is_the_models_value_and_grad(name, rows):
    model = MODELS[name]
    X, y, params = batch(model, rows, seed=rows)
    loss, grads = compiled_value_and_grad(model, params, X, y)
    expected_loss, expected_grads = model.value_and_grad(params, X, y)
    assert loss == pytest.approx(expected_loss, rel=1e-13)
    np.testing.assert_allclose(grads, expected_grads, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", MODELS)
def test_rows_are_read_through_the_order_without_a_copy(name):
    model = MODELS[name]
    X, y, params = batch(model, 400, seed=5)
    order = np.random.default_rng(6).permutation(400).astype(np.intp)
    loss, grads = compiled_value_and_grad(model, params, X, y, order)
    expected_loss, expected_grads = model.value_and_grad(params, X[order], y[order])
    assert loss == pytest.approx(expected_loss, rel=1e-13)
    np.testing.assert_allclose(grads, expected_grads, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", [name for name in MODELS if "l2" not in name])
def test_a_single_row_gives_the_gradient_exactly(name):
    """b = 1: ∇ = dz·(x, 1) with NumPy's products; only z's dot product may round apart."""
    model = MODELS[name]
    kind, half, intercept = head_of(model)
    X, y, params = batch(model, 5, seed=2)
    grads = np.empty_like(params)
    for i in range(5):
        loss, squares = kernels.sample_gradient(X, y, i, params, grads, intercept, kind, half)
        expected_loss, expected_grads = model.value_and_grad(params, X[i : i + 1], y[i : i + 1])
        assert loss == pytest.approx(expected_loss, rel=1e-13)
        np.testing.assert_allclose(grads, expected_grads, rtol=1e-13)
        assert squares == pytest.approx(float(np.vdot(grads, grads)), rel=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", MODELS)
def test_a_single_row_as_the_per_sample_loop_takes_it(name, dtype):
    """sample_head: the loss (penalty included), dz and Σg² of the gradient that
    sample_gradient and penalty write — without writing it; sample_norm: its norm."""
    model = MODELS[name]
    kind, half, intercept = head_of(model)
    X, y, params = batch(model, 5, seed=3, dtype=dtype)
    rtol = 1e-13 if dtype == np.float64 else 2e-6
    grads, written = np.empty_like(params), np.empty_like(params)
    scale = dtype(model.l2)
    for i in range(5):
        loss, dz, squares, z = kernels.sample_head(X, y, i, params, X.shape[1], intercept, kind,
                                                   half, model.l2, False, np.inf)  # fmt: skip
        expected_loss, _ = kernels.sample_gradient(X, y, i, params, written, intercept, kind, half)
        margin = X[i] @ params[: X.shape[1]] + (params[-1] if intercept else 0.0)
        assert z == pytest.approx(float(margin), rel=rtol)
        if model.l2:
            expected_loss += kernels.penalty(params, written, intercept, model.l2)
        assert loss == pytest.approx(expected_loss, rel=rtol)
        g = dz * X[i] + scale * params[: X.shape[1]] if model.l2 else dz * X[i]  # the loop's g
        np.testing.assert_array_equal(np.append(g, [dz] * intercept), written)
        assert squares == pytest.approx(float(np.vdot(written, written)), rel=rtol)
        norm = kernels.sample_norm(X, i, dz, params, grads, squares, intercept, model.l2)
        assert norm == pytest.approx(loop.norm(written), rel=rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_deferred_log_loss_leaves_a_ceiling_within_the_bound_and_the_loss_beyond(dtype):
    """defer: dz, Σg² and z as without it; in the loss's place a number ≥ the loss — or, where
    that number passes the bound, the loss itself (the loop's divergence check decides as on
    the loss)."""
    model = MODELS["logistic"]
    kind, half, intercept = head_of(model)
    X, y, params = batch(model, 40, seed=5, dtype=dtype)
    X[::4] *= 60  # losses up to ~1e3
    assert kernels.defers_losses(kind, 0.0) and not kernels.defers_losses(kind, 0.1)
    assert not kernels.defers_losses(kernels.SQUARED, 0.0)
    ceilings = 0
    for i in range(40):
        exact = kernels.sample_head(X, y, i, params, X.shape[1], intercept, kind, half, 0.0,
                                    False, 0.0)  # fmt: skip
        settled = kernels.margin_loss(exact[3], float(y[i]), params)  # as settle_losses
        room = 4 * float(np.finfo(dtype).eps) * (abs(exact[3]) + 1)  # head's roundings of ±z
        assert settled == pytest.approx(exact[0], abs=room)
        for bound in (np.inf, 50.0, 0.5):
            deferred = kernels.sample_head(X, y, i, params, X.shape[1], intercept, kind, half,
                                           0.0, True, bound)  # fmt: skip
            assert deferred[1:] == exact[1:]
            if deferred[0] <= bound:
                assert deferred[0] >= settled
                ceilings += deferred[0] > settled
            else:
                assert deferred[0] == settled
    assert ceilings > 40


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_loss_ceiling_is_above_the_settled_loss(dtype):
    rng = np.random.default_rng(8)
    z = np.concatenate([rng.normal(scale=s, size=2000) for s in (1e-3, 1.0, 30.0, 1e6, 1e28)])
    like = np.empty(1, dtype)
    for value in z.astype(dtype):
        for label in (0.0, 1.0, 0.3):
            label = dtype(label)
            loss = kernels.margin_loss(float(value), float(label), like)
            ceiling = kernels.loss_ceiling(value, label)
            assert loss <= ceiling <= max(value, 0.0) - label * value + 0.71 + 2e-6 * abs(value)
    for value in (np.nan, np.inf, -np.inf, 1e30, -2e30):
        assert kernels.loss_ceiling(dtype(value), dtype(1.0)) == np.inf


@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_settled_losses_are_logaddexp_in_the_dtype_added_in_order(dtype, shuffled):
    """settle_losses: margins[j] (z of the row at position j of the order) → ℓ =
    max(z, 0) − y·z + log1p(e^−|z|), computed in float64 and rounded to the dtype, into the
    History rows first + j; the returned total adds them to the total given, in order."""
    rng = np.random.default_rng(9)
    z = np.concatenate([rng.normal(scale=5.0, size=40), [0.0, 40.0, -40.0, 120.0, -800.0]])
    z = z.astype(dtype).astype(np.float64)
    y = (rng.random(60) < 0.5).astype(dtype)
    order = rng.permutation(60) if shuffled else np.arange(60)
    targets = y[order[: z.size]].astype(np.float64)
    margins, records = z.copy(), np.full((70, 3), 7.0)
    total = kernels.settle_losses(margins, z.size, y, order, shuffled, records, 20, 2.5,
                                  np.empty(1, dtype))  # fmt: skip
    exact = np.maximum(z, 0.0) - targets * z + np.log1p(np.exp(-np.abs(z)))  # logaddexp − y·z
    exact = exact.astype(dtype).astype(np.float64)  # (logaddexp(0, 40) − 40 would round to 0)
    losses = records[20 : 20 + z.size, 0]
    assert ulps(losses, exact).max() <= (0 if dtype == np.float32 else 4)
    assert np.all(records[:20] == 7.0) and np.all(records[20 + z.size :] == 7.0)
    assert np.all(records[:, 1:] == 7.0)
    running = 2.5
    for loss in losses:
        running += loss
    assert total == running


def ulps(values, reference):
    return np.abs(values - reference) / np.spacing(np.maximum(np.abs(reference), 1e-300))


@njit(error_model="numpy")
def plain_sgd_steps(X, dz, rate):
    """As `samples` takes plain SGD's update of row 0 without l2, subnormals flushed:
    (step_reach, max_j |s·(dz·x_j)|, |s·dz|) — the bound and the steps it bounds.  (dz and
    s come from the loop's flushed arithmetic: never subnormal.)"""
    control = flush_subnormals()
    params = np.zeros(X.shape[1] + 1, X.dtype)
    _, row_squares = kernels.dot_squares(X, 0, params, X.shape[1])
    squares = dz * dz * (row_squares + X.dtype.type(1))
    grad_norm = kernels.sample_norm(X, 0, dz, params, np.empty_like(params), squares, 1, 0.0)
    move = kernels.step_reach(rate, dz, squares, grad_norm)
    largest_step = 0.0
    for j in range(X.shape[1]):
        largest_step = max(largest_step, abs(float(rate * (dz * X[0, j]))))
    restore_floating(control)
    return move, largest_step, abs(float(rate * dz))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_step_reach_bounds_plain_sgds_steps_wherever_it_is_trusted(dtype):
    """Over magnitudes from the subnormal to the largest: wherever step_reach is below the
    room that `samples` leaves (the room less the parameters' reach), every step it takes
    unchecked is within it — so that parameters within their reach stay finite."""
    rng = np.random.default_rng(12)
    top = np.log10(np.finfo(dtype).max)
    room = kernels.overflow_room(np.empty(1, dtype))
    assert room == np.finfo(dtype).max / 4

    def magnitudes(size):  # ±[1, 9)·10^e, e from below the subnormals to the largest
        signs = rng.choice([-1.0, 1.0], size)
        values = signs * rng.uniform(1, 9, size) * 10.0 ** rng.uniform(-top - 10, top - 1, size)
        return values.astype(dtype)

    trusted = unknown = 0
    for _ in range(4000):
        X = magnitudes((1, 7)) * (rng.random((1, 7)) > 0.2)
        dz, rate = (v if abs(v) >= np.finfo(dtype).smallest_normal else dtype(0)
                    for v in magnitudes(2))  # fmt: skip
        move, largest_step, intercept_step = plain_sgd_steps(X, dz, rate)
        if move < room:
            trusted += 1
            assert largest_step <= move and intercept_step <= move
            worst = dtype(room - move) + dtype(largest_step)  # a parameter at its reach's
            assert np.isfinite(worst)  # limit, plus the largest step
        else:
            unknown += 1
    assert trusted > 1000 and unknown > 1000
    X, tiny = np.ones((1, 7), dtype), dtype(np.sqrt(np.finfo(dtype).smallest_normal) / 10)
    assert plain_sgd_steps(X, tiny, dtype(1.0))[0] == np.inf  # dz² flushed: Σg² = 0, g ≠ 0
    assert plain_sgd_steps(X, dtype(0.0), dtype(1.0))[0] == 0.0  # no step at all


def test_the_largest_magnitude_of_the_parameters():
    assert kernels.largest(np.array([0.5, -3.0, 2.0], np.float32)) == 3.0
    assert kernels.largest(np.zeros(0)) == 0.0
    assert np.isnan(kernels.largest(np.array([1.0, np.nan, 5.0])))


def test_the_per_sample_norm_survives_an_overflowing_sum_of_squares():
    """Σg² = inf in float32 (g ~ 1e25): g is written and scaled, as `norm` does."""
    model = MODELS["linear l2"]
    X, _, params = batch(model, 3, seed=4, dtype=np.float32)
    dz, scale = np.float32(1e25), np.float32(0.3)
    grads = np.empty_like(params)
    squares = kernels.penalised_squares(X, 0, dz, params, 1, scale)
    assert squares == np.inf
    norm = kernels.sample_norm(X, 0, dz, params, grads, squares, 1, 0.3)
    expected = np.append(dz * X[0] + scale * params[:-1], dz)
    np.testing.assert_array_equal(grads, expected)
    assert norm == pytest.approx(loop.norm(expected), rel=1e-6) and np.isfinite(norm)


@pytest.mark.parametrize("shuffled", [True, False])
def test_gathered_rows_are_the_orders_rows_and_targets(shuffled):
    X = np.arange(60.0, dtype=np.float32).reshape(20, 3)
    y = np.arange(20.0, dtype=np.float32)
    order = np.random.default_rng(0).permutation(20).astype(np.intp)
    rows, labels = np.full((8, 3), np.nan, np.float32), np.full(8, np.nan, np.float32)
    for low, high in ((0, 8), (8, 16), (16, 20)):
        kernels.gather_rows(X, y, order, shuffled, low, high, rows, labels)
        taken = order[low:high] if shuffled else np.arange(low, high)
        np.testing.assert_array_equal(rows[: high - low], X[taken])
        np.testing.assert_array_equal(labels[: high - low], y[taken])


@njit(parallel=True)
def gather_together(callers, claimed, X, y, order, shuffled, low, high, rows, labels):
    for _ in prange(callers):
        kernels.gather_pieces(claimed, X, y, order, shuffled, low, high, rows, labels)


@pytest.mark.parametrize("callers", [1, 2, 5])
@pytest.mark.parametrize("shuffled", [True, False])
def test_rows_gathered_in_pieces_by_threads_together_are_each_copied_once(shuffled, callers):
    """Pieces of GATHER_PIECE rows (the last short), claimed by however many threads: every
    position's row and target copied; the counter ends at the pieces plus one failed claim
    per caller — no piece was taken twice."""
    n, low, high = 3000, 70, 2900
    X = np.random.default_rng(1).normal(size=(n, 5))
    y = np.arange(float(n))
    order = np.random.default_rng(2).permutation(n).astype(np.intp)
    rows, labels = np.full((high - low, 5), np.nan), np.full(high - low, np.nan)
    claimed = np.zeros(1, np.int64)
    gather_together(callers, claimed, X, y, order, shuffled, low, high, rows, labels)
    taken = order[low:high] if shuffled else np.arange(low, high)
    np.testing.assert_array_equal(rows, X[taken])
    np.testing.assert_array_equal(labels, y[taken])
    pieces = -(-(high - low) // kernels.GATHER_PIECE)
    assert pieces > 2 and claimed[0] == pieces + callers


def test_float32_stays_float32_and_near_the_reference():
    model = MODELS["logistic"]
    X, y, params = batch(model, 700, seed=9, dtype=np.float32)
    loss, grads = compiled_value_and_grad(model, params, X, y)
    expected_loss, expected_grads = model.value_and_grad(params, X, y)
    assert grads.dtype == np.float32
    assert loss == pytest.approx(expected_loss, rel=1e-6)
    np.testing.assert_allclose(grads, expected_grads, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_log_loss_head_is_logaddexp_and_sigmoid(dtype):
    z = np.array([0.0, -0.0, 1e-8, -3.5, 2.25, 40.0, -40.0, 800.0, -800.0, np.inf, -np.inf])
    z = z.astype(dtype)
    like = np.empty(1, dtype)
    for value in z:
        for label in (0.0, 1.0):
            label = dtype(label)
            term, delta = kernels.head(kernels.LOG_LOSS, value, label, like)
            with np.errstate(invalid="ignore"):  # 0·∞ at z = ±∞: NaN, as in the kernel
                expected_term = np.logaddexp(dtype(0), value) - label * value
            expected_delta = sigmoid(np.array([value]))[0] - label
            np.testing.assert_allclose(term, expected_term, rtol=4 * np.finfo(dtype).eps)
            np.testing.assert_allclose(delta, expected_delta, rtol=4 * np.finfo(dtype).eps)
    nan_term, _ = kernels.head(kernels.LOG_LOSS, dtype(np.nan), dtype(1), like)
    assert np.isnan(nan_term)


@pytest.mark.parametrize("e", [0.0, 1e-300, 1e-20, 2.0**-9, 0.0039, 2.0**-8, 0.01, 0.5, 1.0])
def test_log1p_parts_is_log1p_to_double_precision(e):
    series, factor = kernels.log1p_parts(e)
    assert series + np.log(factor) == pytest.approx(np.log1p(e), rel=2.0**-44, abs=1e-320)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("margin", [0.0, 1.0, 6.0, 30.0, 700.0])
def test_the_log_loss_groups_keep_tiny_and_large_losses(dtype, margin):
    """The group sums (one log per HEAD_ROWS rows) against float64 logaddexp, row by row, at
    the dtype's z: margins where every loss is ~e^−30 or e^−700 (a product of 1 + e would
    round them away; in float32, e^−700 is 0 and so is the loss)."""
    model = MODELS["logistic"]
    rng = np.random.default_rng(3)
    X = rng.normal(size=(333, 4)).astype(dtype)
    sign = np.where(rng.random(333) < 0.5, -1.0, 1.0)
    X[:, 0] = sign * (margin + rng.random(333))  # z = X[:, 0] exactly: the others weigh 0
    y = (sign > 0).astype(dtype)  # separable: each z at least `margin` beyond the boundary
    params = np.array([1.0, 0.0, 0.0, 0.0, 0.0], dtype)
    z = X[:, 0].astype(np.float64)
    loss, _ = compiled_value_and_grad(model, params, X, y)
    e = np.exp(-np.abs(z))  # 1e-304 and less at margin 700: logaddexp(0, z) − z rounds to 0
    expected = float(np.mean(np.maximum(z, 0.0) + np.log1p(e) - y * z))
    if dtype == np.float32:
        expected = float(np.mean(np.log1p(np.exp(-np.abs(z.astype(dtype))))))  # e^−700 → 0
    assert loss == pytest.approx(expected, rel=1e-12 if dtype == np.float64 else 1e-6)
    assert (loss > 0.0) == (expected > 0.0) == (dtype == np.float64 or margin < 100)


@pytest.mark.parametrize(
    ("dtype", "scale"),
    [(np.float32, 1.0), (np.float32, 1e25), (np.float64, 1.0), (np.float64, 1e200)],
)
def test_the_norm_is_loop_norm_even_when_squares_overflow(dtype, scale):
    grads = (np.array([3.0, -4.0, 12.0]) * scale).astype(dtype)
    squares = kernels.squared(grads)
    assert kernels.norm(grads, squares) == pytest.approx(loop.norm(grads), rel=1e-6)
    grads[1] = np.inf
    assert kernels.norm(grads, kernels.squared(grads)) == np.inf


def test_the_penalty_adds_l2_to_the_weights_only():
    params = np.array([1.0, -2.0, 0.5])
    grads = np.zeros(3)
    assert kernels.penalty(params, grads, 1, 0.5) == pytest.approx(0.25 * 5.0)
    np.testing.assert_array_equal(grads, [0.5, -1.0, 0.0])


def test_positions_follow_the_order_and_prefetch_stays_inside_the_data():
    X = np.arange(40.0).reshape(20, 2)
    order = np.random.default_rng(0).permutation(20).astype(np.intp)
    assert [kernels.position_row(X, order, True, k) for k in range(20)] == order.tolist()
    assert [kernels.position_row(X, order, False, k) for k in range(20)] == list(range(20))
    for low, high in ((0, 20), (15, 20), (19, 20), (20, 20)):  # a range's first rows, up to 8
        kernels.prefetch_start(X, order, True, low, high)
    kernels.prefetch_row(X, 19)  # its last line included


def test_chunks_depend_on_the_batch_size_only():
    assert [kernels.chunks(b) for b in (1, 127, 128, 1000, 10**6)] == [1, 1, 2, 15, 16]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("d", [1, 3, 16, 37, 100])
def test_group_dots_are_the_four_rows_dot_products(dtype, d):
    """Each z within the dot product's rounding bound γ_d·Σ|x_j·w_j| of the exact one, in the
    dtype — rows repeated or not; w longer than d (its intercept) is read up to d only."""
    rng = np.random.default_rng(d)
    X = rng.normal(size=(9, d)).astype(dtype)
    w = rng.normal(size=d + 1).astype(dtype)
    w[d] = np.nan
    rows = (7, 2, 2, 0)
    got = np.array(kernels.group_dots(X, rows, w, d), np.float64)
    products = X[list(rows)].astype(np.float64) * w[:d].astype(np.float64)
    bound = d * np.finfo(dtype).eps * np.abs(products).sum(axis=1)
    assert (np.abs(got - products.sum(axis=1)) <= bound).all()
    assert got[1] == got[2]
    assert (got.astype(dtype) == got).all()  # summed in the dtype


@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize(("first", "end"), [(0, 15), (3, 11), (2, 6), (5, 6), (8, 8)])
def test_margins_go_to_the_heads_of_their_positions_only(shuffled, first, end):
    """heads[c, 0, k − origin] = x·w + c of the row at position k, k in [first, end) — whole
    groups of ROW_GROUP and the rest; no other slot is written."""
    model = MODELS["logistic"]
    X, _, params = batch(model, 20, seed=first + end, d=5)
    order = np.random.default_rng(end).permutation(20).astype(np.intp)
    heads = np.full((kernels.CHUNKS, kernels.HEAD_SLOTS, kernels.HEAD_ROWS), np.nan)
    origin = first - 1
    kernels.store_margins(X, order if shuffled else np.empty(0, np.intp), shuffled, first, end,
                          origin, 2, params, 5, 1, heads, 3)  # fmt: skip
    rows = order[first:end] if shuffled else np.arange(first, end)
    slots = np.arange(first, end) - origin
    np.testing.assert_allclose(heads[3, 0, slots], X[rows] @ params[:5] + params[5], rtol=1e-14)
    heads[3, 0, slots] = np.nan
    assert np.isnan(heads).all()


def rows_one_at_a_time(model, params, X, y, order, b):
    """The sums of one row range as the kernels define them, in NumPy, one row after the other:
    blocks += dz·(x, 1) in the dtype, added to float64 partials every BLOCK_ROWS rows."""
    kind, half, intercept = head_of(model)
    d = params.size - intercept
    blocks = np.zeros(params.size, params.dtype)
    partials = np.zeros(params.size)
    for k, i in enumerate(order):
        z = params.dtype.type(kernels.dot(X, i, params, d))
        if intercept:
            z = z + params[d]
        if kind == kernels.SQUARED:
            dz = params.dtype.type(2.0 * half / b) * (z - y[i])
        else:
            e = params.dtype.type(exp_nonpositive(-abs(float(z))))
            one = params.dtype.type(1)
            dz = ((one if z >= 0 else e) / (one + e) - y[i]) / params.dtype.type(b)
        blocks += np.append(dz * X[i], dz) if intercept else dz * X[i]
        if (k + 1) % kernels.BLOCK_ROWS == 0 or k == len(order) - 1:
            partials += blocks.astype(np.float64)
            blocks[:] = 0
    return partials


@pytest.mark.parametrize("name", ["linear mse", "linear half_mse, no intercept", "logistic"])
@pytest.mark.parametrize("rows", [1, 3, 5, 258, 515])  # rows in groups of ROW_GROUP and not
@pytest.mark.parametrize("shuffled", [False, True])
def test_a_row_range_sums_its_rows_one_after_the_other(name, rows, shuffled):
    """Rows are added ROW_GROUP at a time (one pass over the sums), bit for bit as one at a time."""
    model = MODELS[name]
    X, y, params = batch(model, rows, seed=rows, dtype=np.float32, d=37)
    order = np.random.default_rng(rows).permutation(rows).astype(np.intp)
    kind, half, intercept = head_of(model)
    partials = np.full((kernels.CHUNKS, params.size), np.nan)
    blocks = np.full((kernels.CHUNKS, params.size), np.nan, np.float32)
    heads = np.empty((kernels.CHUNKS, kernels.HEAD_SLOTS, kernels.HEAD_ROWS), np.float32)
    kernels.chunk_gradient(
        X, y, order if shuffled else np.empty(0, np.intp), shuffled, 0, rows, params, 37,
        partials, blocks, heads, 2, intercept, kind, half, rows,
    )  # fmt: skip
    expected = rows_one_at_a_time(model, params, X, y, order if shuffled else range(rows), rows)
    np.testing.assert_array_equal(partials[2], expected)


def test_touch_rows_writes_one_zero_per_page_of_the_range_only():
    """The copying thread faults in History rows [low, high) before the training thread
    writes them: a 0 in column 0 every TOUCH_ROWS rows from low — less than a page apart —
    and nothing outside the range or in the other columns."""
    records = np.full((1000, 3), 7.0)
    assert kernels.TOUCH_ROWS * records[0].nbytes < placement.PAGE
    kernels.touch_rows(records, 100, 700)
    touched = np.arange(100, 700, kernels.TOUCH_ROWS)
    expected = np.full((1000, 3), 7.0)
    expected[touched, 0] = 0.0
    np.testing.assert_array_equal(records, expected)
