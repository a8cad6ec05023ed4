"""Compiled training epochs of the linear models: `gd.fit`'s fast path (layer L3).

`gdlab.epochs.choose_epoch` takes a `CompiledEpoch` for LinearRegression (one output, loss
"mse" or "half_mse", with or without intercept, l2), LogisticRegression and
PolynomialRegression with a fusable optimizer (see `gdlab.kernels.fuse`) and no per-step
callback.  One epoch is one call of a numba loop generated for the optimizer:

    for each batch B of the epoch's order:                      (batching.Batches' batches)
        L_B, ∇L_B from one pass over B's rows (gdlab.epoch_kernels; X read through the order)
        ‖∇L_B‖; stop on divergence;  History row (L_B, ‖∇L_B‖, α_t) written in place
        θ' = θ + update(∇L_B)       codegen.preamble/body: the optimizer's Rules, fused

The loop is generated from the Rules (`gdlab.epoch_loops`, `gdlab.codegen`), its scalars come from
`FusedOptimizer.coefficient_table` (evaluated once per epoch for rules whose coefficients are
constant), so the optimizer's numbers are the reference path's for a given gradient.  The
gradient is the model's, summed in another order than NumPy's BLAS: float64 results agree with
`reference_epoch` to ~1e-13 relative, float32 ones to float32 rounding (subnormal numbers are
flushed to zero: `gdlab.intrinsics`).  Batches of one row run `epoch_samples`, whose update
reads the row's gradient where it stands; from GATHER_FROM bytes of X, `epoch_gathered`, the
same loop on copies of the rows that a second thread takes ahead, block by block, in the
epoch's order — a contiguous read for the training thread even when shuffled, the same
numbers bit for bit; shuffled batches that one thread sums (below THREADS_FROM elements or
2·CHUNK_ROWS rows) run `epoch_gathered_batches`, `epoch` on rows copied the same way, from
the same size of X.  From WIDTH_FROM bytes of X, the loops are compiled for its row width
(`epoch_loops`: d a constant).  Every epoch works on fresh copies of the
parameters and the optimizer's slot arrays (what earlier epochs returned is never written), so
positions, checkpoints and epoch callbacks see what the reference gives.

Anything else — a callback, another model, an optimizer with a link that has no Rule or that
clips by the global norm, data that is not one C-contiguous array of the parameters' dtype —
runs `reference_epoch`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from gdlab import codegen, kernels
from gdlab.base import Array, Rule, RuleState, Transform
from gdlab.epoch_loops import epoch_loop
from gdlab.epochs import EpochOutcome, Position, Run, diverged_message, reference_epoch
from gdlab.loop import divergence
from gdlab.placement import lined_zeros
from gdlab.problems.linear import LinearRegression, LogisticRegression, PolynomialRegression
from gdlab.schedules import constant

THREADS_FROM = 2**12  # elements of a batch (rows × features) from which its rows are summed
#                      on numba's threads (epoch_threads): even at 128 × 32 and 256 × 16 in
#                      order, faster from there (128 × 100: 20 → 17 ms an epoch of 10⁶ rows,
#                      shuffled 256 × 20: 38 → 21 ms), slower at 128 × 10
GATHER_FROM = 2**25  # bytes of X from which a per-sample epoch has a second thread copy the
#                      rows ahead (`epoch_gathered`): measured even at 31 MiB, 8% faster at
#                      61 MiB, 13% (in order) and 58% (shuffled) at 400 MB; slower below
GATHER_BYTES = 2**22  # bytes of rows that thread copies at a time (two such blocks alternate)
WIDTH_FROM = 2**25  # bytes of X from which an epoch runs loops compiled for its row width
#                    (epoch_loops' `width`; a compile for each width, once per machine): 10⁶
#                    × 100 float32 in order, one thread, fastest epochs per sample: linear
#                    61–62 → 48–51 ms, logistic 71–72 → 60–61 ms; 32-row batches: linear
#                    39–40 → 28–29 ms, logistic 46–49 → 37–44 ms
AT_ONCE_ROWS = 2**14  # History rows reserved for the epochs that run in one call (many_epochs)
CHUNKS, CHUNK_ROWS = 16, 64  # = epoch_kernels' (a batch is summed in ≤ CHUNKS row ranges)
HEAD_ROWS = 16  # = epoch_kernels' (the log loss's rows are taken in groups of HEAD_ROWS)
HEAD_SLOTS = 3  # = epoch_kernels' (z, dz and e^−|z| of each row of a group)
SQUARED, LOG_LOSS = 0, 1  # = epoch_kernels.SQUARED, LOG_LOSS


class Head(NamedTuple):
    """What the compiled loop needs of a model: its loss head, intercept and penalty."""

    kind: int  # SQUARED or LOG_LOSS
    half: float  # the squared error's factor: 1 ("mse") or 0.5 ("half_mse")
    intercept: int  # 1 when the last parameter is the intercept
    l2: float


def head_of(model: Any) -> Head | None:
    """The model as the compiled loop sees it, or None when it has no compiled epoch."""
    kind = type(model)
    if kind not in (LinearRegression, PolynomialRegression, LogisticRegression):
        return None
    intercept, l2 = int(model.fit_intercept), float(model.l2)
    if kind is LinearRegression and model.n_outputs is None:
        return Head(SQUARED, _half(model.loss), intercept, l2)
    if kind is PolynomialRegression and model.degree >= 1:
        return Head(SQUARED, _half(model.loss), intercept, l2)
    if kind is LogisticRegression:
        return Head(LOG_LOSS, 1.0, intercept, l2)
    return None


def _half(loss: str) -> float:
    return 0.5 if loss == "half_mse" else 1.0


def compiled_epoch(model: Any, optimizer: Transform) -> CompiledEpoch | None:
    """The compiled epoch function for this model and optimizer, or None (use the reference)."""
    head = head_of(model)
    if head is None:
        return None
    described = []
    for link in optimizer.links or (optimizer,):
        if link.rule is None or kernels.norm_driven(link):
            return None  # a link without a Rule, or clip_by_global_norm (needs each gradient)
        described.append((link.name, link.rule.kernel, link.rule.slots))
    program = _program(tuple(described))
    if program is None:
        return None
    return CompiledEpoch(model, head, kernels.FusedOptimizer(optimizer, program))


def whole_loss(model: Any, params: Array, X: Any, y: Any) -> float | None:
    """L(θ) on all of X, y — the loss `gd.fit` starts from and reports — by the compiled pass
    of a full-batch epoch, or None where it has none (the model or the data: the caller asks
    the model).  On 10⁶ × 100 float32 rows: 12–14 ms against 40–46 ms for the model's
    value_and_grad, whose matrix products also leave OpenBLAS's threads spinning for ≈0.1 s
    afterwards, on the cores the first epoch's threads then share (one worker's sums at half
    speed: a first epoch of 256-row batches 90 ms instead of 45)."""
    head = head_of(model)
    if head is None:
        return None
    X = _design(model, X)
    if not (isinstance(params, np.ndarray) and _readable(X, params, y, head) and len(X) > 1):
        return None
    from gdlab.epoch_kernels import whole_loss as compiled_loss

    labels = np.ascontiguousarray(y, dtype=params.dtype)
    sums = _Sums.of(params)
    return float(compiled_loss(X, labels, params, np.empty_like(params), *sums, head.intercept,
                               head.kind, head.half, head.l2))  # fmt: skip


def _readable(X: Any, params: Array, y: Any, head: Head) -> bool:
    """Whether the compiled loops read these data: C-ordered 2-D X of the parameters' float
    dtype, a feature per weight, a 1-D y of a label per row."""
    dtype = params.dtype
    return (
        isinstance(X, np.ndarray) and X.ndim == 2 and X.flags.c_contiguous
        and X.dtype == dtype and dtype in (np.float32, np.float64) and params.ndim == 1
        and X.shape[1] == params.size - head.intercept
        and np.ndim(y) == 1 and len(y) == len(X)
    )  # fmt: skip


class _Sums(NamedTuple):
    """The scratch a batch's row ranges are summed into (epoch_kernels.sum_ranges), each range's
    on cache lines of its own."""

    partials: Array  # (CHUNKS, params) float64: Σ dz·(x, 1) of each range
    blocks: Array  # (CHUNKS, params) in the dtype: the block being summed
    heads: Array  # (CHUNKS, HEAD_SLOTS, HEAD_ROWS): the log loss's group of rows
    totals: Array  # (CHUNKS,): Σℓ of each range

    @staticmethod
    def of(params: Array) -> _Sums:
        return _Sums(
            lined_zeros((CHUNKS, params.size), np.float64),
            lined_zeros((CHUNKS, params.size), params.dtype),
            lined_zeros((CHUNKS, HEAD_SLOTS, HEAD_ROWS), params.dtype),
            np.empty(CHUNKS),
        )


@functools.lru_cache(maxsize=256)
def _program(links: tuple[tuple[str, Any, tuple[str, ...]], ...]) -> codegen.Program | None:
    """The traced program of a chain of rules, by (name, kernel, slots) — all that tracing
    reads — so that a fit does not trace its optimizer again (None: not fusable)."""
    try:
        return codegen.trace([(name, Rule(kernel, slots)) for name, kernel, slots in links])
    except codegen.NotFusable:
        return None


# ---------------------------------------------------------------- the epoch function


class _Prepared(NamedTuple):
    """What stays fixed during a run: the data as the loop reads it, the batch plan, scratch
    arrays, and the update's scalars and learning rate when they are constant."""

    run: Run
    loop: Any
    many: Any  # the loop over several epochs (epoch_loops' many_<loop>), or None
    X: Array  # the design matrix: X, or PolynomialRegression's powers of x
    y: Array
    grads: Array
    partials: Array
    blocks: Array
    heads: Array
    totals: Array
    rows: Array  # per-sample: two blocks of rows copied ahead (empty when unused)
    labels: Array  # … and their targets
    margins: np.ndarray  # per-sample: the rows' z of a block (the log loss's settle_losses)
    in_order: np.ndarray  # an empty order: the loop reads rows 0, 1, …
    no_path: Array  # an empty trajectory: the loop records none
    steps: int
    size: int
    stop: int
    workers: int  # numba's threads when the run began: epoch_threads' workers
    table: np.ndarray | None  # the one row of constant coefficients
    rates: np.ndarray | None  # the one constant learning rate


class _Start(NamedTuple):
    """Where an epoch's loop began: the params before the last update then, the updates made,
    and the epoch's index (for the messages)."""

    previous: Array
    updates: int
    epoch: int


class _Launched(NamedTuple):
    """A loop's answer (status, …) and the arrays it worked on: params after its last update,
    spare before it, the optimizer state (its slot arrays updated) and its History rows."""

    answer: tuple[Any, ...]
    params: Array
    spare: Array
    state: Any
    records: np.ndarray


@dataclass(eq=False)
class CompiledEpoch:
    """An epoch function (gdlab.epochs' contract) running the generated numba loop."""

    model: Any
    head: Head
    fused: kernels.FusedOptimizer
    static: bool = field(init=False)
    slotted: bool = field(init=False)
    prepared: _Prepared | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.static = all(  # every rule's coefficients are constant: one row serves all
            link.rule is not None and link.rule.static and not link.rule.carry
            for link in self.fused.links
        )
        self.slotted = bool(self.fused.program.slots)

    def __call__(
        self, run: Run, position: Position, epoch: int, order: np.ndarray | None
    ) -> EpochOutcome:
        prepared = self._ready(run, position)
        if prepared is None:
            return reference_epoch(run, position, epoch, order)
        ran = self._launch(prepared.loop, run, prepared, position, order, prepared.steps)
        status, rows, total = ran.answer
        run.recorder.commit(rows)
        start = _Start(position.previous, position.count, epoch)
        return self._outcome(run, status, rows, total, *ran[1:], start)

    def epochs_at_once(self, run: Run, position: Position) -> int:
        """How many epochs `many_epochs` may run in one call for this run: 0 unless its rows
        are taken in order, on one thread, with constant update coefficients and learning
        rate, and an epoch makes at most AT_ONCE_ROWS // 2 updates."""
        prepared = self._ready(run, position)
        if prepared is None or prepared.many is None or not run.batches.in_order:
            return 0
        if prepared.table is None or prepared.rates is None:
            return 0
        return AT_ONCE_ROWS // prepared.steps if 2 * prepared.steps <= AT_ONCE_ROWS else 0

    def many_epochs(
        self, run: Run, position: Position, first: int, count: int, target: float | None
    ) -> tuple[np.ndarray, EpochOutcome]:
        """Epochs first, first + 1, … (at most `count`, rows in order) in one call of the loop,
        as many calls of this epoch function make them — when nothing runs in between (see
        `epochs_at_once`).  It stops after an epoch that diverged or whose mean loss is ≤
        target: each epoch's (Σ of the losses, updates) and the last epoch's outcome."""
        prepared = self._ready(run, position)
        assert prepared is not None and prepared.many is not None
        sums = np.empty((count, 2))
        ran = self._launch(prepared.many, run, prepared, position, None, prepared.steps * count,
                           count, math.nan if target is None else target, sums)  # fmt: skip
        status, done, made = ran.answer
        run.recorder.commit(made)
        total, rows = float(sums[done - 1, 0]), int(sums[done - 1, 1])
        before = made - rows  # the updates of the epochs before the last
        start = _Start(ran.spare if before else position.previous, position.count + before,
                       first + done - 1)  # fmt: skip
        last = self._outcome(run, status, rows, total, ran.params, ran.spare,
                             _advanced(ran.state, before), ran.records[before:], start)  # fmt: skip
        return sums[:done], last

    # ------------------------------------------------------------ internals

    def _ready(self, run: Run, position: Position) -> _Prepared | None:
        """The run's prepared arrays, made on its first epoch (None: no compiled loop)."""
        prepared = self.prepared
        if prepared is None or prepared.run is not run:
            prepared = self._prepare(run, position)
        return prepared

    def _launch(
        self, loop: Any, run: Run, prepared: _Prepared, position: Position,
        order: np.ndarray | None, rows: int, *extra: Any,
    ) -> _Launched:  # fmt: skip
        """Run `loop` (its trailing arguments: `extra`) from `position`, on fresh copies of the
        parameters and slot arrays, writing into `rows` History rows reserved for it (the
        caller commits those written)."""
        params = position.params.copy()
        spare = np.empty_like(params)
        state = _copy_slots(position.state) if self.slotted else position.state
        records, path = run.recorder.reserve(rows)
        answer = loop(
            prepared.X, prepared.y, prepared.in_order if order is None else _order(order),
            order is not None, params, spare, prepared.grads, prepared.partials, prepared.blocks,
            prepared.heads, prepared.totals, prepared.rows, prepared.labels, prepared.margins,
            *(_flat_slots(state) if self.slotted else ()), self._table(prepared, state),
            self._rates(prepared, position), records,
            prepared.no_path if path is None else path, prepared.size, prepared.stop,
            prepared.workers, *self.head, run.bound, *extra,
        )  # fmt: skip
        return _Launched(answer, params, spare, state, records)

    def _outcome(
        self, run: Run, status: int, rows: int, total: float, params: Array, spare: Array,
        state: Any, records: np.ndarray, start: _Start,
    ) -> EpochOutcome:  # fmt: skip
        """An epoch's outcome from its loop's answer: `rows` updates made from `start`, params
        after the last of them and spare before it."""
        count = start.updates + rows
        if status == 0:  # params: after the last update; spare: before it
            previous = spare if rows else start.previous
            after = self._after(state, rows)
            return EpochOutcome(Position(params, previous, after, count), total, rows)
        if status == 1:  # the loss or gradient of batch `rows` diverged: no update made
            previous = spare if rows else start.previous
            problem = divergence(float(records[rows, 0]), float(records[rows, 1]), run.bound)
            message = diverged_message(run.optimizer, count, start.epoch, problem or "")
            last = Position(previous, previous, self._after(state, rows), max(count - 1, 0))
            return EpochOutcome(last, total, rows, "diverged", message)
        # status 2: update `rows` made params non-finite; spare holds the params before it
        problem = "the parameters became non-finite"
        message = diverged_message(run.optimizer, count, start.epoch, problem)
        last = Position(spare, spare, self._after(state, rows), count - 1)
        return EpochOutcome(last, total, rows, "diverged", message)

    def _prepare(self, run: Run, position: Position) -> _Prepared | None:
        """The run's fixed arrays (once per run), or None when its data has no compiled loop."""
        X, params = _design(self.model, run.X), position.params
        dtype = params.dtype
        if not _readable(X, params, run.y, self.head):
            return None
        size, n = run.batches.size, run.batches.n_samples
        loops = epoch_loop(self.fused.program, dtype.name, _width(X))
        if size == 1:
            block = _gather_block(X)
            loop = loops.epoch_gathered if block else loops.epoch_samples
        elif _threads(size, X.shape[1]):
            block, loop = 0, loops.epoch_threads
        else:
            block = 0 if run.batches.in_order else _gather_block(X) // size * size
            loop = loops.epoch_gathered_batches if block else loops.epoch
        many = {loops.epoch: loops.many_epoch, loops.epoch_samples: loops.many_epoch_samples}
        optimizer = self.fused.transform
        constant_rate = optimizer.learning_rate is None or isinstance(
            optimizer.learning_rate, constant
        )
        sums = _Sums.of(params)
        self.prepared = _Prepared(
            run=run,
            loop=loop,
            many=many.get(loop),
            X=X,
            y=np.ascontiguousarray(run.y, dtype=dtype),
            grads=np.empty_like(params),
            partials=sums.partials,
            blocks=sums.blocks,
            heads=sums.heads,
            totals=sums.totals,
            rows=np.empty((2 if block else 0, block, X.shape[1]), dtype),
            labels=np.empty((2 if block else 0, block), dtype),
            margins=np.empty((2 if block else 1, _block_rows(X) if size == 1 else 0)),
            in_order=np.empty(0, dtype=np.intp),
            no_path=np.empty((0, params.size), dtype),
            steps=run.batches.steps_per_epoch,
            size=size,
            stop=n - n % size if run.batches.drop_last else n,
            workers=_workers(),
            table=self.fused.coefficient_table(position.state, 1)[0] if self.static else None,
            rates=np.array([optimizer.current_learning_rate(0)]) if constant_rate else None,
        )  # fmt: skip
        return self.prepared

    def _table(self, prepared: _Prepared, state: Any) -> np.ndarray:
        """The update's scalars: the one constant row, else one row per update (each rule's
        coefficients, a Python call per update, as the reference path makes)."""
        if prepared.table is not None:
            return prepared.table
        return self.fused.coefficient_table(state, prepared.steps)[0]

    def _after(self, state: Any, updates: int) -> Any:
        """The optimizer state after `updates` more updates (the slot arrays are the loop's)."""
        if self.static:
            return _advanced(state, updates)
        return self.fused.coefficient_table(state, updates)[1]

    def _rates(self, prepared: _Prepared, position: Position) -> np.ndarray:
        """α_t of the epoch's updates (one value when the schedule is constant)."""
        if prepared.rates is not None:
            return prepared.rates
        rate, count = self.fused.transform.current_learning_rate, position.count
        return np.array([rate(count + t) for t in range(prepared.steps)])


def _workers() -> int:
    """numba's thread count: the workers `epoch_threads` shares batches among (asked once a
    run — 0.5 µs a call, 4% of the seed-000 fit if asked each epoch; and numba cannot cache a
    loop that asks for it itself)."""
    import numba

    return int(numba.get_num_threads())


def _threads(size: int, n_features: int) -> bool:
    """Whether batches of `size` rows are summed on numba's threads: at least two row ranges,
    THREADS_FROM elements, and more than one thread (NUMBA_NUM_THREADS=1 keeps one core)."""
    import numba

    big = size >= 2 * CHUNK_ROWS and size * n_features >= THREADS_FROM
    return big and numba.get_num_threads() > 1


def _width(X: Array) -> int | None:
    """The row width the loops are compiled for (None: any width): X's, from WIDTH_FROM bytes
    of X."""
    return X.shape[1] if X.nbytes >= WIDTH_FROM else None


def _gather_block(X: Array) -> int:
    """Rows per block copied ahead in a per-sample epoch (or, rounded down to whole batches,
    in a shuffled epoch of batches that one thread sums), 0 for none: X of at least GATHER_FROM
    bytes and more than one thread."""
    import numba

    if X.nbytes < GATHER_FROM or numba.get_num_threads() < 2:
        return 0
    return _block_rows(X)


def _block_rows(X: Array) -> int:
    """GATHER_BYTES of rows: the blocks copied ahead — and, not copied, the blocks of rows after
    which the per-sample loop settles its losses and restarts its look-ahead, as when copied
    (so that copying changes no number: epoch_loops)."""
    return max(1, min(len(X), GATHER_BYTES // max(1, X.shape[1] * X.itemsize)))


def _design(model: Any, X: Any) -> Any:
    """The matrix the weights multiply: X itself (never copied), or — for PolynomialRegression —
    its powers [x^k, …, x], computed once per run by the model (`design_matrix`, np.vander)."""
    if type(model) is PolynomialRegression and isinstance(X, np.ndarray) and X.ndim == 2:
        return np.ascontiguousarray(model.design_matrix(X))
    return X


def _order(order: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(order, dtype=np.intp)


def _copy_slots(state: Any) -> Any:
    """The state with fresh copies of its slot arrays (the loop updates them in place)."""
    if isinstance(state, RuleState):
        if not state.slots:
            return state
        return RuleState(state.count, tuple(slot.copy() for slot in state.slots), state.carry)
    return tuple(map(_copy_slots, state))


def _advanced(state: Any, updates: int) -> Any:
    """The state of rules with constant coefficients after `updates` more updates."""
    if isinstance(state, RuleState):
        return RuleState(state.count + updates, state.slots, state.carry)
    return tuple([_advanced(link_state, updates) for link_state in state])


def _flat_slots(state: Any) -> list[Array]:
    """The slot arrays in the program's order (link after link, slot after slot)."""
    if isinstance(state, RuleState):
        return [slot.reshape(-1) for slot in state.slots]
    return [slot for link_state in state for slot in _flat_slots(link_state)]
