"""`fit`: train a model on data, one batch per update, epoch after epoch (layer L3).

    for epoch e = 0, 1, …:
        for each batch B of the epoch's order (see gdlab.batching):
            L_B, ∇L_B = model.value_and_grad(θ, X[B], y[B]);  record L_B, ‖∇L_B‖, α
            θ ← θ + update(∇L_B)
        epoch loss = mean of the L_B seen in the epoch (each before its update: seed 000's print)
        stop on target / tol & patience / the callback / the last epoch

Conventions are `minimize`'s: bad arguments fail before any work with an error naming them;
a run whose loss, gradient or parameters stop being finite — or whose batch loss grows past
L₀ + 10¹⁰·max(1, |L₀|), L₀ the loss of the start on all the data — stops with status
"diverged", a message naming the update, the epoch and the learning rate, and the last
parameters whose loss was finite as its result.  Never a silent NaN.

Schedules: the optimizer's schedule is stepped once per *update* (its count).  To step it once
per *epoch*, wrap it: `schedules.per_epoch(s, batching.steps_per_epoch(n, batch_size))`.  A
`schedules.reduce_on_plateau` inside the optimizer is reset when fit starts and stepped after
every epoch with the monitored loss (the validation loss when there is validation data, else the
epoch loss).

Speed: each epoch runs through one *epoch function* (see gdlab.epochs): the reference one in
NumPy, or a compiled one for particular models and optimizers, with the same contract.

Checkpoints (gdlab.checkpoints): `checkpoint=PATH` saves the run every `checkpoint_every`
*epochs* and when it ends — optimizer state, schedule position, RNG state, counters, History —
atomically; `resume_from=PATH` continues it, and the final parameters and History are
bit-identical to those of a run never interrupted.  A checkpoint of a finished run gives its
result back (or, after "max_steps", goes on when more epochs are asked for).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from gdlab import checkpoints
from gdlab.base import Array, Transform, check_bool, check_integer, check_range, check_real
from gdlab.batching import Batches
from gdlab.epochs import (
    EpochFunction,
    FitStep,
    Position,
    Run,
    choose_epoch,
    diverged_message,
)
from gdlab.history import Recorder, Result
from gdlab.loop import DIVERGENCE_FACTOR
from gdlab.schedules import reduce_on_plateau

MODEL_METHODS = ("validate", "n_outputs_for", "init", "value_and_grad")
COMPILED_LOSS_FROM = 2**22  # bytes of X from which the losses of all the data are compiled


class FitEpoch(NamedTuple):
    """What the per-epoch callback sees at the end of epoch `epoch`, after `step` updates
    (learning_rate: the rate of the next update, after any reduce_on_plateau step)."""

    epoch: int
    step: int
    params: Array
    loss: float
    full_loss: float
    val_loss: float
    learning_rate: float


# ---------------------------------------------------------------- epochs: log and stopping


@dataclass
class EpochLog:
    """The epoch-level arrays of the History, filled one completed epoch at a time."""

    full_loss: bool
    validation: bool

    def __post_init__(self) -> None:
        self.rows: list[tuple[int, int, float, float, float]] = []

    def append(self, epoch: int, step: int, loss: float, full: float, val: float) -> None:
        self.rows.append((epoch, step, loss, full, val))

    def problem(self, full: float, val: float) -> str | None:
        """Why an epoch-end evaluation shows divergence, or None."""
        if self.full_loss and not math.isfinite(full):
            return f"the loss on all the data is {full}"
        if self.validation and not math.isfinite(val):
            return f"the validation loss is {val}"
        return None

    def arrays(self) -> dict[str, np.ndarray | None]:
        table = np.array(self.rows, dtype=np.float64).reshape(-1, 5).T
        return {
            "epoch": table[0].astype(np.int64),
            "epoch_step": table[1].astype(np.int64),
            "epoch_loss": table[2],
            "epoch_full_loss": table[3] if self.full_loss else None,
            "epoch_val_loss": table[4] if self.validation else None,
        }


@dataclass
class Monitor:
    """The epoch-level criteria: target on the epoch loss; tol & patience on the monitored loss.

    Like scikit-learn's n_iter_no_change: an epoch is bad when monitored > best − tol; after
    `patience` bad epochs in a row the run stops.  The best epoch is the lowest monitored loss.
    """

    target: float | None
    tol: float | None
    patience: int
    name: str
    restore_best: bool
    best: float = math.inf
    best_epoch: int | None = None
    best_count: int = 0
    best_params: Array | None = None
    bad: int = 0

    def update(
        self, epoch: int, count: int, epoch_loss: float, monitored: float, params: Array
    ) -> tuple[str | None, str]:
        if self.tol is not None:
            self.bad = self.bad + 1 if monitored > self.best - self.tol else 0
        if monitored < self.best:
            self.best, self.best_epoch, self.best_count = monitored, epoch, count
            self.best_params = params.copy() if self.restore_best else None
        if self.target is not None and epoch_loss <= self.target:
            return "converged", (
                f"epoch loss {epoch_loss:.6g} reached the target {self.target:g} "
                f"after epoch {epoch} ({count} updates)"
            )
        if self.tol is not None and self.bad >= self.patience:
            return "converged", (
                f"the {self.name} fell by less than tol={self.tol:g} for {self.patience} "
                f"epochs (best {self.best:.6g} after epoch {self.best_epoch})"
            )
        return None, ""

    def state_dict(self) -> dict[str, Any]:
        """What changes from epoch to epoch (for checkpoints)."""
        return {name: getattr(self, name) for name in _MONITOR_STATE}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if set(state) != set(_MONITOR_STATE):
            raise ValueError(f"state keys must be {sorted(_MONITOR_STATE)}, got {sorted(state)}")
        for name, value in state.items():
            setattr(self, name, value)


_MONITOR_STATE = ("best", "best_epoch", "best_count", "best_params", "bad")

# ---------------------------------------------------------------- fit


def fit(
    model: Any,
    X: Any,
    y: Any,
    *,
    optimizer: Transform,
    batch_size: int | None = None,
    epochs: int = 100,
    shuffle: bool = True,
    replace: bool = False,
    seed: int | np.random.Generator = 0,
    drop_last: bool = False,
    start: Any = None,
    target: float | None = None,
    tol: float | None = None,
    patience: int = 5,
    validation_data: tuple[Any, Any] | None = None,
    restore_best: bool = False,
    full_loss: bool = False,
    callback: Callable[[FitStep], Any] | None = None,
    epoch_callback: Callable[[FitEpoch], Any] | None = None,
    record_path: bool = False,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: int = 1,
    resume_from: str | os.PathLike[str] | None = None,
    client: Any = None,
) -> Result:
    """Fit `model` to (X, y) with `optimizer`, batch by batch, for at most `epochs` epochs.

    Args:
        model: a gd.models model (validate, n_outputs_for, init, value_and_grad).
        X, y: the data, checked once by `model.validate` (never copied, never written).
        optimizer: a Transform such as `gd.sgd(0.1)`.
        batch_size: None (full batch), 1 (stochastic) or k (mini-batch), 1 ≤ k ≤ n.
        epochs: at most this many passes over the data (≥ 1).
        shuffle, replace, drop_last: the batch order (see gdlab.batching).
        seed: an integer, or a numpy Generator; the one source of randomness (the random start,
            then each epoch's order).
        start: explicit initial parameters (a scalar such as 0.0, a flat sequence or a dict by
            part name); None draws them from the seed.
        target: stop ("converged") once an epoch loss is ≤ target.
        tol, patience: stop ("converged") once the monitored loss — the validation loss when
            validation_data is given (early stopping), else the epoch loss — has not fallen
            below best − tol for `patience` epochs in a row.  tol=None: no such criterion.
        validation_data: (X_val, y_val), evaluated after every epoch.
        restore_best: return the parameters of the epoch with the lowest monitored loss.
        full_loss: evaluate the loss on all of (X, y) after every epoch (seed 002's history).
        callback: called with a FitStep before every update; truthy return → "stopped".
        epoch_callback: called with a FitEpoch after every epoch; truthy return → "stopped".
        record_path: keep the parameters before every update in `history.x`.
        checkpoint: a file to save the run to, every `checkpoint_every` epochs and at its end.
        checkpoint_every: epochs between two checkpoints (≥ 1).
        resume_from: a checkpoint to continue from (of this model, optimizer, data and batch
            plan; anything else, or a truncated or corrupt file, raises CheckpointError).
        client: a dask.distributed Client for Dask arrays (default: the current one) or for
            NumPy data to spread over it.  X, y may be Dask arrays, or X a gd.data.BlockArray
            (on disk, streamed): see gdlab.distributed (batch_size: whole chunks / blocks).

    Returns a Result: x the fitted flat parameters, fun the loss on all of (X, y) at x, nit the
    updates made to reach x, the History (one row per update, plus the epoch arrays) and
    info {"epochs", "steps_per_epoch", "best_epoch", "restored"}.

    >>> import gdlab as gd
    >>> from gdlab import data
    >>> ds = data.seed002()                   # seed 002: batch GD, α = 0.01, θ₀ = 0
    >>> model = gd.models.LinearRegression(loss="half_mse", fit_intercept=False)
    >>> result = fit(model, ds.X, ds.y, optimizer=gd.sgd(0.01), epochs=1000, start=0.0)
    >>> result.x.round(6).tolist(), result.nit
    ([0.136307, 1.953639], 1000)
    """
    _check_contract(model, optimizer)
    plan: Callable[..., Batches] = Batches  # batches of rows; of chunks or blocks below
    from gdlab import distributed  # NumPy only: Dask is imported when Dask data come

    if distributed.wanted(X, client):
        if checkpoint is not None or resume_from is not None:
            raise ValueError("checkpoint and resume_from are not available for Dask or disk data")
        model, X, y, plan = distributed.prepare(model, X, y, batch_size=batch_size, client=client)
    X, y = model.validate(X, y)
    batches = plan(len(X), batch_size, shuffle=shuffle, drop_last=drop_last, replace=replace)
    n_outputs = model.n_outputs_for(y)
    validation = _validation(model, validation_data, X.shape[1], n_outputs)
    epochs = check_integer("epochs", epochs, 1)
    monitor = Monitor(
        target=None if target is None else check_real("target", target),
        tol=None if tol is None else check_range("tol", tol, 0.0),
        patience=check_integer("patience", patience, 1),
        name="validation loss" if validation is not None else "epoch loss",
        restore_best=check_bool("restore_best", restore_best),
    )
    _check_callbacks(callback, epoch_callback, full_loss, record_path)
    rng = _generator(seed)
    dtype = np.result_type(X.dtype, np.float32)
    every = check_integer("checkpoint_every", checkpoint_every, 1)
    target_file = None if checkpoint is None else checkpoints.checkpoint_path(checkpoint)
    saved = None if resume_from is None else checkpoints.load(resume_from)
    plateau = _plateau(optimizer)
    log = EpochLog(full_loss, validation is not None)
    identity = None
    if target_file is not None or saved is not None:
        flags = {"full_loss": full_loss, "record_path": record_path, "restore_best": restore_best}
        identity = checkpoints.describe_fit(
            model, optimizer, X, y, validation, batches, dtype, flags
        )
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is detected
        if saved is None:
            params = model.init(X.shape[1], n_outputs=n_outputs, rng=rng, start=start, dtype=dtype)
            run = _start(model, optimizer, X, y, params, batches, epochs, callback, record_path)
            position = Position(params, params, optimizer.init(params), 0)
        else:
            position = checkpoints.resume(
                saved, identity, resume_from, optimizer, rng, plateau, monitor, log
            )
            recorder = checkpoints.recorder(saved)
            run = Run(model, optimizer, X, y, batches, recorder, saved.bound, callback)
        keep = checkpoints.keeper(target_file, every, identity, run, rng, plateau, monitor, log)
        if saved is not None and checkpoints.finished(saved, epochs, resume_from):
            outcome = _ending(
                keep, position, saved.status or "", saved.message, saved.epoch,
                between=saved.resumable,
            )  # fmt: skip
        else:
            epoch_function = choose_epoch(model, optimizer, callback)
            first = 0 if saved is None else saved.epoch
            outcome = _epochs(
                run, epoch_function, position, first, epochs, rng, log, monitor, plateau,
                validation, epoch_callback, keep,
            )  # fmt: skip
        return _result(run, outcome, log, monitor)


class _Ending(NamedTuple):
    params: Array
    nit: int
    status: str
    message: str
    epochs: int


def _epochs(
    run: Run,
    epoch_function: EpochFunction,
    position: Position,
    first: int,
    epochs: int,
    rng: np.random.Generator,
    log: EpochLog,
    monitor: Monitor,
    plateau: reduce_on_plateau | None,
    validation: tuple[Array, Array] | None,
    epoch_callback: Callable[[FitEpoch], Any] | None,
    keep: checkpoints.Keep | None,
) -> _Ending:
    """Run epochs first, first + 1, … until a criterion, a divergence, a callback or the last
    epoch; `keep` (checkpoints) sees the position after every epoch and at the end."""
    unwatched = (plateau is None and validation is None and not log.full_loss
                 and epoch_callback is None and keep is None and monitor.tol is None
                 and not monitor.restore_best)  # fmt: skip
    at_once = getattr(epoch_function, "epochs_at_once", None)
    per_call = at_once(run, position) if unwatched and at_once is not None else 0
    if per_call > 0:
        return _epochs_at_once(
            run, epoch_function, position, first, epochs, log, monitor, per_call
        )  # fmt: skip
    for epoch in range(first, epochs):
        order = run.batches.order(rng)
        outcome = epoch_function(run, position, epoch, order)
        position = outcome.position
        params, count = position.params, position.count
        if outcome.status is not None:
            return _ending(keep, position, outcome.status, outcome.message, epoch, between=False)
        epoch_loss = outcome.loss_sum / outcome.batches
        full = _loss(run.model, params, run.X, run.y) if log.full_loss else math.nan
        val = _loss(run.model, params, *validation) if validation is not None else math.nan
        log.append(epoch, count, epoch_loss, full, val)
        problem = log.problem(full, val)
        if problem is not None:
            message = diverged_message(run.optimizer, count, epoch, problem)
            return _ending(keep, position, "diverged", message, epoch + 1)
        monitored = val if validation is not None else epoch_loss
        if plateau is not None:
            plateau.step(monitored, count=count)
        status, message = monitor.update(epoch, count, epoch_loss, monitored, params)
        if status is None and epoch_callback is not None:
            rate = run.optimizer.current_learning_rate(count)
            if epoch_callback(FitEpoch(epoch, count, params, epoch_loss, full, val, rate)):
                status, message = "stopped", f"stopped by the epoch callback after epoch {epoch}"
        if status is None and epoch == epochs - 1:
            status, message = _out_of_epochs(epochs, count)
        if status is not None:
            return _ending(keep, position, status, message, epoch + 1)
        if keep is not None:
            keep(position, epoch + 1, None, "", True)
    raise AssertionError("unreachable: the loop returns at the last epoch")


def _epochs_at_once(
    run: Run, epoch_function: Any, position: Position, first: int, epochs: int, log: EpochLog,
    monitor: Monitor, per_call: int,
) -> _Ending:  # fmt: skip
    """`_epochs` for a run that nothing watches between its epochs (no callback, checkpoint,
    plateau, validation, full loss, patience or restore_best) and whose compiled epoch
    function runs several epochs in one call (`CompiledEpoch.many_epochs`: rows in order,
    constant coefficients; `per_call` epochs a call at most): the same epochs, log and ending,
    without the Python of each epoch (seed 000's fit, 50 epochs of 100 samples, on an AMD
    EPYC: 2.97–3.06 → 1.70–2.57 ms, 0.56–0.60 → 0.45–0.46 × the time of the seed's pure
    Python)."""
    epoch = first
    while True:
        count = min(per_call, epochs - epoch)
        sums, last = epoch_function.many_epochs(run, position, epoch, count, monitor.target)
        updates, finished = position.count, sums.tolist()  # Python floats: as _epochs divides
        params = last.position.params  # for monitor.update (unused: no restore_best)
        for loss_sum, batches in finished[: len(finished) - (last.status is not None)]:
            updates += int(batches)
            epoch_loss = loss_sum / batches
            log.append(epoch, updates, epoch_loss, math.nan, math.nan)
            status, message = monitor.update(epoch, updates, epoch_loss, epoch_loss, params)
            if status is None and epoch == epochs - 1:
                status, message = _out_of_epochs(epochs, updates)
            if status is not None:
                return _ending(None, last.position, status, message, epoch + 1)
            epoch += 1
        if last.status is not None:
            return _ending(None, last.position, last.status, last.message, epoch, between=False)
        position = last.position


def _out_of_epochs(epochs: int, count: int) -> tuple[str, str]:
    return "max_steps", f"made all {epochs} epochs ({count} updates)"


def _ending(
    keep: checkpoints.Keep | None,
    position: Position,
    status: str,
    message: str,
    epochs: int,
    *,
    between: bool = True,
) -> _Ending:
    """The end of the run, kept in the last checkpoint when there is one (a run stopped by a
    callback between two epochs, or out of epochs, can go on from there)."""
    if keep is not None:
        keep(position, epochs, status, message, status == "max_steps" or between)
    return _Ending(position.params, position.count, status, message, epochs)


def _result(run: Run, ending: _Ending, log: EpochLog, monitor: Monitor) -> Result:
    params, count = ending.params, ending.nit
    best = monitor.best_epoch
    if monitor.restore_best and monitor.best_params is not None:
        params, count = monitor.best_params, monitor.best_count
    fun = _loss(run.model, params, run.X, run.y)
    info = {
        "epochs": ending.epochs,
        "steps_per_epoch": run.batches.steps_per_epoch,
        "best_epoch": best,
        "restored": params is monitor.best_params,
    }
    history = run.recorder.history(**log.arrays())
    return Result(params, fun, count, ending.status, ending.message, history, "analytic", info)


def _start(
    model: Any,
    optimizer: Transform,
    X: Array,
    y: Array,
    params: Array,
    batches: Batches,
    epochs: int,
    callback: Callable[[FitStep], Any] | None,
    record_path: bool,
) -> Run:
    """The run's context; the start's loss on all the data sets the divergence bound."""
    initial = _loss(model, params, X, y)
    if not math.isfinite(initial):
        raise ValueError(f"cannot start: the loss of the initial parameters is {initial}")
    capacity = min(epochs * batches.steps_per_epoch, 4096)
    recorder = Recorder(params.shape if record_path else None, params.dtype, capacity=capacity)
    bound = initial + DIVERGENCE_FACTOR * max(1.0, abs(initial))
    return Run(model, optimizer, X, y, batches, recorder, bound, callback)


def _loss(model: Any, params: Array, X: Array, y: Array) -> float:
    """L(θ) on all of X, y: from COMPILED_LOSS_FROM bytes of X by the compiled full-batch pass
    where the model has one (gdlab.compiled_epochs.whole_loss), else the model's own."""
    if isinstance(X, np.ndarray) and X.nbytes >= COMPILED_LOSS_FROM:
        from gdlab.compiled_epochs import whole_loss

        loss = whole_loss(model, params, X, y)
        if loss is not None:
            return loss
    return float(model.value_and_grad(params, X, y)[0])


# ---------------------------------------------------------------- input checks


def _check_contract(model: Any, optimizer: Any) -> None:
    missing = [name for name in MODEL_METHODS if not callable(getattr(model, name, None))]
    if missing:
        raise TypeError(
            f"model must be a gdlab model (e.g. gd.models.LinearRegression()), "
            f"got {type(model).__name__} without {', '.join(missing)}"
        )
    if not isinstance(optimizer, Transform):
        kind = type(optimizer).__name__
        raise TypeError(f"optimizer must be a gdlab Transform (e.g. gd.sgd(0.1)), got {kind}")


def _validation(
    model: Any, data: Any, n_features: int, n_outputs: int
) -> tuple[Array, Array] | None:
    """(X_val, y_val) checked like the training data, with the same features and outputs."""
    if data is None:
        return None
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        kind = type(data).__name__
        raise ValueError(f"validation_data must be a pair (X_val, y_val), got {kind}")
    try:
        X_val, y_val = model.validate(*data)
    except ValueError as error:
        raise ValueError(f"validation_data: {error}") from None
    if X_val.shape[1] != n_features:
        raise ValueError(
            f"validation_data: X_val has {X_val.shape[1]} features, the training X {n_features}"
        )
    if model.n_outputs_for(y_val) > n_outputs:
        raise ValueError(
            f"validation_data: y_val needs {model.n_outputs_for(y_val)} outputs (classes), "
            f"the training y only {n_outputs}"
        )
    return X_val, y_val


def _check_callbacks(callback: Any, epoch_callback: Any, full_loss: Any, record_path: Any) -> None:
    for name, value in (("callback", callback), ("epoch_callback", epoch_callback)):
        if value is not None and not callable(value):
            raise TypeError(f"{name} must be callable or None, got {type(value).__name__}")
    check_bool("full_loss", full_loss)
    check_bool("record_path", record_path)


def _generator(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_integer("seed", seed, 0))


def _plateau(optimizer: Transform) -> reduce_on_plateau | None:
    """The optimizer's reduce_on_plateau schedule, reset for a fresh run (None if it has none)."""
    rates = [link.learning_rate for link in (optimizer, *optimizer.links)]
    found = [rate for rate in rates if isinstance(rate, reduce_on_plateau)]
    if not found:
        return None
    found[0].reset()
    return found[0]
