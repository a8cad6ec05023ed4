"""A running fit ↔ a Checkpoint: what a run is (to refuse another), capture and restore, and
the three things `gd.fit` calls: checkpoint_path, keeper, resume."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from gdlab.base import Array, Transform
from gdlab.checkpoints.codec import CheckpointError
from gdlab.checkpoints.files import Checkpoint, restore_state, save
from gdlab.epochs import Position, Run
from gdlab.history import Recorder

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def describe_transform(transform: Transform) -> str:
    """The optimizer with every link's hyper-parameters (memory addresses left out)."""
    text = repr(transform)
    if transform.links:
        text += "[" + "; ".join(describe_transform(link) for link in transform.links) + "]"
    return _ADDRESS.sub("", text)


def fingerprint(*arrays: Any) -> str:
    """SHA-256 of arrays' dtypes, shapes and bytes (the data a run was fitted to)."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.data)
    return digest.hexdigest()


def describe_fit(
    model: Any,
    optimizer: Transform,
    X: Array,
    y: Array,
    validation: tuple[Array, Array] | None,
    batches: Any,
    dtype: Any,
    flags: Mapping[str, bool],
) -> dict[str, Any]:
    """What a run is, as JSON-ready values: a checkpoint resumes only the same run."""
    size = model.n_params(X.shape[1], model.n_outputs_for(y))
    return {
        "model": _ADDRESS.sub("", repr(model)),
        "optimizer": describe_transform(optimizer),
        "parameters": [int(size), np.dtype(dtype).str],
        "data": fingerprint(X, y),
        "validation": None if validation is None else fingerprint(*validation),
        "batches": repr(batches),
        "records": ", ".join(f"{key}={bool(value)}" for key, value in flags.items()),
    }


def check_compatible(saved: Checkpoint, current: Mapping[str, Any], path: Any) -> None:
    """Refuse a checkpoint written for another model, optimizer, data set or batch plan."""
    for key, value in current.items():
        if saved.fit.get(key) != value:
            raise CheckpointError(
                f"cannot resume from {path}: it was written for another run "
                f"({key}: {saved.fit.get(key)!r} in the checkpoint, {value!r} now)"
            )
    size, dtype = current.get("parameters", [saved.params.size, saved.params.dtype.str])
    for name in ("params", "previous"):
        array = getattr(saved, name)
        if array.shape != (size,) or array.dtype.str != dtype:
            raise CheckpointError(
                f"cannot resume from {path}: {name} is {array.dtype}{array.shape}, "
                f"the model needs {size} values of {np.dtype(dtype)}"
            )


def finished(saved: Checkpoint, epochs: int, path: Any) -> bool:
    """True when the checkpoint holds a run that has ended for `epochs` epochs (its result is
    final); False when there are epochs left to run; CheckpointError when it went further.

    A run that converged, diverged or was stopped inside an epoch has ended; one stopped by
    the epoch callback or out of epochs ("max_steps") goes on when epochs allow."""
    if not saved.resumable:
        return True
    if saved.epoch > epochs or (saved.epoch == epochs and saved.status is None):
        raise CheckpointError(
            f"cannot resume from {path} with epochs={epochs}: it has already made "
            f"{saved.epoch} epochs"
        )
    return saved.epoch == epochs


def capture(
    identity: Mapping[str, Any],
    position: Any,
    epoch: int,
    recorder: Recorder,
    bound: float,
    rng: np.random.Generator,
    **parts: Any,
) -> Checkpoint:
    """A Checkpoint of a fit after `epoch` epochs at `position` (params, previous, state, count);
    parts: epochs (the epoch rows), plateau, monitor, status, message."""
    return Checkpoint(
        fit=identity,
        epoch=epoch,
        count=position.count,
        params=position.params,
        previous=position.previous,
        state=position.state,
        rng=rng.bit_generator.state,
        bound=bound,
        steps=recorder.steps(),
        path=recorder.path(),
        **parts,
    )


def recorder(saved: Checkpoint) -> Recorder:
    """A Recorder holding the checkpoint's step rows, ready to go on recording."""
    rows = len(saved.steps)
    shape = None if saved.path is None else saved.params.shape
    restored = Recorder(shape, saved.params.dtype, capacity=max(2 * rows, 256))
    steps, path = restored.reserve(rows)
    steps[:] = saved.steps
    if path is not None and saved.path is not None:
        path[:] = saved.path
    restored.commit(rows)
    return restored


def restore_generator(rng: np.random.Generator, state: Any, path: Any) -> None:
    """Set rng's bit generator to the saved state (the same kind of generator only)."""
    kind = type(rng.bit_generator).__name__
    saved_kind = state.get("bit_generator") if isinstance(state, dict) else None
    if saved_kind != kind:
        raise CheckpointError(
            f"cannot resume from {path}: its random generator is {saved_kind!r}, the seed "
            f"gives {kind!r}"
        )
    try:
        rng.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as error:
        raise CheckpointError(f"cannot resume from {path}: bad generator state ({error})") from None


# ---------------------------------------------------------------- what gd.fit calls

Keep = Callable[[Position, int, "str | None", str, bool], None]


def checkpoint_path(path: Any) -> Path:
    """The file `checkpoint=` names, checked before any work: a path in an existing folder."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"checkpoint must be a path, got {type(path).__name__}")
    target = Path(path)
    if not target.parent.is_dir():
        raise ValueError(f"checkpoint: the folder {target.parent} does not exist")
    if target.is_dir():
        raise ValueError(f"checkpoint must name a file, got the folder {target}")
    return target


def keeper(
    path: Path | None,
    every: int,
    identity: Mapping[str, Any] | None,
    run: Run,
    rng: np.random.Generator,
    plateau: Any,
    monitor: Any,
    log: Any,
) -> Keep | None:
    """keep(position, epochs, status, message, between): save the run every `every` epochs and
    at its end (None without a checkpoint path).  A run that ended "max_steps", or was stopped
    between two epochs, stays resumable; one that converged, diverged or stopped inside an
    epoch is final."""
    if path is None or identity is None:
        return None

    def keep(
        position: Position, epochs: int, status: str | None, message: str, between: bool
    ) -> None:
        if status is None and epochs % every:
            return
        resumable = status in (None, "max_steps") or (status == "stopped" and between)
        saved = capture(
            identity, position, epochs, run.recorder, run.bound, rng,
            epochs=np.array(log.rows, dtype=np.float64).reshape(-1, 5),
            plateau=None if plateau is None else plateau.state_dict(),
            monitor=monitor.state_dict(), status=status, message=message, resumable=resumable,
        )  # fmt: skip
        save(path, saved)

    return keep


def resume(
    saved: Checkpoint,
    identity: Mapping[str, Any] | None,
    source: Any,
    optimizer: Transform,
    rng: np.random.Generator,
    plateau: Any,
    monitor: Any,
    log: Any,
) -> Position:
    """Put a fit back where the checkpoint left it — rng, plateau, monitor and epoch log set in
    place — and return its Position; CheckpointError when the checkpoint is of another run."""
    check_compatible(saved, identity or {}, source)
    state = restore_state(saved, optimizer.init(saved.params))
    restore_generator(rng, saved.rng, source)
    try:
        if plateau is not None and saved.plateau is not None:
            plateau.load_state_dict(dict(saved.plateau))
        monitor.load_state_dict(dict(saved.monitor))
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"cannot resume from {source}: {error}") from None
    rows = saved.epochs.tolist()
    log.rows = [(int(e), int(s), loss, full, val) for e, s, loss, full, val in rows]
    return Position(saved.params, saved.previous, state, saved.count)
