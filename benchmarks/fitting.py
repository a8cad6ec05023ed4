"""Training loops: one epoch over X (1,000,000 × 100 float32 in the full run) and seed 000.

gdlab: `gd.fit` (compiled epochs, gdlab.compiled_epochs) — an epoch's time is the gap between
two epoch callbacks of one fit of EPOCHS epochs, so the start's checks and losses stay out;
History rows are recorded as always.  Against, one epoch of:

* per-sample SGD, in order and shuffled: scikit-learn `SGDRegressor` / `SGDClassifier`
  `partial_fit`, given the float32 X (which it converts to float64 at each call) and, in an
  extra row, float64 X (its own dtype: no conversion);
* mini-batches of 32, 256 and 4096 rows, shuffled: a vectorised NumPy loop (gather the rows,
  two matrix products) and a torch loop (`X[idx]`, `backward`, `torch.optim.SGD`; the log
  loss as softplus(z) − y·z);
* the full batch: the same NumPy and torch steps on all of X;

and the floors: streaming X once (a read-only numba pass, best of one thread and all threads:
what an epoch that reads every row once cannot beat) and gathering X's rows in a shuffled
order (the same, through a permutation, rows prefetched ahead as gd.fit prefetches them: what
a shuffled epoch's row sums cannot beat); a shuffled epoch's order (`gdlab.shuffling`'s
permutation against NumPy's `rng.permutation`, each drawn after a pass over X, as an epoch
draws it) and, the two added, the floor of a whole shuffled epoch.  For the shuffled batches
that gd.fit's threads share (from SHARED_FROM rows), a row "gdlab row sums alone" times
`batch_sums`: the epoch's gradient pass by gd.fit's own kernel and split of the rows, with
no step and no thread waiting for the other — the rest of gd.fit's epoch is its order, its
steps and hand-overs.  Ratios: × the baseline's speed (its time / gdlab's); `floor`:
streaming time / gdlab's time.

Threads that spin after their work (OpenBLAS's after NumPy's products, torch's, numba's) take
a core from whatever runs next on a 2-core machine: every variant starts after SETTLE seconds
of sleep, and gdlab's epochs are timed from the end of the first (the fit's start runs NumPy's
BLAS on all of X).

Seed 000: `gd.fit(PolynomialRegression(2), …)` per sample, in order, learning rate 0.1, to
epoch loss < 1e-4 (50 epochs), timed in-process after warm-up, against the seed's own pure
Python (`seed_000_pure_python`, transcribed from the article without its print and plot).
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numba
import numpy as np
from numba import njit, prange

import gdlab as gd
from benchmarks.report import Row
from benchmarks.timing import interleaved_medians, optional_import
from gdlab import data
from gdlab.batch_sharing import part_count, part_ranges
from gdlab.epoch_kernels import (
    CHUNK_ROWS,
    CHUNKS,
    HEAD_ROWS,
    HEAD_SLOTS,
    LOG_LOSS,
    SQUARED,
    chunks,
    position_row,
    prefetch_start,
    sum_ranges,
)
from gdlab.placement import lined_zeros
from gdlab.shuffling import permutation

GROUP = "fit"
LEARNING_RATE = 1e-3
EPOCHS = 6  # per gdlab fit: 5 timed epochs (the History grows in some of them, as in any fit)
SETTLE = 0.2  # seconds of sleep before each variant
BATCHES = (32, 256, 4096)
SHARED_FROM = 2 * CHUNK_ROWS  # batches whose rows gd.fit's threads share (two row ranges)
TARGETS = {"per-sample": "≥ 5× scikit-learn", "256": "≥ 40% of floor", "full": "≥ 60% of floor"}
Timer = Callable[[], list[float]]  # runs once, returns the epoch times it saw


def fit_rows(
    samples: int, features: int, turns: int, budget: float = 0.0, settle: float = SETTLE
) -> list[Row]:
    """Every training-loop row, for X of samples × features float32 (turns: timed runs;
    settle: seconds of sleep before each variant)."""
    X, targets = make_data(samples, features)
    size = f"{_label(samples)}×{features} float32"
    stream, gather = floors(X, turns)
    plan = Plan(turns, stream, settle)
    rows = [
        Row(GROUP, f"stream X once, {size}", "floor (numba)", stream, floor=1.0,
            note=f"{X.nbytes / stream / 1e9:.1f} GB/s"),
        Row(GROUP, f"gather X's rows shuffled, {size}", "floor (numba)", gather,
            floor=stream / gather, note="the floor of a shuffled epoch's row sums"),
        *order_rows(X, turns, stream, gather),
    ]  # fmt: skip
    for kind in ("linear", "logistic"):
        model, y = MODELS[kind](), targets[kind]
        for shuffle in (False, True):
            order = "shuffled" if shuffle else "in order"
            timers = {"gdlab": _gdlab(model, X, y, 1, shuffle, settle),
                      **_sklearn(kind, X, y, shuffle)}  # fmt: skip
            rows += _rows(f"per-sample SGD epoch, {kind}, {order}, {size}", timers, plan,
                          TARGETS["per-sample"])  # fmt: skip
        for batch in BATCHES:
            timers = {"gdlab": _gdlab(model, X, y, batch, True, settle),
                      **_loops(kind, X, y, batch)}  # fmt: skip
            case = f"mini-batch {batch} shuffled epoch, {kind}, {size}"
            rows += _rows(case, timers, plan, TARGETS.get(str(batch), ""))
            if batch >= SHARED_FROM:
                rows.append(_sums_alone(case, kind, X, y, batch, plan))
        timers = {"gdlab": _gdlab(model, X, y, None, False, settle), **_loops(kind, X, y, None)}
        rows += _rows(f"full-batch epoch, {kind}, {size}", timers, plan, TARGETS["full"])
    return rows + seed_000_rows(turns, budget)


MODELS: dict[str, Callable[[], Any]] = {
    "linear": gd.models.LinearRegression,
    "logistic": gd.models.LogisticRegression,
}


def make_data(samples: int, features: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((samples, features), dtype=np.float32)
    y = X @ np.linspace(-1, 1, features, dtype=np.float32) + np.float32(0.1) * rng.standard_normal(
        samples, dtype=np.float32
    )
    return X, {"linear": y, "logistic": (y > 0).astype(np.float32)}


class Plan(NamedTuple):
    turns: int  # timed runs of each variant (after one warm-up run)
    stream: float  # the floor: seconds to stream X once
    settle: float  # seconds of sleep before each run


def _rows(case: str, timers: dict[str, Timer], plan: Plan, target: str) -> list[Row]:
    """Time the variants in turns; gdlab's row carries the ratios and the floor fraction."""
    stream = plan.stream
    times = _turns(timers, plan.turns, plan.settle)
    ours = times.pop("gdlab")
    baselines = {name: seconds for name, seconds in times.items() if seconds is not None}
    first = next(iter(baselines), None)
    extra = {f"× {name}": seconds / ours for name, seconds in baselines.items()}
    ratio = None if first is None else baselines[first] / ours
    note = "; ".join(f"{value:.1f}{name}" for name, value in extra.items())
    rows = [Row(GROUP, case, "gdlab (gd.fit)", ours, ratio, f"× {first}" if first else "",
                floor=stream / ours, target=target, note=note, extra=extra)]  # fmt: skip
    rows += [Row(GROUP, case, name, seconds, 1.0, f"× {name}", floor=stream / seconds)
             for name, seconds in baselines.items()]  # fmt: skip
    return rows


def _turns(timers: dict[str, Timer], turns: int, settle: float) -> dict[str, float]:
    """Median epoch time of each variant, run in turns after one warm-up run each."""
    seen: dict[str, list[float]] = {name: [] for name in timers}
    for turn in range(turns + 1):
        for name, timer in timers.items():
            time.sleep(settle)
            epochs = timer()
            if turn:
                seen[name] += epochs
    return {name: statistics.median(values) for name, values in seen.items()}


# ---------------------------------------------------------------- the variants


def _gdlab(
    model: Any, X: np.ndarray, y: np.ndarray, batch: int | None, shuffle: bool, settle: float
) -> Timer:
    """A fit of EPOCHS epochs; the epoch times are the gaps between the epoch callbacks (the
    first callback lets the threads of the fit's start settle)."""

    def timer() -> list[float]:
        stamps: list[float] = []

        def stamp(_: Any) -> None:
            if not stamps:
                time.sleep(settle)
            stamps.append(time.perf_counter())

        gd.fit(model, X, y, optimizer=gd.sgd(LEARNING_RATE), batch_size=batch, epochs=EPOCHS,
               shuffle=shuffle, epoch_callback=stamp)  # fmt: skip
        return np.diff(stamps).tolist()

    return timer


def _sklearn(kind: str, X: np.ndarray, y: np.ndarray, shuffle: bool) -> dict[str, Timer]:
    """partial_fit on X as gdlab gets it (float32, converted to float64 by scikit-learn at each
    call) and on float64 X (its own dtype: no conversion)."""
    if optional_import("sklearn") is None:
        return {}
    from sklearn import linear_model

    options = {"penalty": None, "learning_rate": "constant", "eta0": LEARNING_RATE,
               "shuffle": shuffle, "random_state": 0}  # fmt: skip
    timers = {}
    for label, features in (("", X), (", float64 X", X.astype(np.float64))):
        if kind == "linear":
            regressor = linear_model.SGDRegressor(**options)
            fit = functools.partial(regressor.partial_fit, features, y)
            name = "SGDRegressor.partial_fit"
        else:
            classifier = linear_model.SGDClassifier(loss="log_loss", **options)
            fit = functools.partial(classifier.partial_fit, features, y.astype(np.int64),
                                    classes=[0, 1])  # fmt: skip
            name = "SGDClassifier.partial_fit"
        timers[name + label] = _timed(fit)
    return timers


def _timed(function: Callable[[], Any]) -> Timer:
    def timer() -> list[float]:
        start = time.perf_counter()
        function()
        return [time.perf_counter() - start]

    return timer


def _loops(kind: str, X: np.ndarray, y: np.ndarray, batch: int | None) -> dict[str, Timer]:
    """One shuffled epoch of a vectorised NumPy loop and of a torch loop (full batch: one step)."""
    timers = {"NumPy loop": _timed(lambda: numpy_epoch(kind, X, y, batch))}
    torch = optional_import("torch")
    if torch is not None:
        tensors = torch.from_numpy(X), torch.from_numpy(y)
        timers["torch loop"] = _timed(lambda: torch_epoch(torch, kind, *tensors, batch))
    return timers


def numpy_epoch(kind: str, X: np.ndarray, y: np.ndarray, batch: int | None) -> np.ndarray:
    """Mini-batch SGD the vectorised NumPy way: rows gathered per batch, two products."""
    n, d = X.shape
    w, b = np.zeros(d, np.float32), np.float32(0)
    size = batch or n
    order = np.random.default_rng(0).permutation(n) if batch else np.arange(n)
    for start in range(0, n, size):
        index = order[start : start + size]
        Xb, yb = X[index] if batch else X, y[index] if batch else y
        z = Xb @ w + b
        dz = (2 * (z - yb) if kind == "linear" else 1 / (1 + np.exp(-z)) - yb) / len(yb)
        w -= np.float32(LEARNING_RATE) * (Xb.T @ dz)
        b -= np.float32(LEARNING_RATE) * dz.sum()
    return w


def torch_epoch(torch: Any, kind: str, X: Any, y: Any, batch: int | None) -> Any:
    """The usual torch loop: index, forward, backward, optimizer step."""
    n, d = X.shape
    w = torch.zeros(d, requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=LEARNING_RATE)
    size = batch or n
    order = torch.randperm(n) if batch else None
    for start in range(0, n, size):
        Xb, yb = (X, y) if order is None else (X[order[start : start + size]],
                                                y[order[start : start + size]])  # fmt: skip
        z = Xb @ w + b
        if kind == "linear":
            loss = torch.mean((z - yb) ** 2)
        else:  # log(1 + e^z) − y·z; binary_cross_entropy_with_logits took ms at some sizes here
            loss = torch.mean(torch.nn.functional.softplus(z) - yb * z)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return w


# ---------------------------------------------------------------- floors


@njit(parallel=True, fastmath=True, cache=True)
def _read(X: Any, order: Any, shuffled: bool, chunks: int) -> float:
    """Σ of X's elements, row by row (through `order` when shuffled, each row prefetched as
    gd.fit's epochs prefetch it), in `chunks` ranges — compiled for each order, as gd.fit's
    loops are."""
    n = X.shape[0]
    totals = np.zeros(chunks)
    for c in prange(chunks):
        low, high = c * n // chunks, (c + 1) * n // chunks
        if shuffled:
            totals[c] = _read_rows(X, order, True, low, high)
        else:
            totals[c] = _read_rows(X, order, False, low, high)
    return totals.sum()


@njit(fastmath=True, inline="always")
def _read_rows(X: Any, order: Any, shuffled: bool, low: int, high: int) -> Any:
    """Σ of the elements of the rows at the order's positions [low, high)."""
    total = X.dtype.type(0)
    prefetch_start(X, order, shuffled, low, high)
    for k in range(low, high):
        i = position_row(X, order, shuffled, k)
        for j in range(X.shape[1]):
            total += X[i, j]
    return total


def floors(X: np.ndarray, turns: int) -> tuple[float, float]:
    """(stream, gather): the best time to read X once in order and in a shuffled order."""
    import numba

    order = np.random.default_rng(1).permutation(len(X))
    threads = numba.get_num_threads()
    runs = {
        "stream, 1 thread": lambda: _with_threads(1, _read, X, order, False, 1),
        "stream, threads": lambda: _with_threads(threads, _read, X, order, False, 16),
        "gather, threads": lambda: _with_threads(threads, _read, X, order, True, 16),
    }
    times = interleaved_medians(runs, repeats=max(turns, 3))
    return min(times["stream, 1 thread"], times["stream, threads"]), times["gather, threads"]


def order_rows(X: np.ndarray, turns: int, stream: float, gather: float) -> list[Row]:
    """A shuffled epoch's order — `gdlab.shuffling.permutation` of X's rows, against NumPy's
    `rng.permutation` — each drawn after a pass over X, as an epoch draws it after the epoch
    before; and the floor of a whole shuffled epoch: its rows gathered plus its order drawn
    (the order is drawn before the rows can be read through it)."""
    n = len(X)
    rng = np.random.default_rng(4)
    timers = {"gdlab": _after_a_pass(X, lambda: permutation(rng, n)),
              "NumPy rng.permutation": _after_a_pass(X, lambda: rng.permutation(n))}  # fmt: skip
    times = _turns(timers, max(turns, 3), 0.0)
    ours, numpy = times["gdlab"], times["NumPy rng.permutation"]
    epoch = gather + ours
    budget = stream / 0.4
    case = f"draw a shuffled epoch's order, {_label(n)} rows"
    return [
        Row(GROUP, case, "gdlab (permutation)", ours, numpy / ours, "× NumPy rng.permutation",
            note="after a pass over X"),
        Row(GROUP, case, "NumPy rng.permutation", numpy, 1.0, "× NumPy rng.permutation"),
        Row(GROUP, "gather X's rows shuffled + draw the order", "floor (numba + gdlab)", epoch,
            floor=stream / epoch, note=f"a shuffled epoch's floor; 40% of the stream floor "
            f"allows {budget * 1e3:.1f} ms"),
    ]  # fmt: skip


def _after_a_pass(X: np.ndarray, draw: Callable[[], Any]) -> Timer:
    """A timer of `draw` after a read of every row of X, which pushes the order drawn before
    out of the caches."""
    in_order = np.empty(0, np.intp)

    def timer() -> list[float]:
        _read(X, in_order, False, 16)
        start = time.perf_counter()
        draw()
        return [time.perf_counter() - start]

    return timer


def _with_threads(count: int, function: Callable[..., Any], *args: Any) -> Any:
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(count)
    try:
        return function(*args)
    finally:
        numba.set_num_threads(before)


def _sums_alone(case: str, kind: str, X: np.ndarray, y: np.ndarray, batch: int, plan: Plan
                ) -> Row:  # fmt: skip
    """The part of a shuffled epoch that is its row sums: `batch_sums` (gd.fit's kernel and
    split of the rows, no step, no waiting) — what the steps and hand-overs add is the rest."""
    order = np.random.default_rng(2).permutation(len(X))
    head = SQUARED if kind == "linear" else LOG_LOSS
    timer = _timed(lambda: batch_sums(X, y, order, batch, head))
    seconds = _turns({"sums": timer}, plan.turns, plan.settle)["sums"]
    note = "gd.fit's gradient pass over every batch, its threads sharing the rows; no step"
    return Row(GROUP, case, "gdlab row sums alone", seconds, floor=plan.stream / seconds,
               note=note)  # fmt: skip


def batch_sums(X: np.ndarray, y: np.ndarray, order: np.ndarray, size: int, kind: int) -> float:
    """Σ of the losses at w = 0 of the batches of `size` rows of the order (the last may be
    shorter), each summed by gd.fit's kernel (`epoch_kernels.sum_ranges`) in its row ranges,
    the ranges shared among the threads as gd.fit's `epoch_threads` shares them
    (`batch_sharing.part_ranges`) — but no thread waits for another and no step is made.
    So each worker has scratch rows of its own: a shorter last batch gives a worker ranges
    that another may still be summing for the batch before."""
    params = np.zeros(X.shape[1] + 1, X.dtype)
    workers = part_count(numba.get_num_threads(), chunks(min(size, len(order))))
    partials = lined_zeros((workers, CHUNKS, params.size), np.float64)
    blocks = lined_zeros((workers, CHUNKS, params.size), X.dtype)
    heads = lined_zeros((workers, CHUNKS, HEAD_SLOTS, HEAD_ROWS), X.dtype)
    totals = lined_zeros((workers, CHUNKS), np.float64)
    scratch = (partials, blocks, heads, totals, np.zeros(workers))
    return _batch_sums(X, y, np.asarray(order, np.intp), size, kind, params, *scratch)


@njit(parallel=True, cache=True)
def _batch_sums(X: Any, y: Any, order: Any, size: int, kind: int, params: Any, partials: Any,
                blocks: Any, heads: Any, totals: Any, losses: Any) -> float:  # fmt: skip
    workers, n = losses.size, order.size
    for worker in prange(workers):
        loss = 0.0  # written to losses once: the workers' entries share a cache line
        for start in range(0, n, size):
            b = min(start + size, n) - start
            parts = part_count(workers, chunks(b))
            if worker < parts:
                first, end = part_ranges(worker, parts, chunks(b))
                sum_ranges(X, y, order, True, start, b, first, end, params, X.shape[1],
                           partials[worker], blocks[worker], heads[worker], totals[worker], 1,
                           kind, 1.0)  # fmt: skip
                for c in range(first, end):
                    loss += totals[worker, c]
        losses[worker] = loss
    return losses.sum()


# ---------------------------------------------------------------- seed 000


def seed_000_pure_python() -> tuple[float, float, float]:
    """Seed 000's training loop as the article writes it (its print and plot left out)."""
    X = [0.01 * x for x in range(100)]
    Y = [2 * x**2 + 3 * x + 4 for x in X]

    def func(x: float) -> float:
        return w1 * x**2 + w2 * x + w3

    def loss(y_pred: float, y_true: float) -> float:
        return (y_pred - y_true) ** 2

    w1, w2, w3 = 1, 0, -1
    lr = 0.1
    for _epoch in range(1000):
        epoch_loss = 0
        for x, y_true in zip(X, Y, strict=True):
            y_pred = func(x)
            epoch_loss += loss(y_pred, y_true)
            grad_w1 = 2 * (y_pred - y_true) * x**2
            grad_w2 = 2 * (y_pred - y_true) * x
            grad_w3 = 2 * (y_pred - y_true)
            w1 = w1 - lr * grad_w1
            w2 = w2 - lr * grad_w2
            w3 = w3 - lr * grad_w3
        epoch_loss /= len(X)
        if epoch_loss < 0.0001:
            break
    return w1, w2, w3


def seed_000_gdlab() -> Any:
    ds = data.seed000()
    return gd.fit(gd.models.PolynomialRegression(2), ds.X, ds.y, optimizer=gd.sgd(0.1),
                  batch_size=1, shuffle=False, epochs=1000, start=[1.0, 0.0, -1.0],
                  target=1e-4)  # fmt: skip


def seed_000_rows(turns: int, budget: float) -> list[Row]:
    result, python = seed_000_gdlab(), seed_000_pure_python()
    assert result.info["epochs"] == 50 and np.allclose(result.x, python, rtol=1e-12)
    times = interleaved_medians(
        {"gd.fit": seed_000_gdlab, "pure Python": seed_000_pure_python},
        repeats=max(turns, 5), budget=budget,
    )  # fmt: skip
    ours, theirs = times["gd.fit"], times["pure Python"]
    case = "seed-000 fit (50 epochs × 100 samples)"
    return [
        Row(GROUP, case, "gdlab (gd.fit)", ours, ours / theirs, "× its time",
            target="≤ 0.5× its time"),
        Row(GROUP, case, "the seed's pure Python", theirs),
    ]  # fmt: skip


def _label(size: int) -> str:
    return f"{size // 10**6}M" if size % 10**6 == 0 else f"{size:,}"
