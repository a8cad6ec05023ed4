"""The generated epoch loops of `gdlab.compiled_epochs`: one module text per optimizer chain
and parameter dtype, compiled by numba (layer L1).

    for each batch: gradient pass (gdlab.epoch_kernels)
                    `advance`: ‖∇‖ → divergence check → History row → the update:
                      codegen.preamble (scalars, once per update) and, per parameter,
                      codegen.body — the chain's Rules traced, as in gdlab.kernels

`epoch` runs on one thread without numba's reference counting (`_nrt=False`: it allocates
nothing and only borrows arrays; the counting cost ~90 ns per update).  `epoch_threads` opens
one parallel region for the epoch: its workers (`share_batches`) sum the row ranges of each
batch, and the one that sums a batch's last range advances it (gdlab.batch_sharing).  256-row
batches over 10⁶ × 100 float32 rows in order, on an AMD EPYC: 17–20 ms an epoch with a
parallel region per batch, 14–16 ms shared.  Shuffled batches too small to share (below
compiled_epochs' THREADS_FROM) run `epoch_gathered_batches` on large X: `epoch`'s loop
(`batches`) on rows that the other thread copies ahead a block of whole batches at a time,
in the epoch's order — the training thread then reads them in order — and that the training
thread, its block done, helps copy (epoch_kernels.gather_pieces); the same numbers bit for
bit (32- and 64-row batches of 10⁶ × 100 float32 on a Zen 4 EPYC, fastest of three A/B
rounds: linear 95–111 → 70–91 ms, logistic 100–140 → 75–91 ms an epoch).  Batches of one
row have their own loop, `samples`: g = dz·x_j (+ l2·w_j) is computed in the update itself
(codegen.body's `gradient`), with no gradient array written and read back — `epoch_samples`
runs it over the epoch, `epoch_gathered` block by block on rows that a second thread copies
ahead (prange(2): thread 0 trains on one block while thread 1 writes into every page of
the next block's History rows, so that their page faults are its own, and fills the other
block; thread 0, its block trained, copies the pieces of it still left — epoch_kernels.
gather_pieces — once thread 1 is done with the labels there).  The log loss's losses are
left as the rows' z (margins) and settled after them: by thread 1, a block after its
training (epoch_kernels.settle_losses).  For a plain SGD update
(`_step_scalar`) the next row's z is looked ahead (epoch_kernels.look_ahead), its dot
product taken off the chain of updates, and an update that cannot make a parameter inf or
NaN — a bound of the parameters plus epoch_kernels.step_reach below a quarter of the dtype's
largest number — skips the per-element check; both restart at the same blocks whether rows
are copied or not, so that copying changes no number.  Per-sample, 10⁶ × 100 float32 in
order on an AMD EPYC: logistic 58–61 → 45–46 ms an epoch with the losses settled after,
39–42 ms with the look-ahead; linear 35 → 29.7 ms without the check.  Given a row width
(`epoch_source`'s `width`), `samples`, `batches` and `share_batches` take d as that number:
what they call with it (epoch_kernels.dot_squares, ahead_dots, chunk_gradient, and through
it dot and add_rows) is compiled for the literal too — numba compiles a function for each
literal argument — and their loops over a row have a known trip count, with no tail for an
unknown length (10⁶ × 100 float32 in order, one thread of a Zen 4 EPYC, fastest epochs:
per sample, linear 61–62 → 48–51 ms, logistic 71–72 → 60–61 ms; 32-row batches, linear
39–40 → 28–29 ms, logistic 46–49 → 37–44 ms).  The source is
written to kernels.cache_directory() under its hash, so numba's cache keeps the compiled
loops (≈2–3 s to compile each, once per machine); the text carries a digest of
gdlab.epoch_kernels, gdlab.batch_sharing, gdlab.intrinsics, gdlab.placement and
gdlab.vector_math, which numba's cache would not notice changing.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import re
from types import SimpleNamespace
from typing import Any

from gdlab import codegen, kernels


def epoch_source(program: codegen.Program, dtype: str, width: int | None = None) -> str:
    """The module text of the epoch loops for this optimizer program and parameter dtype:
    `epoch` (one thread), `epoch_threads` (the batches' row ranges shared by numba's threads),
    `epoch_gathered_batches` (`epoch` on rows copied ahead by a second thread),
    `epoch_samples` (batches of one row), `epoch_gathered` (batches of one row, copied
    ahead by a second thread), and `many_epoch`, `many_epoch_samples` (several epochs).
    With a `width`, the loops are compiled for rows of that many features (a constant d: their
    dot products, sums and updates run without a loop tail for an unknown length) and may only
    be given such rows."""
    unpack = [f"{name} = table[row, {j}]" for j, name in enumerate(program.scalars)]
    scalars = unpack + codegen.preamble(program, dtype)
    rows = "of any width" if width is None else f"of {width} features"
    header = _TEMPLATE.replace("DTYPE", dtype).replace("HELPERS", _helpers_digest())
    header = header.replace("ROW_WIDTH", rows)
    # the placeholders first, then the generated lines (which could hold any name)
    advance = _ADVANCE.replace("    RECORD\n", _record(["return 1"], scalars, 1))
    advance = advance.replace("        UPDATE\n", _indent(_update(program), 2))
    features = f"d = {'params.size - intercept' if width is None else int(width)}\n"
    batches = _BATCHES.replace("d = WIDTH\n", features)
    samples = _SAMPLES.replace("d = WIDTH\n", features)
    samples = samples.replace("        RECORD\n", _record(["status = 1", "break"], scalars, 2))
    rate = _step_scalar(program)  # plain SGD: z of the next row looked ahead (look_ahead)
    ahead = [] if rate is None else _LOOK_AHEAD.splitlines()
    margin = [] if rate is None else ["if ahead:", f"    z_ahead = z_ahead + {rate} * (dz * cross)"]
    samples = samples.replace("        LOOK_AHEAD\n", _indent(ahead, 2))
    samples = samples.replace("        AHEAD_MARGIN\n", _indent(margin, 2))
    samples = samples.replace("        ROW_UPDATE\n", _indent(_row_update(program, rate), 2))
    many = [_MANY.replace("LOOP", loop) for loop in AT_ONCE]
    functions = [advance, batches, samples, *many]
    text = header.replace("CHAIN", " → ".join(program.links) or "(no link)") + "\n".join(functions)
    return text.replace("SLOTS, ", "".join(f"{slot}, " for slot in program.slots))


def _record(stop: list[str], scalars: list[str], depth: int) -> str:
    """RECORD: a step's History row and divergence check (`stop`: what a diverged step does),
    then the update's scalars."""
    lines = _RECORD.replace("    STOP\n", _indent(stop, 1)).splitlines()
    return _indent([*lines, *scalars], depth)


def _update(program: codegen.Program, gradient: str | None = None, checked: bool = True
            ) -> list[str]:  # fmt: skip
    """One parameter's update (codegen.body), its old value kept in spare, `bad` set when the
    new one is not finite (unless the caller knows it is: `checked=False`)."""
    check = [f"bad |= not (abs({program.result}) < np.inf)"] if checked else []
    return [*codegen.body(program, "i", gradient), "spare[i] = p",
            f"params[i] = {program.result}", *check]  # fmt: skip


def _row_update(program: codegen.Program, rate: str | None) -> list[str]:
    """`samples`' update of one row, g never written to grads (sample_gradient's and
    penalty's g): checked element by element — or, for plain SGD (`rate`, its scalar s),
    unchecked where no parameter can become inf or NaN (epoch_kernels.step_reach)."""

    def loop(bounds: str, gradient: str, checked: bool = True) -> list[str]:
        return [f"for i in range({bounds}):", *_nest(_update(program, gradient, checked))]

    checked = [
        "if l2 == 0.0:", *_nest(loop("d", "dz * X[index, i]")),
        "else:", *_nest(loop("d", "dz * X[index, i] + scale * p")),
        *loop("d, params.size", "dz"),
    ]  # fmt: skip
    if rate is None:
        return checked
    return [
        f"move = step_reach({rate}, dz, squares, grad_norm)  # bounds this update's |Δw_j|",
        "if l2 == 0.0 and reach + move < room:  # no w_j can become inf or NaN",
        "    reach += move",
        *_nest(loop("d", "dz * X[index, i]", checked=False)),
        *_nest(loop("d, params.size", "dz", checked=False)),
        "else:",
        *_nest(checked),
        "    reach = largest(params)  # after a step of unknown size",
    ]


def _nest(lines: list[str]) -> list[str]:
    return [f"    {line}" for line in lines]


def _step_scalar(program: codegen.Program) -> str | None:
    """The scalar s of an update p + s·g (plain SGD: s = −η), or None for any other update."""
    body = codegen.body(program, "i", "G")
    if program.slots or program.result != "t1" or body[:2] != ["p = params[i]", "g = G"]:
        return None
    step = re.fullmatch(r"t0 = (e\d+) \* g", body[2]) if len(body) == 4 else None
    return step.group(1) if step and body[3] == "t1 = p + t0" else None


def _indent(lines: list[str], depth: int) -> str:
    return "".join(f"{'    ' * depth}{line}\n" for line in lines)


def epoch_loop(program: codegen.Program, dtype: str, width: int | None = None
               ) -> SimpleNamespace:  # fmt: skip
    """The numba dispatchers of the seven loops of `epoch_source(program, dtype, width)`:
    compiled on first use, once per machine (numba's cache in kernels.cache_directory())."""
    where = (os.environ.get("GDLAB_CACHE_DIR"), os.environ.get("XDG_CACHE_HOME"))
    return _compile(program, dtype, width, where)


@functools.cache
def _compile(program: codegen.Program, dtype: str, width: int | None, where: tuple[Any, ...]
             ) -> SimpleNamespace:  # fmt: skip
    """numba.njit the generated loops with gdlab.kernels' options (NumPy's float semantics, no
    fastmath).  The serial loop runs without reference counting (`_nrt=False`: it allocates
    nothing and borrows every array; counting them cost ~90 ns per update)."""
    import numba

    directory = kernels.cache_directory()  # which `where` names
    namespace, cached = kernels.load_generated(epoch_source(program, dtype, width), directory)
    njit: Any = numba.njit  # `_nrt` is not in numba's type stubs
    serial = {"cache": cached, "error_model": "numpy", "_nrt": False}
    threads = {"cache": cached, "error_model": "numpy", "parallel": True}
    loops = {
        "epoch": njit(namespace["epoch"], **serial),
        "epoch_threads": njit(namespace["epoch_threads"], **threads),
        "epoch_gathered_batches": njit(namespace["epoch_gathered_batches"], **threads),
        "epoch_samples": njit(namespace["epoch_samples"], **serial),
        "epoch_gathered": njit(namespace["epoch_gathered"], **threads),
    }
    namespace.update(loops)  # many_<loop> calls the compiled loop (numba compiles lazily)
    for loop in AT_ONCE:
        loops[f"many_{loop}"] = njit(namespace[f"many_{loop}"], **serial)
    return SimpleNamespace(**loops)


@functools.cache
def _helpers_digest() -> str:
    """A digest of the sources of gdlab.epoch_kernels and the modules it inlines: a new
    generated file when the helpers change (numba's cache of a generated loop does not notice
    changes in what it calls)."""
    from gdlab import batch_sharing, epoch_kernels, intrinsics, placement, vector_math

    helpers = (batch_sharing, epoch_kernels, intrinsics, placement, vector_math)
    sources = "".join(inspect.getsource(module) for module in helpers)
    return hashlib.sha256(sources.encode()).hexdigest()[:16]


_TEMPLATE = '''"""Generated by gdlab.compiled_epochs: a training epoch for DTYPE parameters with
the update of CHAIN (gdlab.epoch_kernels HELPERS), for rows ROW_WIDTH.

Do not edit: gdlab.compiled_epochs writes this file and numba caches beside it; `epoch` is
compiled with numba.njit(error_model="numpy", _nrt=False), `epoch_threads` and `epoch_gathered`
with parallel=True."""
import numpy as np
from numba import njit, prange

from gdlab.batch_sharing import LINE, STATUS, STEPS, await_batch, claim, completes_batch
from gdlab.batch_sharing import new_board
from gdlab.batch_sharing import part_count, part_ranges, publish
from gdlab.epoch_kernels import batch_gradient, chunks, gather_pieces, gather_rows, look_ahead
from gdlab.epoch_kernels import margin_head, norm
from gdlab.epoch_kernels import position_row, sample_head, sample_norm, sum_ranges
from gdlab.epoch_kernels import defers_losses, largest, overflow_room, settle_losses, step_reach
from gdlab.epoch_kernels import row_at, touch_rows
from gdlab.intrinsics import flush_subnormals, load_acquire, restore_floating, store_release

PIECES, SETTLED = 0, LINE  # epoch_gathered's board: int64 counters a cache line apart

'''

# LOOK_AHEAD in `samples` for a plain SGD update: the next row's a, b and ‖x‖² (look_ahead) at
# the parameters before this update; after it, z_ahead = a + s·dz·b
_LOOK_AHEAD = """\
ahead = l2 == 0.0 and k + 1 < high
if ahead:
    z_ahead, cross, squares_ahead = look_ahead(X, row_at(order, shuffled, k + 1), index,
                                               params, d, intercept)
"""

# RECORD in `advance` and `samples`: a step's History row and divergence check (STOP: what a
# diverged step does); the update's scalars follow
_RECORD = """\
records[step, 0] = loss
records[step, 1] = grad_norm
records[step, 2] = rates[min(step, rates.shape[0] - 1)]
if not (abs(loss) < np.inf) or not (grad_norm < np.inf) or loss > bound:
    STOP
if path.shape[0] > 0:
    for i in range(params.size):
        path[step, i] = params[i]
row = min(step, table.shape[0] - 1)
"""

_ADVANCE = """
@njit(error_model="numpy", inline="always")
def advance(step, loss, squares, params, spare, grads, SLOTS, table, rates, records, path,
            bound):
    \"\"\"Step `step` after its gradient (grads; Σg² = squares): ‖∇‖, its History row, the
    divergence check and the update.  0: updated; 1: diverged, no update made; 2: the update
    made a parameter non-finite (spare holds the parameters before it).\"\"\"
    grad_norm = norm(grads, squares)
    RECORD
    bad = False
    for i in range(params.size):
        UPDATE
    return 2 if bad else 0
"""

_BATCHES = """
@njit(error_model="numpy", inline="always")
def batches(X, y, order, shuffled, low, high, step, total, params, spare, grads, partials,
            blocks, heads, totals, SLOTS, table, rates, records, path, size, kind, half,
            intercept, l2, bound):
    \"\"\"The batches of `size` rows from the order's positions low, low + size, … < high (the
    last may be shorter), one after the other on this thread: status, step, total.\"\"\"
    status = 0
    d = WIDTH
    for start in range(low, high, size):
        b = min(start + size, high) - start
        if b > 1:
            sum_ranges(X, y, order, shuffled, start, b, 0, chunks(b), params, d, partials,
                       blocks, heads, totals, intercept, kind, half)
        loss, squares = batch_gradient(X, y, order, shuffled, start, b, params, grads, partials,
                                       totals, intercept, kind, half, l2)
        status = advance(step, loss, squares, params, spare, grads, SLOTS, table, rates,
                         records, path, bound)
        if status == 1:
            break
        total += loss
        step += 1
        if status == 2:
            break
    return status, step, total


def epoch(X, y, order, shuffled, params, spare, grads, partials, blocks, heads, totals, rows,
          labels, margins, SLOTS, table, rates, records, path, size, stop, workers, kind, half,
          intercept, l2, bound):
    control = flush_subnormals()
    status, step, total = batches(X, y, order, shuffled, 0, stop, 0, 0.0, params, spare, grads,
                                  partials, blocks, heads, totals, SLOTS, table, rates, records,
                                  path, size, kind, half, intercept, l2, bound)
    restore_floating(control)
    return status, step, total


def epoch_gathered_batches(X, y, order, shuffled, params, spare, grads, partials, blocks, heads,
                           totals, rows, labels, margins, SLOTS, table, rates, records, path,
                           size, stop, workers, kind, half, intercept, l2, bound):
    block = rows.shape[1]  # rows copied at a time: a whole number of batches
    in_order = order[:0]
    gather_rows(X, y, order, shuffled, 0, min(block, stop), rows[0], labels[0])
    status, step, total = 0, 0, 0.0
    outcome = np.zeros(3)  # the training thread's status, step, total
    board = np.zeros(LINE, np.int64)  # [PIECES]: the next block's pieces claimed
    for low in range(0, stop, block):
        high = min(low + block, stop)
        end = min(high + block, stop)
        side = low // block % 2
        board[PIECES] = 0
        for thread in prange(2):
            if thread == 0:
                control = flush_subnormals()  # on this thread, as `epoch` on its own
                result = batches(rows[side], labels[side], in_order, False, 0, high - low,
                                 step, total, params, spare, grads, partials, blocks, heads,
                                 totals, SLOTS, table, rates, records, path, size, kind, half,
                                 intercept, l2, bound)
                restore_floating(control)
                outcome[0], outcome[1], outcome[2] = result
                if result[0] == 0:  # then the next block's pieces still left
                    gather_pieces(board, X, y, order, shuffled, high, end, rows[1 - side],
                                  labels[1 - side])
            elif high < stop:
                gather_pieces(board, X, y, order, shuffled, high, end, rows[1 - side],
                              labels[1 - side])
        status, step, total = int(outcome[0]), int(outcome[1]), outcome[2]
        if status != 0:
            break
    return status, step, total


@njit(error_model="numpy", inline="always")
def share_batches(board, worker, X, y, order, shuffled, params, spare, grads, partials, blocks,
                  heads, totals, SLOTS, table, rates, records, path, size, stop, workers, kind,
                  half, intercept, l2, bound):
    \"\"\"Worker `worker` of `epoch_threads`: its part of every batch (any other part still
    free), and the step of each batch whose last part it sums (gdlab.batch_sharing).\"\"\"
    control = flush_subnormals()  # on this thread
    n = X.shape[0]
    d = WIDTH
    steps = (stop + size - 1) // size
    parts = part_count(workers, chunks(min(size, n)))
    last_parts = part_count(workers, chunks(stop - (steps - 1) * size))
    t = 0
    while t < steps and await_batch(board, t):
        start = t * size
        b = min(start + size, n) - start
        of = parts if t < steps - 1 else last_parts
        for turn in range(of):
            part = (worker + turn) % of
            if not claim(board, t, part):
                continue
            if b > 1:
                first, end = part_ranges(part, of, chunks(b))
                sum_ranges(X, y, order, shuffled, start, b, first, end, params, d, partials,
                           blocks, heads, totals, intercept, kind, half)
            if completes_batch(board, t, steps, parts, last_parts):
                loss, squares = batch_gradient(X, y, order, shuffled, start, b, params, grads,
                                               partials, totals, intercept, kind, half, l2)
                status = advance(t, loss, squares, params, spare, grads, SLOTS, table, rates,
                                 records, path, bound)
                publish(board, t, status, steps)
        t += 1
    restore_floating(control)


def epoch_threads(X, y, order, shuffled, params, spare, grads, partials, blocks, heads, totals,
                  rows, labels, margins, SLOTS, table, rates, records, path, size, stop, workers,
                  kind, half, intercept, l2, bound):
    sharing = part_count(workers, chunks(min(size, X.shape[0])))  # a batch's parts
    board = new_board(sharing)
    for worker in prange(sharing):
        share_batches(board, worker, X, y, order, shuffled, params, spare, grads, partials,
                      blocks, heads, totals, SLOTS, table, rates, records, path, size, stop,
                      sharing, kind, half, intercept, l2, bound)
    status, step = board[STATUS], board[STEPS]
    total = 0.0
    for t in range(step):  # the losses of the updates made, added in order as `epoch` adds
        total += records[t, 0]
    return status, step, total
"""

# the loops that `many_<loop>` runs for several epochs in one call (rows in order, constant
# coefficients and learning rate: nothing changes between two epochs but the History rows)
AT_ONCE = ("epoch", "epoch_samples")

_MANY = """
def many_LOOP(X, y, order, shuffled, params, spare, grads, partials, blocks, heads, totals, rows,
              labels, margins, SLOTS, table, rates, records, path, size, stop, workers, kind,
              half, intercept, l2, bound, epochs, target, sums):
    \"\"\"LOOP for up to `epochs` epochs, one after the other (gd.fit's epochs in order that
    nothing watches in between): sums[e] = (Σ of the losses, updates) of its epoch e.  It stops
    after an epoch that diverged or whose mean loss Σ/updates is ≤ target (NaN: no target):
    status, epochs run, updates made.\"\"\"
    status, done, made = 0, 0, 0
    for turn in range(epochs):
        status, step, total = LOOP(X, y, order, shuffled, params, spare, grads, partials, blocks,
                                   heads, totals, rows, labels, margins, SLOTS, table, rates,
                                   records[made:], path[made:], size, stop, workers, kind, half,
                                   intercept, l2, bound)
        sums[turn, 0] = total
        sums[turn, 1] = step
        made += step
        done = turn + 1
        if status != 0 or total / step <= target:
            break
    return status, done, made
"""

_SAMPLES = """
@njit(error_model="numpy", inline="always")
def samples(X, y, order, shuffled, low, high, step, total, params, spare, grads, SLOTS, table,
            rates, records, margins, path, kind, half, intercept, l2, bound):
    \"\"\"Batches of one row, the order's positions [low, high): status, step, total.  Where
    the losses are deferred (defers_losses), the rows' z go to margins[k − low] for the caller
    to settle (settle_losses), and total is returned as it came.\"\"\"
    control = flush_subnormals()  # on this thread: epoch_gathered runs it on a worker
    status = 0
    d = WIDTH
    scale = params.dtype.type(l2)
    defer = defers_losses(kind, l2)
    ahead = False  # whether row k's z was looked ahead at row k − 1 (look_ahead)
    z_ahead = squares_ahead = cross = params.dtype.type(0)
    reach, room = largest(params), overflow_room(params)  # a bound of max |w_j|; its limit
    for k in range(low, high):
        index = position_row(X, order, shuffled, k)
        if ahead:
            loss, dz, squares, z = margin_head(X, y, index, z_ahead, squares_ahead, params,
                                               intercept, kind, half, l2, defer, bound)
        else:
            loss, dz, squares, z = sample_head(X, y, index, params, d, intercept, kind, half,
                                               l2, defer, bound)
        grad_norm = sample_norm(X, index, dz, params, grads, squares, intercept, l2)
        RECORD
        if defer:
            margins[k - low] = z
        else:
            total += loss
        LOOK_AHEAD
        bad = False
        ROW_UPDATE
        AHEAD_MARGIN
        step += 1
        if bad:
            status = 2
            break
    restore_floating(control)
    return status, step, total


def epoch_samples(X, y, order, shuffled, params, spare, grads, partials, blocks, heads, totals,
                  rows, labels, margins, SLOTS, table, rates, records, path, size, stop, workers,
                  kind, half, intercept, l2, bound):
    defer = defers_losses(kind, l2)
    block = margins.shape[1]  # epoch_gathered's blocks: its look-ahead restarts at each
    status, step, total = 0, 0, 0.0
    for low in range(0, stop, block):
        high = min(low + block, stop)
        if shuffled:  # `samples` compiled for each value of `shuffled`
            status, step, total = samples(X, y, order, True, low, high, step, total, params,
                                          spare, grads, SLOTS, table, rates, records, margins[0],
                                          path, kind, half, intercept, l2, bound)
        else:
            status, step, total = samples(X, y, order, False, low, high, step, total, params,
                                          spare, grads, SLOTS, table, rates, records, margins[0],
                                          path, kind, half, intercept, l2, bound)
        if defer and shuffled:  # a step is a row: the block's steps start at low
            total = settle_losses(margins[0], step - low, y, order[low:], True, records, low,
                                  total, params)
        elif defer:
            total = settle_losses(margins[0], step - low, y[low:], order, False, records, low,
                                  total, params)
        if status != 0:
            break
    return status, step, total


def epoch_gathered(X, y, order, shuffled, params, spare, grads, partials, blocks, heads, totals,
                   rows, labels, margins, SLOTS, table, rates, records, path, size, stop, workers,
                   kind, half, intercept, l2, bound):
    block = rows.shape[1]
    in_order = order[:0]
    defer = defers_losses(kind, l2)
    gather_rows(X, y, order, shuffled, 0, min(block, stop), rows[0], labels[0])
    status, step, total = 0, 0, 0.0
    outcome = totals[:4]  # the training thread's status, step, total; the settled total
    board = np.zeros(2 * LINE, np.int64)  # [PIECES]: the next block's pieces claimed
    low, side = 0, 0                       # [SETTLED]: thread 1 is done with labels[1 − side]
    for low in range(0, stop, block):
        high = min(low + block, stop)
        end = min(high + block, stop)
        side = low // block % 2
        outcome[3] = total
        board[PIECES] = board[SETTLED] = 0
        for thread in prange(2):
            if thread == 0:
                result = samples(rows[side], labels[side], in_order, False, 0, high - low, step,
                                 total, params, spare, grads, SLOTS, table, rates, records,
                                 margins[side], path, kind, half, intercept, l2, bound)
                outcome[0], outcome[1], outcome[2] = result
                if result[0] == 0 and load_acquire(board, SETTLED):  # then the pieces left
                    gather_pieces(board, X, y, order, shuffled, high, end, rows[1 - side],
                                  labels[1 - side])
            else:
                if defer and low > 0:  # the block before's losses (before its labels go)
                    outcome[3] = settle_losses(margins[1 - side], block, labels[1 - side],
                                               in_order, False, records, low - block, total,
                                               params)
                store_release(board, SETTLED, 1)
                if high < stop:
                    touch_rows(records, high, end)
                    gather_pieces(board, X, y, order, shuffled, high, end, rows[1 - side],
                                  labels[1 - side])
        status, step = int(outcome[0]), int(outcome[1])
        total = outcome[3] if defer else outcome[2]
        if status != 0:
            break
    if defer:  # the last block's losses (a step is a row: the block's steps start at low)
        total = settle_losses(margins[side], step - low, labels[side], in_order, False, records,
                              low, total, params)
    return status, step, total
"""
