"""The compiled pieces of a training epoch of the linear models (layer L1, numba).

`gdlab.compiled_epochs` generates each epoch loop around these functions and the optimizer's
fused update.  For a batch B of b rows, taken through the epoch's order (X is never copied):

    z_i = x_i·w + c                          one read of the row x_i = X[i] …
    ℓ_i, δ_i = head(z_i, y_i)                r² and r = z − y;  or log(1 + e^z) − y·z and σ(z) − y
    ∇w += dz_i·x_i,  ∇c += dz_i              … and the gradient while the row is in cache,
                                             dz_i = (2·half/b)·δ_i (squared) or δ_i / b (log loss)
    L = half·Σℓ_i / b  or  Σℓ_i / b;   + l2·½‖w‖², ∇w += l2·w

— what `gdlab.problems.linear` computes on whole batches with NumPy (`_Affine`, `squared_error`,
`log_loss`, `sigmoid`), each element in the parameters' dtype (X is the design matrix: for
PolynomialRegression, its powers of x).  tests/test_epoch_kernels.py checks every head and
variant against the model's `value_and_grad`.

Sums are taken in other orders than NumPy's BLAS: dot products with vector lanes (fastmath
"reassoc", "contract"), sums over the rows of a batch in `chunks(b)` row ranges combined in
order — so the numbers do not depend on the thread count — each range in blocks of BLOCK_ROWS
rows summed in the dtype (as BLAS does) and added up in float64; losses in float64.  The log
loss of a batch takes its e = e^−|z| in a loop LLVM vectorises (`gdlab.vector_math`: within
an ulp of e^−|z|) and log(1 + e) once per HEAD_ROWS rows, as the log of a product
(`log1p_parts`): the losses agree with NumPy's to float64 rounding (float32 rounding for
float32 data, as NumPy's own float32 sum).  A batch of one row skips the sums: ∇ = dz·x
exactly, as the reference path's; the per-sample loop (`sample_head`, `sample_norm`) does not
even write it — the update reads g = dz·x_j (+ l2·w_j) itself — and takes Σg² as
dz²·(‖x‖² + 1), ‖x‖² from the dot product's read of the row.  Its log loss (without l2) is
taken after the rows, from their z (`settle_losses`, vectorised); the loop checks a ceiling
of each loss against the divergence bound (`loss_ceiling`).  The row ranges of a large batch
run on numba's threads (the generated `epoch_threads`); per-sample epochs over large X have a
second thread copy the next rows ahead (`gather_rows`, the generated `epoch_gathered`; the
training thread helps once its block is trained, `gather_pieces`) and settle the losses of
the rows before.
Every loop runs with subnormal numbers flushed to zero (`gdlab.intrinsics`).

Rows are prefetched ahead (`gdlab.intrinsics`): in order, the bytes STREAM_AHEAD further on
(the core's own prefetchers alone left a pass over 10⁶ × 100 float32 rows at 73% of the
streaming floor, against 90% with them); shuffled, into L2, the row PREFETCH_ROWS positions
ahead in the order (an epoch of 4096-row batches: 63 → 52 ms against 8 rows into L1) — in
batches of up to NEXT_BATCH_ROWS rows, the row a batch further on: the one this thread reads
in the next batch (numba's threads take the same row ranges of every batch; 256-row batches:
72 → 66 ms).  The loops are compiled once for each order, not given it as a flag.

The per-row functions are inlined into the generated loop (numba's inline="always"); the
batch pass (`chunk_gradient`) and the vector loops (`dot`, `group_dots`, `add_rows`, the
sums) are leaf functions, so that LLVM vectorises them apart from the epoch loop around them.
This module imports numba: only generated epoch modules and `gdlab.compiled_epochs` (lazily)
import it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange

from gdlab.intrinsics import fetch_add, flush_subnormals, prefetch, prefetch_ahead, restore_floating
from gdlab.placement import LINE_BYTES
from gdlab.vector_math import exp_nonpositive, log1p_unit

SQUARED, LOG_LOSS = 0, 1  # the heads (kind)
CHUNKS = 16  # at most this many row ranges per batch (their sums are combined in order)
CHUNK_ROWS = 64  # at least this many rows per range
BLOCK_ROWS = 256  # rows summed in the dtype before their sum is added in float64
PREFETCH_ROWS = 24  # shuffled rows: fetch the row this far ahead in the order, into L2 …
NEXT_BATCH_ROWS = 1024  # … or, in batches of at most this many rows, the next batch's row
STREAM_AHEAD = 4096  # rows in order: fetch the bytes this far ahead
GATHER_AHEAD = 24  # rows copied ahead (gather_rows): fetch the row this far ahead into L2
GATHER_PIECE = 256  # rows copied ahead are claimed in pieces of this many (gather_pieces)
HEAD_ROWS = 16  # log loss: rows whose heads are taken together (divides BLOCK_ROWS)
HEAD_SLOTS = 3  # log loss: heads[c] holds z, dz and e^−|z| of each row of a group
ROW_GROUP = 4  # rows whose z are taken in one loop, their dz·x added in one (divides HEAD_ROWS)
LOG1P_SERIES = 2.0**-8  # log loss: below this e, log1p(e) by its series
LN2_CEILING = 0.7  # log loss ceiling: > log(1 + e) for 0 ≤ e ≤ 1, its rounding included …
SPREAD_ROOM = 2.0**-20  # … > the roundings (float64, then the dtype: 2⁻²⁴) of the terms …
SPREAD_LIMIT = 1e30  # … below float32's overflow (3.4e38)

REASSOCIATE = {"reassoc", "contract"}  # the fastmath flags of the sums


@njit(error_model="numpy", inline="always")
def row_at(order: Any, shuffled: bool, k: int) -> int:
    """The row at position k of the order."""
    return order[k] if shuffled else k


@njit(error_model="numpy", inline="always")
def position_row(X: Any, order: Any, shuffled: bool, k: int, ahead: int = PREFETCH_ROWS) -> int:
    """The row at position k of the epoch's order (k itself in order); when shuffled, every
    cache line of the row `ahead` positions further on is prefetched into L2; in order, the
    lines STREAM_AHEAD bytes past the row's (`prefetch_stream`)."""
    prefetch_position(X, order, shuffled, k, ahead)
    return row_at(order, shuffled, k)


@njit(error_model="numpy", inline="always")
def prefetch_position(X: Any, order: Any, shuffled: bool, k: int, ahead: int) -> None:
    """position_row's prefetch for position k, without the row."""
    if not shuffled:
        prefetch_stream(X, k)
    elif k + ahead < order.size:
        prefetch_row(X, order[k + ahead], 2)


@njit(error_model="numpy", inline="always")
def prefetch_row(X: Any, i: int, level: int = 1) -> None:
    """Prefetch every cache line of row i (the one past its end too: rows need not start on
    a line) into every cache level (level 1) or into L2 (level 2)."""
    step = max(1, LINE_BYTES // X.itemsize)
    for column in range(0, X.shape[1], step):
        prefetch(X, i, column, level)
    prefetch(X, i, X.shape[1] - 1, level)


@njit(error_model="numpy", inline="always")
def prefetch_stream(X: Any, i: int) -> None:
    """Prefetch the cache lines STREAM_AHEAD bytes past those of row i: in a C-ordered X, rows
    further on.  The core's own prefetchers follow a stream too, but not far enough ahead.
    One prefetch per line that holds the end of a line's worth of the row, and its last
    element: the rows of X before it cover the line its first element is in (a row narrower
    than a line takes one prefetch)."""
    step = max(1, LINE_BYTES // X.itemsize)
    for column in range(step - 1, X.shape[1] - 1, step):
        prefetch_ahead(X, i, column, STREAM_AHEAD)
    prefetch_ahead(X, i, X.shape[1] - 1, STREAM_AHEAD)


@njit(error_model="numpy", inline="always")
def prefetch_start(X: Any, order: Any, shuffled: bool, low: int, high: int) -> None:
    """At the start of a row range: prefetch its first PREFETCH_ROWS rows (position_row
    prefetches the rest as it goes; another thread may be about to read the rows before)."""
    if shuffled:
        for k in range(low, min(low + PREFETCH_ROWS, high)):
            prefetch_row(X, order[k], 2)


@njit(error_model="numpy", inline="always")
def chunks(b: int) -> int:
    """How many row ranges a batch of b rows is summed in: min(CHUNKS, max(1, b // CHUNK_ROWS))."""
    return min(CHUNKS, max(1, b // CHUNK_ROWS))


@njit(cache=True, error_model="numpy", fastmath=REASSOCIATE)
def dot(X: Any, i: int, w: Any, d: int) -> Any:
    """Σ_j X[i, j]·w_j over j < d, in the elements' dtype."""
    total = X.dtype.type(0)
    for j in range(d):
        total += X[i, j] * w[j]
    return total


@njit(cache=True, error_model="numpy", fastmath=REASSOCIATE)
def group_dots(X: Any, rows: Any, w: Any, d: int) -> tuple[Any, Any, Any, Any]:
    """Σ_j X[i, j]·w_j over j < d for each of the ROW_GROUP = 4 rows i of `rows`, in the
    elements' dtype: one loop, four sums (`dot` four times over waits on each sum's chain of
    additions in turn: a logistic batch's rows in cache took 41–43 ns a row, against 31–36
    with one loop — linear 20–24 ns either way)."""
    i0, i1, i2, i3 = rows
    z0 = X.dtype.type(0)
    z1 = X.dtype.type(0)
    z2 = X.dtype.type(0)
    z3 = X.dtype.type(0)
    for j in range(d):
        weight = w[j]
        z0 += X[i0, j] * weight
        z1 += X[i1, j] * weight
        z2 += X[i2, j] * weight
        z3 += X[i3, j] * weight
    return z0, z1, z2, z3


@njit(error_model="numpy", inline="always")
def head(kind: int, z: Any, y: Any, like: Any) -> tuple[Any, Any]:
    """(ℓ, δ) in the dtype of `like`: squared error (r², r), r = z − y;  log loss
    (log(1 + e^z) − y·z, σ(z) − y) from one e = e^−|z|: np.logaddexp(0, z) = max(z, 0) +
    log1p(e) (log1p(1) = log 2 at z = 0, NaN stays NaN), σ(z) = where(z ≥ 0, 1, e)/(1 + e)
    (losses.sigmoid) — selects, not branches: z's sign is a coin toss the CPU cannot guess."""
    if kind == SQUARED:
        r = z - y
        return r * r, r
    one, zero = like.dtype.type(1), like.dtype.type(0)
    e = np.exp(-abs(z))
    softplus = (z if z > zero else zero) + np.log1p(e)
    return softplus - y * z, sigmoid_delta(z, e, y, one)


@njit(error_model="numpy", inline="always")
def sigmoid_delta(z: Any, e: Any, y: Any, one: Any) -> Any:
    """σ(z) − y from e = e^−|z|: where(z ≥ 0, 1, e)/(1 + e) − y (losses.sigmoid), a select."""
    return (one if z >= 0 else e) / (one + e) - y


@njit(error_model="numpy", inline="always")
def derivative(kind: int, delta: Any, half: float, b: int, like: Any) -> Any:
    """dz = (2·half/b)·δ (squared error: the scalar rounded to the dtype first) or δ/b."""
    if kind == SQUARED:
        return like.dtype.type(2.0 * half / b) * delta
    return delta / like.dtype.type(b)


@njit(error_model="numpy", inline="always")
def row_loss(X: Any, y: Any, i: int, params: Any, intercept: int, kind: int) -> tuple[Any, Any]:
    """(ℓ_i, δ_i) of row i at the parameters (w, c): z = X[i]·w + c."""
    z = row_affine(X, i, params, params.size - intercept, intercept)
    return head(kind, z, y[i], params)


@njit(cache=True, error_model="numpy", fastmath=REASSOCIATE)
def row_gradient(X: Any, i: int, dz: Any, grads: Any, intercept: int) -> Any:
    """grads = dz·(x_i, 1), each product exactly as NumPy's; returns Σg² (in the dtype)."""
    d = grads.size - intercept
    total = X.dtype.type(0)
    for j in range(d):
        g = dz * X[i, j]
        grads[j] = g
        total += g * g
    if intercept:
        grads[d] = dz
        total += dz * dz
    return total


@njit(error_model="numpy", inline="always")
def sample_gradient(
    X: Any, y: Any, i: int, params: Any, grads: Any, intercept: int, kind: int, half: float
) -> tuple[float, Any]:
    """A batch of one row: grads = dz·(x_i, 1) exactly; returns its loss and Σg²."""
    term, delta = row_loss(X, y, i, params, intercept, kind)
    dz = derivative(kind, delta, half, 1, params)
    squares = row_gradient(X, i, dz, grads, intercept)
    return float(term) * (half if kind == SQUARED else 1.0), squares


@njit(cache=True, error_model="numpy", fastmath=REASSOCIATE)
def dot_squares(X: Any, i: int, w: Any, d: int) -> tuple[Any, Any]:
    """(Σ_j X[i, j]·w_j, Σ_j X[i, j]²) over j < d, in the elements' dtype: one read of the row."""
    total = X.dtype.type(0)
    squares = X.dtype.type(0)
    for j in range(d):
        x = X[i, j]
        total += x * w[j]
        squares += x * x
    return total, squares


@njit(error_model="numpy", inline="always")
def sample_head(
    X: Any, y: Any, i: int, params: Any, d: int, intercept: int, kind: int, half: float,
    l2: float, defer: bool, bound: float,
) -> tuple[float, Any, Any, float]:  # fmt: skip
    """Row i as a batch of one, its gradient g = (dz·x_i + l2·w, dz) left unwritten: the loss
    L = half·ℓ_i (or ℓ_i) + l2·½‖w‖², dz, as `sample_gradient` and `penalty` give them, Σg² in
    the dtype — without l2, dz²·(‖x_i‖² + 1) from the same read of the row — and z_i.  The
    row has d = params.size − intercept features (a constant where the loop is compiled for
    the row width: `dot_squares` compiled for it too).

    `defer` (`defers_losses`) leaves the log loss ℓ_i to `settle_losses`, off the update's
    path (its log1p took 14 of a row's 58 ns): in its place comes `loss_ceiling`, a number
    ≥ ℓ_i, where that is within the divergence bound — else ℓ_i itself (`margin_loss`, as
    settle_losses computes it), so that the loop's divergence check decides as on ℓ_i."""
    z, row_squares = dot_squares(X, i, params, d)
    if intercept:
        z = z + params[d]
    return margin_head(X, y, i, z, row_squares, params, intercept, kind, half, l2, defer, bound)


@njit(error_model="numpy", inline="always")
def margin_head(
    X: Any, y: Any, i: int, z: Any, row_squares: Any, params: Any, intercept: int, kind: int,
    half: float, l2: float, defer: bool, bound: float,
) -> tuple[float, Any, Any, float]:  # fmt: skip
    """`sample_head` from row i's z = x_i·w (+ c) and ‖x_i‖², however they were taken."""
    d = params.size - intercept
    if defer:
        delta = sigmoid_delta(z, np.exp(-abs(z)), y[i], params.dtype.type(1))  # head's δ
        loss = loss_ceiling(z, y[i])
        if not loss <= bound:  # near or past the bound, or not a number: ℓ_i itself
            loss = margin_loss(float(z), float(y[i]), params)
    else:
        term, delta = head(kind, z, y[i], params)
        loss = float(term) * (half if kind == SQUARED else 1.0)
    dz = derivative(kind, delta, half, 1, params)
    if l2 == 0.0:
        return loss, dz, dz * dz * (row_squares + params.dtype.type(intercept)), float(z)
    loss += 0.5 * l2 * weights_squared(params, d)
    squares = penalised_squares(X, i, dz, params, intercept, params.dtype.type(l2))
    return loss, dz, squares, float(z)


@njit(error_model="numpy", inline="always")
def look_ahead(X: Any, following: int, i: int, params: Any, d: int, intercept: int
               ) -> tuple[Any, Any, Any]:  # fmt: skip
    """Before an update w ← w + s·dz·(x_i, 1) — plain SGD's, of a batch of row i — the next
    row's z after it is a + s·dz·b: a = x·w (+ c) at the parameters before the update and
    b = x·x_i (+ 1), x the row `following` (d = params.size − intercept features); also
    ‖x‖².  Its z then waits for one multiply-add after dz, not for a dot product after the
    update's stores (per-sample logistic, rows in cache: 39 → 23 ns a row), and equals x·w
    (+ c) after the update to the dtype's rounding."""
    a, b, squares = ahead_dots(X, following, i, params, d)
    if intercept:
        a = a + params[d]
        b = b + params.dtype.type(1)
    return a, b, squares


@njit(cache=True, error_model="numpy", fastmath=REASSOCIATE)
def ahead_dots(X: Any, i: int, k: int, w: Any, d: int) -> tuple[Any, Any, Any]:
    """(X[i]·w, X[i]·X[k], ‖X[i]‖²) over j < d, in the elements' dtype: one read of each row."""
    total = X.dtype.type(0)
    cross = X.dtype.type(0)
    squares = X.dtype.type(0)
    for j in range(d):
        x = X[i, j]
        total += x * w[j]
        cross += x * X[k, j]
        squares += x * x
    return total, cross, squares


@njit(error_model="numpy", inline="always")
def step_reach(rate: Any, dz: Any, squares: Any, grad_norm: float) -> float:
    """A bound of |Δw_j| = |fl(s·fl(dz·x_j))| over j for plain SGD's update w ← w + s·g of one
    row without l2 (g = dz·(x, 1)), or NaN/inf where none is known: 2|s|·‖g‖.  It holds
    when Σg² = dz²(‖x‖² + 1) is a normal number or dz = 0: then no flushed x_j² or dz² hid a
    component, each g_j² ≤ Σg² up to the sum's roundings, and the factor 2 covers those and
    the update's (`samples` then skips its per-element finiteness check)."""
    if dz != 0 and not squares > 0:  # dz·x_j too small to square (flushed): unknown
        return np.inf
    return 2.0 * abs(float(rate)) * grad_norm


@njit(error_model="numpy", inline="always")
def largest(params: Any) -> float:
    """max_j |params_j| in float64 (NaN where one is NaN)."""
    top = 0.0
    for j in range(params.size):
        magnitude = abs(float(params[j]))
        if magnitude > top or magnitude != magnitude:  # a NaN stays
            top = magnitude
    return top


@njit(error_model="numpy", inline="always")
def overflow_room(params: Any) -> float:
    """A quarter of the dtype's largest number: parameters bounded by it, plus updates
    bounded by what is left (step_reach), stay finite even with a bound's roundings."""
    return 0.25 * float(np.finfo(params.dtype).max)


@njit(error_model="numpy", inline="always")
def defers_losses(kind: int, l2: float) -> bool:
    """Whether the per-sample loop leaves its losses to `settle_losses`: the log loss without
    l2 (with it, the loss's ½l2‖w‖² needs the weights of the step: the loop takes it all)."""
    return kind == LOG_LOSS and l2 == 0.0


@njit(error_model="numpy", inline="always")
def loss_ceiling(z: Any, y: Any) -> float:
    """A number ≥ the log loss ℓ as `margin_loss` computes it: in float64, max(z, 0) − y·z +
    LN2_CEILING (log1p(e) ≤ log 2 for e ≤ 1) plus SPREAD_ROOM of |max(z, 0)| + |y·z| for the
    roundings — or inf from SPREAD_LIMIT on (ℓ could round to inf in float32) and where z
    is not a number."""
    positive = float(z) if z > 0 else 0.0
    product = float(y) * float(z)
    spread = positive + abs(product)
    if not spread < SPREAD_LIMIT:
        return np.inf
    return positive - product + LN2_CEILING + SPREAD_ROOM * spread


@njit(cache=True, error_model="numpy", fastmath=REASSOCIATE)
def penalised_squares(X: Any, i: int, dz: Any, params: Any, intercept: int, scale: Any) -> Any:
    """Σg² (in the dtype) of g = (dz·x_i + scale·w, dz), scale = l2 in the dtype."""
    d = params.size - intercept
    total = X.dtype.type(0)
    for j in range(d):
        g = dz * X[i, j] + scale * params[j]
        total += g * g
    if intercept:
        total += dz * dz
    return total


@njit(error_model="numpy", inline="always")
def sample_norm(X: Any, i: int, dz: Any, params: Any, grads: Any, squares: Any, intercept: int,
                l2: float) -> float:  # fmt: skip
    """‖g‖₂ from Σg² (`norm`); when Σg² overflows, g is written to grads (`row_gradient`,
    `penalty`) and scaled."""
    if abs(squares) < np.inf:
        return np.sqrt(float(squares))
    row_gradient(X, i, dz, grads, intercept)
    penalty(params, grads, intercept, l2)
    return scaled_norm(grads)


@njit(cache=True, error_model="numpy")
def gather_rows(X: Any, y: Any, order: Any, shuffled: bool, low: int, high: int, rows: Any,
                labels: Any) -> None:  # fmt: skip
    """rows[k − low] = X[i_k], labels[k − low] = y[i_k] for the order's positions k in
    [low, high): the next rows of an epoch, copied while another thread trains on the rows
    before them (`copy_rows`, compiled for each value of `shuffled`)."""
    if shuffled:
        copy_rows(X, y, order, True, low, high, rows, labels)
    else:
        copy_rows(X, y, order, False, low, high, rows, labels)


@njit(cache=True, error_model="numpy")
def gather_pieces(claimed: Any, X: Any, y: Any, order: Any, shuffled: bool, low: int, high: int,
                  rows: Any, labels: Any) -> None:  # fmt: skip
    """`gather_rows` of the positions [low, high) in pieces of GATHER_PIECE rows, each claimed
    by fetch_add on claimed[0] (0 before the first call): threads that call it together copy
    the pieces between them, each piece once.  So the training thread of `epoch_gathered`
    joins the copying thread once it has trained its block: a shuffled per-sample epoch of
    10⁶ × 100 float32 rows on an AMD EPYC (Zen 3), where one thread gathers them in 260–300
    ms and trains on them in ≈55, took 200–246 ms against 307–338 copied by one thread
    (A/B, medians; pieces of 128 to 1024 rows measured alike)."""
    while True:
        start = low + fetch_add(claimed, 0, 1) * GATHER_PIECE
        if start >= high:
            return
        end = min(start + GATHER_PIECE, high)
        gather_rows(X, y, order, shuffled, start, end, rows[start - low :], labels[start - low :])


@njit(error_model="numpy", inline="always")
def copy_rows(X: Any, y: Any, order: Any, shuffled: bool, low: int, high: int, rows: Any,
              labels: Any) -> None:  # fmt: skip
    """`gather_rows`' copy.  Shuffled rows are prefetched GATHER_AHEAD positions ahead, into
    L2 (10⁶ × 100 float32 rows on one core: on the Xeon 55 ms for 5 ahead, against 71 ms
    for 8 ahead into every level, 12–48 ahead the same as 5; on the AMD EPYC 37 ms for 5
    ahead, 23–27 ms for 10–48)."""
    if shuffled:
        for k in range(low, min(low + GATHER_AHEAD, high)):
            prefetch_row(X, order[k], 2)
    for k in range(low, high):
        i = k
        if shuffled:
            if k + GATHER_AHEAD < order.size:
                prefetch_row(X, order[k + GATHER_AHEAD], 2)
            i = order[k]
        for j in range(X.shape[1]):
            rows[k - low, j] = X[i, j]
        labels[k - low] = y[i]


@njit(cache=True, error_model="numpy")
def add_rows(blocks: Any, c: int, dzs: Any, X: Any, rows: Any, d: int, intercept: int) -> None:
    """blocks[c] += dz_r·(X[i_r], 1) for each row r of a group (tuples dzs, rows), one row after
    the other: each product and sum rounded as NumPy's, the same numbers as adding the rows one
    at a time — in one load and store of blocks[c, j] per group (a leaf function: LLVM
    vectorises it here, not inlined in the epoch loop)."""
    for j in range(d):
        value = blocks[c, j]
        for r in range(len(rows)):
            value += dzs[r] * X[rows[r], j]
        blocks[c, j] = value
    if intercept:
        value = blocks[c, d]
        for r in range(len(rows)):
            value += dzs[r]
        blocks[c, d] = value


@njit(cache=True, error_model="numpy")
def chunk_gradient(
    X: Any, y: Any, order: Any, shuffled: bool, low: int, high: int, params: Any, d: int,
    partials: Any, blocks: Any, heads: Any, c: int, intercept: int, kind: int, half: float,
    b: int,
) -> float:  # fmt: skip
    """partials[c] = Σ dz_i·(x_i, 1) over the order's positions [low, high) of a batch of b
    rows of d = params.size − intercept features (a literal where the epoch's loop is compiled
    for the row width: this function, `dot` and `add_rows` are then compiled for it too);
    returns Σℓ_i.

    Each product and each block of BLOCK_ROWS rows is summed in the dtype (blocks[c]), as
    BLAS sums; the blocks are added up in float64.  The log loss takes its rows HEAD_ROWS at
    a time (`log_loss_rows`, scratch heads[c]).  Shuffled rows are prefetched `ahead`
    positions ahead: b, the next batch's row, in batches of up to NEXT_BATCH_ROWS.
    """
    control = flush_subnormals()  # on this thread (the caller's may be another)
    prefetch_start(X, order, shuffled, low, high)
    for j in range(params.size):
        partials[c, j] = 0.0
        blocks[c, j] = 0
    ahead = b if b <= NEXT_BATCH_ROWS else PREFETCH_ROWS
    # each loop is compiled twice, for shuffled and in order: the flag tested in the loop cost
    # 2–3 ms of a 16 ms pass over 10⁶ × 100 float32 rows
    if kind == SQUARED and shuffled:
        total = squared_rows(X, y, order, True, low, high, params, d, partials, blocks, c,
                             intercept, half, b, ahead)  # fmt: skip
    elif kind == SQUARED:
        total = squared_rows(X, y, order, False, low, high, params, d, partials, blocks, c,
                             intercept, half, b, ahead)  # fmt: skip
    elif shuffled:
        total = log_loss_rows(X, y, order, True, low, high, params, d, partials, blocks,
                              heads, c, intercept, b, ahead)  # fmt: skip
    else:
        total = log_loss_rows(X, y, order, False, low, high, params, d, partials, blocks,
                              heads, c, intercept, b, ahead)  # fmt: skip
    restore_floating(control)
    return total


@njit(error_model="numpy", inline="always")
def squared_rows(
    X: Any, y: Any, order: Any, shuffled: bool, low: int, high: int, params: Any, d: int,
    partials: Any, blocks: Any, c: int, intercept: int, half: float, b: int, ahead: int,
) -> float:  # fmt: skip
    """The squared error's rows, ROW_GROUP at a time: z_i, r_i of each, then their dz_i·x_i
    while the rows are in cache, in one pass over the sums (`add_rows`; one row at a time,
    256-row shuffled batches took 72 ms an epoch of 10⁶ × 100 float32 rows, four at a time
    65 ms; the full batch 15.4 → 14.8 ms — and the log loss's, `log_loss_rows`).  A group's
    prefetches and row indices come before its four dot products, so that the four rows'
    loads are issued together (one row's prefetch, index and dot after the other's: shuffled
    rows on one core of a Zen 4 EPYC, 108–121 → 77–84 ns a row), and the four dot products
    are one loop (`group_affine`: the loss of the full batch over 10⁶ × 100 float32, on two
    threads, 13.0–14.0 → 11.2–12.3 ms, the fastest of five rounds)."""
    total = 0.0
    for k in range(low, high, ROW_GROUP):
        if k + ROW_GROUP <= high:
            rows, (z0, z1, z2, z3) = group_affine(X, order, shuffled, k, ahead, params, d,
                                                  intercept)  # fmt: skip
            term0, dz0 = squared_terms(z0, y[rows[0]], half, b, params)
            term1, dz1 = squared_terms(z1, y[rows[1]], half, b, params)
            term2, dz2 = squared_terms(z2, y[rows[2]], half, b, params)
            term3, dz3 = squared_terms(z3, y[rows[3]], half, b, params)
            total = total + term0 + term1 + term2 + term3
            add_rows(blocks, c, (dz0, dz1, dz2, dz3), X, rows, d, intercept)
        else:
            for r in range(k, high):
                i, dz, term = squared_row(X, y, order, shuffled, r, ahead, params, d, intercept,
                                          half, b)  # fmt: skip
                total += term
                add_rows(blocks, c, (dz,), X, (i,), d, intercept)
        if (k + ROW_GROUP - low) % BLOCK_ROWS == 0 or k + ROW_GROUP >= high:
            flush(partials, blocks, c, params.size)
    return total


@njit(error_model="numpy", inline="always")
def squared_row(X: Any, y: Any, order: Any, shuffled: bool, k: int, ahead: int, params: Any,
                d: int, intercept: int, half: float, b: int) -> tuple[int, Any, float]:  # fmt: skip
    """(i, dz_i, ℓ_i) of the row i at position k of the order, squared error."""
    i = position_row(X, order, shuffled, k, ahead)
    term, dz = squared_terms(row_affine(X, i, params, d, intercept), y[i], half, b, params)
    return i, dz, term


@njit(error_model="numpy", inline="always")
def squared_terms(z: Any, target: Any, half: float, b: int, like: Any) -> tuple[float, Any]:
    """(ℓ, dz) of a row of a batch of b rows from its z, squared error (`head`, `derivative`)."""
    term, delta = head(SQUARED, z, target, like)
    return float(term), derivative(SQUARED, delta, half, b, like)


@njit(error_model="numpy", inline="always")
def log_loss_rows(
    X: Any, y: Any, order: Any, shuffled: bool, low: int, high: int, params: Any, d: int,
    partials: Any, blocks: Any, heads: Any, c: int, intercept: int, b: int, ahead: int,
) -> float:  # fmt: skip
    """The log loss's rows, HEAD_ROWS at a time: the group's heads from its z_k (heads[c, 0]),
    in a loop LLVM vectorises (`log_loss_heads`: dz_k, e_k); the losses, with one log per
    group (`log1p_parts`); then dz_k·x_k, ROW_GROUP rows in one pass over the sums
    (`add_rows`), each group of them after the dots of as many rows of the next group, so
    that the next rows stream in while these are summed (heads[c, 0] is free by then;
    `store_margins`: shuffled, the four dots in one loop).  In groups of ROW_GROUP rather
    than one row at a time: 30 → 26 ns a row in cache, the full batch over 10⁶ × 100 float32
    14.3 → 11.8 ms (AMD EPYC)."""
    zero = params.dtype.type(0)
    scale = params.dtype.type(b)
    total = 0.0
    store_margins(X, order, shuffled, low, min(low + HEAD_ROWS, high), low, ahead, params, d,
                  intercept, heads, c)  # fmt: skip
    for start in range(low, high, HEAD_ROWS):
        stop = min(start + HEAD_ROWS, high)
        log_loss_heads(heads, c, y, order, shuffled, start, stop, scale)
        product = 1.0
        for k in range(start, stop):
            z, e = heads[c, 0, k - start], heads[c, 2, k - start]
            target = y[row_at(order, shuffled, k)]
            series, factor = log1p_parts(float(e))
            total += float(z if z > zero else zero) - float(target) * float(z) + series
            product *= factor
        total += np.log(product)
        for k in range(start, stop, ROW_GROUP):
            rows = min(ROW_GROUP, stop - k)
            ahead_low = k + HEAD_ROWS  # the next group's z: its rows stream in meanwhile
            store_margins(X, order, shuffled, ahead_low, min(ahead_low + rows, high),
                          start + HEAD_ROWS, ahead, params, d, intercept, heads, c)  # fmt: skip
            dzs, j = heads[c, 1], k - start
            if rows == ROW_GROUP:
                add_rows(blocks, c, (dzs[j], dzs[j + 1], dzs[j + 2], dzs[j + 3]), X,
                         (row_at(order, shuffled, k), row_at(order, shuffled, k + 1),
                          row_at(order, shuffled, k + 2), row_at(order, shuffled, k + 3)),
                         d, intercept)  # fmt: skip
            else:
                for r in range(k, stop):
                    add_rows(blocks, c, (dzs[r - start],), X, (row_at(order, shuffled, r),), d,
                             intercept)  # fmt: skip
        if (stop - low) % BLOCK_ROWS == 0 or stop == high:
            flush(partials, blocks, c, params.size)
    return total


@njit(error_model="numpy", inline="always")
def store_margins(X: Any, order: Any, shuffled: bool, first: int, end: int, origin: int,
                  ahead: int, params: Any, d: int, intercept: int, heads: Any, c: int
                  ) -> None:  # fmt: skip
    """heads[c, 0, k − origin] = z of the row at position k, for k in [first, end): shuffled,
    ROW_GROUP rows at a time (`group_affine`), the rest one by one (`affine`); in order, one
    by one: grouped, the log loss of the full batch over 10⁶ × 100 float32 on two threads
    took 19.1–20.7 ms against 18.6–19.3 (six rounds in turns).  Shuffled, grouped: logistic
    epochs of 4096-row batches 56–59 → 46–52 ms, of 256-row batches 58–62 → 51–59 ms."""
    if not shuffled:
        for k in range(first, end):
            heads[c, 0, k - origin] = affine(X, order, False, k, ahead, params, d, intercept)
        return
    for k in range(first, end, ROW_GROUP):
        if k + ROW_GROUP <= end:
            _, margins = group_affine(X, order, shuffled, k, ahead, params, d, intercept)
            for r in range(ROW_GROUP):
                heads[c, 0, k + r - origin] = margins[r]
        else:
            for r in range(k, end):
                heads[c, 0, r - origin] = affine(X, order, shuffled, r, ahead, params, d,
                                                 intercept)  # fmt: skip


@njit(error_model="numpy", inline="always")
def group_affine(X: Any, order: Any, shuffled: bool, k: int, ahead: int, params: Any, d: int,
                 intercept: int) -> tuple[Any, Any]:  # fmt: skip
    """The ROW_GROUP rows at positions k, k + 1, … of the order and their z = x·w (+ c): the
    group's prefetches and row indices first, then its dot products in one loop
    (`group_dots`), so that the four rows' loads are issued together."""
    for r in range(k, k + ROW_GROUP):
        prefetch_position(X, order, shuffled, r, ahead)
    rows = (row_at(order, shuffled, k), row_at(order, shuffled, k + 1),
            row_at(order, shuffled, k + 2), row_at(order, shuffled, k + 3))  # fmt: skip
    z0, z1, z2, z3 = group_dots(X, rows, params, d)
    if intercept:
        c = params[d]
        return rows, (z0 + c, z1 + c, z2 + c, z3 + c)
    return rows, (z0, z1, z2, z3)


@njit(error_model="numpy", inline="always")
def affine(X: Any, order: Any, shuffled: bool, k: int, ahead: int, params: Any, d: int,
           intercept: int) -> Any:  # fmt: skip
    """z = x_i·w (+ c) of the row i at position k of the order (`position_row`)."""
    return row_affine(X, position_row(X, order, shuffled, k, ahead), params, d, intercept)


@njit(error_model="numpy", inline="always")
def row_affine(X: Any, i: int, params: Any, d: int, intercept: int) -> Any:
    """z = x_i·w (+ c) of row i."""
    z = dot(X, i, params, d)
    return z + params[d] if intercept else z


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def log_loss_heads(heads: Any, c: int, y: Any, order: Any, shuffled: bool, start: int, stop: int,
                   scale: Any) -> None:  # fmt: skip
    """The heads of a group of rows: e_k = e^−|z_k| (heads[c, 2]) and dz_k = (σ(z_k) − y_k)/b
    (heads[c, 1]) from z_k (heads[c, 0]) — a loop LLVM vectorises (`exp_nonpositive`)."""
    one = heads.dtype.type(1)
    for k in range(stop - start):
        z = heads[c, 0, k]
        target = y[row_at(order, shuffled, start + k)]
        e = heads.dtype.type(exp_nonpositive(-abs(float(z))))
        heads[c, 2, k] = e
        heads[c, 1, k] = sigmoid_delta(z, e, target, one) / scale


@njit(error_model="numpy", inline="always")
def log1p_parts(e: float) -> tuple[float, float]:
    """log(1 + e) for 0 ≤ e ≤ 1 as (s, f) with log(1 + e) = s + log f, so that a group's f
    multiply into one log:  e < LOG1P_SERIES: s = e − e²/2 + … + e⁷/7 (relative error
    < e⁷/8 < 2⁻⁵⁹), f = 1;  else s = 0, f = 1 + e (a product of HEAD_ROWS factors ≤ 2 stays
    far from overflow; each rounding adds ≤ 2⁻⁵³ to the log, ≤ 2⁻⁴⁵ of log1p(e) — float32's
    own log1p is ~2⁻²⁴).  NaN gives f = NaN."""
    if e < LOG1P_SERIES:
        inner = 1.0 / 6.0 - e / 7.0
        inner = 0.2 - e * inner
        inner = 0.25 - e * inner
        inner = 1.0 / 3.0 - e * inner
        inner = 0.5 - e * inner
        return e * (1.0 - e * inner), 1.0
    return 0.0, 1.0 + e


@njit(error_model="numpy", inline="always")
def flush(partials: Any, blocks: Any, c: int, size: int) -> None:
    """partials[c, :size] += blocks[c, :size] (in float64); blocks[c, :size] = 0 (the rows
    may be longer: padded to whole cache lines, `placement.lined_zeros`)."""
    for j in range(size):
        partials[c, j] += float(blocks[c, j])
        blocks[c, j] = 0


@njit(error_model="numpy", inline="always")
def combine(partials: Any, totals: Any, count: int, grads: Any, kind: int, half: float,
            b: int) -> float:  # fmt: skip
    """grads = Σ_c partials[c] (in order, rounded once to the dtype); the batch loss."""
    for j in range(grads.size):
        value = 0.0
        for c in range(count):
            value += partials[c, j]
        grads[j] = value
    total = 0.0
    for c in range(count):
        total += totals[c]
    return total / b * (half if kind == SQUARED else 1.0)


@njit(error_model="numpy", inline="always")
def sum_ranges(
    X: Any, y: Any, order: Any, shuffled: bool, start: int, b: int, first: int, end: int,
    params: Any, d: int, partials: Any, blocks: Any, heads: Any, totals: Any, intercept: int,
    kind: int, half: float,
) -> None:  # fmt: skip
    """The sums of row ranges [first, end) of the batch of b rows of d features from position
    `start` (of its chunks(b) ranges): partials[c] and totals[c] (chunk_gradient)."""
    count = chunks(b)
    for c in range(first, end):
        low, high = start + c * b // count, start + (c + 1) * b // count
        totals[c] = chunk_gradient(X, y, order, shuffled, low, high, params, d, partials,
                                   blocks, heads, c, intercept, kind, half, b)  # fmt: skip


@njit(error_model="numpy", inline="always")
def batch_gradient(
    X: Any, y: Any, order: Any, shuffled: bool, start: int, b: int, params: Any, grads: Any,
    partials: Any, totals: Any, intercept: int, kind: int, half: float, l2: float,
) -> tuple[float, Any]:  # fmt: skip
    """The batch's gradient (grads), loss and Σg², l2 penalty included: of its one row
    (sample_gradient), or combined from its ranges' sums (sum_ranges, then combine)."""
    if b == 1:
        index = position_row(X, order, shuffled, start)
        loss, squares = sample_gradient(X, y, index, params, grads, intercept, kind, half)
        if l2 == 0.0:
            return loss, squares
    else:
        loss = combine(partials, totals, chunks(b), grads, kind, half, b)
    if l2 != 0.0:
        loss += penalty(params, grads, intercept, l2)
    return loss, squared(grads)


@njit(cache=True, error_model="numpy", parallel=True)
def whole_loss(
    X: Any, y: Any, params: Any, grads: Any, partials: Any, blocks: Any, heads: Any,
    totals: Any, intercept: int, kind: int, half: float, l2: float,
) -> float:  # fmt: skip
    """The loss of the whole data, as one batch of all n rows in order — its row ranges
    summed on numba's threads (as an epoch of one full batch sums them), combined in order,
    the l2 penalty added (`batch_gradient`; grads gets the gradient)."""
    n = X.shape[0]
    in_order = np.empty(0, np.intp)
    for c in prange(chunks(n)):
        sum_ranges(X, y, in_order, False, 0, n, c, c + 1, params, params.size - intercept,
                   partials, blocks, heads, totals, intercept, kind, half)  # fmt: skip
    loss, _ = batch_gradient(X, y, in_order, False, 0, n, params, grads, partials, totals,
                             intercept, kind, half, l2)  # fmt: skip
    return loss


@njit(cache=True, error_model="numpy", fastmath=REASSOCIATE)
def weights_squared(params: Any, d: int) -> float:
    """Σ_j w_j² over j < d (each square in the dtype, summed in float64)."""
    total = 0.0
    for j in range(d):
        total += float(params[j] * params[j])
    return total


@njit(error_model="numpy", inline="always")
def penalty(params: Any, grads: Any, intercept: int, l2: float) -> float:
    """L2 on the weights: returns l2·½Σw², adds l2·w to their gradient (l2 in the dtype)."""
    d = params.size - intercept
    scale = params.dtype.type(l2)
    for j in range(d):
        grads[j] = grads[j] + scale * params[j]
    return 0.5 * l2 * weights_squared(params, d)


@njit(cache=True, error_model="numpy", fastmath=REASSOCIATE)
def squared(grads: Any) -> Any:
    """Σ g² in the dtype (np.vdot(g, g))."""
    total = grads.dtype.type(0)
    for j in range(grads.size):
        total += grads[j] * grads[j]
    return total


@njit(cache=True, error_model="numpy", fastmath=REASSOCIATE)
def scaled_norm(grads: Any) -> float:
    """‖g‖₂ = s·√Σ(g/s)², s = max|g| (inf when an entry is not finite): gdlab.loop.norm's way
    around an overflowing Σg²."""
    scale = 0.0
    for j in range(grads.size):
        if not abs(grads[j]) < np.inf:
            return np.inf
        scale = max(scale, abs(float(grads[j])))
    divisor = grads.dtype.type(scale)
    total = grads.dtype.type(0)
    for j in range(grads.size):
        total += (grads[j] / divisor) * (grads[j] / divisor)
    return scale * np.sqrt(float(total))


@njit(error_model="numpy", inline="always")
def norm(grads: Any, squares: Any) -> float:
    """‖g‖₂ as gdlab.loop.norm computes it from Σg² (in the dtype): √Σg², or scaled when
    Σg² overflows."""
    if abs(squares) < np.inf:
        return np.sqrt(float(squares))
    return scaled_norm(grads)


# At the end of the module on purpose: placed among the functions above, the same code made
# the full-batch epochs 50% slower on an AMD EPYC (docs/performance.md, What limits).
TOUCH_ROWS = 128  # History rows (3 float64) apart that touch_rows writes: < one page apart


@njit(cache=True, error_model="numpy")
def touch_rows(records: Any, low: int, high: int) -> None:
    """Write 0 into records[r, 0] for r in [low, high) every TOUCH_ROWS rows — every page of
    those History rows — so that the thread that copies rows ahead takes their page faults
    (≈1.3 µs a page: 24 MB of rows, 13 ms of a 10⁶-row epoch) and the training thread, which
    writes them later, takes none.  Only rows that nobody else writes before are touched."""
    for r in range(low, high, TOUCH_ROWS):
        records[r, 0] = 0.0


@njit(cache=True, error_model="numpy", fastmath={"contract"})
def settle_losses(margins: Any, count: int, y: Any, order: Any, shuffled: bool, records: Any,
                  first: int, total: float, like: Any) -> float:  # fmt: skip
    """The losses the per-sample loop left (`sample_head`'s `defer`): margins[j], j < count,
    holds the z of the row at the order's position j (of y), the step first + j; its
    ℓ = max(z, 0) − y·z + log1p(e^−|z|) — in float64, in a loop LLVM vectorises
    (`gdlab.vector_math`), rounded to the dtype of `like`, with subnormals flushed as the loop
    flushes them — goes to records[first + j, 0]; returns total plus the losses, added in
    order.  epoch_gathered's second thread settles a block while the first trains on the
    next."""
    control = flush_subnormals()  # on this thread
    if shuffled:
        margin_losses(margins, count, y, order, True, like)
    else:
        margin_losses(margins, count, y, order, False, like)
    for j in range(count):
        records[first + j, 0] = margins[j]
        total += margins[j]
    restore_floating(control)
    return total


@njit(error_model="numpy", inline="always")
def margin_losses(margins: Any, count: int, y: Any, order: Any, shuffled: bool,
                  like: Any) -> None:  # fmt: skip
    """margins[j] = ℓ of z = margins[j] and the target at position j, j < count (in place:
    contiguous, so that the loop is vectorised — History's loss column is strided)."""
    for j in range(count):
        margins[j] = margin_loss(margins[j], float(y[row_at(order, shuffled, j)]), like)


@njit(error_model="numpy", inline="always")
def margin_loss(z: float, y: float, like: Any) -> float:
    """ℓ = log(1 + e^z) − y·z = max(z, 0) − y·z + log1p(e^−|z|) in float64, without a call
    (`gdlab.vector_math`), rounded to the dtype of `like` — as `head` computes it in the
    dtype, to its rounding, and without its cancellation (log(1 + e^40) − 40 is 0 there)."""
    loss = (z if z > 0.0 else 0.0) - y * z + log1p_unit(exp_nonpositive(-abs(z)))
    return float(like.dtype.type(loss))
